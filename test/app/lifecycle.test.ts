import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import type { AppParts } from '../../src/app/built-app.js';
import { AppLifecycle } from '../../src/app/lifecycle.js';
import { Readiness } from '../../src/app/readiness.js';
import { IdleSignal } from '../../src/application/work/idle-signal.js';

/** The idle signals of the parts shutdown waits for. */
function signals() {
  return { registry: new IdleSignal(), pacer: new IdleSignal(), sender: new IdleSignal(), intake: new IdleSignal() };
}

/**
 * The parts shutdown works with, as fakes: `work` holds their idle signals (all idle unless given), `finishes`
 * how many of the running runs are done.
 */
function fakeParts(options: { running: number; work?: ReturnType<typeof signals>; finishes?: () => number }) {
  const work = options.work ?? signals();
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
    intake: { stopQueue: async () => 2, idleness: work.intake },
    registry: { inFlight, idleness: work.registry, update: () => undefined },
    pacer: { idleness: work.pacer },
    runner: {
      sender: { idleness: work.sender },
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
    const work = signals();
    const endRun = work.registry.begin();
    let ended = false;
    const { parts, calls } = fakeParts({ running: 1, work, finishes: () => (ended ? 1 : 0) });
    let report: Awaited<ReturnType<AppLifecycle['shutdown']>> | undefined;
    const done = new AppLifecycle(parts).shutdown(60_000).then((r) => {
      report = r;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(report).toBeUndefined();
    ended = true;
    endRun();
    // No time passes: the end of the work is what lets shutdown go on, not a later look.
    await vi.advanceTimersByTimeAsync(0);
    expect(report).toBeDefined();
    await done;
    expect(report).toMatchObject({ finished: 1, interrupted: 0, unstartedAlerts: 2 });
    expect(calls).toEqual(['app.stop', 'stopDelivery', 'markInterrupted replica-a', 'store.close']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits on the parts with no timer but the grace period, and looks at every part again after each wait', async () => {
    const work = signals();
    const endRun = work.registry.begin();
    const endSend = work.sender.begin();
    const { parts } = fakeParts({ running: 0, work });
    let settled = false;
    const done = new AppLifecycle(parts).shutdown(60_000).then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    // Only the grace timer: nothing looks at the parts on a schedule.
    expect(vi.getTimerCount()).toBe(1);
    // The run's last message goes to a channel; as it is posted, an alert starts a diagnosis (a part already idle).
    const endPost = work.pacer.begin();
    endRun();
    await vi.advanceTimersByTimeAsync(10);
    const endAlertRun = work.registry.begin();
    endPost();
    endSend();
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    endAlertRun();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops waiting at the end of the grace period, and says so in the roots of the runs still going', async () => {
    const work = signals();
    work.registry.begin();
    work.pacer.begin();
    const { parts, calls } = fakeParts({ running: 2, work });
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
    const { parts } = fakeParts({ running: 0 });
    const done = new AppLifecycle(parts).shutdown(1_000);
    expect(parts.readiness.why()).toEqual(['shutdown: shutting down']);
    await done;
  });
});
