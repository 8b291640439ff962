import type { ScanStep, StepStatus } from '../playbook/schema.js';
import type { Series } from '../ports.js';
import { moveSize } from '../scan/change-score.js';
import type { MovedMeaning } from '../scan/name-meaning.js';
import type { TimeWindow } from '../time-window.js';
import { childSignal } from './child-signal.js';
import { formatValue, ratioText } from './format-value.js';
import { batchQuery, GROUP_LABEL, groupsOf } from './scan-groups.js';
import { entriesOf, label, levelsOf, type Mover, meaningFor, movers } from './scan-movers.js';
import { DAY, describeError, queryStepSeconds, type StepContext, untilAborted } from './step-context.js';
import type { BaselineSource, Evidence, StepResult } from './types.js';

/** The scan's finest step (seconds). */
const SCAN_MIN_STEP = 60;
/**
 * "What moved": reads every family that belongs to the service at the window and at its baseline (a day earlier,
 * else the hours before), a few batched requests whatever the number of families, and ranks them by a robust
 * change score: counts by a Poisson test on their busiest five minutes, levels by robust deviations, timers by
 * their mean. The top movers are the evidence; what their names mean feeds `moved:` rules.
 */
export async function evaluateScanStep(step: ScanStep, ctx: StepContext): Promise<Omit<StepResult, 'durationMs'>> {
  const base = { id: step.id, title: step.title, ...(step.explain ? { explain: step.explain } : {}) };
  const { groups, total } = groupsOf(ctx, step.maxFamilies);
  const read = groups.reduce((n, g) => n + g.families.length, 0);
  if (read === 0)
    return { ...base, status: 'no_data', evidence: [], reason: 'no metric family belongs to the service' };
  // Half the steps' resolution (a minute over half an hour): five points to a five-minute run, half the work for
  // Prometheus on the query that reads the most series of the run.
  const stepSeconds = Math.max(SCAN_MIN_STEP, queryStepSeconds(ctx.window));
  const startS = ctx.window.start.getTime() / 1000;
  const child = childSignal(ctx.signal);
  const options = { signal: child.signal, priority: ctx.priority ?? 0 };
  // The window reaches one step back, so a counter's first increase inside the window can be read.
  const window: TimeWindow = { start: new Date((startS - stepSeconds) * 1000), end: ctx.window.end };
  // The hours before are read at a coarser step: the baseline needs its spread, not its detail.
  const precedingStep = Math.max(stepSeconds, Math.round(ctx.precedingSeconds / 60 / 15) * 15);
  const preceding: TimeWindow = {
    start: new Date((startS - ctx.precedingSeconds) * 1000),
    end: new Date((startS - 1) * 1000),
  };
  const all: Mover[] = [];
  let baselineSource: BaselineSource = 'day-before';
  try {
    // Three plain queries a group, sent together: the window, the same window a day earlier, and the hours before
    // (used when the day before is empty). None waits on another.
    const query = batchQuery(groups);
    const [pair, before] = await untilAborted(
      Promise.all([
        ctx.metrics.queryRangeAndEarlier({ query, window, stepSeconds, shiftSeconds: DAY }, options),
        ctx.metrics.queryRange(query, preceding, precedingStep, options),
      ]),
      child.signal,
    );
    const current = pair.current;
    // The day before point for point with the window: its samples carry the window's times.
    const dayBefore = pair.earlier.map((x) => ({ ...x, samples: x.samples.map((p) => ({ t: p.t + DAY, v: p.v })) }));
    const answers = groups.map((group, i) => {
      const mine = (list: readonly Series[]) => list.filter((x) => x.labels[GROUP_LABEL] === String(i));
      const day = mine(dayBefore);
      return day.length > 0
        ? {
            group,
            current: mine(current),
            earlier: day,
            steps: { window: stepSeconds, baseline: stepSeconds, aligned: true },
          }
        : {
            group,
            current: mine(current),
            earlier: mine(before),
            steps: { window: stepSeconds, baseline: precedingStep, aligned: false },
          };
    });
    for (const a of answers) {
      if (!a.steps.aligned && a.earlier.length > 0) baselineSource = 'preceding';
      all.push(...movers(entriesOf(a.group, a.current, a.earlier), a.steps, ctx.window));
    }
  } catch (err) {
    const error = describeError(err);
    return { ...base, status: 'errored', evidence: [], reason: error.message, error };
  } finally {
    child.release();
  }
  const rankOf = { crit: 0, warn: 1, ok: 2 } as const;
  // By verdict, then significance; among moves too significant to tell apart, the larger move first.
  all.sort(
    (a, b) =>
      rankOf[a.verdict] - rankOf[b.verdict] ||
      b.change.score - a.change.score ||
      moveSize(b.change.ratio) - moveSize(a.change.ratio),
  );
  // One thing counted twice (a timer's `_count` beside its counter, one exporter found two ways) is shown once.
  const distinct = all.filter(
    (m, i) =>
      !all
        .slice(0, i)
        .some(
          (o) =>
            o.kind === m.kind &&
            Math.abs(o.change.value - m.change.value) <= 0.01 * Math.abs(m.change.value) &&
            Math.abs(o.change.baseline - m.change.baseline) <= 0.01 * Math.abs(m.change.baseline),
        ),
  );
  const readByConventions = new Set<string>(ctx.signals.knownFamilies);
  for (const variants of ctx.profile.inferred?.values() ?? [])
    for (const v of variants) for (const f of v.requires) readByConventions.add(f);
  const levels = levelsOf(all);
  const moved = [
    ...new Set(
      all
        .map((m) => meaningFor(m, readByConventions, levels, ctx.profile.service))
        .filter((x): x is MovedMeaning => !!x),
    ),
  ];
  const shown = distinct.filter((m) => m.verdict !== 'ok').slice(0, step.top);
  const capped = total > read ? ` (read ${read} of ${total} families: the ${total - read} others were left out)` : '';
  const status: StepStatus = shown.some((m) => m.verdict === 'crit') ? 'crit' : shown.length ? 'warn' : 'ok';
  const evidence = shown.map((m): Evidence => {
    const when = baselineSource === 'day-before' ? 'a day earlier' : 'before the window';
    const meaning = meaningFor(m, readByConventions, levels, ctx.profile.service);
    return {
      summary: `${label(m)}: ${formatValue(m.change.value, m.unit)}, baseline ${formatValue(m.change.baseline, m.unit)} ${when} (${ratioText(m.change.ratio)}, ${Math.abs(m.change.z) >= 100 ? '>100' : Math.abs(m.change.z).toFixed(0)}σ)${meaning ? ` — the name reads as ${meaning}` : ''}`,
      value: m.change.value,
      baseline: m.change.baseline,
      baselineSource,
      thresholds: null,
      change: null,
      ratio: Number.isFinite(m.change.ratio) ? m.change.ratio : null,
      verdict: m.verdict,
      unit: m.unit,
      signal: 'what_moved',
      convention: readByConventions.has(m.entry.family) ? 'scan' : 'scan-inferred',
      ...(meaning ? { note: `inferred from the name of ${m.entry.family}: ${meaning}` } : {}),
      labels: {
        family: m.entry.family,
        ...(m.entry.group.own ? {} : { entity: m.entry.group.entity }),
        ...(m.entry.statusClass ? { status: m.entry.statusClass } : {}),
      },
      query: m.query,
      link: ctx.metrics.linkFor(m.query, ctx.window),
      series: m.series.slice(-60),
    };
  });
  return {
    ...base,
    status,
    evidence,
    moved,
    scanned: { families: read, leftOut: total - read },
    reason:
      shown.length === 0
        ? `nothing moved beyond its usual range among ${read} families${capped}`
        : `${shown.length} of ${read} families moved${capped}`,
  };
}
