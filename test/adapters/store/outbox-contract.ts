/**
 * The outbox contract: every run store engine keeps a run's messages in order with their delivery state, settles a
 * run only once its thread is complete, and lets one replica at a time deliver a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewOutboxMessage, RunStore } from '../../../src/application/ports/run-store.js';
import { newRun, type OpenedStore } from './run-store-contract.js';

const reply = (text: string, threadTs = '1700000000.000100'): NewOutboxMessage => ({
  kind: 'reply',
  channel: 'C0ALERTS01',
  threadTs,
  targetTs: null,
  payload: { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] },
});

const root = (text: string): NewOutboxMessage => ({
  kind: 'root',
  channel: 'C0ALERTS01',
  threadTs: null,
  targetTs: '1700000000.000100',
  payload: { text },
});

export function outboxContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`outbox contract: ${name}`, () => {
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

    it('keeps messages in order with their kind, target, payload and state', async () => {
      const run = await store.createRun(newRun());
      expect(await store.enqueueOutbox(run.id, [], { open: true })).toEqual([]);
      expect(await store.enqueueOutbox(run.id, [reply('step 1'), reply('step 2')])).toEqual([1, 2]);
      expect(await other.enqueueOutbox(run.id, [{ ...reply('ledger'), kind: 'ledger' }], { close: true })).toEqual([3]);
      const rows = await other.outbox(run.id);
      expect(rows.map((r) => [r.seq, r.kind, r.state, r.payload.text])).toEqual([
        [1, 'reply', 'pending', 'step 1'],
        [2, 'reply', 'pending', 'step 2'],
        [3, 'ledger', 'pending', 'ledger'],
      ]);
      expect(rows[0]).toMatchObject({
        runId: run.id,
        channel: 'C0ALERTS01',
        threadTs: '1700000000.000100',
        targetTs: null,
        slackTs: null,
        error: null,
        settledAt: null,
        payload: { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'step 1' } }] },
      });
      expect(rows[0]?.createdAt).toBeInstanceOf(Date);
    });

    it('refuses messages for a run that does not exist', async () => {
      await expect(store.enqueueOutbox('no-such-run', [reply('x')])).rejects.toThrow(/no run no-such-run/);
    });

    it('keeps only the latest pending root edit', async () => {
      const run = await store.createRun(newRun());
      await store.enqueueOutbox(run.id, [reply('step 1'), root('root v1')]);
      await store.enqueueOutbox(run.id, [root('root v2')]);
      const roots = (await store.outbox(run.id)).filter((r) => r.kind === 'root');
      expect(roots.map((r) => [r.seq, r.payload.text])).toEqual([[3, 'root v2']]);
      // An edit already being sent is not replaced; the newer one follows it.
      expect(await store.markSending(run.id, 3)).toBe(true);
      await store.enqueueOutbox(run.id, [root('root v3')]);
      expect((await store.outbox(run.id)).filter((r) => r.kind === 'root').map((r) => r.state)).toEqual([
        'sending',
        'pending',
      ]);
    });

    it('reads delivering until the delivery is closed and every message is sent or failed', async () => {
      const run = await store.createRun(newRun());
      await store.enqueueOutbox(run.id, [], { open: true });
      await store.enqueueOutbox(run.id, [reply('step 1')]);
      const finishedAt = new Date('2026-11-01T15:00:00.000Z');
      expect((await store.updateRun(run.id, { status: 'finished', finishedAt }))?.status).toBe('delivering');
      expect((await other.getRun(run.id))?.status).toBe('delivering');
      // Sent, but the ledger has not been queued yet: still delivering.
      expect((await store.settleOutbox(run.id, 1, { state: 'sent', slackTs: '1700000001.000100' }))?.status).toBe(
        'delivering',
      );
      await store.enqueueOutbox(run.id, [{ ...reply('ledger'), kind: 'ledger' }], { close: true });
      expect((await store.getRun(run.id))?.status).toBe('delivering');
      const settled = await other.settleOutbox(run.id, 2, { state: 'failed', error: 'message_not_found' });
      expect(settled).toMatchObject({ status: 'finished', undelivered: 1, finishedAt });
      expect((await store.outbox(run.id)).map((r) => [r.state, r.slackTs, r.error])).toEqual([
        ['sent', '1700000001.000100', null],
        ['failed', null, 'message_not_found'],
      ]);
      expect((await store.outbox(run.id))[1]?.settledAt).toBeInstanceOf(Date);
    });

    it('settles to failed when the diagnosis failed, and to finished at once when nothing is owed', async () => {
      const failed = await store.createRun(newRun());
      await store.enqueueOutbox(failed.id, [reply('step 1')], { open: true });
      expect((await store.updateRun(failed.id, { status: 'failed' }))?.status).toBe('delivering');
      await store.settleOutbox(failed.id, 1, { state: 'sent', slackTs: '1.1' });
      expect((await store.closeOutbox(failed.id))?.status).toBe('failed');

      const quiet = await store.createRun(newRun());
      expect((await store.updateRun(quiet.id, { status: 'finished' }))?.status).toBe('finished');
      // A message queued after the run settled (a late root edit) reopens delivering until it is sent.
      await store.enqueueOutbox(quiet.id, [root('late')]);
      expect((await store.getRun(quiet.id))?.status).toBe('delivering');
      expect((await store.settleOutbox(quiet.id, 1, { state: 'sent', slackTs: '1.2' }))?.status).toBe('finished');
      expect(await store.closeOutbox('no-such-run')).toBeUndefined();
    });

    it('never changes a message already sent, and marks sending only what is still owed', async () => {
      const run = await store.createRun(newRun());
      await store.enqueueOutbox(run.id, [reply('once')], { close: true });
      expect(await store.markSending(run.id, 1)).toBe(true);
      expect((await store.outbox(run.id))[0]?.state).toBe('sending');
      await store.settleOutbox(run.id, 1, { state: 'sent', slackTs: '1700000002.000100' });
      const after = await other.settleOutbox(run.id, 1, { state: 'failed', error: 'late' });
      expect(after?.undelivered).toBe(0);
      expect(await store.markSending(run.id, 1)).toBe(false);
      expect(await store.markSending(run.id, 99)).toBe(false);
      expect((await store.outbox(run.id))[0]).toMatchObject({ state: 'sent', slackTs: '1700000002.000100' });
    });

    it('numbers messages queued by two replicas at once without gaps or repeats', async () => {
      const run = await store.createRun(newRun());
      const seqs = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).enqueueOutbox(run.id, [reply(`m${i}`)])),
      );
      expect(
        seqs
          .flat()
          .sort((a, b) => a - b)
          .join(','),
      ).toBe('1,2,3,4,5,6,7,8,9,10');
    });

    it('lists the incomplete threads of an owner or of stale runs, never running ones', async () => {
      const owner = `replica-${Math.random().toString(16).slice(2, 8)}`;
      const running = await store.createRun(newRun({ owner }));
      await store.enqueueOutbox(running.id, [reply('r')], { open: true });
      const pending = await store.createRun(newRun({ owner }));
      await store.enqueueOutbox(pending.id, [reply('p')], { open: true });
      await store.updateRun(pending.id, { status: 'finished' });
      const noLedger = await store.createRun(newRun({ owner }));
      await store.enqueueOutbox(noLedger.id, [], { open: true });
      await store.updateRun(noLedger.id, { status: 'interrupted' });
      const done = await store.createRun(newRun({ owner }));
      await store.enqueueOutbox(done.id, [reply('d')], { close: true });
      await store.settleOutbox(done.id, 1, { state: 'sent', slackTs: '1.3' });
      await store.updateRun(done.id, { status: 'finished' });

      const mine = await other.undeliveredRuns({ owner });
      expect(mine.map((u) => [u.run.id, u.open, u.pending, u.run.status])).toEqual([
        [pending.id, true, 1, 'delivering'],
        [noLedger.id, true, 0, 'interrupted'],
      ]);
      expect(await other.undeliveredRuns({ owner: 'nobody' })).toEqual([]);
      const stale = await other.undeliveredRuns({ staleBefore: new Date(Date.now() + 60_000) });
      expect(stale.map((u) => u.run.id)).toEqual(expect.arrayContaining([pending.id, noLedger.id]));
      expect(stale.map((u) => u.run.id)).not.toContain(running.id);
      expect(await other.undeliveredRuns({ staleBefore: new Date(0) })).toEqual([]);
      expect(await other.undeliveredRuns({})).toEqual([]);
    });

    it('lets one replica at a time deliver a run, renewable by it, free again once expired', async () => {
      const run = await store.createRun(newRun({ owner: 'replica-a' }));
      const [a, b] = await Promise.all([
        store.claimDelivery(run.id, 'replica-a', 60_000),
        other.claimDelivery(run.id, 'replica-b', 60_000),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const winner = a ? 'replica-a' : 'replica-b';
      const loser = a ? 'replica-b' : 'replica-a';
      expect((await store.getRun(run.id))?.owner).toBe(winner);
      expect(await other.claimDelivery(run.id, winner, 60_000)).toBe(true);
      expect(await other.claimDelivery(run.id, loser, 60_000)).toBe(false);
      await store.releaseDelivery(run.id, loser);
      expect(await other.claimDelivery(run.id, loser, 60_000)).toBe(false);
      await store.releaseDelivery(run.id, winner);
      expect(await other.claimDelivery(run.id, loser, 1)).toBe(true);
      expect((await store.getRun(run.id))?.owner).toBe(loser);
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.claimDelivery(run.id, winner, 60_000)).toBe(true);
    });

    it('keeps delivering runs through retention and deletes the outbox with its run', async () => {
      const old = new Date('2020-01-01T00:00:00.000Z');
      const delivering = await store.createRun(newRun({ startedAt: old }));
      await store.enqueueOutbox(delivering.id, [reply('owed')], { open: true });
      await store.updateRun(delivering.id, { status: 'finished' });
      const done = await store.createRun(newRun({ startedAt: old }));
      await store.enqueueOutbox(done.id, [reply('sent')], { close: true });
      await store.settleOutbox(done.id, 1, { state: 'sent', slackTs: '1.4' });
      await store.updateRun(done.id, { status: 'finished' });
      await store.deleteRunsBefore(new Date('2020-06-01T00:00:00.000Z'));
      expect(await store.getRun(delivering.id)).toBeDefined();
      expect(await store.getRun(done.id)).toBeUndefined();
      expect(await store.outbox(done.id)).toEqual([]);
      expect(await store.outbox(delivering.id)).toHaveLength(1);
    });
  });
}
