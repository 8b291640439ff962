import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CachedMetricsSource, snapWindow } from '../../../src/adapters/cache/cached-metrics-source.js';
import { DeadlineExceededError, QueryRejectedError } from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { FakeMetricsSource } from '../../support/fake-metrics-source.js';

const at = (iso: string): Date => new Date(iso);
const window = (start: string, end: string): TimeWindow => ({ start: at(start), end: at(end) });
const W = window('2026-11-22T10:00:03Z', '2026-11-22T10:30:03Z');

function rejected(): QueryRejectedError {
  return new QueryRejectedError('rejected', { source: 'prometheus', url: 'http://prom.example:9090' });
}

describe('CachedMetricsSource', () => {
  let fake: FakeMetricsSource;
  let cached: CachedMetricsSource;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(at('2026-11-22T10:31:00Z'));
    fake = new FakeMetricsSource();
    cached = new CachedMetricsSource(fake);
  });

  afterEach(() => {
    cached.close();
    vi.useRealTimers();
  });

  describe('caching', () => {
    it('answers a repeated range query from the cache', async () => {
      const first = await cached.queryRange('up', W, 60);
      const second = await cached.queryRange('up', W, 60);

      expect(second).toEqual(first);
      expect(fake.calls).toHaveLength(1);
      expect(cached.stats()).toEqual({ hits: 1, misses: 1, deduplicated: 0, delegated: 1 });
    });

    it('caches instant, series and label-value answers by their arguments', async () => {
      const time = at('2026-11-22T10:30:00Z');
      await cached.queryInstant('up', time);
      await cached.queryInstant('up', time);
      await cached.queryInstant('up', new Date(time.getTime() + 1000));
      await cached.series(['up', 'down'], W);
      await cached.series(['up', 'down'], W);
      await cached.series(['up'], W);
      await cached.labelValues('job', W);
      await cached.labelValues('job', W);
      await cached.labelValues('job', W, ['up']);

      expect(fake.calls.map((c) => c.method)).toEqual([
        'queryInstant',
        'queryInstant',
        'series',
        'series',
        'labelValues',
        'labelValues',
      ]);
      expect(cached.stats()).toMatchObject({ hits: 3, misses: 6 });
    });

    it('keys on the step, so the same window at another resolution is a separate call', async () => {
      await cached.queryRange('up', W, 60);
      await cached.queryRange('up', W, 30);

      expect(fake.calls).toHaveLength(2);
    });

    it('asks the delegate again once the TTL has passed', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { ttlSeconds: 60 });
      await cached.queryRange('up', W, 60);
      await vi.advanceTimersByTimeAsync(59_000);
      await cached.queryRange('up', W, 60);
      expect(fake.calls).toHaveLength(1);

      await vi.advanceTimersByTimeAsync(2_000);
      await cached.queryRange('up', W, 60);
      expect(fake.calls).toHaveLength(2);
    });

    it('hands each caller its own array, so one caller sorting or pushing cannot change the cache', async () => {
      const first = await cached.queryRange('up', W, 60);
      first.length = 0;
      const second = await cached.queryRange('up', W, 60);

      expect(second).toHaveLength(1);
    });

    it('does not cache errors', async () => {
      fake.failNext(rejected());

      await expect(cached.queryRange('up', W, 60)).rejects.toThrow(QueryRejectedError);
      await expect(cached.queryRange('up', W, 60)).resolves.toHaveLength(1);
      expect(fake.calls).toHaveLength(2);
    });

    it('passes calls through to linkFor untouched', () => {
      expect(cached.linkFor('up', W)).toBe(fake.linkFor('up', W));
    });
  });

  describe('window snapping', () => {
    it('floors the start and ceils the end to a multiple of the step', () => {
      expect(snapWindow(W, 60_000)).toEqual(window('2026-11-22T10:00:00Z', '2026-11-22T10:31:00Z'));
      const aligned = window('2026-11-22T10:00:00Z', '2026-11-22T10:30:00Z');
      expect(snapWindow(aligned, 60_000)).toEqual(aligned);
    });

    it('shares one delegate call between windows a few seconds apart, and sends the snapped window', async () => {
      await cached.queryRange('up', window('2026-11-22T10:00:03Z', '2026-11-22T10:30:03Z'), 60);
      await cached.queryRange('up', window('2026-11-22T10:00:09Z', '2026-11-22T10:30:11Z'), 60);

      expect(fake.calls).toEqual([
        expect.objectContaining({
          method: 'queryRange',
          window: window('2026-11-22T10:00:00Z', '2026-11-22T10:31:00Z'),
          stepSeconds: 60,
        }),
      ]);
      expect(cached.stats()).toMatchObject({ hits: 1, misses: 1 });
    });

    it('widens metadata windows to the metadata grid', async () => {
      await cached.series(['up'], window('2026-11-22T10:00:03Z', '2026-11-22T10:30:03Z'));
      await cached.series(['up'], window('2026-11-22T10:00:40Z', '2026-11-22T10:30:50Z'));

      expect(fake.calls).toEqual([
        expect.objectContaining({ method: 'series', window: window('2026-11-22T10:00:00Z', '2026-11-22T10:31:00Z') }),
      ]);
    });
  });

  describe('in-flight de-duplication', () => {
    it('runs two identical concurrent calls once and gives both the answer', async () => {
      fake.delayMs = 100;
      const a = cached.queryRange('up', W, 60);
      const b = cached.queryRange('up', W, 60);
      await vi.advanceTimersByTimeAsync(100);

      await expect(a).resolves.toHaveLength(1);
      await expect(b).resolves.toEqual(await a);
      expect(fake.calls).toHaveLength(1);
      expect(cached.stats()).toEqual({ hits: 0, misses: 1, deduplicated: 1, delegated: 1 });
    });

    it('gives both callers the error, and the next call tries again', async () => {
      fake.delayMs = 100;
      fake.failNext(rejected());
      const a = cached.queryRange('up', W, 60);
      const b = cached.queryRange('up', W, 60);
      const both = Promise.allSettled([a, b]);
      await vi.advanceTimersByTimeAsync(100);

      const [ra, rb] = await both;
      expect(ra).toMatchObject({ status: 'rejected', reason: expect.any(QueryRejectedError) });
      expect(rb).toMatchObject({ status: 'rejected', reason: expect.any(QueryRejectedError) });
      const again = cached.queryRange('up', W, 60);
      await vi.advanceTimersByTimeAsync(100);
      await expect(again).resolves.toHaveLength(1);
      expect(fake.calls).toHaveLength(2);
    });
  });

  describe('concurrency limit', () => {
    it('never runs more than maxConcurrent delegate calls, and starts queued calls in FIFO order', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxConcurrent: 3 });
      fake.delayMs = 100;
      const queries = Array.from({ length: 10 }, (_, i) => `q${i}`);
      const all = Promise.all(queries.map((q) => cached.queryRange(q, W, 60)));

      expect(fake.calls).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1_000);
      const results = await all;

      expect(results).toHaveLength(10);
      expect(fake.maxInFlight).toBe(3);
      expect(fake.calls.map((c) => (c.method === 'queryRange' ? c.query : ''))).toEqual(queries);
      expect(cached.stats().delegated).toBe(10);
    });

    it('lets a waiting query of a higher priority go first, first come first served within a priority', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxConcurrent: 1 });
      fake.delayMs = 100;
      const all = Promise.all([
        cached.queryRange('running', W, 60),
        cached.queryRange('leaf-1', W, 60),
        cached.queryRange('leaf-2', W, 60, { priority: 0 }),
        cached.queryRange('chain-1', W, 60, { priority: 2 }),
        cached.queryRange('middle', W, 60, { priority: 1 }),
        cached.queryRange('chain-2', W, 60, { priority: 2 }),
      ]);
      await vi.advanceTimersByTimeAsync(1_000);
      await all;

      expect(fake.calls.map((c) => (c.method === 'queryRange' ? c.query : ''))).toEqual([
        'running',
        'chain-1',
        'chain-2',
        'middle',
        'leaf-1',
        'leaf-2',
      ]);
    });

    it('drops an aborted waiter from the middle of the line, and the rest keep their order', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxConcurrent: 1 });
      fake.delayMs = 100;
      const leaving = new AbortController();
      const running = cached.queryRange('running', W, 60);
      const high = cached.queryRange('high', W, 60, { priority: 3 });
      const gone = cached.queryRange('gone', W, 60, { priority: 2, signal: leaving.signal });
      const low = cached.queryRange('low', W, 60, { priority: 1 });
      leaving.abort(new Error('left'));
      await expect(gone).rejects.toThrow();
      await vi.advanceTimersByTimeAsync(1_000);
      await Promise.all([running, high, low]);

      expect(fake.calls.map((c) => (c.method === 'queryRange' ? c.query : ''))).toEqual(['running', 'high', 'low']);
    });

    it("defaults to 20 at once, Prometheus's own default query concurrency", async () => {
      fake.delayMs = 100;
      const all = Promise.all(Array.from({ length: 50 }, (_, i) => cached.queryRange(`q${i}`, W, 60)));
      await vi.advanceTimersByTimeAsync(1_000);
      await all;

      expect(fake.maxInFlight).toBe(20);
    });

    it('frees the slot when a call fails', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxConcurrent: 1 });
      fake.failNext(rejected());
      const failing = cached.queryRange('bad', W, 60);
      const next = cached.queryRange('good', W, 60);

      await expect(failing).rejects.toThrow(QueryRejectedError);
      await expect(next).resolves.toHaveLength(1);
    });
  });

  describe('maxKeys', () => {
    it('evicts the oldest answer instead of throwing when full', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxKeys: 3 });
      for (const q of ['q1', 'q2', 'q3', 'q4', 'q5']) await cached.queryRange(q, W, 60);

      await cached.queryRange('q5', W, 60);
      await cached.queryRange('q3', W, 60);
      expect(fake.calls).toHaveLength(5);

      await cached.queryRange('q1', W, 60);
      expect(fake.calls).toHaveLength(6);
      expect(cached.stats()).toMatchObject({ hits: 2, misses: 6 });
    });
  });

  describe('abort signals', () => {
    it("rejects only the aborting waiter; the other still gets the shared call's answer", async () => {
      fake.delayMs = 100;
      const controller = new AbortController();
      const reason = new DeadlineExceededError('deadline');
      const a = cached.queryRange('up', W, 60, { signal: controller.signal });
      const b = cached.queryRange('up', W, 60);
      const aSettled = a.catch((err: unknown) => err);

      controller.abort(reason);
      expect(await aSettled).toBe(reason);
      await vi.advanceTimersByTimeAsync(100);

      await expect(b).resolves.toHaveLength(1);
      expect(fake.calls).toHaveLength(1);
      expect(fake.calls[0]?.signal?.aborted).toBe(false);
    });

    it('aborts the delegate call when every waiter has left, and the next caller starts afresh', async () => {
      fake.delayMs = 100;
      const first = new AbortController();
      const second = new AbortController();
      const a = cached.queryRange('up', W, 60, { signal: first.signal }).catch((err: unknown) => err);
      const b = cached.queryRange('up', W, 60, { signal: second.signal }).catch((err: unknown) => err);

      first.abort(new DeadlineExceededError('a'));
      expect(fake.calls[0]?.signal?.aborted).toBe(false);
      second.abort(new DeadlineExceededError('b'));
      expect(fake.calls[0]?.signal?.aborted).toBe(true);
      await Promise.all([a, b]);

      const c = cached.queryRange('up', W, 60);
      await vi.advanceTimersByTimeAsync(100);
      await expect(c).resolves.toHaveLength(1);
      expect(fake.calls).toHaveLength(2);
    });

    it('turns a timeout reason (AbortSignal.timeout) into DeadlineExceededError', async () => {
      fake.delayMs = 1_000;
      const controller = new AbortController();
      const p = cached.queryRange('up', W, 60, { signal: controller.signal });
      controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));

      await expect(p).rejects.toThrow(DeadlineExceededError);
    });

    it('rejects at once, without a delegate call, when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort(new DeadlineExceededError('late'));

      await expect(cached.queryRange('up', W, 60, { signal: controller.signal })).rejects.toThrow('late');
      expect(fake.calls).toHaveLength(0);
    });

    it('drops a queued call whose only waiter aborts, without calling the delegate', async () => {
      cached.close();
      cached = new CachedMetricsSource(fake, { maxConcurrent: 1 });
      fake.delayMs = 100;
      const controller = new AbortController();
      const running = cached.queryRange('q1', W, 60);
      const queued = cached.queryRange('q2', W, 60, { signal: controller.signal });
      const queuedSettled = queued.catch((err: unknown) => err);

      controller.abort(new DeadlineExceededError('gone'));
      expect(await queuedSettled).toBeInstanceOf(DeadlineExceededError);
      await vi.advanceTimersByTimeAsync(200);

      await expect(running).resolves.toHaveLength(1);
      expect(fake.calls.map((c) => (c.method === 'queryRange' ? c.query : ''))).toEqual(['q1']);
      expect(cached.stats()).toMatchObject({ misses: 2, delegated: 1 });
    });
  });
});
