import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { ChannelPacer } from '../../src/adapters/slack/channel-pacer.js';
import { OUTBOX_EVENT_TYPE, OutboxSender, type OutboxStore } from '../../src/adapters/slack/outbox-sender.js';
import type { SqlRunStore } from '../../src/adapters/store/sql-run-store.js';
import type { NewOutboxMessage, OutboxMessage } from '../../src/application/ports/run-store.js';
import { newRun } from '../adapters/store/run-store-contract.js';
import { FAKE_SLACK_DEFAULTS, textOf } from '../support/fake-slack/fake-slack-server.js';
import { useOutboxFixture } from './outbox-fixture.js';

const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const noSleep = async () => undefined;

const fx = useOutboxFixture('outbox-sender');

async function openStore(): Promise<SqlRunStore> {
  const store = await fx.open();
  return store;
}

function sender(store: OutboxStore, owner = 'replica-a', onFailed?: (m: OutboxMessage, e: string) => void) {
  return new OutboxSender({
    store,
    pacer: new ChannelPacer(0, { sleep: noSleep }),
    owner,
    logger: silentLogger,
    ...(onFailed ? { onFailed } : {}),
  });
}

/** The store as the sender sees it, with some methods replaced (a process dying, a SIGTERM). */
function wrap(store: SqlRunStore, overrides: Partial<OutboxStore>): OutboxStore {
  return {
    outbox: (id) => store.outbox(id),
    markSending: (id, seq) => store.markSending(id, seq),
    settleOutbox: (id, seq, result) => store.settleOutbox(id, seq, result),
    claimDelivery: (id, owner, ttl) => store.claimDelivery(id, owner, ttl),
    releaseDelivery: (id, owner) => store.releaseDelivery(id, owner),
    enqueueOutbox: (id, m, o) => store.enqueueOutbox(id, m, o),
    getRun: (id) => store.getRun(id),
    ...overrides,
  };
}

/** A run whose root is posted in the fx.fake Slack, with `n` replies and a ledger queued (delivery closed). */
async function queuedRun(store: SqlRunStore, n: number, owner = 'replica-a') {
  const posted = await fx.client.chat.postMessage({ channel: CHANNEL, text: 'root: diagnosing' });
  const rootTs = String(posted.ts);
  const run = await store.createRun(newRun({ channel: CHANNEL, rootTs, threadTs: rootTs, owner }));
  const msg = (kind: NewOutboxMessage['kind'], text: string): NewOutboxMessage => ({
    kind,
    channel: CHANNEL,
    threadTs: kind === 'root' ? null : rootTs,
    targetTs: kind === 'root' ? rootTs : null,
    payload: { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] },
  });
  await store.enqueueOutbox(run.id, [], { open: true });
  await store.enqueueOutbox(
    run.id,
    Array.from({ length: n }, (_, i) => msg('reply', `step ${i + 1}`)),
  );
  await store.updateRun(run.id, { status: 'finished' });
  await store.enqueueOutbox(run.id, [msg('root', 'root: concluded'), msg('ledger', 'ledger')], { close: true });
  return { run, rootTs };
}

const replyTexts = (rootTs: string) =>
  fx.fake
    .thread(CHANNEL, rootTs)
    .slice(1)
    .map((m) => m.text);

