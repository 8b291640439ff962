import { STATUS_LABELS, unitFromName } from '../discovery/infer-variants.js';
import type { Selector } from '../discovery/service-profile.js';
import type { ScanStep, StepStatus } from '../playbook/schema.js';
import type { Sample, Series } from '../ports.js';
import { equalityMatcher, quoteLiteral } from '../promql/quote.js';
import { queryRangePair } from '../range-pair.js';
import { type Change, countChange, increases, levelChange, looksCumulative, moveSize } from '../scan/change-score.js';
import { isBookkeeping, limitFor, type MovedMeaning, meaningOf } from '../scan/name-meaning.js';
import type { Unit } from '../signals/signal.js';
import type { TimeWindow } from '../time-window.js';
import { childSignal } from './child-signal.js';
import { describeError, queryStepSeconds, type StepContext, untilAborted } from './evaluate-step.js';
import { formatValue, ratioText } from './format-value.js';
import type { BaselineSource, Evidence, StepResult } from './types.js';

const DAY = 86_400;
/** The scan's finest step (seconds). */
const SCAN_MIN_STEP = 60;
/** Significance at which a mover is shown (warn) and at which it is critical. */
const WARN_SCORE = 6;
const CRIT_SCORE = 12;
/** A critical mover stays out of its usual range for at least this share of the window: not one odd scrape. */
const CRIT_SUSTAINED = 0.1;
/** Observations per step a timer needs for its mean to be read. */
const MIN_OBSERVATIONS = 5;
/** Length of the busiest run a count is judged on (seconds): a fault of a few minutes is not averaged away. */
const RUN_SECONDS = 300;

/** One group of series read by one query: an entity's families under one selector. */
interface Group {
  entity: string;
  /** The service itself (its own families), or what else belongs to it. */
  own: boolean;
  selector: Selector;
  families: string[];
}

/** One thing that can move: a family, split by its status class, summary quantile and state; its series kept apart. */
interface Entry {
  key: string;
  family: string;
  group: Group;
  statusLabel?: string;
  /** The status label's values the class stands for (`500`, `502`; `error`, `failed`). */
  statusValues?: string[];
  statusClass?: string;
  quantile?: string;
  /** A state or mode the family is split by (`apache_workers{state="busy"}`, `node_cpu_seconds_total{mode}`). */
  part?: { label: string; value: string };
  /** One list of samples per series (a process's counter resets on its own), in the window and the baseline. */
  current: Sample[][];
  earlier: Sample[][];
}

interface Mover {
  entry: Entry;
  kind: 'counter' | 'gauge' | 'mean';
  change: Change;
  unit: Unit;
  verdict: 'ok' | 'warn' | 'crit';
  meaning?: MovedMeaning;
  query: string;
  series: Sample[];
}

function selectorMatchers(selector: Selector): string {
  return selector.map((m) => equalityMatcher(m.label, m.value)).join(',');
}

/** The families to read, grouped by selector: the service's own first, then what else belongs to it; capped. */
function groupsOf(ctx: StepContext, cap: number): { groups: Group[]; total: number } {
  const byKey = new Map<string, Group>();
  const add = (entity: string, own: boolean, selector: Selector, family: string) => {
    if (family.endsWith('_bucket') || isBookkeeping(family)) return;
    const key = JSON.stringify(selector);
    const group = byKey.get(key) ?? { entity, own, selector, families: [] };
    if (!group.families.includes(family)) group.families.push(family);
    byKey.set(key, group);
  };
  for (const [family, selectors] of ctx.profile.families) {
    const selector = selectors[0];
    if (selector) add(ctx.profile.service, true, selector, family);
  }
  for (const source of ctx.profile.scan ?? []) {
    for (const family of source.families) add(source.entity, false, source.selector, family);
  }
  const groups = [...byKey.values()];
  const total = groups.reduce((n, g) => n + g.families.length, 0);
  let left = cap;
  // What an engineer would look at first when there is too much: names that mean something (failures, queues,
  // pools, latency), then families no convention reads (the conventions' own steps measure the others).
  const rank = (f: string) => (meaningOf(f) === undefined ? 2 : 0) + (ctx.signals.knownFamilies.has(f) ? 1 : 0);
  for (const g of groups) {
    g.families.sort((a, b) => rank(a) - rank(b));
    g.families = g.families.slice(0, Math.max(0, left));
    left -= g.families.length;
  }
  return { groups: groups.filter((g) => g.families.length > 0), total };
}

