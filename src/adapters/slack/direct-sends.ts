import type { RunJournal } from '../../application/diagnose/run-journal.js';
import type { RunMetrics } from '../../application/runs/run-metrics.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

export interface DirectSendsDeps {
  logger: ReporterLogger;
  metrics?: Pick<RunMetrics, 'outboxBypassed'> | undefined;
  journal?: Pick<RunJournal, 'note' | 'update' | 'store'> | undefined;
  /** True while the run is still reporting (its direct sends are recorded when it ends). */
  active: (runId: string) => boolean;
}

/**
 * Messages sent to Slack directly because the run store's outbox refused them, per run, and how many of those
 * failed: such a message is not durable, so it is logged, counted in /metrics and journalled, and its failures are
 * added to the run's stored `undelivered` (the outbox counts only its own messages).
 */
export class DirectSends {
  private readonly deps: DirectSendsDeps;
  private readonly counts = new Map<string, { sent: number; failed: number }>();

  constructor(deps: DirectSendsDeps) {
    this.deps = deps;
  }

  /** The store refused a message's outbox write (disk full, PostgreSQL down): it is sent directly. */
  bypassed(runId: string, what: string, err: unknown): void {
    const error = describeSlackError(err);
    this.deps.logger.warn(
      { runId, what, error, durable: false },
      'the outbox could not take a message; sending it directly (not resumable after a crash)',
    );
    this.deps.metrics?.outboxBypassed?.();
    this.count(runId).sent++;
    if (!this.deps.active(runId)) void this.record(runId);
    void this.deps.journal?.note(runId, { type: 'delivered-directly', what, reason: error });
  }

  /** A message sent directly could not be delivered either. */
  failed(runId: string): void {
    this.count(runId).failed++;
    if (!this.deps.active(runId)) void this.record(runId);
  }

  /** Adds the run's failed direct sends to its stored `undelivered`, and forgets them. */
  async record(runId: string): Promise<void> {
    const count = this.counts.get(runId);
    this.counts.delete(runId);
    const journal = this.deps.journal;
    if (!count || count.failed === 0 || !journal) return;
    const run = await journal.store.getRun(runId).catch(() => undefined);
    if (run) await journal.update(runId, { undelivered: run.undelivered + count.failed });
  }

  /** Forgets the run's direct sends without recording them. */
  forget(runId: string): void {
    this.counts.delete(runId);
  }

  /** Runs with direct sends not recorded yet. */
  get size(): number {
    return this.counts.size;
  }

  private count(runId: string): { sent: number; failed: number } {
    let count = this.counts.get(runId);
    if (!count) {
      count = { sent: 0, failed: 0 };
      this.counts.set(runId, count);
    }
    return count;
  }
}
