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

  it('quotes the new error pattern behind a log rule with its count, and names the callee and the rollout it shows', () => {
    const patterns: StepResult = {
      ...step('log-patterns', 'crit'),
      signatures: ['names-callee', 'new-errors', 'rollout', 'connection-refused'],
      patterns: [
        {
          template: 'card declined',
          count: 13,
          samples: [],
          signatures: [],
          baselineCount: 14,
          isNew: false,
          anomalous: false,
        },
        {
          template: 'Rate lookup failed: Connection refused',
          count: 85,
          samples: [],
          signatures: ['connection-refused'],
          baselineCount: 0,
          isNew: true,
          anomalous: true,
          callee: 'rates-api',
          rollout: 'pods shipping-5f6b7c9d8-*',
          findings: ['new-errors', 'rollout', 'names-callee'],
        },
      ],
    };
    const [h] = scoreHypotheses(
      [
        spec([
          { when: { log: 'names-callee' }, supports: 'strong', because: 'Failed calls to {callee}.' },
          { when: { log: 'rollout' }, supports: 'weak', because: 'Only from {rollout}.' },
        ]),
      ],
      results(patterns),
    );
    expect(h?.supporting).toEqual([
      'Failed calls to rates-api. [log: 85× "Rate lookup failed: Connection refused" (new: none in the baseline)]',
      'Only from pods shipping-5f6b7c9d8-*. [log: 85× "Rate lookup failed: Connection refused" (new: none in the baseline)]',
    ]);
    // The background pattern, present as usual, fires nothing: the step's signatures come from the new ones only.
    const quiet = { ...patterns, signatures: [] };
    const [none] = scoreHypotheses(
      [spec([{ when: { log: 'connection-refused' }, supports: 'strong', because: 'x' }])],
      results(quiet),
    );
    expect(none?.supporting).toEqual([]);
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

describe('coverage: a rule that relies on steps having stayed healthy', () => {
  const elimination: HypothesisSpec['rules'] = [
    {
      when: {
        all: [
          { step: 'errors', is: 'crit' },
          { not: { step: 'deploy', is: 'crit' } },
          { not: { step: 'pool', is: 'crit' } },
          { not: { step: 'db', is: 'crit' } },
          { not: { step: 'cpu', is: 'crit' } },
        ],
      },
      supports: 'strong',
      because: 'Errors rose while everything else stayed healthy.',
    },
  ];

  it('counts in full when every step it relies on was measured', () => {
    const [h] = scoreHypotheses(
      [spec(elimination)],
      results(step('errors', 'crit'), step('deploy', 'ok'), step('pool', 'ok'), step('db', 'ok'), step('cpu', 'ok')),
    );
    expect(h?.confidence).toBeCloseTo(0.5, 2);
    expect(h?.supporting).toEqual(['Errors rose while everything else stayed healthy.']);
  });

  it('counts only as far as they were measured, and says how many were not', () => {
    const [h] = scoreHypotheses(
      [spec(elimination)],
      results(
        step('errors', 'crit'),
        step('deploy', 'ok'),
        step('pool', 'no_data'),
        step('db', 'no_data'),
        step('cpu', 'errored'),
      ),
    );
    // A strong sign (×9) on a quarter of its checks counts as 9^0.25.
    expect(h?.confidence).toBeCloseTo(Math.sqrt(3) / 9 / (1 + Math.sqrt(3) / 9), 2);
    expect(h?.supporting[0]).toMatch(/\(3 of 4 of the signals it relies on not measured\)$/);
    expect(h?.coverage).toEqual({ measured: 2, total: 5 });
  });

  it('does not count a gate on "no convention measures this" as a claim of health', () => {
    const gated: HypothesisSpec['rules'] = [
      {
        when: { all: [{ moved: 'errors' }, { step: 'errors', is: ['no_data', 'errored'] }] },
        supports: 'moderate',
        because: 'A failure counter rose.',
      },
    ];
    const scan: StepResult = { ...step('scan', 'crit'), moved: ['errors'] };
    const [h] = scoreHypotheses([spec(gated)], results(step('errors', 'no_data'), scan));
    expect(h?.confidence).toBeCloseTo(4 / 9 / (1 + 4 / 9), 2);
  });

  it('names the value that fired a rule, and the callee a step picked out', () => {
    const evidence = (value: number, labels?: Record<string, string>) => ({
      summary: '',
      value,
      baseline: 0.2,
      baselineSource: 'day-before' as const,
      thresholds: null,
      change: null,
      ratio: null,
      verdict: 'crit' as const,
      unit: 'seconds' as const,
      signal: 'latency_p99',
      convention: 'otel',
      ...(labels ? { labels } : {}),
      query: '',
      link: '',
      series: [],
    });
    const callee: StepResult = {
      ...step('callee-latency', 'crit'),
      title: 'Latency of the services it calls',
      evidence: [evidence(4.85, { dependency: 'product-api' })],
    };
    const [h] = scoreHypotheses(
      [
        spec([
          { when: { step: 'callee-latency', is: 'crit' }, supports: 'strong', because: '{dependency} got slower.' },
        ]),
      ],
      results(callee),
    );
    expect(h?.supporting).toEqual(['product-api got slower. [Latency of the services it calls: 4.85 s]']);
  });
});
