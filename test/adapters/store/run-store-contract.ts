/**
 * The run store contract: every engine (SQLite, PostgreSQL) must pass the same behaviour tests, including the
 * races two replicas can run into.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertThread } from '../../../src/application/ports/alert-threads.js';
import type { NewRun, RunStore } from '../../../src/application/ports/run-store.js';
import type { DiagnosisOutcome } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';

export interface OpenedStore {
  store: RunStore;
  /** A second store on the same database (another connection or pool, as another replica would have). */
  other: RunStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2026-11-01T14:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let counter = 0;

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  counter++;
  const symptom = parseSymptom('502 on checkout', { now: T0 });
  return {
    id: `run-${counter}-${Math.random().toString(16).slice(2, 10)}`,
    trigger: 'command',
    text: '502 on checkout',
    symptom,
    service: 'checkout',
    playbook: null,
    channel: 'C0ALERTS01',
    rootTs: `1700000000.${String(counter).padStart(6, '0')}`,
    threadTs: `1700000000.${String(counter).padStart(6, '0')}`,
    userId: 'U0ONCALL01',
    alert: null,
    owner: 'replica-a',
    startedAt: at(counter),
    ...overrides,
  };
}

function outcome(runId: string): DiagnosisOutcome {
  return {
    runId,
    symptom: '502 on checkout',
    service: 'checkout',
    playbook: 'http-errors',
    window: { start: at(-30), end: T0 },
    steps: [
      {
        id: 'error-ratio',
        title: 'Error ratio',
        status: 'crit',
        evidence: [
          {
            summary: '5xx ratio 12% vs 0.1% the day before',
            value: 0.12,
            baseline: Number.NaN,
            baselineSource: 'day-before',
            thresholds: { warn: 0.01, crit: 0.05 },
            change: null,
            ratio: null,
            verdict: 'crit',
            unit: 'ratio',
            signal: 'http_error_ratio',
            convention: 'prom-client',
            query: 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))',
            link: 'http://prometheus:9090/graph?g0.expr=x',
            series: [{ t: at(-1), v: 0.12 }],
          },
        ],
        durationMs: 12,
      },
    ],
    hypotheses: [],
    conclusion: { kind: 'inconclusive', summary: 'Anomalies found', nextSteps: [] },
    notes: [],
    suggestions: [],
    queries: 3,
    startedAt: at(0),
    finishedAt: at(1),
  } as unknown as DiagnosisOutcome;
}

function thread(id: string, openedAt: Date, overrides: Partial<AlertThread> = {}): AlertThread {
  return {
    id,
    channel: 'C0ALERTS01',
    threadTs: null,
    service: 'checkout',
    title: '[FIRING:1] HighErrorRate checkout',
    openedAt,
    lastSeenAt: openedAt,
    status: 'firing',
    firing: ['fp:1'],
    ...overrides,
  };
}

