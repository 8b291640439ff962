import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allIdle, IdleSignal } from '../../../src/application/work/idle-signal.js';

/** Whether `promise` has settled once the pending callbacks have run (no time passes). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('IdleSignal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is idle with no work, and whenIdle resolves at once', async () => {
    const signal = new IdleSignal();
    expect(signal.idle).toBe(true);
    expect(await settled(signal.whenIdle())).toBe(true);
  });

  it('resolves whenIdle when the last piece of work ends, not before, and sets no timer', async () => {
    const signal = new IdleSignal();
    const first = signal.begin();
    const second = signal.begin();
    const waited = signal.whenIdle();
    expect(vi.getTimerCount()).toBe(0);
    first();
    expect(signal.count).toBe(1);
    expect(await settled(waited)).toBe(false);
    second();
    expect(signal.idle).toBe(true);
    expect(await settled(waited)).toBe(true);
  });

  it('ends a piece of work once however often its end is called', async () => {
    const signal = new IdleSignal();
    const first = signal.begin();
    first();
    first();
    signal.begin();
    expect(signal.count).toBe(1);
    expect(signal.idle).toBe(false);
    expect(await settled(signal.whenIdle())).toBe(false);
  });

  it('counts tracked work until it settles, fulfilled or rejected', async () => {
    const signal = new IdleSignal();
    let resolve: () => void = () => undefined;
    let reject: (e: Error) => void = () => undefined;
    signal.track(
      new Promise<void>((r) => {
        resolve = r;
      }),
    );
    signal.track(
      new Promise<void>((_r, j) => {
        reject = j;
      }),
    );
    expect(signal.count).toBe(2);
    resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(signal.count).toBe(1);
    reject(new Error('no'));
    expect(await settled(signal.whenIdle())).toBe(true);
  });
});

describe('allIdle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves at once when every part is idle', async () => {
    expect(await settled(allIdle([new IdleSignal(), new IdleSignal()]))).toBe(true);
  });

  it('waits for work one part starts in another as its own ends', async () => {
    const runs = new IdleSignal();
    const posts = new IdleSignal();
    const run = runs.begin();
    const waited = allIdle([runs, posts]);
    // The run's last act queues a post, then the run ends: the runs are idle, the posts are not.
    const post = posts.begin();
    run();
    expect(await settled(waited)).toBe(false);
    // The post's delivery marks a run active again before it ends.
    const again = runs.begin();
    post();
    expect(await settled(waited)).toBe(false);
    again();
    expect(await settled(waited)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
