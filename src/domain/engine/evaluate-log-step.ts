import { classifyLine, groupPatterns } from '../logs/group-patterns.js';
import type { LogStep } from '../playbook/schema.js';
import { shiftWindow, type TimeWindow, windowSeconds } from '../time-window.js';
import { childSignal } from './child-signal.js';
import { describeError, queryStepSeconds, type StepContext, untilAborted } from './evaluate-step.js';
import { formatValue } from './format-value.js';
import { judge } from './judge.js';
import type { Evidence, StepResult } from './types.js';

const DAY = 86_400;
/** Most error lines read for pattern grouping: enough to rank patterns, small enough to stay fast. */
const PATTERN_LINES = 500;

/**
 * Runs one log step: the error count against the day before (or the window before), or the top error patterns
 * with what their lines say happened. Without a log source the step is skipped, and the run says so once.
 */
export async function evaluateLogStep(step: LogStep, ctx: StepContext): Promise<Omit<StepResult, 'durationMs'>> {
  const base = { id: step.id, title: step.title, ...(step.explain ? { explain: step.explain } : {}) };
  const logs = ctx.logs;
  if (!logs) return { ...base, status: 'skipped', evidence: [], reason: 'no log source is configured' };
  const service = ctx.profile.service;
  const child = childSignal(ctx.signal);
  const options = { signal: child.signal, priority: ctx.priority ?? 0 };
  const link = logs.linkFor({ service, window: ctx.window }) ?? '';
  const direction = step.direction ?? 'up';
  try {
    if (step.measure === 'error-count') {
      const length = windowSeconds(ctx.window);
      const before: TimeWindow = shiftWindow(ctx.window, -length);
      const [now, dayBefore, preceding, timeline] = await untilAborted(
        Promise.all([
          logs.countErrors({ service, window: ctx.window }, options),
          logs.countErrors({ service, window: shiftWindow(ctx.window, -DAY) }, options),
          logs.countErrors({ service, window: before }, options),
          logs.errorTimeline?.({ service, window: ctx.window, stepSeconds: queryStepSeconds(ctx.window) }, options),
        ]),
        child.signal,
      );
      const types = timeline?.topTypes.length
        ? ` (top error types: ${timeline.topTypes.map((t) => `${t.key} ${t.count}`).join(', ')})`
        : '';
      const baseline = dayBefore > 0 ? dayBefore : preceding;
      const baselineSource = dayBefore > 0 ? 'day-before' : 'preceding';
      const verdict = judge({ value: now, baseline, thresholds: step.thresholds, change: step.change, direction });
      const when = baselineSource === 'day-before' ? 'same time one day earlier' : 'in the window before';
      const evidence: Evidence = {
        summary: `Error log lines: ${formatValue(now, 'count')}; baseline ${formatValue(baseline, 'count')} ${when}${types}`,
        value: now,
        baseline,
        baselineSource,
        thresholds: step.thresholds ?? null,
        change: step.change ?? null,
        ratio: verdict.ratio,
        verdict: verdict.status,
        unit: 'count',
        signal: 'log_error_count',
        convention: logs.name,
        query: `${logs.name}: error lines of ${service}`,
        link,
        series: timeline?.points ?? [],
      };
      return { ...base, status: verdict.status, evidence: [evidence] };
    }
    const lines = await untilAborted(
      logs.errorLines({ service, window: ctx.window, limit: PATTERN_LINES }, options),
      child.signal,
    );
    const patterns = groupPatterns(lines, { maxPatterns: 5, samplesPerPattern: 3 }).map((p) => ({
      template: p.template,
      count: p.count,
      samples: p.samples,
      signatures: [...new Set(p.samples.flatMap((l) => classifyLine(l)))],
    }));
    const signatures = [...new Set(lines.flatMap((l) => classifyLine(l.line)))].sort();
    const thresholds = step.thresholds ?? { warn: 1, crit: 20 };
    const status =
      lines.length === 0 ? 'ok' : judge({ value: lines.length, baseline: null, thresholds, direction }).status;
    const evidence: Evidence[] = patterns.map((p) => ({
      summary: `${p.count}× ${p.template}`,
      value: p.count,
      baseline: null,
      baselineSource: null,
      thresholds,
      change: null,
      ratio: null,
      verdict: status,
      unit: 'count',
      signal: 'log_pattern',
      convention: logs.name,
      query: `${logs.name}: error lines of ${service}`,
      link,
      series: [],
    }));
    return {
      ...base,
      status,
      evidence,
      patterns,
      signatures,
      ...(lines.length === 0 ? { reason: 'no error lines in the window' } : {}),
    };
  } catch (err) {
    const error = describeError(err);
    return { ...base, status: 'errored', evidence: [], reason: error.message, error };
  } finally {
    child.release();
  }
}
