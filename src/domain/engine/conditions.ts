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

/** Ids of every step a condition reads. */
export function stepsReferenced(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(stepsReferenced);
  if ('any' in c) return c.any.flatMap(stepsReferenced);
  if ('not' in c) return stepsReferenced(c.not);
  return [c.step];
}
