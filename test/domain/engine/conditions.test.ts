/** `when:` conditions over finished steps: three-valued, so a rule never fires on evidence that does not exist yet. */
import { describe, expect, it } from 'vitest';
import {
  absenceReferences,
  evaluateCondition,
  readsLogs,
  stepsReferenced,
} from '../../../src/domain/engine/conditions.js';
import type { StepResult } from '../../../src/domain/engine/types.js';
import { type Condition, ConditionSchema, type StepStatus } from '../../../src/domain/playbook/schema.js';

function step(id: string, status: StepStatus, value?: number | null, extra: Partial<StepResult> = {}): StepResult {
  const evidence =
    value === undefined
      ? []
      : [
          {
            summary: '',
            value,
            baseline: null,
            baselineSource: null,
            thresholds: null,
            change: null,
            ratio: null,
            verdict: 'ok' as const,
            unit: 'ratio' as const,
            signal: id,
            convention: 'custom',
            query: '',
            link: '',
            series: [],
          },
        ];
  return { id, title: id, status, evidence, durationMs: 1, ...extra } as StepResult;
}

const results = (...steps: StepResult[]) => new Map(steps.map((s) => [s.id, s]));
const when = (c: unknown): Condition => ConditionSchema.parse(c);

describe('evaluateCondition', () => {
  it('is undefined while the step it reads has not finished', () => {
    expect(evaluateCondition(when({ step: 'errors', is: 'crit' }), results())).toBeUndefined();
  });

  it('tests a status, or any of a list of statuses', () => {
    const done = results(step('errors', 'warn'));
    expect(evaluateCondition(when({ step: 'errors', is: 'warn' }), done)).toBe(true);
    expect(evaluateCondition(when({ step: 'errors', is: 'crit' }), done)).toBe(false);
    expect(evaluateCondition(when({ step: 'errors', is: ['warn', 'crit'] }), done)).toBe(true);
    expect(evaluateCondition(when({ step: 'errors', is: ['ok', 'no_data'] }), done)).toBe(false);
  });

  it('compares the first evidence value strictly with above and below', () => {
    const done = results(step('ratio', 'ok', 0.5));
    expect(evaluateCondition(when({ step: 'ratio', above: 0.4 }), done)).toBe(true);
    expect(evaluateCondition(when({ step: 'ratio', above: 0.5 }), done)).toBe(false);
    expect(evaluateCondition(when({ step: 'ratio', below: 0.6 }), done)).toBe(true);
    expect(evaluateCondition(when({ step: 'ratio', below: 0.5 }), done)).toBe(false);
    expect(evaluateCondition(when({ step: 'ratio', above: 0.4, below: 0.6 }), done)).toBe(true);
    expect(evaluateCondition(when({ step: 'ratio', above: 0.4, is: 'crit' }), done)).toBe(false);
  });

  it('is false for a value test on a step without a value', () => {
    expect(evaluateCondition(when({ step: 'ratio', above: 0 }), results(step('ratio', 'no_data')))).toBe(false);
    expect(evaluateCondition(when({ step: 'ratio', below: 1 }), results(step('ratio', 'ok', null)))).toBe(false);
  });

  it('negates with not, and keeps undefined undefined', () => {
    const done = results(step('deploy', 'ok'));
    expect(evaluateCondition(when({ not: { step: 'deploy', is: 'crit' } }), done)).toBe(true);
    expect(evaluateCondition(when({ not: { step: 'deploy', is: 'ok' } }), done)).toBe(false);
    expect(evaluateCondition(when({ not: { step: 'other', is: 'ok' } }), done)).toBeUndefined();
  });

  it('combines with all and any, false or true winning over undefined', () => {
    const done = results(step('a', 'crit'), step('b', 'ok'));
    const a = { step: 'a', is: 'crit' };
    const b = { step: 'b', is: 'crit' };
    const pending = { step: 'c', is: 'crit' };
    expect(evaluateCondition(when({ all: [a, { step: 'b', is: 'ok' }] }), done)).toBe(true);
    expect(evaluateCondition(when({ all: [a, b] }), done)).toBe(false);
    expect(evaluateCondition(when({ all: [b, pending] }), done)).toBe(false);
    expect(evaluateCondition(when({ all: [a, pending] }), done)).toBeUndefined();
    expect(evaluateCondition(when({ any: [b, a] }), done)).toBe(true);
    expect(evaluateCondition(when({ any: [a, pending] }), done)).toBe(true);
    expect(evaluateCondition(when({ any: [b, pending] }), done)).toBeUndefined();
    expect(evaluateCondition(when({ any: [b, { step: 'a', is: 'ok' }] }), done)).toBe(false);
  });

  it('reads log signatures from any finished pattern step, undefined while none has run', () => {
    const rule = when({ log: ['pool-timeout', 'deadlock'] });
    expect(evaluateCondition(rule, results(step('errors', 'crit')))).toBeUndefined();
    expect(evaluateCondition(rule, results(step('p', 'crit', undefined, { signatures: ['deadlock'] })))).toBe(true);
    expect(evaluateCondition(rule, results(step('p', 'ok', undefined, { signatures: ['timeout'] })))).toBe(false);
    expect(
      evaluateCondition(when({ log: 'timeout' }), results(step('p', 'ok', undefined, { signatures: ['timeout'] }))),
    ).toBe(true);
  });

  it('reads what the scan saw move, undefined while no scan has run', () => {
    const rule = when({ moved: 'memory' });
    expect(evaluateCondition(rule, results(step('errors', 'crit')))).toBeUndefined();
    expect(evaluateCondition(rule, results(step('scan', 'crit', undefined, { moved: ['memory', 'cpu'] })))).toBe(true);
    expect(evaluateCondition(rule, results(step('scan', 'ok', undefined, { moved: [] })))).toBe(false);
  });
});

describe('what a condition reads', () => {
  const rule = when({
    all: [
      { step: 'errors', is: 'crit' },
      { not: { step: 'deploy', is: 'crit' } },
      { any: [{ step: 'saturation', above: 0.9 }, { step: 'restarts', is: ['ok', 'no_data'] }, { log: 'deadlock' }] },
      { moved: 'memory' },
    ],
  });

  it('lists every step it reads, log and moved rules reading none', () => {
    expect([...stepsReferenced(rule)]).toEqual(['errors', 'deploy', 'saturation', 'restarts']);
    expect([...stepsReferenced(when({ log: 'deadlock' }))]).toEqual([]);
  });

  it('lists the steps it relies on having stayed healthy: under a not, or tested for ok', () => {
    expect([...absenceReferences(rule)]).toEqual(['deploy', 'restarts']);
    expect([...absenceReferences(when({ step: 'x', is: ['no_data', 'errored'] }))]).toEqual([]);
  });

  it('says whether it reads the log lines anywhere inside it', () => {
    expect(readsLogs(rule)).toBe(true);
    expect(readsLogs(when({ not: { log: 'timeout' } }))).toBe(true);
    expect(readsLogs(when({ all: [{ step: 'a', is: 'ok' }, { moved: 'memory' }] }))).toBe(false);
  });
});
