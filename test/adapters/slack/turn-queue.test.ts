import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../../src/adapters/slack/turn-queue.js';

describe('TurnQueue', () => {
  it('releases waiters in order, one per turn of the event loop', async () => {
    const turns = new TurnQueue();
    const order: string[] = [];
    const all = ['a', 'b', 'c'].map((name) => turns.next().then(() => order.push(name)));
    expect(turns.size).toBe(3);
    // Work that becomes ready after the queue filled up still gets in between two releases.
    setImmediate(() => order.push('io'));
    await Promise.all(all);
    expect(order).toEqual(['a', 'io', 'b', 'c']);
    expect(turns.size).toBe(0);
  });

  it('never releases a waiter in the turn that queued it', async () => {
    const turns = new TurnQueue();
    let released = false;
    const waiting = turns.next().then(() => {
      released = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(released).toBe(false);
    await waiting;
    expect(released).toBe(true);
  });

  it('keeps going after it has emptied', async () => {
    const turns = new TurnQueue();
    await turns.next();
    await turns.next();
    expect(turns.size).toBe(0);
  });
});