describe('OutboxSender', () => {
  it('sends a run’s messages in order, records each ts, and settles the run finished', async () => {
    const store = await openStore();
    const { run, rootTs } = await queuedRun(store, 3);
    expect((await store.getRun(run.id))?.status).toBe('delivering');
    const settled = await sender(store).deliver(run.id, fx.client);
    expect(settled).toMatchObject({ status: 'finished', undelivered: 0 });
    expect(replyTexts(rootTs)).toEqual(['step 1', 'step 2', 'step 3', 'ledger']);
    expect(textOf(fx.fake.thread(CHANNEL, rootTs)[0])).toContain('root: concluded');
    const rows = await store.outbox(run.id);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    const thread = fx.fake.thread(CHANNEL, rootTs);
    expect(rows.filter((r) => r.kind !== 'root').map((r) => r.slackTs)).toEqual(thread.slice(1).map((m) => m.ts));
    expect(thread[1]?.metadata).toEqual({ event_type: OUTBOX_EVENT_TYPE, event_payload: { run_id: run.id, seq: 1 } });
  });

  it('resumes after a crash between Slack’s answer and the write without posting that message twice', async () => {
    const store = await openStore();
    const { run, rootTs } = await queuedRun(store, 4);
    // The first process dies right after Slack accepted step 3: its result is never written.
    let crashed!: () => void;
    const died = new Promise<void>((resolve) => {
      crashed = resolve;
    });
    const dying = wrap(store, {
      settleOutbox: (id, seq, result) => {
        if (seq === 3) {
          crashed();
          return new Promise(() => undefined);
        }
        return store.settleOutbox(id, seq, result);
      },
    });
    void sender(dying).deliver(run.id, fx.client);
    await died;
    expect(replyTexts(rootTs)).toEqual(['step 1', 'step 2', 'step 3']);
    expect((await store.outbox(run.id)).find((r) => r.seq === 3)?.state).toBe('sending');

    // The restarted process: a new connection to the same file, a new sender.
    const restarted = await fx.open();
    const settled = await sender(restarted).deliver(run.id, fx.client);
    expect(settled).toMatchObject({ status: 'finished', undelivered: 0 });
    expect(replyTexts(rootTs)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'ledger']);
    const posts = fx.fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === rootTs);
    expect(posts.map((c) => c.params.text)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'ledger']);
    // The message found in the thread is recorded with the ts Slack gave it.
    const third = (await restarted.outbox(run.id)).find((r) => r.seq === 3);
    expect(third?.slackTs).toBe(fx.fake.thread(CHANNEL, rootTs)[3]?.ts);
  });

  it('stops sending when stopped and leaves the rest pending for the next sender', async () => {
    const store = await openStore();
    const { run, rootTs } = await queuedRun(store, 5);
    // SIGTERM's grace runs out just after step 2 was sent.
    const first: OutboxSender = sender(
      wrap(store, {
        settleOutbox: async (id, seq, result) => {
          const settled = await store.settleOutbox(id, seq, result);
          if (seq === 2) void first.stop();
          return settled;
        },
      }),
    );
    await first.deliver(run.id, fx.client);
    expect(first.isStopped).toBe(true);
    const sentBefore = replyTexts(rootTs);
    expect(sentBefore).toEqual(['step 1', 'step 2']);
    expect((await store.getRun(run.id))?.status).toBe('delivering');
    expect((await store.outbox(run.id)).filter((r) => r.state === 'pending').length).toBeGreaterThanOrEqual(4);
    expect(await first.deliver(run.id, fx.client)).toBeUndefined();

    const settled = await sender(store, 'replica-a').deliver(run.id, fx.client);
    expect(settled?.status).toBe('finished');
    expect(replyTexts(rootTs)).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'ledger']);
  });

  it('marks what Slack refuses as failed with its reason, counts it, and still completes the thread', async () => {
    const store = await openStore();
    const { run } = await queuedRun(store, 2);
    fx.fake.setChannelMembership(CHANNEL, false);
    const failed: string[] = [];
    const settled = await sender(store, 'replica-a', (m, e) => failed.push(`${m.kind} ${m.seq}: ${e}`)).deliver(
      run.id,
      fx.client,
    );
    expect(settled).toMatchObject({ status: 'finished', undelivered: 4 });
    expect((await store.outbox(run.id)).map((r) => [r.state, r.error])).toEqual([
      ['failed', 'not_in_channel'],
      ['failed', 'not_in_channel'],
      ['failed', 'not_in_channel'],
      ['failed', 'not_in_channel'],
    ]);
    // The root edit goes on its own lane, so only the thread's messages keep their order among themselves.
    expect(failed.filter((f) => !f.startsWith('root'))).toEqual([
      'reply 1: not_in_channel',
      'reply 2: not_in_channel',
      'ledger 4: not_in_channel',
    ]);
    expect(failed).toContain('root 3: not_in_channel');
  });

  it('marks a root edit of a deleted message failed (message_not_found)', async () => {
    const store = await openStore();
    const run = await store.createRun(newRun({ channel: CHANNEL, rootTs: '1699999999.000100' }));
    await store.enqueueOutbox(
      run.id,
      [{ kind: 'root', channel: CHANNEL, threadTs: null, targetTs: '1699999999.000100', payload: { text: 'x' } }],
      { close: true },
    );
    const settled = await sender(store).deliver(run.id, fx.client);
    expect(settled?.undelivered).toBe(1);
    expect((await store.outbox(run.id))[0]).toMatchObject({ state: 'failed', error: 'message_not_found' });
  });

  it('lets one of two replicas deliver a run: every message goes out once', async () => {
    const store = await openStore();
    const other = await fx.open();
    const { run, rootTs } = await queuedRun(store, 3);
    const results = await Promise.all([
      sender(store, 'replica-a').deliver(run.id, fx.client),
      sender(other, 'replica-b').deliver(run.id, fx.client),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(replyTexts(rootTs)).toEqual(['step 1', 'step 2', 'step 3', 'ledger']);
    expect(fx.fake.callsTo('chat.update')).toHaveLength(1);
  });

  it('sends only the latest root edit queued while an earlier one waits', async () => {
    const store = await openStore();
    const posted = await fx.client.chat.postMessage({ channel: CHANNEL, text: 'v0' });
    const rootTs = String(posted.ts);
    const run = await store.createRun(newRun({ channel: CHANNEL, rootTs, threadTs: rootTs }));
    const edit = (text: string): NewOutboxMessage => ({
      kind: 'root',
      channel: CHANNEL,
      threadTs: null,
      targetTs: rootTs,
      payload: { text },
    });
    for (const v of ['v1', 'v2', 'v3']) await store.enqueueOutbox(run.id, [edit(v)]);
    await store.closeOutbox(run.id);
    await sender(store).deliver(run.id, fx.client);
    expect(fx.fake.callsTo('chat.update').map((c) => c.params.text)).toEqual(['v3']);
    expect(fx.fake.thread(CHANNEL, rootTs)[0]?.text).toBe('v3');
  });

  it('sends a root edit with the state the process knows now, when it knows the run', async () => {
    const store = await openStore();
    const posted = await fx.client.chat.postMessage({ channel: CHANNEL, text: 'v0' });
    const rootTs = String(posted.ts);
    const run = await store.createRun(newRun({ channel: CHANNEL, rootTs, threadTs: rootTs }));
    await store.enqueueOutbox(
      run.id,
      [{ kind: 'root', channel: CHANNEL, threadTs: null, targetTs: rootTs, payload: { text: 'queued' } }],
      { close: true },
    );
    const current = new OutboxSender({
      store,
      pacer: new ChannelPacer(0, { sleep: noSleep }),
      owner: 'replica-a',
      logger: silentLogger,
      currentRoot: (id) => (id === run.id ? { text: 'confirmed by U0ONCALL01' } : undefined),
    });
    await current.deliver(run.id, fx.client);
    expect(fx.fake.thread(CHANNEL, rootTs)[0]?.text).toBe('confirmed by U0ONCALL01');
  });
});
