import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunRegistry } from '../../../src/adapters/slack/run-registry.js';
import { concluded, newRunState, rootPosted, settled } from '../../../src/application/runs/run-state.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { outcome } from '../../support/diagnosis-factory.js';

const symptom = parseSymptom('502 on checkout', { now: new Date('2026-11-01T14:00:00Z') });

function posted(runId: string) {
  const state = newRunState({ runId, channel: 'C1', text: '502 on checkout', symptom, userId: 'U1' });
  return rootPosted(`17000000${runId.length}.0001`)(state);
}

/** Whether `promise` has settled once the pending callbacks have run (no time passes). */
async function resolvedNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('RunRegistry idleness', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is busy while a run is starting, and idle once it has started nothing', async () => {
    const registry = new RunRegistry();
    const started = registry.beginStart();
    expect(registry.anyActive()).toBe(true);
    const idle = registry.idleness.whenIdle();
    expect(await resolvedNow(idle)).toBe(false);
    started();
    started();
    expect(await resolvedNow(idle)).toBe(true);
    expect(registry.anyActive()).toBe(false);
  });

  it('is busy while a run held is active: past its outcome, until its state says everything was sent', async () => {
    const registry = new RunRegistry();
    registry.add(posted('run-1'));
    registry.add(posted('run-2'));
    const idle = registry.idleness.whenIdle();
    registry.update('run-1', settled);
    registry.update('run-2', concluded(outcome({ runId: 'run-2' })));
    expect(await resolvedNow(idle)).toBe(false);
    expect(registry.idleness.idle).toBe(false);
    registry.update('run-2', settled);
    registry.update('run-2', settled);
    expect(await resolvedNow(idle)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts a run once however often its active state is held again, and not at all when added settled', async () => {
    const registry = new RunRegistry();
    registry.add(settled(posted('run-0')));
    expect(registry.idleness.idle).toBe(true);
    registry.add(posted('run-1'));
    registry.add(posted('run-1'));
    registry.update('run-1', (s) => ({ ...s, stepsDone: 1 }));
    registry.update('run-1', settled);
    expect(registry.idleness.idle).toBe(true);
  });
});