/**
 * Labels the scan keeps apart: the family, its status and quantile, a log level, a state or mode (busy and idle
 * workers add up to a constant; apart, they say the pool is full). Instances are combined on the
 * server (keeping them apart costs Prometheus several times more): counts are summed (a sum's drops are read as
 * resets, see `increases`), levels averaged per instance, so a rollout that runs old and new pods side by side does
 * not double every gauge.
 */
/** Labels that split a family into parts that move apart. */
const PART_LABELS = ['state', 'mode'];
/** Status labels, and the outcome labels teams and libraries name their own way. */
const SCAN_STATUS_LABELS = [...STATUS_LABELS, 'result', 'outcome', 'success'];
const KEPT = ['__name__', 'quantile', 'level', ...PART_LABELS, ...SCAN_STATUS_LABELS];

/**
 * Names that are counts by the exposition format's conventions: `_total`, and a histogram's or summary's `_sum`
 * and `_count` (a `_count` with no `_sum` beside it is a level: yabeda's `sidekiq_jobs_waiting_count`). Everything
 * else is read as a level first.
 */
function isCountName(family: string, families: readonly string[]): boolean {
  if (/_(?:total|sum)$/.test(family)) return true;
  const base = /^(.*)_count$/.exec(family)?.[1];
  return base !== undefined && families.includes(`${base}_sum`);
}

/** A group's queries: its counts summed, its levels averaged (one or two aggregations). */
function scanQueries(group: Group): string[] {
  const part = (op: 'sum' | 'avg', families: readonly string[]) => {
    const names = quoteLiteral(families.map((f) => f.replace(/[^a-zA-Z0-9_:]/g, '')).join('|'));
    const selector = [`__name__=~${names}`, selectorMatchers(group.selector)].filter(Boolean).join(',');
    return `${op} by (${KEPT.join(', ')}) ({${selector}})`;
  };
  const counts = group.families.filter((f) => isCountName(f, group.families));
  const levels = group.families.filter((f) => !isCountName(f, group.families));
  return [...(counts.length ? [part('sum', counts)] : []), ...(levels.length ? [part('avg', levels)] : [])];
}

const ERROR_LEVELS = new Set(['error', 'err', 'fatal', 'critical', 'crit', 'severe', 'alert', 'emerg', 'panic']);

/** Tells the groups of one batched query apart (removed again before anything is shown). */
const GROUP_LABEL = 'triage_scan_group';
/**
 * The family's name as an ordinary label: `or` matches series on their labels without the name, so two families
 * with the same other labels (a count and a level, both with none) would otherwise keep only the first.
 */
const NAME_LABEL = 'triage_scan_name';

/** Every group in one query, each tagged so its series can be told apart (their family names may repeat). */
function batchQuery(groups: readonly Group[]): string {
  return groups
    .flatMap((g, i) =>
      scanQueries(g).map(
        (q) =>
          `label_replace(label_replace(${q}, "${GROUP_LABEL}", "${i}", "", ""), "${NAME_LABEL}", "$1", "__name__", "(.+)")`,
      ),
    )
    .join('\nor\n');
}

function statusOf(labels: Readonly<Record<string, string>>): { label: string; cls: string } | undefined {
  const level = labels.level?.toLowerCase();
  // A log-level counter (logback_events_total{level}) splits by level: its error level reads like a 5xx class.
  if (level) return { label: 'level', cls: ERROR_LEVELS.has(level) ? '5xx' : level };
  for (const label of SCAN_STATUS_LABELS) {
    const v = labels[label];
    if (v === undefined || v === '') continue;
    if (v === '429') return { label, cls: '429' };
    const digit = /^([1-5])(?:\d\d|xx)$/i.exec(v)?.[1];
    if (digit) return { label, cls: `${digit}xx` };
    // A team's own outcome labels (`result="error"`, Micrometer's `outcome="SERVER_ERROR"`, `success="false"`).
    const value = v.toLowerCase();
    if (value === 'client_error') return { label, cls: '4xx' };
    if (FAILED_OUTCOME.test(value) || (label === 'success' && value === 'false')) return { label, cls: '5xx' };
    return { label, cls: value };
  }
  return undefined;
}

/** Outcome values that mean a failure. */
const FAILED_OUTCOME =
  /^(?:error|errors|err|fail|failed|failure|server_error|exception|fault|timeout|timed_out|aborted|rejected|dead)$/;

/** Adds series point by point. */
function total(list: readonly (readonly Sample[])[]): Sample[] {
  const at = new Map<number, number>();
  for (const samples of list) for (const s of samples) at.set(s.t, (at.get(s.t) ?? 0) + s.v);
  return [...at].map(([t, v]) => ({ t, v })).sort((a, b) => a.t - b.t);
}

