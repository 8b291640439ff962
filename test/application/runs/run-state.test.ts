import { describe, expect, it } from 'vitest';
import type {
  RunAlertInfo,
  RunJournalEvent,
  StoredEvent,
  StoredRun,
} from '../../../src/application/ports/run-store.js';
import {
  alertIs,
  concluded,
  decided,
  delivered,
  eventHappened,
  failed,
  interrupted,
  newRunState,
  type RunState,
  RunStates,
  rootPosted,
  settled,
  stateFromStored,
  undeliveredAdded,
} from '../../../src/application/runs/run-state.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, step } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const symptom = parseSymptom('502 on checkout', { now: T0 });

const ALERT: RunAlertInfo = {
  source: 'alertmanager-webhook',
  title: '[FIRING:1] HighErrorRate',
  alertname: 'HighErrorRate',
  status: 'firing',
  repeats: 0,
  grouped: [],
};

const started: RunJournalEvent = {
  type: 'run-started',
  runId: 'run-1',
  symptom,
  service: 'checkout',
  playbook: 'http-5xx',
  window: symptom.window,
  steps: [
    { id: 'a', title: 'A' },
    { id: 'b', title: 'B' },
  ] as never,
  at: T0,
};

function fresh(): RunState {
  return newRunState({ runId: 'run-1', channel: 'C1', text: '502 on checkout', symptom, userId: 'U1' });
}

