import { describe, expect, it } from 'vitest';
import { RunJournal } from '../../../src/application/diagnose/run-journal.js';
import type { RunJournalEvent, RunPatch, RunStore } from '../../../src/application/ports/run-store.js';
import type { DiagnosisOutcome, RunEvent } from '../../../src/domain/engine/types.js';
import { outcome, step, WINDOW } from '../../support/diagnosis-factory.js';

const NOW = new Date('2026-11-01T14:00:05Z');

/** The few store calls the journal makes, recorded in order; `failOn` makes the named calls throw. */
function fakeStore(failOn: ReadonlySet<string> = new Set()) {
  const calls: { call: string; runId: string; what: unknown }[] = [];
  const store = {
    async createRun(run: { id: string }) {
      calls.push({ call: 'createRun', runId: run.id, what: run });
      if (failOn.has('createRun')) throw new Error('disk full');
      return run;
    },
    async updateRun(runId: string, patch: RunPatch) {
      calls.push({ call: 'updateRun', runId, what: patch });
      if (failOn.has('updateRun')) throw new Error('disk full');
      return { id: runId, ...patch };
    },
    async appendEvent(runId: string, event: RunJournalEvent) {
      calls.push({ call: 'appendEvent', runId, what: event });
      if (failOn.has('appendEvent')) throw new Error('disk full');
    },
  };
  return { store: store as unknown as RunStore, calls };
}

function journalOn(store: RunStore) {
  const warnings: Record<string, unknown>[] = [];
  const journal = new RunJournal(store, {
    owner: 'replica-a',
    now: () => NOW,
    logger: { warn: (obj) => warnings.push(obj) },
  });
  return { journal, warnings };
}

async function* engine(events: RunEvent[], result: DiagnosisOutcome, seen: string[]) {
  for (const event of events) {
    seen.push(`engine:${event.type}`);
    yield event;
  }
  return result;
}

const result = outcome({ service: 'checkout' });
const EVENTS: RunEvent[] = [
  {
    type: 'run-started',
    runId: 'r1',
    symptom: { text: '502 on checkout' },
    service: 'checkout',
    playbook: 'http-errors',
    window: WINDOW,
    steps: [],
  } as unknown as RunEvent,
  { type: 'step-finished', runId: 'r1', step: step(), at: NOW },
  { type: 'run-finished', runId: 'r1', result, at: NOW },
];

describe('RunJournal', () => {
  it('records a new run as owned by its replica, started now unless told otherwise', async () => {
    const { store, calls } = fakeStore();
    const { journal } = journalOn(store);
    await journal.begin({ id: 'r1', trigger: 'cli' } as never);
    expect(calls[0]).toMatchObject({ call: 'createRun', what: { id: 'r1', owner: 'replica-a', startedAt: NOW } });
    expect(journal.replica).toBe('replica-a');
  });

  it('stores each event before the surfaces see it, and the run row follows the start and the end', async () => {
    const { store, calls } = fakeStore();
    const { journal } = journalOn(store);
    const seen: string[] = [];
    const recorded = journal.record('r1', engine(EVENTS, result, seen));
    const surfaced: string[] = [];
    let next = await recorded.next();
    while (!next.done) {
      // By the time a surface gets an event, the store already holds it.
      const stored = calls.filter((c) => c.call === 'appendEvent').map((c) => (c.what as RunEvent).type);
      expect(stored.at(-1)).toBe(next.value.type);
      surfaced.push(next.value.type);
      next = await recorded.next();
    }
    expect(next.value).toBe(result);
    expect(surfaced).toEqual(['run-started', 'step-finished', 'run-finished']);
    const patches = calls.filter((c) => c.call === 'updateRun').map((c) => c.what);
    expect(patches).toEqual([
      { playbook: 'http-errors', service: 'checkout' },
      { status: 'finished', finishedAt: NOW, result, service: 'checkout' },
    ]);
  });

  it('marks a run whose conclusion failed as failed, and a run whose engine threw as failed now', async () => {
    const failedResult = outcome({ conclusion: { ...result.conclusion, kind: 'failed' } });
    const { store, calls } = fakeStore();
    const { journal } = journalOn(store);
    const finished: RunEvent = { type: 'run-finished', runId: 'r2', result: failedResult, at: NOW };
    for await (const _ of journal.record('r2', engine([finished], failedResult, []))) {
      // drain
    }
    expect(calls.at(-1)?.what).toMatchObject({ status: 'failed' });

    async function* broken(): AsyncGenerator<RunEvent, DiagnosisOutcome> {
      yield EVENTS[1] as RunEvent;
      throw new Error('engine bug');
    }
    const drain = async () => {
      for await (const _ of journal.record('r3', broken())) {
        // drain
      }
    };
    await expect(drain()).rejects.toThrow('engine bug');
    expect(calls.at(-1)).toEqual({ call: 'updateRun', runId: 'r3', what: { status: 'failed', finishedAt: NOW } });
  });

  it('never lets a failing store stop the diagnosis: every event still reaches the surfaces, failures are counted', async () => {
    const { store } = fakeStore(new Set(['appendEvent', 'updateRun', 'createRun']));
    const { journal, warnings } = journalOn(store);
    expect(await journal.begin({ id: 'r1', trigger: 'cli' } as never)).toBeUndefined();
    const surfaced: string[] = [];
    const recorded = journal.record('r1', engine(EVENTS, result, []));
    let next = await recorded.next();
    while (!next.done) {
      surfaced.push(next.value.type);
      next = await recorded.next();
    }
    expect(next.value).toBe(result);
    expect(surfaced).toEqual(['run-started', 'step-finished', 'run-finished']);
    // begin, three events, two row updates
    expect(journal.failures).toBe(6);
    expect(warnings[0]).toMatchObject({ runId: 'r1', what: 'begin', error: 'disk full' });
  });

  it('journals notes stamped with the time they happened', async () => {
    const { store, calls } = fakeStore();
    const { journal } = journalOn(store);
    await journal.note('r1', { type: 'decision', decision: 'confirmed', userId: 'U1', cause: 'bad-deploy' } as never);
    expect(calls[0]).toMatchObject({ call: 'appendEvent', runId: 'r1', what: { type: 'decision', at: NOW } });
  });
});