/** The summed per-step increases of cumulative series, each series' resets read on its own. */
function totalIncreases(list: readonly (readonly Sample[])[]): Sample[] {
  return total(list.map((s) => increases(s)));
}

/** The key of one entry: its family and the labels it is split by. */
function keyOf(family: string, cls?: string, quantile?: string, part?: Entry['part']): string {
  return [family, cls ?? '', quantile ?? '', part ? `${part.label}=${part.value}` : ''].join('|');
}

function entriesOf(group: Group, current: readonly Series[], earlier: readonly Series[]): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const put = (series: Series, side: 'current' | 'earlier') => {
    const family = series.labels.__name__;
    if (!family) return;
    const status = statusOf(series.labels);
    const quantile = series.labels.quantile;
    const partLabel = PART_LABELS.find((l) => series.labels[l]);
    const part = partLabel ? { label: partLabel, value: series.labels[partLabel] ?? '' } : undefined;
    const key = keyOf(family, status?.cls, quantile, part);
    const entry = entries.get(key) ?? {
      key,
      family,
      group,
      ...(status ? { statusLabel: status.label, statusClass: status.cls, statusValues: [] } : {}),
      ...(quantile ? { quantile } : {}),
      ...(part ? { part } : {}),
      current: [],
      earlier: [],
    };
    entry[side].push([...series.samples]);
    const value = status ? series.labels[status.label] : undefined;
    if (value !== undefined && entry.statusValues && !entry.statusValues.includes(value))
      entry.statusValues.push(value);
    entries.set(key, entry);
  };
  for (const s of current) put(s, 'current');
  for (const s of earlier) put(s, 'earlier');
  return entries;
}

function unitOf(family: string, kind: Mover['kind']): Unit {
  if (kind === 'counter') return 'per_second';
  if (kind === 'mean' || unitFromName(family)) return 'seconds';
  if (/_bytes$/.test(family)) return 'bytes';
  if (/_ratio$/.test(family)) return 'ratio';
  return 'count';
}

const TO_SECONDS = { seconds: 1, milliseconds: 1e-3, microseconds: 1e-6, nanoseconds: 1e-9 } as const;

/** Per-step means of a timer from the increases of its `_sum` and `_count` (steps with none are left out). */
function meanSeries(sum: readonly Sample[], count: readonly Sample[], scale: number): Sample[] {
  const ds = new Map(sum.map((s) => [s.t, s.v]));
  return count.filter((c) => c.v > 0 && ds.has(c.t)).map((c) => ({ t: c.t, v: ((ds.get(c.t) ?? 0) / c.v) * scale }));
}

function filterFor(entry: Entry): string {
  const status =
    entry.statusLabel && entry.statusValues?.length ? valuesMatcher(entry.statusLabel, entry.statusValues) : '';
  const quantile = entry.quantile ? equalityMatcher('quantile', entry.quantile) : '';
  const part = entry.part ? equalityMatcher(entry.part.label, entry.part.value) : '';
  return [selectorMatchers(entry.group.selector), status, quantile, part].filter(Boolean).join(',');
}

/** The values a status class stands for, as one regex matcher (`code=~"500|503"`). */
function valuesMatcher(label: string, values: readonly string[]): string {
  if (values.length === 1) return equalityMatcher(label, values[0] ?? '');
  const escaped = [...values].sort().map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `${label}=~${quoteLiteral(escaped.join('|'))}`;
}

/** Critical: significant, at least doubled (or halved), and out of range for more than a blip; worth a look: ×1.5. */
function verdictOf(change: Change): Mover['verdict'] {
  const size = moveSize(change.ratio);
  if (change.score >= CRIT_SCORE && change.sustained >= CRIT_SUSTAINED && size >= Math.log(2)) return 'crit';
  if (change.score >= WARN_SCORE && size >= Math.log(1.5)) return 'warn';
  return 'ok';
}

/** The window's and the baseline's steps: the baseline may be read coarser (it only needs its spread). */
interface Steps {
  window: number;
  baseline: number;
  /** The baseline is the same window a day earlier, point for point (its samples carry the window's times). */
  aligned: boolean;
}

/** Baseline increases per window step, whatever step the baseline was read at. */
function rescaled(samples: readonly Sample[], steps: Steps): Sample[] {
  const f = steps.window / steps.baseline;
  return f === 1 ? [...samples] : samples.map((x) => ({ t: x.t, v: x.v * f }));
}