/** Freezes a state and what it holds, so a transition that writes in place throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) frozen(inner);
  }
  return value;
}

describe('newRunState', () => {
  it('is running, with nothing found and nothing sent yet, its twin key from the symptom', () => {
    expect(fresh()).toMatchObject({
      runId: 'run-1',
      rootTs: '',
      threadTs: '',
      status: 'running',
      stepsDone: 0,
      stepsTotal: 0,
      undelivered: 0,
      active: true,
    });
    expect(fresh().dedupeKey).not.toBe('run-1');
    expect('alert' in fresh()).toBe(false);
  });
});

describe('run state transitions', () => {
  it('replies under the root, or in the thread the root was posted in', () => {
    expect(rootPosted('1.5')(fresh())).toMatchObject({ rootTs: '1.5', threadTs: '1.5' });
    expect(rootPosted('1.5', '1.1')(fresh())).toMatchObject({ rootTs: '1.5', threadTs: '1.1' });
  });

  it('follows the journal’s events: steps, leader, playbook and outcome', () => {
    const leader = hypothesis();
    const result = outcome({ runId: 'run-1', service: 'checkout-api' });
    const events: RunJournalEvent[] = [
      started,
      { type: 'step-finished', runId: 'run-1', step: step({ id: 'a' }), at: T0 },
      { type: 'hypotheses-updated', runId: 'run-1', hypotheses: [leader], at: T0 } as RunJournalEvent,
      { type: 'step-finished', runId: 'run-1', step: step({ id: 'b' }), at: T0 },
      { type: 'run-finished', runId: 'run-1', result, at: T0 },
    ];
    const end = events.reduce((state, event) => eventHappened(event)(state), fresh());
    expect(end).toMatchObject({
      status: 'finished',
      stepsDone: 2,
      stepsTotal: 2,
      playbook: 'http-5xx',
      service: 'checkout-api',
      top: leader,
      result,
      channel: 'C1',
      active: true,
    });
  });

  it('a note leaves the state as it was (the same object)', () => {
    const state = fresh();
    const note: RunJournalEvent = { type: 'delivery-failed', what: 'step a', error: 'x', at: T0 };
    expect(eventHappened(note)(state)).toBe(state);
  });

  it('records a decision, the alert’s new state and the undelivered count', () => {
    const decision = { userId: 'U2', decision: 'confirmed' as const, cause: 'bad-deploy', at: T0 };
    expect(decided(decision)(fresh()).decision).toEqual(decision);
    const resolved = { ...ALERT, status: 'resolved' as const, resolvedAt: T0 };
    expect(alertIs(resolved)(fresh()).alert).toBe(resolved);
    const twice = undeliveredAdded(1)(undeliveredAdded(1)(fresh()));
    expect(twice.undelivered).toBe(2);
    // The store's count once the delivery settled replaces the live count.
    expect(delivered(1)(twice).undelivered).toBe(1);
  });

  it('ends interrupted, failed, concluded, and settles', () => {
    expect(interrupted(fresh()).status).toBe('interrupted');
    expect(failed(fresh()).status).toBe('failed');
    const result = outcome({ runId: 'run-1' });
    expect(concluded(result)(fresh())).toMatchObject({ status: 'finished', result });
    expect(settled(fresh()).active).toBe(false);
    const done = settled(fresh());
    expect(settled(done)).toBe(done);
  });

  it('never changes the state it is given', () => {
    const state = frozen({ ...fresh(), alert: { ...ALERT, grouped: ['x'] } });
    const before = structuredClone(state);
    const result = outcome({ runId: 'run-1' });
    const transitions = [
      rootPosted('1.5'),
      eventHappened(started),
      eventHappened({ type: 'step-finished', runId: 'run-1', step: step({ id: 'a' }), at: T0 }),
      eventHappened({ type: 'run-finished', runId: 'run-1', result, at: T0 }),
      decided({ userId: 'U2', decision: 'rejected', cause: 'c', at: T0 }),
      alertIs(ALERT),
      undeliveredAdded(3),
      delivered(0),
      interrupted,
      failed,
      concluded(result),
      settled,
    ];
    for (const transition of transitions) {
      const next = transition(state);
      expect(next).not.toBe(state);
    }
    expect(state).toEqual(before);
  });
});

describe('RunStates', () => {
  it('replaces a held run’s state by a transition of it, and holds nothing it was not given', () => {
    const first = fresh();
    const states = new RunStates([first]);
    const next = states.update('run-1', undeliveredAdded(2));
    expect(next?.undelivered).toBe(2);
    expect(states.get('run-1')).toBe(next);
    expect(first.undelivered).toBe(0);
    expect(states.update('run-2', failed)).toBeUndefined();
    expect(states.get('run-2')).toBeUndefined();
  });
});

describe('stateFromStored', () => {
  function run(overrides: Partial<StoredRun> = {}): StoredRun {
    return {
      id: 'run-1',
      trigger: 'command',
      text: '502 on checkout',
      symptom,
      service: 'checkout',
      playbook: 'http-5xx',
      status: 'interrupted',
      channel: 'C1',
      rootTs: '1.1',
      threadTs: null,
      userId: null,
      alert: ALERT,
      owner: 'a',
      startedAt: T0,
      updatedAt: T0,
      finishedAt: T0,
      result: null,
      decision: { userId: 'U2', decision: 'confirmed', cause: 'bad-deploy', at: T0 },
      undelivered: 2,
      ...overrides,
    };
  }
  const stored = (events: RunJournalEvent[]): StoredEvent[] =>
    events.map((data, i) => ({ runId: 'run-1', seq: i + 1, type: data.type, at: data.at, data }));

  it('rebuilds where the thread is, the progress from the events, and the notes kept on the run', () => {
    const state = stateFromStored(
      run(),
      stored([
        started,
        { type: 'step-finished', runId: 'run-1', step: step({ id: 'a' }), at: T0 },
        { type: 'interrupted', reason: 'shut down', at: T0 },
      ]),
    );
    expect(state).toMatchObject({
      runId: 'run-1',
      channel: 'C1',
      rootTs: '1.1',
      threadTs: '1.1',
      userId: 'alert',
      status: 'interrupted',
      stepsDone: 1,
      stepsTotal: 2,
      alert: ALERT,
      decision: { decision: 'confirmed' },
      undelivered: 2,
      active: false,
    });
  });

  it('shows a delivering run’s outcome, and has nothing for a run without a thread', () => {
    const result = outcome({ runId: 'run-1' });
    const failedResult = { ...result, conclusion: { ...result.conclusion, kind: 'failed' } } as typeof result;
    expect(stateFromStored(run({ status: 'delivering', result }), [])?.status).toBe('finished');
    expect(stateFromStored(run({ status: 'delivering', result: failedResult }), [])?.status).toBe('failed');
    expect(stateFromStored(run({ status: 'delivering', result }), [])?.top).toEqual(result.hypotheses[0]);
    expect(stateFromStored(run({ rootTs: null }), [])).toBeUndefined();
    expect(stateFromStored(run({ channel: null }), [])).toBeUndefined();
  });
});
