import { describe, expect, it } from 'vitest';
import { ChannelPacer } from '../../../src/adapters/slack/channel-pacer.js';

/** A clock that only moves when the pacer sleeps. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('ChannelPacer', () => {
  it('spaces posts to one channel at least the interval apart, in order', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, clock);
    const started: [string, number][] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        pacer.run('C1', async () => {
          started.push([name, clock.now()]);
        }),
      ),
    );
    expect(started).toEqual([
      ['a', 0],
      ['b', 1000],
      ['c', 2000],
    ]);
  });

  it('holds at most maxQueue waiting posts per channel: past that an ordinary post is refused at once', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, { burst: 1, maxQueue: 2, ...clock });
    let release: () => void = () => {};
    const blocked = pacer.run('C1', () => new Promise<void>((r) => (release = r)));
    const waiting = [pacer.run('C1', async () => 'a'), pacer.run('C1', async () => 'b')];
    await expect(pacer.run('C1', async () => 'c')).rejects.toThrow(/channel_queue_full/);
    // Urgent posts (a diagnosis's root) are never refused, and other channels are not affected.
    const urgent = pacer.run('C1', async () => 'root', { urgent: true });
    expect(await pacer.run('C2', async () => 'elsewhere')).toBe('elsewhere');
    release();
    await blocked;
    expect(await Promise.all([urgent, ...waiting])).toEqual(['root', 'a', 'b']);
    expect(pacer.queued()).toBe(0);
  });

  it('lets a short burst through at once, then one per interval', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, { burst: 3, ...clock });
    const started: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map(() => pacer.run('C1', async () => void started.push(clock.now()))));
    expect(started).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('keeps the order when a post fails, and reports the failure to its caller only', async () => {
    const pacer = new ChannelPacer(0);
    const order: string[] = [];
    const first = pacer.run('C1', async () => {
      order.push('first');
      throw new Error('ratelimited');
    });
    const second = pacer.run('C1', async () => {
      order.push('second');
      return 2;
    });
    await expect(first).rejects.toThrow('ratelimited');
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first', 'second']);
  });

  it('does not make channels wait for each other', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, clock);
    const started: string[] = [];
    await Promise.all([
      pacer.run('C1', async () => void started.push(`C1@${clock.now()}`)),
      pacer.run('C2', async () => void started.push(`C2@${clock.now()}`)),
    ]);
    expect(started.sort()).toEqual(['C1@0', 'C2@0']);
    expect(pacer.pendingChannels()).toBe(0);
  });

  it('puts an urgent post before the ordinary ones still waiting, after earlier urgent ones', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, clock);
    const order: string[] = [];
    const post = (name: string, urgent = false) =>
      pacer.run('C1', async () => void order.push(name), urgent ? { urgent: true } : {});
    await Promise.all([post('reply-1'), post('reply-2'), post('root-a', true), post('reply-3'), post('root-b', true)]);
    // reply-1 was already running when the roots arrived.
    expect(order).toEqual(['reply-1', 'root-a', 'root-b', 'reply-2', 'reply-3']);
  });

  it('after a 429 for a channel, waits out Retry-After and stops bursting there', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, { burst: 3, ...clock });
    const started: number[] = [];
    await pacer.run('C1', async () => void started.push(clock.now()));
    pacer.rateLimited('C1', 5);
    await Promise.all([1, 2, 3].map(() => pacer.run('C1', async () => void started.push(clock.now()))));
    expect(started).toEqual([0, 5000, 6000, 7000]);
    expect(pacer.rateLimitedCount()).toBe(1);
    // Other channels keep their bursts.
    const other: number[] = [];
    await Promise.all([1, 2, 3].map(() => pacer.run('C2', async () => void other.push(clock.now()))));
    expect(new Set(other).size).toBe(1);
  });

  it('spaces the next post from when a slow post (retried after a 429) was done, not from when it started', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, clock);
    const started: number[] = [];
    await Promise.all([
      pacer.run('C1', async () => {
        started.push(clock.now());
        await clock.sleep(1500);
      }),
      pacer.run('C1', async () => void started.push(clock.now())),
    ]);
    expect(started).toEqual([0, 2500]);
  });

  it("keeps a channel's bucket between bursts: a channel that went idle a moment does not get a new burst", async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, { burst: 3, ...clock });
    const started: number[] = [];
    await pacer.run('C1', async () => void started.push(clock.now()));
    await Promise.all([1, 2, 3, 4].map(() => pacer.run('C1', async () => void started.push(clock.now()))));
    expect(started).toEqual([0, 0, 0, 1000, 2000]);
  });

  it('says it is idle once every channel has run its posts, and counts a refused post as nothing', async () => {
    const clock = virtualTime();
    const pacer = new ChannelPacer(1000, { maxQueue: 1, ...clock });
    let release: () => void = () => {};
    const blocked = pacer.run('C1', () => new Promise<void>((r) => (release = r)));
    const next = pacer.run('C1', async () => 'next');
    const other = pacer.run('C2', async () => 'other');
    await expect(pacer.run('C1', async () => 'refused')).rejects.toThrow(/channel_queue_full/);
    let idle = false;
    const waited = pacer.idleness.whenIdle().then(() => {
      idle = true;
    });
    await other;
    expect(pacer.pendingChannels()).toBe(1);
    expect(idle).toBe(false);
    release();
    await Promise.all([blocked, next, waited]);
    expect(idle).toBe(true);
    expect(pacer.pendingChannels()).toBe(0);
  });
});
