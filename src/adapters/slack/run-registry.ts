import type { RunDecision } from '../../application/ports/run-store.js';
import type { DiagnosisOutcome, HypothesisResult } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { RootAlert } from './blocks/render-alert.js';

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** A person's verdict on the run's leading cause. */
export type Decision = RunDecision;

/** The alert a run diagnoses (alert channels and the Alertmanager webhook), as its root message shows it. */
export type RunAlert = RootAlert;

/** What the Slack surface remembers about one run: where its thread is and what it found. */
export interface RunRecord {
  runId: string;
  channel: string;
  /** The root message's ts: the message edited in place with the summary. */
  rootTs: string;
  /** Where replies go: the root itself, or the thread the root was posted in (a re-run, an app mention). */
  threadTs: string;
  text: string;
  symptom: ParsedSymptom;
  /** The service as discovered (it may differ from the typed name), once known. */
  service?: string;
  /** The playbook chosen, once the run has started. */
  playbook?: string;
  userId: string;
  status: RunStatus;
  stepsDone: number;
  stepsTotal: number;
  top?: HypothesisResult;
  result?: DiagnosisOutcome;
  decision?: Decision;
  /** Service + window, so a second identical /diagnose points at this run instead of starting a twin. */
  dedupeKey: string;
  /** Set when the run diagnoses an alert. */
  alert?: RunAlert;
  /** When its slash command was asked, for a run resumed after a restart. */
  resumedFrom?: Date;
  /** Posts that could not be delivered after retries. */
  undelivered: number;
  /** True until every post and edit of the run has been sent (status says what the run found; this says when
   * Slack has been told). */
  active: boolean;
}

/**
 * In-memory runs, bounded (the oldest finished runs are forgotten first). Durable storage shared by replicas is
 * the run store's job; this keeps what the Slack listeners need within one process.
 */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();
  private readonly byThread = new Map<string, string>();
  private readonly maxRuns: number;

  constructor(maxRuns = 1000) {
    this.maxRuns = maxRuns;
  }

  add(record: RunRecord): void {
    this.runs.set(record.runId, record);
    this.byThread.set(threadKey(record.channel, record.threadTs), record.runId);
    this.evict();
  }

  get(runId: string): RunRecord | undefined {
    return this.runs.get(runId);
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

  private starting = 0;

  /** Counts a run whose root message is not posted yet (it is not in the registry until it has a thread). */
  beginStart(): () => void {
    this.starting++;
    let done = false;
    return () => {
      if (!done) this.starting--;
      done = true;
    };
  }

  /** True while any run is starting, going, or still has posts and edits to send. */
  anyActive(): boolean {
    if (this.starting > 0) return true;
    for (const r of this.runs.values()) if (r.active) return true;
    return false;
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
