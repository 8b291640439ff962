import { describe, expect, it, vi } from 'vitest';
import type { NewOutboxMessage, StoredRun } from '../../../src/application/ports/run-store.js';
import { type ResumeDeliveryDeps, resumeDelivery } from '../../../src/application/runs/resume-run.js';
import { RunStates } from '../../../src/application/runs/run-state.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { outcome } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const symptom = parseSymptom('502 on checkout', { now: T0 });

function run(overrides: Partial<StoredRun> = {}): StoredRun {
  return {
    id: 'run-1',
    trigger: 'command',
    text: '502 on checkout',
    symptom,
    service: 'checkout',
    playbook: 'http-5xx',
    status: 'delivering',
    channel: 'C1',
    rootTs: '1.1',
    threadTs: '1.1',
    userId: 'U1',
    alert: null,
    owner: 'a',
    startedAt: T0,
    updatedAt: T0,
    finishedAt: T0,
    result: outcome({ runId: 'run-1' }),
    decision: null,
    undelivered: 0,
    ...overrides,
  };
}

function setup(options: { claimed?: boolean; stopped?: boolean; undelivered?: number } = {}) {
  const calls: string[] = [];
  const states = new RunStates();
  const enqueued: { messages: NewOutboxMessage[]; close?: boolean }[] = [];
  const store = {
    claimDelivery: vi.fn(async () => options.claimed ?? true),
    events: vi.fn(async () => []),
    closeOutbox: vi.fn(async () => void calls.push('closeOutbox')),
    getRun: vi.fn(async () => run({ status: 'finished' })),
    enqueueOutbox: vi.fn(async (_runId: string, messages: NewOutboxMessage[], o: { close?: boolean } = {}) => {
      enqueued.push({ messages, ...(o.close ? { close: true } : {}) });
      return messages.map((_, i) => i + 1);
    }),
  };
  const deps: ResumeDeliveryDeps = {
    store,
    states,
    render: { ledger: (r) => ({ text: `ledger ${r.runId}`, blocks: [{ type: 'divider' }] }) },
    delivery: {
      owner: 'replica-b',
      isStopped: options.stopped ?? false,
      deliver: async (runId, o) => {
        calls.push(`deliver ${runId} ${o?.lanes ?? 'all'}`);
        return run({ status: 'finished', undelivered: options.undelivered ?? 0 });
      },
      rootEdit: (state) => ({
        kind: 'root',
        channel: state.channel,
        threadTs: null,
        targetTs: state.rootTs,
        payload: { text: `root undelivered=${state.undelivered}` },
      }),
    },
    claimMs: 120_000,
  };
  return { deps, states, store, calls, enqueued };
}

describe('resumeDelivery', () => {
  it('queues the ledger of an open run, sends the thread, then one root edit with the final state', async () => {
    const { deps, states, store, calls, enqueued } = setup({ undelivered: 1 });
    const settled = await resumeDelivery(deps, { run: run(), open: true, pending: 2 });
    expect(store.claimDelivery).toHaveBeenCalledWith('run-1', 'replica-b', 120_000);
    expect(enqueued[0]).toEqual({
      messages: [
        {
          kind: 'ledger',
          channel: 'C1',
          threadTs: '1.1',
          targetTs: null,
          payload: { text: 'ledger run-1', blocks: [{ type: 'divider' }], label: 'ledger' },
        },
      ],
      close: true,
    });
    expect(calls).toEqual(['deliver run-1 thread', 'deliver run-1 all']);
    // The run is held from now on, with the store's count of what Slack never got.
    expect(states.get('run-1')).toMatchObject({ status: 'finished', undelivered: 1 });
    expect(enqueued[1]?.messages[0]?.payload.text).toBe('root undelivered=1');
    expect(settled).toMatchObject({ status: 'finished' });
  });

  it('does nothing when another replica holds the run’s delivery', async () => {
    const { deps, calls, states } = setup({ claimed: false });
    expect(await resumeDelivery(deps, { run: run(), open: true, pending: 1 })).toBeUndefined();
    expect(calls).toEqual([]);
    expect(states.get('run-1')).toBeUndefined();
  });

  it('closes the delivery of a run without a thread, and of an open run without a result', async () => {
    const noThread = setup();
    await resumeDelivery(noThread.deps, { run: run({ rootTs: null }), open: true, pending: 1 });
    expect(noThread.calls).toEqual(['closeOutbox']);

    const noResult = setup();
    await resumeDelivery(noResult.deps, { run: run({ result: null, status: 'interrupted' }), open: true, pending: 1 });
    expect(noResult.calls[0]).toBe('closeOutbox');
    expect(noResult.enqueued.filter((e) => e.close)).toEqual([]);
  });

  it('leaves the root edit pending once delivery has stopped', async () => {
    const { deps, calls, enqueued } = setup({ stopped: true });
    await resumeDelivery(deps, { run: run(), open: false, pending: 1 });
    expect(calls).toEqual(['deliver run-1 thread']);
    expect(enqueued).toEqual([]);
  });
});
