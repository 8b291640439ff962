import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboxWrites, RootEditor, type RootOutbox } from '../../../src/adapters/slack/root-editor.js';
import type { RunRecord } from '../../../src/adapters/slack/run-registry.js';
import type { NewOutboxMessage } from '../../../src/application/ports/run-store.js';
import { decided, eventHappened, RunStates } from '../../../src/application/runs/run-state.js';
import { runRecord, step } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const silent = { warn: () => undefined };

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return runRecord({ stepsTotal: 3, ...overrides });
}

function fakeClient() {
  const updates: string[] = [];
  const client = {
    chat: {
      update: vi.fn(async (args: { text: string }) => {
        updates.push(args.text);
        return { ok: true };
      }),
    },
  } as unknown as WebClient;
  return { client, updates };
}

const render = {
  root: (r: RunRecord) => ({
    text: `root ${r.status} ${r.stepsDone}/${r.stepsTotal}${r.decision ? ` ${r.decision.decision}` : ''}`,
    blocks: [],
  }),
};

function fakeOutbox(options: { refuse?: boolean; stopped?: boolean } = {}) {
  const written: NewOutboxMessage[] = [];
  const outbox = {
    store: {
      enqueueOutbox: vi.fn(async (_runId: string, messages: NewOutboxMessage[]) => {
        if (options.refuse) throw new Error('SQLITE_FULL: database or disk is full');
        written.push(...messages);
        return messages.map((_, i) => i + 1);
      }),
    },
    sender: {
      deliver: vi.fn(async () => undefined),
      flushRoot: vi.fn(async () => undefined),
      isStopped: options.stopped ?? false,
    },
  };
  return { outbox: outbox as unknown as RootOutbox & typeof outbox, written };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RootEditor with the outbox', () => {
  it('writes the edit, with the delivery note, before the sender delivers the root lane spaced', async () => {
    const { outbox, written } = fakeOutbox();
    const editor = new RootEditor({ render, logger: silent, outbox });
    const { client, updates } = fakeClient();
    await editor.edit(client, record({ undelivered: 2 }), { minIntervalMs: 3000 });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ kind: 'root', channel: 'C1', threadTs: null, targetTs: '1.1' });
    expect(written[0]?.payload.text).toContain('root running 0/3');
    expect(written[0]?.payload.text).not.toBe('root running 0/3');
    expect(outbox.sender.deliver).toHaveBeenCalledWith('run-1', client, { lanes: 'root', rootSpacingMs: 3000 });
    expect(updates).toEqual([]);
    expect(editor.held()).toEqual({ rootEdits: 0, queuedEdits: 0, editTimes: 0 });
  });

  it('writes the newest state of the holder when its write waited behind the run’s earlier writes', async () => {
    const { outbox, written } = fakeOutbox();
    const writes = new OutboxWrites();
    const states = new RunStates([record()]);
    const editor = new RootEditor({ render, logger: silent, outbox, writes, states });
    const { client } = fakeClient();
    let release: (() => void) | undefined;
    void writes.write('run-1', () => new Promise<void>((resolve) => (release = resolve)));
    const asked = record();
    const edit = editor.edit(client, asked);
    states.update('run-1', decided({ userId: 'U2', decision: 'rejected', cause: 'bad-deploy', at: T0 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([]);
    release?.();
    await edit;
    expect(written.map((m) => m.payload.text)).toEqual([expect.stringContaining('root running 0/3 rejected')]);
  });

  it('delivers an edit of a reporting run with its thread, and leaves it pending once stopped', async () => {
    const { outbox } = fakeOutbox({ stopped: true });
    const editor = new RootEditor({ render, logger: silent, outbox });
    const { client } = fakeClient();
    await editor.edit(client, record(), { withThread: true });
    expect(outbox.sender.deliver).toHaveBeenCalledWith('run-1', client);
    expect(outbox.sender.flushRoot).not.toHaveBeenCalled();
  });

  it('tries an edit made at shutdown once', async () => {
    const { outbox } = fakeOutbox({ stopped: true });
    const editor = new RootEditor({ render, logger: silent, outbox });
    const { client } = fakeClient();
    await editor.edit(client, record());
    expect(outbox.sender.flushRoot).toHaveBeenCalledWith('run-1', client);
    expect(outbox.sender.deliver).not.toHaveBeenCalled();
  });

  it('sends directly, and says so, when the store refuses the write', async () => {
    const { outbox } = fakeOutbox({ refuse: true });
    const onBypassed = vi.fn();
    const editor = new RootEditor({ render, logger: silent, outbox, onBypassed });
    const { client, updates } = fakeClient();
    await editor.edit(client, record());
    expect(onBypassed).toHaveBeenCalledWith('run-1', 'root', expect.any(Error));
    expect(updates).toEqual(['root running 0/3']);
  });

  it('sends nothing when the store refuses the write after the sender stopped', async () => {
    const { outbox } = fakeOutbox({ refuse: true, stopped: true });
    const editor = new RootEditor({ render, logger: silent, outbox });
    const { client, updates } = fakeClient();
    await editor.edit(client, record());
    expect(updates).toEqual([]);
  });
});

describe('RootEditor without the outbox', () => {
  it('spaces a run’s edits and renders each when it is sent', async () => {
    const states = new RunStates([record()]);
    const editor = new RootEditor({ render, logger: silent, states });
    const { client, updates } = fakeClient();
    const run = record();
    await editor.edit(client, run, { minIntervalMs: 1000 });
    const two = states.update(run.runId, (s) => ({ ...s, stepsDone: 2 })) ?? run;
    const second = editor.edit(client, two, { minIntervalMs: 1000 });
    const three = states.update(run.runId, (s) => ({ ...s, stepsDone: 3 })) ?? run;
    // Joins the edit already waiting: one update, with the latest state.
    const third = editor.edit(client, three, { minIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(updates).toEqual(['root running 0/3']);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all([second, third]);
    expect(updates).toEqual(['root running 0/3', 'root running 3/3']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(editor.held()).toEqual({ rootEdits: 0, queuedEdits: 0, editTimes: 0 });
  });

  it('an edit that waited renders the newest state of the holder, not the state it was asked with', async () => {
    const states = new RunStates([record()]);
    const editor = new RootEditor({ render, logger: silent, states });
    const { client, updates } = fakeClient();
    const asked = record();
    await editor.edit(client, asked, { minIntervalMs: 1000 });
    // Asked with the state of the moment; the run moves on while the edit waits for its spacing.
    const waiting = editor.edit(client, asked, { minIntervalMs: 1000 });
    states.update(
      asked.runId,
      eventHappened({ type: 'step-finished', runId: asked.runId, step: step({ id: 'a' }), at: T0 }),
    );
    states.update(asked.runId, decided({ userId: 'U2', decision: 'confirmed', cause: 'bad-deploy', at: T0 }));
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(updates).toEqual(['root running 0/3', 'root running 1/3 confirmed']);
    // The state it was asked with is left as it was.
    expect(asked).toMatchObject({ stepsDone: 0 });
    expect(asked.decision).toBeUndefined();
  });

  it('without a holder, renders the state it was asked with', async () => {
    const editor = new RootEditor({ render, logger: silent });
    const { client, updates } = fakeClient();
    await editor.edit(client, record({ stepsDone: 2 }));
    expect(updates).toEqual(['root running 2/3']);
  });

  it('waits for the chat.update budget', async () => {
    let release: (() => void) | undefined;
    const updatesBudget = { take: () => new Promise<void>((resolve) => (release = resolve)) };
    const editor = new RootEditor({ render, logger: silent, updates: updatesBudget });
    const { client, updates } = fakeClient();
    const edit = editor.edit(client, record());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(updates).toEqual([]);
    release?.();
    await edit;
    expect(updates).toEqual(['root running 0/3']);
  });

  it('logs an edit Slack refuses and goes on', async () => {
    const warn = vi.fn();
    const editor = new RootEditor({ render, logger: { warn } });
    const client = {
      chat: {
        update: vi.fn().mockRejectedValue(Object.assign(new Error('x'), { data: { error: 'message_not_found' } })),
      },
    } as unknown as WebClient;
    await editor.edit(client, record());
    expect(warn).toHaveBeenCalledWith(
      { runId: 'run-1', error: 'message_not_found' },
      'the root message could not be updated',
    );
  });

  it('does not edit a run without a root', async () => {
    const editor = new RootEditor({ render, logger: silent });
    const { client, updates } = fakeClient();
    await editor.edit(client, record({ rootTs: '' }));
    expect(updates).toEqual([]);
  });
});