/** True for a family read as a counter: named so, a histogram's or summary's `_count`, or cumulative in the data. */
function isCounter(entry: Entry, entries: ReadonlyMap<string, Entry>): boolean {
  if (entry.quantile) return false;
  if (entry.family.endsWith('_total') || entry.family.endsWith('_sum')) return true;
  const base = entry.family.replace(/_count$/, '');
  if (base !== entry.family && entries.has(keyOf(`${base}_sum`, entry.statusClass, undefined, entry.part))) return true;
  // A level by its unit or its words (a leak's memory, a backlog's length only go up, and are no counters).
  if (/_(?:bytes|ratio|percent|celsius|size|info)$/.test(entry.family) || LEVEL_WORDS.test(entry.family)) return false;
  // Otherwise the data decides (`uwsgi_worker_running_time_seconds`, counters some exporters name without
  // `_total`): cumulative in the window and in the baseline alike, where a gauge rising through an incident is not.
  const cumulative = (list: readonly Sample[][]) => list.length > 0 && list.every((series) => looksCumulative(series));
  return cumulative(entry.current) && cumulative(entry.earlier);
}

/** Words that name a level: memory, a queue's length, what is in use now. */
const LEVEL_WORDS =
  /(?:^|_)(?:memory|mem|rss|heap|usage|queue|queued|length|depth|lag|backlog|inflight|in_flight|active|busy|idle|current|delta|level|size|temperature|utilization|utilisation|pending|waiting|open|goroutines|threads)(?:_|$)/i;

/** Reads every entry as what it is (a count, a level, a timer's mean) and scores its move against the baseline. */
function movers(entries: Map<string, Entry>, steps: Steps, window: TimeWindow): Mover[] {
  const startS = window.start.getTime() / 1000;
  const inWindow = (s: Sample[]) => s.filter((x) => x.t >= startS);
  const out: Mover[] = [];
  const means = new Set<string>();
  // What the baseline did not have at all (a status class, a state that appeared) was zero there, when the rest of
  // the group has a baseline: 503s from nothing are the first thing an engineer sees.
  const timeline = [...entries.values()].find((e) => e.earlier.length > 0)?.earlier[0];
  if (timeline) {
    const zeros = timeline.map((x) => ({ t: x.t, v: 0 }));
    for (const entry of entries.values()) if (entry.earlier.length === 0) entry.earlier.push(zeros);
  }
  for (const entry of entries.values()) {
    const base = entry.family.replace(/_sum$/, '');
    if (!entry.family.endsWith('_sum') || entry.quantile) continue;
    const count = entries.get(keyOf(`${base}_count`, entry.statusClass, undefined, entry.part));
    if (!count) continue;
    const unit = unitFromName(base);
    const scale = unit ? TO_SECONDS[unit] : 1;
    means.add(entry.key);
    means.add(count.key);
    const countW = totalIncreases(count.current);
    const countB = totalIncreases(count.earlier);
    // A mean over a handful of observations is noise (a rare status class's latency): read only steady timers.
    const perStep = (x: Sample[], step: number) =>
      (x.reduce((n, y) => n + y.v, 0) / Math.max(1, x.length)) * (steps.window / step);
    if (perStep(countW, steps.window) < MIN_OBSERVATIONS || perStep(countB, steps.baseline) < MIN_OBSERVATIONS)
      continue;
    const w = meanSeries(totalIncreases(entry.current), countW, scale);
    const b = meanSeries(totalIncreases(entry.earlier), countB, scale);
    const change = levelChange(inWindow(w), b, steps.aligned);
    if (!change) continue;
    const sel = filterFor(entry);
    out.push({
      entry: { ...entry, family: base },
      kind: 'mean',
      change,
      unit: unit ? 'seconds' : 'count',
      verdict: verdictOf(change),
      query: `sum(rate(${base}_sum{${sel}}[5m])) / sum(rate(${base}_count{${sel}}[5m]))${scale === 1 ? '' : ` * ${scale}`}`,
      series: inWindow(w),
    });
  }
  for (const entry of entries.values()) {
    const sel = filterFor(entry);
    if (isCounter(entry, entries)) {
      // A timer's `_count` is read as a count too (its traffic), beside its mean; its `_sum` is not.
      if (entry.family.endsWith('_sum')) continue;
      const w = inWindow(totalIncreases(entry.current));
      const b = rescaled(totalIncreases(entry.earlier), steps);
      const span = Math.max(1, Math.round(RUN_SECONDS / steps.window));
      const baselineSpan = Math.max(1, Math.round(RUN_SECONDS / steps.baseline));
      const change = countChange(w, b, span, steps.window, steps.aligned, baselineSpan);
      if (!change) continue;
      out.push({
        entry,
        kind: 'counter',
        change,
        unit: 'per_second',
        verdict: verdictOf(change),
        query: `${isCountName(entry.family, entry.group.families) ? 'sum' : 'avg'}(rate(${entry.family}{${sel}}[5m]))`,
        series: w.map((x) => ({ t: x.t, v: x.v / steps.window })),
      });
      continue;
    }
    const w = inWindow(total(entry.current));
    const change = levelChange(w, total(entry.earlier), steps.aligned);
    if (!change) continue;
    out.push({
      entry,
      kind: 'gauge',
      change,
      unit: unitOf(entry.family, 'gauge'),
      verdict: verdictOf(change),
      query: `avg(${entry.family}{${sel}})`,
      series: w,
    });
  }
  return out;
}

