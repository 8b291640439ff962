import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import type { AppParts } from '../../src/app/built-app.js';
import { AppLifecycle } from '../../src/app/lifecycle.js';
import { Readiness } from '../../src/app/readiness.js';

/** The parts shutdown works with, as fakes: `busy` says whether any work is still in flight. */
function fakeParts(options: { running: number; busy: () => boolean; finishes?: () => number }) {
  const record = (i: number) => ({ runId: `run-${i}`, status: 'running' });
  const records = Array.from({ length: options.running }, (_, i) => record(i));
  const calls: string[] = [];
  const inFlight = () => records.slice(0, records.length - (options.finishes?.() ?? 0));
  const parts = {
    config: { store: { replicaId: 'replica-a' } },
    logger: silentLogger,
    readiness: new Readiness(),
    now: () => new Date('2026-11-01T14:00:00Z'),
    app: { stop: async () => void calls.push('app.stop') },
    intake: { stopQueue: async () => 2, idle: () => !options.busy() },
    registry: {
      inFlight,
      anyActive: () => options.busy(),
    },
    pacer: { pendingChannels: () => 0 },
    runner: {
      sender: { active: () => 0 },
      stopDelivery: async () => void calls.push('stopDelivery'),
      refreshRoot: async (_client: unknown, r: { runId: string; status: string }) =>
        void calls.push(`root ${r.runId} ${r.status}`),
    },
    client: {},
    runStore: {
      store: {
        markInterrupted: async (q: { owner: string }) => {
          calls.push(`markInterrupted ${q.owner}`);
          return inFlight();
        },
      },
      close: async () => void calls.push('store.close'),
    },
  };
  return { parts: parts as unknown as AppParts, calls };
}

describe('AppLifecycle.shutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('returns as soon as the work in flight is done, well within the grace period', async () => {
    let busy = true;
    const { parts, calls } = fakeParts({ running: 1, busy: () => busy, finishes: () => (busy ? 0 : 1) });
    let report: Awaited<ReturnType<AppLifecycle['shutdown']>> | undefined;
    const done = new AppLifecycle(parts).shutdown(60_000).then((r) => {
      report = r;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(report).toBeUndefined();
    busy = false;
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(report).toMatchObject({ finished: 1, interrupted: 0, unstartedAlerts: 2 });
    expect(calls).toEqual(['app.stop', 'stopDelivery', 'markInterrupted replica-a', 'store.close']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops waiting at the end of the grace period, and says so in the roots of the runs still going', async () => {
    const { parts, calls } = fakeParts({ running: 2, busy: () => true });
    let settled = false;
    const done = new AppLifecycle(parts).shutdown(5_000).then((r) => {
      settled = true;
      return r;
    });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    const report = await done;
    expect(report).toMatchObject({ finished: 0, interrupted: 2 });
    expect(calls).toEqual([
      'app.stop',
      'stopDelivery',
      'markInterrupted replica-a',
      'root run-0 interrupted',
      'root run-1 interrupted',
      'store.close',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('marks the app not ready as it starts shutting down', async () => {
    const { parts } = fakeParts({ running: 0, busy: () => false });
    const done = new AppLifecycle(parts).shutdown(1_000);
    expect(parts.readiness.why()).toEqual(['shutdown: shutting down']);
    await done;
  });
});
