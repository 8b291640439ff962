import type { DiagnosisOutcome, HypothesisResult } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { RunAlertInfo, RunDecision, RunJournalEvent, StoredEvent, StoredRun } from '../ports/run-store.js';
import { advance, type RunProgress, replay } from './run-progress.js';
import { dedupeKeyOf } from './twins.js';

export type RunStatus = RunProgress['status'];

/**
 * What a chat surface knows about one run: where its thread is, what it found so far, and what people and alerts
 * added. Never changed in place: every change is a transition that returns a new state, and one holder keeps the
 * current state of each run.
 */
export interface RunState {
  readonly runId: string;
  readonly channel: string;
  /** The root message's ts: the message edited in place with the summary ('' until it is posted). */
  readonly rootTs: string;
  /** Where replies go: the root itself, or the thread the root was posted in (a re-run, an app mention). */
  readonly threadTs: string;
  readonly text: string;
  readonly symptom: Readonly<ParsedSymptom>;
  /** The service as discovered (it may differ from the typed name), once known. */
  readonly service?: string;
  /** The playbook chosen, once the run has started. */
  readonly playbook?: string;
  readonly userId: string;
  readonly status: RunStatus;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly top?: Readonly<HypothesisResult>;
  readonly result?: Readonly<DiagnosisOutcome>;
  /** A person's verdict on the run's leading cause. */
  readonly decision?: Readonly<RunDecision>;
  /** Service + window, so a second identical diagnosis points at this run instead of starting a twin. */
  readonly dedupeKey: string;
  /** Set when the run diagnoses an alert. */
  readonly alert?: Readonly<RunAlertInfo>;
  /** When its command was asked, for a run resumed after a restart. */
  readonly resumedFrom?: Date;
  /** Posts that could not be delivered after retries. */
  readonly undelivered: number;
  /** True until every post and edit of the run has been sent (status says what the run found; this says when the
   * chat has been told). */
  readonly active: boolean;
}

/** One change of a run's state: the state before in, the state after out (the one given is left as it was). */
export type RunTransition = (state: RunState) => RunState;

/** Keeps the current state of each run; the only place a run's state is replaced. */
export interface RunStateHolder {
  get(runId: string): RunState | undefined;
  /** Replaces the run's state by `transition` of it; the new state, or undefined when the run is not held. */
  update(runId: string, transition: RunTransition): RunState | undefined;
}

/** A holder of run states in memory, unbounded (for one run's reporter, or tests). */
export class RunStates implements RunStateHolder {
  private readonly states = new Map<string, RunState>();

  constructor(states: Iterable<RunState> = []) {
    for (const state of states) this.states.set(state.runId, state);
  }

  add(state: RunState): void {
    this.states.set(state.runId, state);
  }

  get(runId: string): RunState | undefined {
    return this.states.get(runId);
  }

  update(runId: string, transition: RunTransition): RunState | undefined {
    const current = this.states.get(runId);
    if (!current) return undefined;
    const next = transition(current);
    this.states.set(runId, next);
    return next;
  }
}

export interface NewRunState {
  runId: string;
  channel: string;
  text: string;
  symptom: ParsedSymptom;
  userId: string;
  alert?: RunAlertInfo;
  resumedFrom?: Date;
}

/** A run about to post its root: running, nothing found yet, its messages still to send. */
export function newRunState(init: NewRunState): RunState {
  return {
    runId: init.runId,
    channel: init.channel,
    rootTs: '',
    threadTs: '',
    text: init.text,
    symptom: init.symptom,
    userId: init.userId,
    status: 'running',
    stepsDone: 0,
    stepsTotal: 0,
    dedupeKey: dedupeKeyOf(init.symptom) ?? init.runId,
    undelivered: 0,
    active: true,
    ...(init.alert ? { alert: init.alert } : {}),
    ...(init.resumedFrom ? { resumedFrom: init.resumedFrom } : {}),
  };
}

/** The root is posted at `rootTs`; replies go to `inThread` when it was posted in a thread, else under the root. */
export function rootPosted(rootTs: string, inThread?: string): RunTransition {
  return (state) => ({ ...state, rootTs, threadTs: inThread ?? rootTs });
}

/** One more event of the run's journal: steps, leader, playbook, outcome (notes leave the state as it was). */
export function eventHappened(event: RunJournalEvent): RunTransition {
  return (state) => {
    const progress = advance(state, event);
    return progress === state ? state : { ...state, ...progress };
  };
}

/** A person confirmed or rejected the leading cause. */
export function decided(decision: RunDecision): RunTransition {
  return (state) => ({ ...state, decision });
}

/** The alert the run diagnoses is now `alert` (a repeat, a grouped alert, a resolution). */
export function alertIs(alert: Readonly<RunAlertInfo>): RunTransition {
  return (state) => ({ ...state, alert });
}

/** `count` more messages could not be delivered. */
export function undeliveredAdded(count: number): RunTransition {
  return (state) => ({ ...state, undelivered: state.undelivered + count });
}

/** The run's delivery settled with `undelivered` messages Slack never got (the store's count). */
export function delivered(undelivered: number): RunTransition {
  return (state) => ({ ...state, undelivered });
}

/** The process stopped before the diagnosis finished. */
export function interrupted(state: RunState): RunState {
  return { ...state, status: 'interrupted' };
}

/** The diagnosis failed (an error nobody caught). */
export function failed(state: RunState): RunState {
  return { ...state, status: 'failed' };
}

/** The diagnosis ended with `result`, answered outside a thread (no events were reported). */
export function concluded(result: DiagnosisOutcome): RunTransition {
  return (state) => ({ ...state, result, status: 'finished' });
}

/** Every post and edit of the run has been sent (or given up): the run is no longer active. */
export function settled(state: RunState): RunState {
  return state.active ? { ...state, active: false } : state;
}

/**
 * A run's state rebuilt from the run store: the stored run (where its thread is, its decision, alert and
 * undelivered count, kept from the journal's notes) and its events (steps, leader, outcome). For a run this process
 * did not start (another replica's, or one from before a restart). Undefined when the run has no thread.
 */
export function stateFromStored(run: StoredRun, events: readonly StoredEvent[]): RunState | undefined {
  if (!run.channel || !run.rootTs) return undefined;
  // A delivering run's diagnosis is over: its root shows the outcome while the thread goes out.
  const status =
    run.status === 'delivering' ? (run.result?.conclusion.kind === 'failed' ? 'failed' : 'finished') : run.status;
  const progress = replay(
    { status, stepsDone: 0, stepsTotal: 0 },
    events.map(({ data }) => data),
  );
  const top = run.result?.hypotheses[0] ?? progress.top;
  return {
    runId: run.id,
    channel: run.channel,
    rootTs: run.rootTs,
    threadTs: run.threadTs ?? run.rootTs,
    text: run.text,
    symptom: run.symptom,
    ...(run.service ? { service: run.service } : {}),
    ...(run.playbook ? { playbook: run.playbook } : {}),
    userId: run.userId ?? 'alert',
    status,
    stepsDone: progress.stepsDone,
    stepsTotal: progress.stepsTotal,
    ...(top ? { top } : {}),
    ...(run.result ? { result: run.result } : {}),
    ...(run.decision ? { decision: run.decision } : {}),
    dedupeKey: dedupeKeyOf(run.symptom) ?? run.id,
    ...(run.alert ? { alert: run.alert } : {}),
    undelivered: run.undelivered,
    active: false,
  };
}
