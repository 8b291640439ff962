import type { Condition, StepStatus } from '../playbook/schema.js';
import type { StepResult } from './types.js';

/**
 * Three-valued evaluation: `undefined` while a referenced step has not finished, so a rule never fires on
 * evidence that does not exist yet.
 */
export function evaluateCondition(c: Condition, results: ReadonlyMap<string, StepResult>): boolean | undefined {
  if ('all' in c) {
    const values = c.all.map((x) => evaluateCondition(x, results));
    if (values.includes(false)) return false;
    return values.includes(undefined) ? undefined : true;
  }
  if ('any' in c) {
    const values = c.any.map((x) => evaluateCondition(x, results));
    if (values.includes(true)) return true;
    return values.includes(undefined) ? undefined : false;
  }
  if ('not' in c) {
    const v = evaluateCondition(c.not, results);
    return v === undefined ? undefined : !v;
  }
  if ('log' in c) {
    // True when a finished pattern step saw a line with one of these signatures; undefined while none has run
    // (or there is no log source), so metrics-only runs never fire log rules either way.
    const wanted: readonly string[] = Array.isArray(c.log) ? c.log : [c.log];
    const seen = [...results.values()].filter((r) => r.signatures !== undefined);
    if (seen.length === 0) return undefined;
    return seen.some((r) => r.signatures?.some((s) => wanted.includes(s)));
  }
  if ('moved' in c) {
    // True when a finished scan saw a family whose name means this move; undefined while none has run.
    const wanted: readonly string[] = Array.isArray(c.moved) ? c.moved : [c.moved];
    const seen = [...results.values()].filter((r) => r.moved !== undefined);
    if (seen.length === 0) return undefined;
    return seen.some((r) => r.moved?.some((m) => wanted.includes(m)));
  }
  const step = results.get(c.step);
  if (!step) return undefined;
  if (c.is !== undefined) {
    const wanted: StepStatus[] = Array.isArray(c.is) ? c.is : [c.is];
    if (!wanted.includes(step.status)) return false;
  }
  if (c.above !== undefined || c.below !== undefined) {
    const value = step.evidence[0]?.value;
    if (value === null || value === undefined) return false;
    if (c.above !== undefined && !(value > c.above)) return false;
    if (c.below !== undefined && !(value < c.below)) return false;
  }
  return true;
}

/**
 * Step ids a condition yields, worked out once per condition (scoring asks after every step): `all` and `any` gather
 * their parts', `not` and the leaves say their own.
 */
function stepIds(
  cache: WeakMap<Condition, readonly string[]>,
  c: Condition,
  own: (c: Condition) => readonly string[],
): readonly string[] {
  let ids = cache.get(c);
  if (ids === undefined) {
    ids = Object.freeze(
      'all' in c
        ? c.all.flatMap((x) => stepIds(cache, x, own))
        : 'any' in c
          ? c.any.flatMap((x) => stepIds(cache, x, own))
          : own(c),
    );
    cache.set(c, ids);
  }
  return ids;
}

const referenced = new WeakMap<Condition, readonly string[]>();

/** Ids of every step a condition reads. */
export function stepsReferenced(c: Condition): readonly string[] {
  return stepIds(referenced, c, (leaf) =>
    'not' in leaf
      ? stepsReferenced(leaf.not)
      : 'log' in leaf || 'moved' in leaf
        ? []
        : 'step' in leaf
          ? [leaf.step]
          : [],
  );
}

/** Whether a condition reads what the log lines say (a `log:` signature), anywhere inside it. */
export function readsLogs(c: Condition): boolean {
  if ('all' in c) return c.all.some(readsLogs);
  if ('any' in c) return c.any.some(readsLogs);
  if ('not' in c) return readsLogs(c.not);
  return 'log' in c;
}

const absences = new WeakMap<Condition, readonly string[]>();

/**
 * Ids of the steps a condition relies on having stayed healthy: every step under a `not`, and every step tested
 * for `ok` (`is: [ok, no_data]` makes the same claim with less behind it; a gate on `[no_data, errored]` alone, "no
 * convention measures this", claims nothing about health). "Errors rose while nothing was
 * deployed" holds only as far as deploys were measured: scoring weighs such a rule by how many of these were.
 */
export function absenceReferences(c: Condition): readonly string[] {
  return stepIds(absences, c, (leaf) =>
    'not' in leaf
      ? stepsReferenced(leaf.not)
      : 'step' in leaf && leaf.is !== undefined && (Array.isArray(leaf.is) ? leaf.is : [leaf.is]).includes('ok')
        ? [leaf.step]
        : [],
  );
}