/** What a mover's name means, for families no convention or inference already reads (they count once). */
function meaningFor(
  m: Mover,
  read: ReadonlySet<string>,
  levels: ReadonlyMap<string, number>,
  service: string,
): MovedMeaning | undefined {
  // Only a critical move is read for meaning: a mover worth a look is not yet evidence for a cause.
  const f = m.entry.family;
  if (m.verdict !== 'crit' || [f, `${f}_count`, `${f}_sum`, `${f}_bucket`].some((x) => read.has(x))) return undefined;
  const up = m.change.z > 0;
  const now = m.series.at(-1)?.v ?? m.change.value;
  // Idle workers gone (`phpfpm_idle_processes` → 0, `apache_workers{state="idle"}` → 0): the pool is full.
  if (!up && m.kind === 'gauge' && isIdle(m) && now <= 0.05 * Math.max(m.change.baseline, 1e-9)) return 'saturated';
  const meaning = meaningOf(m.entry.family, m.entry.statusClass, up, m.kind === 'gauge', service);
  if (meaning !== 'saturated') return meaning;
  // "max children reached", "pool exhausted": the name says the limit was hit.
  if (limitReached(m.entry.family)) return 'saturated';
  // A busy part beside an idle part of the same family that is (nearly) empty.
  if (m.entry.part && BUSY.has(m.entry.part.value.toLowerCase())) {
    const idle = [...IDLE].map((v) => levels.get(`${f}{${m.entry.part?.label}=${v}}`)).find((x) => x !== undefined);
    return idle !== undefined && idle <= 0.05 * Math.max(now, 1e-9) ? 'saturated' : undefined;
  }
  // A pool or worker count means exhaustion only at its limit, when the limit is known.
  const limit = limitFor(m.entry.family, levels.keys());
  const max = limit ? levels.get(limit) : undefined;
  return max && max > 0 && now / max >= 0.9 ? 'saturated' : undefined;
}

const BUSY = new Set(['busy', 'active', 'working', 'running', 'in_use', 'inuse', 'used']);
const IDLE = new Set(['idle', 'free', 'available', 'spare', 'ready', 'open_slot']);

function isIdle(m: Mover): boolean {
  if (m.entry.part) return IDLE.has(m.entry.part.value.toLowerCase());
  const t = m.entry.family.toLowerCase().split(/[^a-z0-9]+/);
  return (
    t.some((x) => IDLE.has(x)) &&
    t.some((x) => /^(?:workers?|processes|children|threads|connections|conns|slots|pool)$/.test(x))
  );
}

/** The name says a limit was hit (`phpfpm_max_children_reached`, `pool_exhausted_total`). */
function limitReached(family: string): boolean {
  const t = family.toLowerCase().split(/[^a-z0-9]+/);
  return t.some((x) => ['reached', 'exhausted', 'exceeded', 'hit'].includes(x));
}

/** Every gauge's level at the window's end, by family and by family{part} (for the limits and idle parts). */
function levelsOf(all: readonly Mover[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of all) {
    if (m.kind !== 'gauge') continue;
    const v = m.series.at(-1)?.v ?? m.change.value;
    const p = m.entry.part;
    if (p) out.set(`${m.entry.family}{${p.label}=${p.value.toLowerCase()}}`, v);
    else out.set(m.entry.family, v);
  }
  return out;
}

function label(m: Mover): string {
  const parts = [
    m.entry.statusClass ? `status ${m.entry.statusClass}` : '',
    m.entry.quantile ? `quantile ${m.entry.quantile}` : '',
    m.entry.part ? `${m.entry.part.label} ${m.entry.part.value}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const of = m.entry.group.own ? '' : ` on ${m.entry.group.entity}`;
  const what = m.kind === 'counter' ? ' (rate)' : m.kind === 'mean' ? ' (mean)' : ' (per instance)';
  return `${m.entry.family}${parts ? `{${parts}}` : ''}${what}${of}`;
}

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
        queryRangePair(ctx.metrics, { query, window, stepSeconds, shiftSeconds: DAY }, options),
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
