import type { JournalNote, NewRun, RunPatch, RunStore, StoredRun } from '../../application/ports/run-store.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';

export interface JournalLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Records runs in the run store as they happen: the run when it starts, every engine event before the surfaces see
 * it, decisions and alert lines as notes, and the outcome. A store that fails is logged and counted, never allowed
 * to stop a diagnosis: during an outage the thread matters more than the record.
 */
export class RunJournal {
  readonly store: RunStore;
  private readonly owner: string;
  private readonly now: () => Date;
  private readonly logger: JournalLogger;
  private failed = 0;

  constructor(store: RunStore, options: { owner: string; now: () => Date; logger: JournalLogger }) {
    this.store = store;
    this.owner = options.owner;
    this.now = options.now;
    this.logger = options.logger;
  }

  /** The replica this journal records for. */
  get replica(): string {
    return this.owner;
  }

  /** Store writes that failed since start (for /metrics and tests). */
  get failures(): number {
    return this.failed;
  }

  /** Records a new run (status running, owned by this replica). */
  async begin(run: Omit<NewRun, 'owner' | 'startedAt'> & { startedAt?: Date }): Promise<StoredRun | undefined> {
    return this.guard(run.id, 'begin', () =>
      this.store.createRun({ ...run, owner: this.owner, startedAt: run.startedAt ?? this.now() }),
    );
  }

  update(runId: string, patch: RunPatch): Promise<StoredRun | undefined> {
    return this.guard(runId, 'update', () => this.store.updateRun(runId, patch));
  }

  /** Journals a note (a decision, an alert line, a failed delivery). */
  async note(runId: string, note: JournalNote): Promise<void> {
    await this.guard(runId, note.type, () => this.store.appendEvent(runId, { ...note, at: this.now() }));
  }

  /**
   * Passes a run's events through, storing each one before it is yielded, and the outcome when it ends: a crash
   * at any point leaves every event the thread has shown in the store.
   */
  async *record(
    runId: string,
    run: AsyncGenerator<RunEvent, DiagnosisOutcome>,
  ): AsyncGenerator<RunEvent, DiagnosisOutcome> {
    try {
      while (true) {
        const next = await run.next();
        if (next.done) return next.value;
        const event = next.value;
        await this.guard(runId, event.type, () => this.store.appendEvent(runId, event));
        const patch = patchFor(event);
        if (patch) await this.update(runId, patch);
        yield event;
      }
    } catch (err) {
      await this.update(runId, { status: 'failed', finishedAt: this.now() });
      throw err;
    }
  }

  private async guard<T>(runId: string, what: string, write: () => Promise<T>): Promise<T | undefined> {
    try {
      return await write();
    } catch (err) {
      this.failed++;
      this.logger.warn({ runId, what, error: describe(err) }, 'the run store could not record this');
      return undefined;
    }
  }
}

/** What an engine event changes in the run's row. */
function patchFor(event: RunEvent): RunPatch | undefined {
  switch (event.type) {
    case 'run-started':
      return { playbook: event.playbook, ...(event.service ? { service: event.service } : {}) };
    case 'run-finished':
      return {
        status: event.result.conclusion.kind === 'failed' ? 'failed' : 'finished',
        finishedAt: event.at,
        result: event.result,
        ...(event.result.service ? { service: event.result.service } : {}),
      };
    default:
      return undefined;
  }
}
