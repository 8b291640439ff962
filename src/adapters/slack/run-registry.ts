import type { RunDecision } from '../../application/ports/run-store.js';
import type { RunState, RunStateHolder, RunStatus, RunTransition } from '../../application/runs/run-state.js';
import { type Idleness, IdleSignal } from '../../application/work/idle-signal.js';
import type { RootAlert } from './blocks/render-alert.js';

export type { RunStatus };

/** A person's verdict on the run's leading cause. */
export type Decision = RunDecision;

/** The alert a run diagnoses (alert channels and the Alertmanager webhook), as its root message shows it. */
export type RunAlert = RootAlert;

/**
 * What the Slack surface remembers about one run: where its thread is and what it found. Read-only: the registry
 * holds each run's current state and replaces it through a transition (`update`).
 */
export type RunRecord = RunState;

/**
 * In-memory runs, bounded (the oldest finished runs are forgotten first). Durable storage shared by replicas is
 * the run store's job; this keeps what the Slack listeners need within one process.
 */
export class RunRegistry implements RunStateHolder {
  private readonly runs = new Map<string, RunRecord>();
  private readonly byThread = new Map<string, string>();
  private readonly maxRuns: number;

  constructor(maxRuns = 1000) {
    this.maxRuns = maxRuns;
  }

  add(record: RunRecord): void {
    this.runs.set(record.runId, record);
    this.trackActive(record);
    this.byThread.set(threadKey(record.channel, record.threadTs), record.runId);
    this.evict();
  }

  get(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
  }

  /** Replaces a run's state by `transition` of it (the only way it changes); undefined when the run is not held. */
  update(runId: string, transition: RunTransition): RunRecord | undefined {
    const current = this.runs.get(runId);
    if (!current) return undefined;
    const next = transition(current);
    this.runs.set(runId, next);
    this.trackActive(next);
    return next;
  }

  /** The latest run posted in a thread (by the thread's parent ts). */
  byThreadTs(channel: string, threadTs: string): RunRecord | undefined {
    const id = this.byThread.get(threadKey(channel, threadTs));
    return id ? this.runs.get(id) : undefined;
  }

  /** A run still going for the same service and window. */
  running(dedupeKey: string): RunRecord | undefined {
    for (const r of this.runs.values()) if (r.status === 'running' && r.dedupeKey === dedupeKey) return r;
    return undefined;
  }

  /** Runs starting, and active runs (each until its state says it is no longer active). */
  private readonly work = new IdleSignal();
  /** Active run → the end of its count in `work`. */
  private readonly activeEnds = new Map<string, () => void>();

  /** Counts a run whose root message is not posted yet (it is not in the registry until it has a thread). */
  beginStart(): () => void {
    return this.work.begin();
  }

  /** Idle when no run is starting, going, or still has posts and edits to send. */
  get idleness(): Idleness {
    return this.work;
  }

  /** True while any run is starting, going, or still has posts and edits to send. */
  anyActive(): boolean {
    return !this.work.idle;
  }

  /** Counts a run held as active until a state of it is held that is not. */
  private trackActive(record: RunRecord): void {
    const end = this.activeEnds.get(record.runId);
    if (record.active && !end) this.activeEnds.set(record.runId, this.work.begin());
    else if (!record.active && end) {
      this.activeEnds.delete(record.runId);
      end();
    }
  }

  size(): number {
    return this.runs.size;
  }

  /** Runs whose diagnosis is still going. */
  inFlight(): RunRecord[] {
    return [...this.runs.values()].filter((r) => r.status === 'running');
  }

  private evict(): void {
    if (this.runs.size <= this.maxRuns) return;
    for (const [id, r] of this.runs) {
      if (this.runs.size <= this.maxRuns) break;
      if (r.active) continue;
      this.runs.delete(id);
      for (const [k, v] of this.byThread) if (v === id) this.byThread.delete(k);
    }
  }
}

function threadKey(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

/** A link to a message that Slack clients open (the archives form, no API call needed). */
export function messageLink(channel: string, ts: string): string {
  return `https://slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