export function runStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`run store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: RunStore;
    let other: RunStore;

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      other = opened.other;
    }, 60_000);

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('is migrated to the latest schema, and migrating again changes nothing', async () => {
      const version = await store.schemaVersion();
      expect(version).toBeGreaterThanOrEqual(2);
      expect(await store.migrate()).toBe(version);
    });

    it('creates, reads and updates runs; every field round-trips, Dates and NaN included', async () => {
      const run = newRun({
        alert: {
          source: 'alertmanager-webhook',
          title: 'HighErrorRate',
          alertname: 'HighErrorRate',
          status: 'firing',
          startsAt: at(-12),
          repeats: 0,
          grouped: [],
        },
      });
      const created = await store.createRun(run);
      expect(created).toMatchObject({ status: 'running', undelivered: 0, result: null, finishedAt: null });
      const read = await other.getRun(run.id);
      expect(read).toEqual(created);
      expect(read?.symptom.window.start).toBeInstanceOf(Date);
      expect(read?.alert?.startsAt).toEqual(at(-12));

      const result = outcome(run.id);
      const decision = { userId: 'U0HUMAN001', decision: 'confirmed' as const, cause: 'bad-deploy', at: at(5) };
      const updated = await store.updateRun(run.id, {
        status: 'finished',
        finishedAt: at(2),
        result,
        decision,
        playbook: 'http-errors',
        undelivered: 2,
      });
      expect(updated).toMatchObject({ status: 'finished', playbook: 'http-errors', undelivered: 2 });
      const again = await other.getRun(run.id);
      expect(again?.result).toEqual(result);
      expect(Number.isNaN(again?.result?.steps[0]?.evidence[0]?.baseline)).toBe(true);
      expect(again?.result?.steps[0]?.evidence[0]?.series[0]?.t).toEqual(at(-1));
      expect(again?.decision).toEqual(decision);
      expect(again?.finishedAt).toEqual(at(2));
      expect(again?.text).toBe('502 on checkout');
      expect(await store.updateRun('no-such-run', { status: 'failed' })).toBeUndefined();
      expect(await store.getRun('no-such-run')).toBeUndefined();
    });

    it('appends events with consecutive sequence numbers, bumps updatedAt, and gives them back in order', async () => {
      const run = await store.createRun(newRun());
      const seqs = [
        await store.appendEvent(run.id, {
          type: 'step-started',
          runId: run.id,
          stepId: 'error-ratio',
          title: 'Error ratio',
          at: at(1),
        }),
        await store.appendEvent(run.id, {
          type: 'human-decision',
          userId: 'U1',
          decision: 'rejected',
          cause: 'x',
          at: at(2),
        }),
        await store.appendEvent(run.id, {
          type: 'alert-resolved',
          title: 'HighErrorRate',
          resolvedAt: at(3),
          at: at(3),
        }),
      ];
      expect(seqs).toEqual([1, 2, 3]);
      const events = await other.events(run.id);
      expect(events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'step-started'],
        [2, 'human-decision'],
        [3, 'alert-resolved'],
      ]);
      expect(events[2]?.at).toEqual(at(3));
      expect(events[2]?.data).toEqual({ type: 'alert-resolved', title: 'HighErrorRate', resolvedAt: at(3), at: at(3) });
      expect((await store.getRun(run.id))?.updatedAt.getTime()).toBeGreaterThanOrEqual(run.updatedAt.getTime());
      await expect(store.appendEvent('no-such-run', { type: 'interrupted', reason: 'x', at: at(0) })).rejects.toThrow(
        /no run/,
      );
    });

    it('numbers 50 concurrent appends from two connections 1..50 with no gap or duplicate', async () => {
      const run = await store.createRun(newRun());
      const seqs = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? store : other).appendEvent(run.id, {
            type: 'delivery-failed',
            what: `post ${i}`,
            error: 'ratelimited',
            at: at(i),
          }),
        ),
      );
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const events = await store.events(run.id);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('lists runs newest first, by channel and status, with a limit', async () => {
      const channel = `C0LIST${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
      const a = await store.createRun(newRun({ channel, startedAt: at(100) }));
      const b = await store.createRun(newRun({ channel, startedAt: at(300) }));
      const c = await store.createRun(newRun({ channel, startedAt: at(200), status: 'finished' }));
      expect((await store.listRuns({ channel })).map((r) => r.id)).toEqual([b.id, c.id, a.id]);
      expect((await store.listRuns({ channel, limit: 1 })).map((r) => r.id)).toEqual([b.id]);
      expect((await store.listRuns({ channel, status: 'finished' })).map((r) => r.id)).toEqual([c.id]);
      expect((await store.listRuns({ limit: 500 })).length).toBeGreaterThanOrEqual(3);
    });

    it('finds the latest run of a thread by its root or by the thread it was posted in', async () => {
      const channel = 'C0THREAD01';
      const first = await store.createRun(
        newRun({ channel, rootTs: '1.000001', threadTs: '1.000001', startedAt: at(400) }),
      );
      expect((await other.runByThread(channel, '1.000001'))?.id).toBe(first.id);
      const rerun = await store.createRun(
        newRun({ channel, rootTs: '1.000009', threadTs: '1.000001', startedAt: at(401) }),
      );
      expect((await other.runByThread(channel, '1.000001'))?.id).toBe(rerun.id);
      expect((await other.runByThread(channel, '1.000009'))?.id).toBe(rerun.id);
      expect(await other.runByThread('C0ELSEWHERE', '1.000001')).toBeUndefined();
    });

    it('marks running runs interrupted by owner or when stale, once each, with an interrupted event', async () => {
      const owner = `replica-${Math.random().toString(36).slice(2, 8)}`;
      const mine = await store.createRun(newRun({ owner }));
      const done = await store.createRun(newRun({ owner, status: 'finished' }));
      await store.appendEvent(mine.id, { type: 'step-started', runId: mine.id, stepId: 's', title: 'S', at: at(1) });
      const marked = await store.markInterrupted({ owner, reason: 'restarted', at: at(9) });
      expect(marked.map((r) => r.id)).toEqual([mine.id]);
      expect(marked[0]).toMatchObject({ status: 'interrupted', finishedAt: at(9) });
      expect((await store.getRun(done.id))?.status).toBe('finished');
      expect((await store.events(mine.id)).map((e) => [e.seq, e.type])).toEqual([
        [1, 'step-started'],
        [2, 'interrupted'],
      ]);
      expect(await store.markInterrupted({ owner, reason: 'again', at: at(10) })).toEqual([]);

      // Stale: not updated since the cut-off, whoever owns it; fresh runs of others are left alone.
      const stale = await store.createRun(newRun({ owner: 'replica-gone' }));
      const cutoff = new Date(Date.now() + 60_000);
      const both = await Promise.all([
        store.markInterrupted({ staleBefore: cutoff, reason: 'replica died', at: at(11) }),
        other.markInterrupted({ staleBefore: cutoff, reason: 'replica died', at: at(11) }),
      ]);
      const ids = both.flat().map((r) => r.id);
      expect(ids.filter((id) => id === stale.id)).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
      expect((await store.events(stale.id)).filter((e) => e.type === 'interrupted')).toHaveLength(1);
      expect(await store.markInterrupted({ reason: 'nothing to select', at: at(12) })).toEqual([]);
    });

    it('deletes finished runs past retention with their events, in batches; running and newer runs stay', async () => {
      // Far older than the other tests' runs, so only these are past the cut-off.
      const old = (day: number) => new Date(Date.UTC(2020, 0, day));
      const cutoff = old(60);
      const gone = await Promise.all(
        (['finished', 'failed', 'interrupted'] as const).map((status, i) =>
          store.createRun(newRun({ status, startedAt: old(i + 1) })),
        ),
      );
      await store.appendEvent(gone[0]?.id ?? '', {
        type: 'step-started',
        runId: 'x',
        stepId: 's',
        title: 'S',
        at: old(1),
      });
      const running = await store.createRun(newRun({ startedAt: old(5) }));
      const newer = await store.createRun(newRun({ status: 'finished', startedAt: old(61) }));
      await store.appendEvent(newer.id, {
        type: 'step-started',
        runId: newer.id,
        stepId: 's',
        title: 'S',
        at: old(61),
      });

      const batched = store as RunStore & { deleteRunsBefore(before: Date, batch?: number): Promise<number> };
      expect(await batched.deleteRunsBefore(cutoff, 2)).toBe(3);

      for (const run of gone) {
        expect(await other.getRun(run.id)).toBeUndefined();
        expect(await other.events(run.id)).toEqual([]);
      }
      expect((await other.getRun(running.id))?.status).toBe('running');
      expect(await other.getRun(newer.id)).toBeDefined();
      expect(await other.events(newer.id)).toHaveLength(1);
      expect(await other.deleteRunsBefore(cutoff)).toBe(0);
    });

    it('lets exactly one of many concurrent claims of a key win, until it expires or is released', async () => {
      const key = `event:Ev${Math.random().toString(36).slice(2)}`;
      const until = 60_000;
      const wins = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? store : other).claimKey(key, `r${i}`, until)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await store.claimKey(key, 'late', until)).toBe(false);
      await other.releaseKey(key);
      expect(await store.claimKey(key, 'after-release', until)).toBe(true);

      const short = `twin:${Math.random().toString(36).slice(2)}`;
      expect(await store.claimKey(short, 'a', -1)).toBe(true);
      expect(await other.claimKey(short, 'b', until)).toBe(true);
      expect(await store.claimKey(short, 'c', until)).toBe(false);
    });

    it('prunes expired claims and alert threads not seen for a week, and nothing else', async () => {
      const prunable = store as RunStore & { prune?: () => Promise<{ claims: number; threads: number }> };
      if (!prunable.prune) return;
      const stale = `stale:${Math.random().toString(36).slice(2)}`;
      const live = `live:${Math.random().toString(36).slice(2)}`;
      await store.claimKey(stale, 'a', -1000);
      await store.claimKey(live, 'a', 60_000);
      const old = thread(`old-${stale}`, new Date(Date.now() - 9 * 24 * 3_600_000));
      const recent = thread(`new-${stale}`, new Date());
      await store.claim([{ key: `fp:${stale}`, since: new Date(0) }], old);
      await store.claim([{ key: `fp:${live}`, since: new Date(0) }], recent);
      const run = await store.createRun(newRun());
      const pruned = await prunable.prune();
      expect(pruned.claims).toBeGreaterThanOrEqual(1);
      expect(pruned.threads).toBeGreaterThanOrEqual(1);
      expect(await other.find([`fp:${stale}`])).toBeUndefined();
      expect((await other.find([`fp:${live}`]))?.id).toBe(recent.id);
      expect(await other.claimKey(live, 'b', 60_000)).toBe(false);
      expect(await other.claimKey(stale, 'b', 60_000)).toBe(true);
      expect(await other.getRun(run.id)).toBeDefined();
    });

    describe('alert threads', () => {
      it('claims keys for a new thread, and reports the holder of a key within its window', async () => {
        const key = `fp:${Math.random().toString(36).slice(2)}`;
        const first = thread(`t-${key}`, at(0));
        expect(await store.claim([{ key, since: at(-60) }], first)).toEqual({ holder: null });
        const second = await other.claim([{ key, since: at(-60) }], thread(`t2-${key}`, at(1)));
        expect(second.matched).toBe(key);
        expect(second.holder).toEqual(first);
        expect(await other.find([key])).toEqual(first);
        expect(await other.find(['nothing', key], at(-1))).toEqual(first);
        expect(await other.find([key], at(1))).toBeUndefined();
      });

      it('lets a claim through when the holder is older than the window, and rebinds the key', async () => {
        const key = `grp:${Math.random().toString(36).slice(2)}`;
        await store.claim([{ key, since: at(-60) }], thread(`old-${key}`, at(-120)));
        const fresh = thread(`new-${key}`, at(0));
        expect(await other.claim([{ key, since: at(-60) }], fresh)).toEqual({ holder: null });
        expect((await store.find([key]))?.id).toBe(fresh.id);
      });

      it('gives exactly one of many concurrent claims of the same key the thread', async () => {
        const key = `fp:${Math.random().toString(36).slice(2)}`;
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : other).claim([{ key, since: at(-60) }], thread(`race-${i}-${key}`, at(0))),
          ),
        );
        const winners = results.filter((r) => r.holder === null);
        expect(winners).toHaveLength(1);
        const holderIds = new Set(results.flatMap((r) => (r.holder ? [r.holder.id] : [])));
        expect(holderIds.size).toBe(1);
      });

      it('binds more keys, updates a thread, and releases it with its keys', async () => {
        const key = `fp:${Math.random().toString(36).slice(2)}`;
        const t = thread(`t-${key}`, at(0));
        await store.claim([{ key, since: at(-60) }], t);
        await other.bind([`msg:${key}`, `svc:${key}`], t.id);
        await other.bind([`lost:${key}`], 'no-such-thread');
        expect((await store.find([`svc:${key}`]))?.id).toBe(t.id);
        expect(await store.find([`lost:${key}`])).toBeUndefined();

        const updated = await other.update(t.id, {
          threadTs: '1700000000.000200',
          runId: 'run-x',
          firing: ['fp:1', 'fp:2'],
          lastSeenAt: at(3),
        });
        expect(updated).toEqual({
          ...t,
          threadTs: '1700000000.000200',
          runId: 'run-x',
          firing: ['fp:1', 'fp:2'],
          lastSeenAt: at(3),
        });
        expect(await store.find([key])).toEqual(updated);
        expect(await store.update('no-such-thread', { status: 'resolved' })).toBeUndefined();

        await other.release(t.id);
        expect(await store.find([key, `msg:${key}`, `svc:${key}`])).toBeUndefined();
        expect(await store.claim([{ key, since: at(-60) }], thread(`again-${key}`, at(5)))).toEqual({ holder: null });
      });
    });
  });
}
