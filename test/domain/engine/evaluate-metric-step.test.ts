/** One metric step against a scripted source: the status, value, baseline and evidence it reports. */
import { describe, expect, it } from 'vitest';
import { evaluateMetricStep } from '../../../src/domain/engine/evaluate-metric-step.js';
import { evaluateStep } from '../../../src/domain/engine/evaluate-step.js';
import { DatasourceUnreachableError } from '../../../src/domain/errors.js';
import { MetricStepSchema, StepSchema } from '../../../src/domain/playbook/schema.js';
import { contextFor, dayBefore, flat, profileWith, ScriptedMetrics, WINDOW } from './step-fakes.js';

const ERROR_RATE = {
  id: 'error-rate',
  title: 'Error rate',
  query: 'sum(rate(errors_total{$service}[$rate]))',
  requires: ['errors_total'],
  unit: 'per_second',
  thresholds: { warn: 1, crit: 5 },
} as const;

function run(metrics: ScriptedMetrics, step: object = ERROR_RATE, profile = profileWith(['errors_total'])) {
  return evaluateMetricStep(MetricStepSchema.parse(step), contextFor({ metrics, profile }));
}

describe('evaluateMetricStep', () => {
  it('is crit past the crit line, with the value, the day-before baseline and the query as evidence', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    metrics.earlier = [dayBefore(flat(0.5))];
    const result = await run(metrics);
    expect(result.status).toBe('crit');
    expect(result.evidence).toHaveLength(1);
    const [evidence] = result.evidence;
    expect(evidence).toMatchObject({
      value: 6,
      baseline: 0.5,
      baselineSource: 'day-before',
      verdict: 'crit',
      unit: 'per_second',
      thresholds: { warn: 1, crit: 5 },
      convention: 'custom',
    });
    expect(evidence?.query).toBe('sum(rate(errors_total{job="billing"}[5m]))');
    expect(evidence?.link).toBe(`fake://graph?q=${encodeURIComponent(evidence?.query ?? '')}`);
    expect(evidence?.summary).toMatch(/baseline .* same time one day earlier/);
    // One request for the window and the day before; the hours before are not asked for.
    expect(metrics.pairs).toHaveLength(1);
    expect(metrics.pairs[0]).toMatchObject({ shiftSeconds: 86_400, window: WINDOW });
    expect(metrics.ranges).toEqual([]);
  });

  it('is warn between the lines and ok under them', async () => {
    const metrics = new ScriptedMetrics();
    metrics.earlier = [dayBefore(flat(0.5))];
    metrics.current = [flat(2)];
    expect((await run(metrics)).status).toBe('warn');
    metrics.current = [flat(0.5)];
    const ok = await run(metrics);
    expect(ok.status).toBe('ok');
    expect(ok.evidence[0]?.value).toBe(0.5);
  });

  it('reads the worst series and its peak (max) for a signal where up is bad', async () => {
    const metrics = new ScriptedMetrics();
    const quiet = flat(0.1, undefined, undefined, { pod: 'b' });
    const spiky = { labels: quiet.labels, samples: quiet.samples.map((s, i) => (i === 10 ? { t: s.t, v: 7 } : s)) };
    metrics.current = [flat(0.2, undefined, undefined, { pod: 'a' }), spiky];
    metrics.earlier = [dayBefore(flat(0.2))];
    const result = await run(metrics);
    expect(result.status).toBe('crit');
    expect(result.evidence[0]?.value).toBe(7);
  });

  it('reads the lowest series when down is bad', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(0.99), flat(0.4)];
    metrics.earlier = [dayBefore(flat(0.99))];
    const result = await run(metrics, {
      ...ERROR_RATE,
      unit: 'ratio',
      direction: 'down',
      reduce: 'mean',
      thresholds: { warn: 0.9, crit: 0.5 },
    });
    expect(result.status).toBe('crit');
    expect(result.evidence[0]?.value).toBeCloseTo(0.4);
  });

  it('falls back to the median of the hours before the window when the day before has no data', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    const startS = WINDOW.start.getTime() / 1000;
    metrics.preceding = [flat(0.3, startS - 7200, startS - 60)];
    const result = await run(metrics);
    expect(result.evidence[0]).toMatchObject({ baseline: 0.3, baselineSource: 'preceding' });
    expect(metrics.ranges).toHaveLength(1);
    expect(metrics.ranges[0]?.window.end.getTime()).toBeLessThan(WINDOW.start.getTime());
    expect(metrics.ranges[0]?.window.start.getTime()).toBe(WINDOW.start.getTime() - 7_200_000);
  });

  it('has no baseline when neither the day before nor the hours before have data', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    const result = await run(metrics);
    expect(result.status).toBe('crit');
    expect(result.evidence[0]).toMatchObject({ baseline: null, baselineSource: null });
    expect(result.evidence[0]?.summary).toMatch(/no baseline/);
  });

  it('judges by change alone: no baseline means no data', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    const { thresholds: _, ...byChange } = ERROR_RATE;
    const result = await run(metrics, { ...byChange, unit: 'ratio', change: { warn: 2, crit: 5 } });
    expect(result.status).toBe('no_data');
    expect(result.reason).toMatch(/no baseline to compare/);
  });

  it('takes a doubling of a quiet count that is within chance for noise, and a real surge for a surge', async () => {
    const metrics = new ScriptedMetrics();
    // Twice the day before, but 12 events in five minutes where 6 were expected: chance.
    metrics.current = [flat(0.04)];
    metrics.earlier = [dayBefore(flat(0.02))];
    const { thresholds: _, ...byChange } = ERROR_RATE;
    const result = await run(metrics, { ...byChange, change: { warn: 1.5, crit: 3 } });
    expect(result.status).toBe('ok');
    expect(result.evidence[0]?.summary).toMatch(/within chance/);
    metrics.current = [flat(0.4)];
    expect((await run(metrics, { ...byChange, change: { warn: 1.5, crit: 3 } })).status).toBe('crit');
  });

  it('reports no data when the query returns no values, and when the service lacks the family', async () => {
    const empty = await run(new ScriptedMetrics());
    expect(empty).toMatchObject({ status: 'no_data', reason: 'the query returned no values in the window' });
    const metrics = new ScriptedMetrics();
    const lacking = await run(metrics, ERROR_RATE, profileWith(['requests_total']));
    expect(lacking.status).toBe('no_data');
    expect(lacking.reason).toMatch(/billing exposes none of the metrics for "Error rate"/);
    expect(metrics.pairs).toEqual([]);
  });

  it("turns a source's failure into an errored step with the error's code and source", async () => {
    const metrics = new ScriptedMetrics();
    metrics.fail = new DatasourceUnreachableError('Prometheus at http://prom.test could not be reached.', {
      source: 'prometheus',
      url: 'http://prom.test',
    });
    const result = await run(metrics);
    expect(result).toMatchObject({
      status: 'errored',
      evidence: [],
      error: { code: 'datasource_unreachable', source: 'prometheus' },
    });
  });

  it('errors with the deadline when the run is already past it, even if the source never answers', async () => {
    const metrics = new ScriptedMetrics();
    metrics.queryRangeAndEarlier = () => new Promise(() => {});
    const deadline = new AbortController();
    const pending = evaluateMetricStep(
      MetricStepSchema.parse(ERROR_RATE),
      contextFor({ metrics, signal: deadline.signal }),
    );
    deadline.abort();
    const result = await pending;
    expect(result).toMatchObject({ status: 'errored', error: { code: 'deadline_exceeded' } });
  });

  it('names an unknown catalogue signal as errored', async () => {
    const result = await run(new ScriptedMetrics(), { id: 's', title: 'S', signal: 'no_such_signal' });
    expect(result).toMatchObject({ status: 'errored', reason: 'unknown signal no_such_signal' });
  });
});

describe('evaluateStep', () => {
  it('sends each kind of step to its evaluator', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    metrics.earlier = [dayBefore(flat(0.5))];
    const ctx = contextFor({ metrics });
    expect((await evaluateStep(StepSchema.parse(ERROR_RATE), ctx)).status).toBe('crit');
    const logs = await evaluateStep(
      StepSchema.parse({ id: 'l', title: 'Logs', kind: 'logs', measure: 'error-count' }),
      ctx,
    );
    expect(logs).toMatchObject({ status: 'skipped', reason: 'no log source is configured' });
    const scan = await evaluateStep(StepSchema.parse({ id: 'm', title: 'Moved', kind: 'scan' }), ctx);
    expect(scan.scanned).toBeDefined();
  });
});
