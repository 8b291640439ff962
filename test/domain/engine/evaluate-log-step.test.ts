/** One log step against a scripted log store: error counts by a Poisson test, and the patterns their lines form. */
import { describe, expect, it } from 'vitest';
import { evaluateLogStep } from '../../../src/domain/engine/evaluate-log-step.js';
import { DatasourceTimeoutError } from '../../../src/domain/errors.js';
import { LogStepSchema } from '../../../src/domain/playbook/schema.js';
import type { LogLine } from '../../../src/domain/ports.js';
import { AT, contextFor, ScriptedLogs } from './step-fakes.js';

const COUNT = LogStepSchema.parse({ id: 'log-errors', title: 'Error logs', kind: 'logs', measure: 'error-count' });
const PATTERNS = LogStepSchema.parse({
  id: 'log-patterns',
  title: 'Error patterns',
  kind: 'logs',
  measure: 'patterns',
});

const lines = (text: string, n: number, at = AT.getTime() / 1000 - 60): LogLine[] =>
  Array.from({ length: n }, (_, i) => ({ time: at - i, line: text.replace('#', String(1000 + i)), labels: {} }));

describe('evaluateLogStep: error count', () => {
  it('is crit when errors rose far beyond chance against the day before', async () => {
    const logs = new ScriptedLogs();
    logs.counts = { window: 120, dayBefore: 10, before: 3 };
    const result = await evaluateLogStep(COUNT, contextFor({ logs }));
    expect(result.status).toBe('crit');
    expect(result.evidence[0]).toMatchObject({
      value: 120,
      baseline: 10,
      baselineSource: 'day-before',
      ratio: 12,
      verdict: 'crit',
      signal: 'log_error_count',
      convention: 'loki',
      link: 'fake://logs',
    });
    expect(result.evidence[0]?.summary).toBe('Error log lines: 120; baseline 10 same time one day earlier');
  });

  it('is ok for a rise within chance, and compares with the window before when the day before had none', async () => {
    const logs = new ScriptedLogs();
    logs.counts = { window: 52, dayBefore: 0, before: 47 };
    const result = await evaluateLogStep(COUNT, contextFor({ logs }));
    expect(result.status).toBe('ok');
    expect(result.evidence[0]).toMatchObject({ baseline: 47, baselineSource: 'preceding' });
  });

  it('is warn for a doubling beyond chance that is not a tripling', async () => {
    const logs = new ScriptedLogs();
    logs.counts = { window: 50, dayBefore: 20, before: 0 };
    expect((await evaluateLogStep(COUNT, contextFor({ logs }))).status).toBe('warn');
  });

  it("lets a team's absolute thresholds make the verdict worse, never better", async () => {
    const logs = new ScriptedLogs();
    logs.counts = { window: 52, dayBefore: 47, before: 0 };
    const strict = LogStepSchema.parse({ ...COUNT, thresholds: { crit: 50 } });
    expect((await evaluateLogStep(strict, contextFor({ logs }))).status).toBe('crit');
    logs.counts = { window: 120, dayBefore: 10, before: 0 };
    const lax = LogStepSchema.parse({ ...COUNT, thresholds: { warn: 1000 } });
    expect((await evaluateLogStep(lax, contextFor({ logs }))).status).toBe('crit');
  });

  it('is skipped without a log store, and errored with the code when the store fails', async () => {
    expect(await evaluateLogStep(COUNT, contextFor())).toMatchObject({
      status: 'skipped',
      reason: 'no log source is configured',
    });
    const logs = new ScriptedLogs();
    logs.fail = new DatasourceTimeoutError('Loki did not answer in time.', { source: 'loki', url: 'http://loki.test' });
    expect(await evaluateLogStep(COUNT, contextFor({ logs }))).toMatchObject({
      status: 'errored',
      error: { code: 'datasource_timeout', source: 'loki' },
    });
  });
});

describe('evaluateLogStep: patterns', () => {
  it('reports a new error pattern as crit, with what its lines say happened', async () => {
    const logs = new ScriptedLogs();
    logs.lines.window = lines('HikariPool-1 - Connection is not available, request timed out after #ms.', 12);
    logs.lines.dayBefore = lines('GET /health took #ms', 3, AT.getTime() / 1000 - 86_400 - 60);
    const result = await evaluateLogStep(PATTERNS, contextFor({ logs }));
    expect(result.status).toBe('crit');
    expect(result.signatures).toContain('pool-timeout');
    expect(result.signatures).toContain('new-errors');
    expect(result.patterns?.[0]).toMatchObject({ count: 12, isNew: true, anomalous: true });
    expect(result.evidence[0]).toMatchObject({ value: 12, verdict: 'crit', baselineSource: 'day-before' });
    expect(result.evidence[0]?.summary).toMatch(/^12× .*\(new: none a day earlier\)$/);
  });

  it('is ok when the same errors were there a day earlier, and says the window had none when it had none', async () => {
    const logs = new ScriptedLogs();
    const text = 'payment declined for order #';
    logs.lines.window = lines(text, 5);
    logs.lines.dayBefore = lines(text, 5, AT.getTime() / 1000 - 86_400 - 60);
    const same = await evaluateLogStep(PATTERNS, contextFor({ logs }));
    expect(same.status).toBe('ok');
    expect(same.signatures).toEqual([]);
    logs.lines.window = [];
    const none = await evaluateLogStep(PATTERNS, contextFor({ logs }));
    expect(none).toMatchObject({ status: 'ok', reason: 'no error lines in the window', evidence: [] });
  });

  it('compares with the window before when the day before had no lines', async () => {
    const logs = new ScriptedLogs();
    logs.lines.window = lines('upstream connect error or disconnect/reset before headers #', 8);
    logs.lines.before = lines(
      'upstream connect error or disconnect/reset before headers #',
      8,
      AT.getTime() / 1000 - 1900,
    );
    const result = await evaluateLogStep(PATTERNS, contextFor({ logs }));
    expect(result.status).toBe('ok');
    expect(result.evidence[0]).toMatchObject({ baselineSource: 'preceding', baseline: 8 });
    expect(logs.asked.map((q) => q.window.end.getTime())).toContain(AT.getTime() - 1_800_000);
  });
});
