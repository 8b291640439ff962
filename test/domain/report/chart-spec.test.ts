import { describe, expect, it } from 'vitest';
import type { DiagnosisOutcome, Evidence, StepResult } from '../../../src/domain/engine/types.js';
import { createRedactor } from '../../../src/domain/redaction/redact.js';
import { altTextOf, chartSpecsOf, directionOf } from '../../../src/domain/report/chart-spec.js';
import { evidence, hypothesis, outcome, series, step, WINDOW } from '../../support/diagnosis-factory.js';

const FROM = WINDOW.start.getTime() / 1000;
const TO = WINDOW.end.getTime() / 1000;

function metricStep(
  id: string,
  title: string,
  e: Partial<Evidence>,
  status: StepResult['status'] = 'crit',
): StepResult {
  return step({ id, title, status, evidence: [evidence({ signal: id, labels: {}, ...e })] });
}

const errors = metricStep('error-ratio', 'HTTP 5xx ratio', {
  value: 0.12,
  baseline: 0.002,
  thresholds: { warn: 0.01, crit: 0.05 },
  ratio: 60,
  verdict: 'crit',
  series: series([0.002, 0.002, 0.03, 0.09, 0.12]),
});
const latency = metricStep('latency-p99', 'Latency p99', {
  value: 4.5,
  baseline: 0.3,
  unit: 'seconds',
  thresholds: { warn: 1, crit: 2 },
  ratio: 15,
  verdict: 'crit',
  series: series([0.3, 0.4, 2.5, 4.5]),
});
const cpu = metricStep(
  'cpu',
  'CPU against its quota',
  {
    value: 0.85,
    baseline: 0.4,
    thresholds: { warn: 0.8, crit: 0.95 },
    ratio: 2.1,
    verdict: 'warn',
    series: series([0.4, 0.6, 0.85]),
  },
  'warn',
);

function run(steps: StepResult[], supporting: string[] = [], overrides: Partial<DiagnosisOutcome> = {}) {
  return outcome({
    steps,
    hypotheses: [
      hypothesis({ supporting }),
      hypothesis({
        cause: 'traffic-surge',
        verdict: 'ruled-out',
        confidence: 0.02,
        supporting: ['Latency p99: 4.5 s'],
      }),
    ],
    ...overrides,
  });
}

