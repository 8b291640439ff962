import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../../src/domain/engine/types.js';
import type { HypothesisSpec } from '../../../src/domain/playbook/schema.js';
import { scoreHypotheses } from '../../../src/domain/scoring/score-hypotheses.js';

function step(id: string, status: StepResult['status']): StepResult {
  return { id, title: id, status, evidence: [], durationMs: 1 };
}

function results(...steps: StepResult[]) {
  return new Map(steps.map((s) => [s.id, s]));
}

const spec = (rules: HypothesisSpec['rules']): HypothesisSpec => ({
  cause: 'bad-deploy',
  rules,
  mitigations: ['roll back'],
});

describe('scoreHypotheses', () => {
  it('keeps a cause with one weak sign well below 0.5', () => {
    const [h] = scoreHypotheses(
      [spec([{ when: { step: 'a', is: 'crit' }, supports: 'weak', because: 'a' }])],
      results(step('a', 'crit')),
    );
    expect(h?.confidence).toBeLessThan(0.2);
    expect(h?.verdict).toBe('possible');
  });

  it('needs independent signs to agree before it is confident', () => {
    const rules: HypothesisSpec['rules'] = [
      { when: { step: 'a', is: 'crit' }, supports: 'strong', because: 'a' },
      { when: { step: 'b', is: 'crit' }, supports: 'moderate', because: 'b' },
    ];
    const one = scoreHypotheses([spec(rules)], results(step('a', 'crit'), step('b', 'ok')))[0];
    const two = scoreHypotheses([spec(rules)], results(step('a', 'crit'), step('b', 'crit')))[0];
    expect(one?.confidence).toBeCloseTo(0.5, 2);
    expect(two?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(two?.supporting).toEqual(['a', 'b']);
    expect(two?.verdict).toBe('supported');
  });

  it('rules a cause out when the evidence is against it', () => {
    const [h] = scoreHypotheses(
      [spec([{ when: { step: 'a', is: 'ok' }, against: 'strong', because: 'nothing deployed' }])],
      results(step('a', 'ok')),
    );
    expect(h?.confidence).toBeLessThan(0.05);
    expect(h?.against).toEqual(['nothing deployed']);
    expect(h?.verdict).toBe('ruled-out');
  });

  it('does not fire rules on steps that have not finished, and says what limited it', () => {
    const [h] = scoreHypotheses(
      [
        spec([
          { when: { not: { step: 'a', is: 'crit' } }, supports: 'strong', because: 'x' },
          { when: { step: 'b', is: 'crit' }, supports: 'strong', because: 'y' },
        ]),
      ],
      results(step('b', 'errored')),
    );
    expect(h?.confidence).toBe(0.1);
    expect(h?.limitedBy).toEqual(['b']);
  });

  it('says a rule on what the logs say is limited when the log store failed, not when there is none', () => {
    const failed: StepResult = {
      ...step('log-patterns', 'errored'),
      error: { code: 'datasource_timeout', source: 'loki', message: 'Loki did not answer' },
    };
    const rules: HypothesisSpec['rules'] = [
      { when: { log: 'connection-refused' }, supports: 'strong', because: 'refused connections' },
    ];
    const [limited] = scoreHypotheses([spec(rules)], results(step('error-ratio', 'crit'), failed));
    expect(limited?.limitedBy).toEqual(['log-patterns']);
    // A Prometheus step failing does not limit a log rule, and no log source at all (steps skipped) is not a failure.
    const promFailed: StepResult = {
      ...step('error-ratio', 'errored'),
      error: { code: 'datasource_timeout', source: 'prometheus', message: 'Prometheus did not answer' },
    };
    const [unaffected] = scoreHypotheses([spec(rules)], results(promFailed, step('log-patterns', 'skipped')));
    expect(unaffected?.limitedBy).toEqual([]);
  });

  it('sorts by confidence, highest first', () => {
    const hs = scoreHypotheses(
      [
        { cause: 'app-error', rules: [], mitigations: [] },
        {
          cause: 'bad-deploy',
          rules: [{ when: { step: 'a', is: 'crit' }, supports: 'strong', because: 'a' }],
          mitigations: [],
        },
      ],
      results(step('a', 'crit')),
    );
    expect(hs.map((h) => h.cause)).toEqual(['bad-deploy', 'app-error']);
  });
});
