import { describe, expect, it, vi } from 'vitest';
import { ChatError, type ChatMessage } from '../../../src/application/runs/chat-port.js';
import { decided, type RunState, RunStates } from '../../../src/application/runs/run-state.js';
import { type StartRunDeps, type StartRunRequest, startRun } from '../../../src/application/runs/start-run.js';
import type { ThreadReporter, ThreadReporterOptions } from '../../../src/application/runs/thread-ports.js';
import type { DiagnosisOutcome, RunEvent } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { outcome, step } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const symptom = parseSymptom('502 on checkout', { now: T0 });

async function* diagnosis(runId: string, fail = false): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  yield {
    type: 'run-started',
    runId,
    symptom,
    service: 'checkout',
    playbook: 'http-5xx',
    window: symptom.window,
    steps: [{ id: 'a', title: 'A' }] as never,
    at: T0,
  };
  yield { type: 'step-finished', runId, step: step({ id: 'a' }), at: T0 };
  if (fail) throw new Error('the engine broke');
  const result = outcome({ runId });
  yield { type: 'run-finished', runId, result, at: T0 };
  return result;
}

/** A reporter that replaces the run's state in the holder as the Slack reporter does, and says what it was asked. */
function fakeReporter(states: RunStates, calls: string[], undelivered = 0) {
  return (state: RunState, options: ThreadReporterOptions): ThreadReporter => {
    calls.push(`reporter durable=${options.durable} compact=${options.compact === true}`);
    return {
      async consume(run) {
        let next = await run.next();
        while (!next.done) {
          const event = next.value;
          states.update(state.runId, (s) =>
            event.type === 'step-finished' ? { ...s, stepsDone: s.stepsDone + 1, undelivered } : s,
          );
          next = await run.next();
        }
        states.update(state.runId, (s) => ({ ...s, status: 'finished' }));
        calls.push('consumed');
        return next.value;
      },
      async closeDelivery() {
        calls.push('closeDelivery');
      },
      async refreshRoot() {
        calls.push('refreshRoot');
      },
    };
  };
}

function setup(
  options: { durable?: boolean; fail?: boolean; post?: () => Promise<{ ts: string }>; undelivered?: number } = {},
) {
  const calls: string[] = [];
  const states = new RunStates();
  const posted: { channel: string; message: ChatMessage; threadTs?: string; urgent?: boolean }[] = [];
  const journal = {
    begin: vi.fn(async () => undefined),
    record: vi.fn((_runId: string, run: AsyncGenerator<RunEvent, DiagnosisOutcome>) => run),
    update: vi.fn(async () => undefined),
  };
  const metrics = {
    runStarted: vi.fn(),
    runEnded: vi.fn(),
    observe: vi.fn((run: AsyncGenerator<RunEvent, DiagnosisOutcome>) => run),
    undelivered: vi.fn(),
  };
  const deps: StartRunDeps = {
    chat: {
      post:
        options.post ??
        (async (channel, message, o = {}) => {
          posted.push({ channel, message, ...o });
          return { ts: '1.5' };
        }),
    },
    states,
    render: {
      root: (s) => ({ text: `root ${s.status} ${s.stepsDone}` }),
      ledger: (r) => ({ text: `ledger ${r.runId}`, blocks: [{ type: 'divider' }] }),
    },
    run: ({ runId }) => diagnosis(runId, options.fail),
    delivery: {
      owner: 'replica-a',
      isStopped: false,
      open: async (runId) => {
        calls.push(`open ${runId}`);
        return options.durable ?? true;
      },
      deliver: async () => undefined,
      rootEdit: () => ({ kind: 'root', channel: 'C1', threadTs: null, targetTs: '1.5', payload: { text: 'root' } }),
      rootEditsSettled: async () => void calls.push(`settled active=${states.get('run-1')?.active}`),
      threadOver: async (_runId, durable) => void calls.push(`threadOver durable=${durable}`),
    },
    reporter: fakeReporter(states, calls, options.undelivered),
    logger: { warn: vi.fn() },
    describeError: (err) => (err instanceof Error ? err.message : String(err)),
    journal,
    metrics,
  };
  return { deps, states, calls, posted, journal, metrics };
}

const request: StartRunRequest = {
  runId: 'run-1',
  channel: 'C1',
  userId: 'U1',
  text: '502 on checkout',
  symptom,
};

