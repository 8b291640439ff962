import { unitFromName } from '../discovery/infer-variants.js';
import type { Sample, Series } from '../ports.js';
import { equalityMatcher, quoteLiteral } from '../promql/quote.js';
import { type Change, countChange, increases, levelChange, looksCumulative, moveSize } from '../scan/change-score.js';
import { limitFor, type MovedMeaning, meaningOf } from '../scan/name-meaning.js';
import type { Unit } from '../signals/signal.js';
import type { TimeWindow } from '../time-window.js';
import { type Group, isCountName, PART_LABELS, SCAN_STATUS_LABELS, selectorMatchers } from './scan-groups.js';

// The scan's movers: every family read as a count, a level or a timer's mean, and its move scored.

/** Significance at which a mover is shown (warn) and at which it is critical. */
const WARN_SCORE = 6;
const CRIT_SCORE = 12;
/** A critical mover stays out of its usual range for at least this share of the window: not one odd scrape. */
const CRIT_SUSTAINED = 0.1;
/** Observations per step a timer needs for its mean to be read. */
const MIN_OBSERVATIONS = 5;
/** Length of the busiest run a count is judged on (seconds): a fault of a few minutes is not averaged away. */
const RUN_SECONDS = 300;
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

export interface Mover {
  entry: Entry;
  kind: 'counter' | 'gauge' | 'mean';
  change: Change;
  unit: Unit;
  verdict: 'ok' | 'warn' | 'crit';
  meaning?: MovedMeaning;
  query: string;
  series: Sample[];
}

const ERROR_LEVELS = new Set(['error', 'err', 'fatal', 'critical', 'crit', 'severe', 'alert', 'emerg', 'panic']);

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

export function entriesOf(group: Group, current: readonly Series[], earlier: readonly Series[]): Map<string, Entry> {
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
export function movers(entries: Map<string, Entry>, steps: Steps, window: TimeWindow): Mover[] {
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
export function meaningFor(
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
export function levelsOf(all: readonly Mover[]): Map<string, number> {
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

export function label(m: Mover): string {
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
