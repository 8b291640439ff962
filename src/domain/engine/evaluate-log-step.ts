import { type ComparedPattern, comparePatterns } from '../logs/compare-patterns.js';
import type { LogStep, StepStatus } from '../playbook/schema.js';
import { shiftWindow, type TimeWindow, windowSeconds } from '../time-window.js';
import { childSignal } from './child-signal.js';
import { formatValue } from './format-value.js';
import { judge } from './judge.js';
import {
  DAY,
  describeError,
  judgedEvidence,
  queryStepSeconds,
  type StepContext,
  untilAborted,
} from './step-context.js';
import type { Evidence, LogPatternSummary, StepResult } from './types.js';

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
  try {
    if (step.measure === 'error-count') {
      const length = windowSeconds(ctx.window);
      const before: TimeWindow = shiftWindow(ctx.window, -length);
      const [now, dayBefore, preceding, timeline] = await untilAborted(
        settledAll([
          logs.countErrors({ service, window: ctx.window }, options),
          logs.countErrors({ service, window: shiftWindow(ctx.window, -DAY) }, options),
          logs.countErrors({ service, window: before }, options),
          logs.errorTimeline?.({ service, window: ctx.window, stepSeconds: queryStepSeconds(ctx.window) }, options) ??
            Promise.resolve(undefined),
        ] as const),
        child.signal,
      );
      const types = timeline?.topTypes.length
        ? ` (top error types: ${timeline.topTypes.map((t) => `${t.key} ${t.count}`).join(', ')})`
        : '';
      const baseline = dayBefore > 0 ? dayBefore : preceding;
      const baselineSource = dayBefore > 0 ? 'day-before' : 'preceding';
      const verdict = countVerdict(now, baseline, step);
      const when = baselineSource === 'day-before' ? 'same time one day earlier' : 'in the window before';
      const evidence: Evidence = {
        summary: `Error log lines: ${formatValue(now, 'count')}; baseline ${formatValue(baseline, 'count')} ${when}${types}`,
        value: now,
        ...judgedEvidence(step, verdict, baseline, baselineSource),
        note: verdict.note,
        unit: 'count',
        signal: 'log_error_count',
        convention: logs.name,
        query: `${logs.name}: error lines of ${service}`,
        link,
        series: timeline?.points ?? [],
      };
      return { ...base, status: verdict.status, evidence: [evidence] };
    }
    const length = windowSeconds(ctx.window);
    const read = (window: TimeWindow) => logs.errorLines({ service, window, limit: PATTERN_LINES }, options);
    const [lines, dayBefore] = await untilAborted(
      settledAll([read(ctx.window), read(shiftWindow(ctx.window, -DAY))] as const),
      child.signal,
    );
    // The same window a day earlier, else the one before it: a store that keeps a day or less still has a baseline.
    const baselineSource = dayBefore.length > 0 ? 'day-before' : 'preceding';
    const baseline =
      dayBefore.length > 0 ? dayBefore : await untilAborted(read(shiftWindow(ctx.window, -length)), child.signal);
    const compared = comparePatterns(lines, baseline, {
      maxPatterns: 5,
      baselineTruncated: baseline.length >= PATTERN_LINES,
      service,
    });
    const patterns: LogPatternSummary[] = compared.patterns.map((p) => ({
      template: p.template,
      count: p.count,
      samples: p.samples,
      signatures: p.signatures,
      baselineCount: p.baselineCount,
      isNew: p.isNew,
      anomalous: p.anomalous,
      ...(p.callee !== undefined ? { callee: p.callee } : {}),
      ...(p.rollout !== undefined ? { rollout: p.rollout } : {}),
      findings: p.findings,
    }));
    const news = compared.patterns.filter((p) => p.anomalous);
    const signatures = new Set<string>(news.flatMap((p) => [...p.signatures, ...p.findings]));
    const when = baselineSource === 'day-before' ? 'a day earlier' : 'in the window before';
    const evidence: Evidence[] = compared.patterns.map((p) => ({
      summary: `${p.count}× ${p.template} (${p.isNew ? `new: none ${when}` : `${formatValue(p.baselineCount ?? 0, 'count')} ${when}`})`,
      value: p.count,
      baseline: p.baselineCount,
      baselineSource,
      thresholds: null,
      change: null,
      ratio: p.baselineCount ? p.count / p.baselineCount : null,
      verdict: patternVerdict(p),
      unit: 'count',
      signal: 'log_pattern',
      convention: logs.name,
      query: `${logs.name}: error lines of ${service}`,
      link,
      series: [],
    }));
    const status = news.length === 0 ? 'ok' : news.some((p) => patternVerdict(p) === 'crit') ? 'crit' : 'warn';
    return {
      ...base,
      status,
      evidence,
      patterns,
      signatures: [...signatures].sort(),
      ...(compared.events === 0
        ? { reason: 'no error lines in the window' }
        : news.length === 0
          ? {
              reason: `no error pattern new or risen against ${when === 'a day earlier' ? 'the day before' : 'the window before'}`,
            }
          : {}),
    };
  } catch (err) {
    const error = describeError(err);
    return { ...base, status: 'errored', evidence: [], reason: error.message, error };
  } finally {
    child.release();
  }
}

/**
 * Like `Promise.all`, but a failure is thrown only once every query has settled: a step never ends (and its run
 * never moves on) while one of its queries is still in flight, retrying against a failing store.
 */
async function settledAll<T extends readonly unknown[]>(
  promises: { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A new pattern of a few lines is news; of five or more, or one that rose fivefold beyond chance, a finding. */
function patternVerdict(p: ComparedPattern): StepStatus {
  if (!p.anomalous) return 'ok';
  return p.count >= 5 && (p.isNew || p.z >= 5 || p.baselineCount === null) ? 'crit' : 'warn';
}

/**
 * Error lines against their baseline as counts, by a Poisson test: 6 where 0.5 were expected matter, 52 where 47
 * were do not. A team's absolute thresholds, when the step has them, can only make the verdict worse.
 */
function countVerdict(
  now: number,
  baseline: number,
  step: LogStep,
): { status: StepStatus; ratio: number | null; note: string } {
  const z = (now - baseline) / Math.sqrt(baseline + 1);
  const ratio = baseline > 0 ? now / baseline : now > 0 ? null : 1;
  let status: StepStatus = 'ok';
  if (z >= 5 && now >= 3 * baseline && now >= 5) status = 'crit';
  else if (z >= 3 && now >= 2 * baseline) status = 'warn';
  if (step.thresholds) {
    const absolute = judge({ value: now, baseline: null, thresholds: step.thresholds, direction: 'up' }).status;
    if (absolute === 'crit' || (absolute === 'warn' && status === 'ok')) status = absolute;
  }
  return { status, ratio, note: `Poisson z ${z.toFixed(1)} against the baseline` };
}
