import { STATUS_LABELS } from '../discovery/infer-variants.js';
import type { Selector } from '../discovery/service-profile.js';
import { equalityMatcher, quoteLiteral } from '../promql/quote.js';
import { isBookkeeping, meaningOf } from '../scan/name-meaning.js';
import type { StepContext } from './step-context.js';

// The scan's queries: the service's families grouped by selector and read in a few batched requests.

/** One group of series read by one query: an entity's families under one selector. */
export interface Group {
  entity: string;
  /** The service itself (its own families), or what else belongs to it. */
  own: boolean;
  selector: Selector;
  families: string[];
}

export function selectorMatchers(selector: Selector): string {
  return selector.map((m) => equalityMatcher(m.label, m.value)).join(',');
}

/** The families to read, grouped by selector: the service's own first, then what else belongs to it; capped. */
export function groupsOf(ctx: StepContext, cap: number): { groups: Group[]; total: number } {
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
export const PART_LABELS = ['state', 'mode'];
/** Status labels, and the outcome labels teams and libraries name their own way. */
export const SCAN_STATUS_LABELS = [...STATUS_LABELS, 'result', 'outcome', 'success'];
const KEPT = ['__name__', 'quantile', 'level', ...PART_LABELS, ...SCAN_STATUS_LABELS];
/**
 * Names that are counts by the exposition format's conventions: `_total`, and a histogram's or summary's `_sum`
 * and `_count` (a `_count` with no `_sum` beside it is a level: yabeda's `sidekiq_jobs_waiting_count`). Everything
 * else is read as a level first.
 */
export function isCountName(family: string, families: readonly string[]): boolean {
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

/** Tells the groups of one batched query apart (removed again before anything is shown). */
export const GROUP_LABEL = 'triage_scan_group';
/**
 * The family's name as an ordinary label: `or` matches series on their labels without the name, so two families
 * with the same other labels (a count and a level, both with none) would otherwise keep only the first.
 */
const NAME_LABEL = 'triage_scan_name';
/** Every group in one query, each tagged so its series can be told apart (their family names may repeat). */
export function batchQuery(groups: readonly Group[]): string {
  return groups
    .flatMap((g, i) =>
      scanQueries(g).map(
        (q) =>
          `label_replace(label_replace(${q}, "${GROUP_LABEL}", "${i}", "", ""), "${NAME_LABEL}", "$1", "__name__", "(.+)")`,
      ),
    )
    .join('\nor\n');
}