describe('startRun', () => {
  it('posts the root, holds the run, records it, opens its delivery, reports the diagnosis and settles', async () => {
    const { deps, states, calls, posted, journal, metrics } = setup();
    const onRootPosted = vi.fn();
    const end = await startRun(deps, { ...request, inThread: '1.1', urgent: true, onRootPosted });
    expect(posted).toEqual([{ channel: 'C1', message: { text: 'root running 0' }, threadTs: '1.1', urgent: true }]);
    expect(onRootPosted).toHaveBeenCalledWith(
      expect.objectContaining({ rootTs: '1.5', threadTs: '1.1', active: true }),
    );
    expect(journal.begin).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'run-1', trigger: 'command', rootTs: '1.5', threadTs: '1.1', userId: 'U1' }),
    );
    expect(calls).toEqual([
      'open run-1',
      'reporter durable=true compact=false',
      'consumed',
      'closeDelivery',
      'settled active=true',
      'threadOver durable=true',
    ]);
    expect(metrics.runStarted).toHaveBeenCalledWith('command');
    expect(metrics.runEnded).toHaveBeenCalledWith('command', 'finished');
    // The final state is the holder's, no longer active.
    expect(end).toBe(states.get('run-1'));
    expect(end).toMatchObject({ status: 'finished', stepsDone: 1, active: false });
  });

  it('shows a change made elsewhere while it ran (a decision) in the state it ends with', async () => {
    const { deps, states } = setup();
    const end = await startRun(deps, {
      ...request,
      onRootPosted: (s) =>
        void states.update(s.runId, decided({ userId: 'U2', decision: 'confirmed', cause: 'c', at: T0 })),
    });
    expect(end?.decision).toMatchObject({ decision: 'confirmed' });
  });

  it('marks a run whose diagnosis threw failed, and still settles it', async () => {
    const { deps, calls, metrics } = setup({ fail: true });
    const end = await startRun(deps, request);
    expect(end).toMatchObject({ status: 'failed', active: false });
    expect(metrics.runEnded).toHaveBeenCalledWith('command', 'failed');
    expect(calls).toContain('closeDelivery');
    expect(deps.logger.warn).toHaveBeenCalledWith({ runId: 'run-1', error: 'the engine broke' }, 'the run failed');
  });

  it('re-renders the root when messages were lost, and records them itself without a durable delivery', async () => {
    const durable = setup({ undelivered: 2 });
    await startRun(durable.deps, request);
    expect(durable.calls).toContain('refreshRoot');
    expect(durable.journal.update).not.toHaveBeenCalled();

    const direct = setup({ durable: false, undelivered: 2 });
    await startRun(direct.deps, request);
    expect(direct.calls).not.toContain('closeDelivery');
    expect(direct.calls).toContain('threadOver durable=false');
    expect(direct.journal.update).toHaveBeenCalledWith('run-1', { undelivered: 2 });
  });

  it('tells the asker when the root cannot be posted, and holds nothing', async () => {
    const { deps, states, calls } = setup({
      post: async () => {
        throw new ChatError('ratelimited');
      },
    });
    const tellAsker = vi.fn(async () => undefined);
    expect(await startRun(deps, { ...request, tellAsker })).toBeUndefined();
    expect(tellAsker).toHaveBeenCalledWith({ text: 'I could not post in this channel (ratelimited).' });
    expect(states.get('run-1')).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('runs anyway and answers the asker privately when the app is not in the channel', async () => {
    const { deps, states, journal } = setup({
      post: async () => {
        throw new ChatError('not_in_channel', { notMember: true });
      },
    });
    const told: ChatMessage[] = [];
    const end = await startRun(deps, {
      ...request,
      tellAsker: async (m) => {
        told.push(m);
      },
    });
    expect(told[0]?.text).toContain('Invite me with `/invite @Triage`');
    expect(told[1]).toEqual({ text: 'ledger run-1', blocks: [{ type: 'divider' }] });
    expect(journal.begin).toHaveBeenCalledWith(expect.objectContaining({ rootTs: null, threadTs: null }));
    expect(end).toMatchObject({ status: 'finished', active: false, rootTs: '' });
    expect(end?.result?.runId).toBe('run-1');
    expect(states.get('run-1')).toBeUndefined();
  });
});
