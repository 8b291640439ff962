import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../../src/adapters/playbook-files/load-playbooks.js';
import { chainPriorities } from '../../../src/domain/engine/run-playbook.js';
import { type Step, StepSchema } from '../../../src/domain/playbook/schema.js';

const step = (id: string, after: string[] = []): Step =>
  StepSchema.parse({
    id,
    title: id,
    signal: 'error-ratio',
    ...(after.length === 0 ? {} : { when: { all: after.map((a) => ({ step: a, is: 'crit' })) } }),
  });

describe('chainPriorities', () => {
  it('gives every step on the longest chain its length less one, and independent steps 0', () => {
    // a → b → c, a → d, and e alone.
    const priorities = chainPriorities([step('a'), step('b', ['a']), step('c', ['b']), step('d', ['a']), step('e')]);
    expect(Object.fromEntries(priorities)).toEqual({ a: 2, b: 2, c: 2, d: 1, e: 0 });
  });

  it('counts the longer of two branches that join', () => {
    // a → b → d and c → d: c is on a two-step chain only.
    const priorities = chainPriorities([step('a'), step('b', ['a']), step('c'), step('d', ['b', 'c'])]);
    expect(Object.fromEntries(priorities)).toEqual({ a: 2, b: 2, c: 1, d: 2 });
  });

  it('puts the shipped playbooks’ drill-downs and what they wait for ahead of the rest', async () => {
    const playbooks = await loadPlaybooks('playbooks');
    const errors = playbooks.find((p) => p.steps.some((s) => s.id === 'status-500'));
    expect(errors).toBeDefined();
    const priorities = chainPriorities(errors?.steps ?? []);
    expect(priorities.get('error-ratio')).toBe(1);
    expect(priorities.get('status-500')).toBe(1);
    expect(priorities.get('latency-p99')).toBe(1);
    expect(priorities.get('request-rate')).toBe(0);
    // The scan reads every family in one query, about two steps' round-trip: it goes with the drill-down chains.
    expect(priorities.get('what-moved')).toBe(1);
  });
});
