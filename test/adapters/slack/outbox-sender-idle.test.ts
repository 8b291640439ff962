import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/adapters/log/json-logger.js';
import { ChannelPacer } from '../../../src/adapters/slack/channel-pacer.js';
import { OutboxSender, type OutboxStore } from '../../../src/adapters/slack/outbox-sender.js';
import type { OutboxMessage } from '../../../src/application/ports/run-store.js';

/** One run's outbox in memory: one reply pending. */
function fakeStore(): OutboxStore {
  const messages: OutboxMessage[] = [
    {
      runId: 'run-1',
      seq: 1,
      kind: 'reply',
      channel: 'C1',
      threadTs: '1700000000.0001',
      targetTs: null,
      payload: { text: 'step 1' },
      state: 'pending',
      slackTs: null,
      error: null,
      createdAt: new Date(0),
      settledAt: null,
    },
  ];
  return {
    outbox: async () => messages.map((m) => ({ ...m })),
    markSending: async (_id, seq) => {
      const m = messages.find((x) => x.seq === seq);
      if (m?.state !== 'pending') return false;
      m.state = 'sending';
      return true;
    },
    settleOutbox: async (_id, seq, result) => {
      const m = messages.find((x) => x.seq === seq);
      if (m) Object.assign(m, result);
    },
    claimDelivery: async () => true,
    releaseDelivery: async () => undefined,
    enqueueOutbox: async () => undefined as never,
    getRun: async () => undefined,
  } as OutboxStore;
}

describe('OutboxSender idleness', () => {
  it('is busy while a delivery is under way, and says when it is over', async () => {
    let answer: (value: { ts: string }) => void = () => undefined;
    const client = {
      chat: { postMessage: () => new Promise<{ ts: string }>((r) => (answer = r)) },
    } as unknown as WebClient;
    const sender = new OutboxSender({
      store: fakeStore(),
      pacer: new ChannelPacer(0, { sleep: async () => undefined }),
      owner: 'replica-a',
      logger: silentLogger,
    });
    expect(sender.idleness.idle).toBe(true);
    const delivery = sender.deliver('run-1', client, { lanes: 'thread' });
    // The delivery claims the run before its lane starts.
    for (let i = 0; i < 50 && sender.active() === 0; i++) await new Promise((r) => setImmediate(r));
    expect(sender.active()).toBe(1);
    expect(sender.idleness.idle).toBe(false);
    let idle = false;
    const waited = sender.idleness.whenIdle().then(() => {
      idle = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    answer({ ts: '1700000000.0002' });
    await waited;
    expect(sender.active()).toBe(0);
    await delivery;
    expect(sender.idleness.idle).toBe(true);
  });
});