describe('chartSpecsOf', () => {
  it('keeps only abnormal evidence with a series to draw, at most `max` of them', () => {
    const ok = metricStep('traffic', 'Request rate', { verdict: 'ok', series: series([1, 2]) }, 'ok');
    const flat = metricStep('pool', 'Pool', { verdict: 'crit', series: series([0.9]) });
    const specs = chartSpecsOf(run([ok, flat, errors, latency, cpu]));
    expect(specs.map((s) => s.signal)).toEqual(['error-ratio', 'latency-p99', 'cpu']);
    expect(chartSpecsOf(run([errors, latency, cpu]), 1)).toHaveLength(1);
    expect(chartSpecsOf(run([ok, flat]))).toEqual([]);
  });

  it('puts the evidence behind the leading hypothesis first, even a warn before a crit', () => {
    const specs = chartSpecsOf(run([errors, latency, cpu], ['CPU saturated [CPU against its quota: 85%]']));
    expect(specs.map((s) => s.signal)).toEqual(['cpu', 'error-ratio', 'latency-p99']);
  });

  it('does not count what a ruled-out hypothesis cites', () => {
    const specs = chartSpecsOf(run([errors, latency]));
    // Latency is cited only by the ruled-out traffic surge: the two crits are ordered by how far past their line.
    expect(specs.map((s) => s.signal)).toEqual(['error-ratio', 'latency-p99']);
  });

  it('orders equals by how far past the threshold they are', () => {
    const worse = metricStep('latency-p99', 'Latency p99', { ...latency.evidence[0], value: 12, ratio: 40 });
    expect(chartSpecsOf(run([errors, worse])).map((s) => s.signal)).toEqual(['latency-p99', 'error-ratio']);
    // Without levels, how far from the baseline.
    const jump = (id: string, ratio: number) =>
      metricStep(id, id, { thresholds: null, value: ratio, baseline: 1, ratio, series: series([1, ratio]) });
    expect(chartSpecsOf(run([jump('a', 3), jump('b', 10)])).map((s) => s.signal)).toEqual(['b', 'a']);
  });

  it('carries the series, baseline, thresholds and window, and says what it shows in one sentence', () => {
    const [spec] = chartSpecsOf(run([errors]));
    expect(spec).toMatchObject({
      id: 'error-ratio-checkout',
      title: 'HTTP 5xx ratio — checkout',
      unit: 'ratio',
      from: FROM,
      to: TO,
      baseline: 0.002,
      thresholds: { warn: 0.01, crit: 0.05 },
      verdict: 'crit',
      series: errors.evidence[0]?.series,
      // The first sample past the warn level (1%): the third, two minutes into the window.
      onset: FROM + 120,
    });
    expect(spec?.alt).toBe('HTTP 5xx ratio of checkout rose from 0.2% (baseline) to 12% (threshold 5%) from 13:32 UTC');
  });

  it('names the series the evidence picked out, and keeps ids unique and file-safe', () => {
    const a = metricStep('pool', 'Pool usage', { labels: { pool: 'orders/db' }, series: series([0.5, 0.99]) });
    const b = metricStep('pool', 'Pool usage', { labels: { pool: 'orders db' }, series: series([0.5, 0.98]) });
    const specs = chartSpecsOf(run([a, b]));
    expect(specs.map((s) => s.id)).toEqual(['pool-checkout-orders-db', 'pool-checkout-orders-db-2']);
    expect(specs[0]?.title).toBe('Pool usage — checkout (orders/db)');
    for (const s of specs) expect(s.id).toMatch(/^[a-z0-9-]+$/);
  });

  it('passes titles and alt texts through the redactor', () => {
    const secret = metricStep('pool', 'Pool usage', {
      labels: { pool: 'postgres://app:hunter2@db:5432/orders' },
      series: series([0.5, 0.99]),
    });
    const [spec] = chartSpecsOf(run([secret]), 3, createRedactor());
    expect(`${spec?.title} ${spec?.alt}`).not.toContain('hunter2');
    expect(spec?.alt).toContain('[redacted');
  });
});

describe('altTextOf', () => {
  const window = { from: FROM, to: TO };
  const base = { value: 0.12, baseline: 0.002, thresholds: { crit: 0.05 }, ratio: 60, unit: 'ratio' as const };

  it('dates the move from its onset when one was found', () => {
    expect(altTextOf('Error ratio of checkout', base, window, FROM + 32 * 60)).toBe(
      'Error ratio of checkout rose from 0.2% (baseline) to 12% (threshold 5%) from 14:02 UTC',
    );
  });

  it('says "fell" for signals where lower is worse, and formats by unit', () => {
    const drop = {
      value: 12,
      baseline: 120,
      thresholds: { warn: 50, crit: 20 },
      ratio: 10,
      unit: 'per_second' as const,
    };
    expect(directionOf(drop)).toBe('down');
    expect(altTextOf('Request rate of checkout', drop, window, null)).toBe(
      'Request rate of checkout fell from 120/s (baseline) to 12/s (threshold 20/s) between 13:30 UTC and 14:00 UTC',
    );
  });

  it('without a baseline says what it reached, and a value no worse than usual stays', () => {
    expect(
      altTextOf('Latency', { ...base, baseline: null, ratio: null, unit: 'seconds', value: 0.35 }, window, null),
    ).toBe('Latency reached 350 ms (threshold 50 ms) between 13:30 UTC and 14:00 UTC');
    expect(altTextOf('Errors', { ...base, baseline: 0.12, ratio: 1 }, window, null)).toContain(
      'stayed at 12% (threshold 5%), as in its baseline (12%)',
    );
  });

  it('dates the times when the window spans two days', () => {
    const long = { from: FROM - 86_400, to: TO };
    expect(altTextOf('Errors', base, long, null)).toContain('between 2026-10-31 13:30 UTC and 2026-11-01 14:00 UTC');
  });
});
