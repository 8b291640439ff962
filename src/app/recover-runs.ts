import type { WebClient } from '@slack/web-api';
import type { RunRegistry } from '../adapters/slack/run-registry.js';
import { recordFromStored } from '../adapters/slack/stored-record.js';
import type { ThreadRunner } from '../adapters/slack/thread-runner.js';
import type { RunStore, StoredRun } from '../domain/runs/run-store.js';

export interface RecoverRunsDeps {
  store: RunStore;
  replica: string;
  now: () => Date;
  /** A running run of another replica not updated for this long is taken for dead. */
  staleMs: number;
  client: WebClient;
  runner: Pick<ThreadRunner, 'refreshRoot'> & Partial<Pick<ThreadRunner, 'resumeDelivery'>>;
  registry: RunRegistry;
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  };
  /** Wait until the resumed threads are delivered (tests, the crash bench); by default they go out in the background. */
  awaitDelivery?: boolean;
}

/**
 * On start: the runs this replica was running when it stopped, and runs of replicas that died, are marked
 * interrupted, and their Slack roots say so (with the Re-run button). Each run is marked once even when replicas
 * start together. Then the threads left incomplete (outbox messages pending, or a ledger never queued) of this
 * replica's runs and of stale ones are delivered, oldest run first, each by one replica (see {@link resumeDeliveries}).
 */
export async function recoverRuns(deps: RecoverRunsDeps): Promise<StoredRun[]> {
  const at = deps.now();
  const reason = 'Triage stopped before this diagnosis finished';
  const mine = await deps.store.markInterrupted({ owner: deps.replica, reason, at });
  const stale = await deps.store.markInterrupted({
    // updatedAt is stamped by the store's wall clock, so staleness is measured by it too.
    staleBefore: new Date(Date.now() - deps.staleMs),
    reason: 'the replica running this diagnosis stopped answering',
    at,
  });
  const interrupted = [...mine, ...stale];
  if (interrupted.length > 0) deps.logger.info({ runs: interrupted.length }, 'marked interrupted runs');
  await Promise.all(
    interrupted.map(async (run) => {
      const record = recordFromStored(run, await deps.store.events(run.id));
      if (!record) return;
      deps.registry.add(record);
      await deps.runner.refreshRoot(deps.client, record);
    }),
  );
  const resumed = resumeDeliveries(deps).catch((err: unknown) => {
    deps.logger.warn({ error: String(err) }, 'could not resume the delivery of unfinished threads');
    return { runs: 0, complete: 0, incomplete: 0 };
  });
  if (deps.awaitDelivery) await resumed;
  return interrupted;
}

export interface ResumeReport {
  /** Runs whose thread was incomplete. */
  runs: number;
  /** Of them, delivered in full (every message sent). */
  complete: number;
  /** Of them, with messages that could not be delivered (marked failed; the root says how many). */
  incomplete: number;
}

/**
 * Delivers the incomplete threads of this replica's runs and of stale runs (not updated for `staleMs`), oldest first.
 * Runs of one channel are resumed in order; a run another replica holds is left to it.
 */
export async function resumeDeliveries(
  deps: Pick<RecoverRunsDeps, 'store' | 'replica' | 'staleMs' | 'client' | 'runner' | 'logger'>,
): Promise<ResumeReport> {
  const report: ResumeReport = { runs: 0, complete: 0, incomplete: 0 };
  const resume = deps.runner.resumeDelivery?.bind(deps.runner);
  if (!resume) return report;
  const mine = await deps.store.undeliveredRuns({ owner: deps.replica });
  const stale = await deps.store.undeliveredRuns({ staleBefore: new Date(Date.now() - deps.staleMs) });
  const owed = [...new Map([...mine, ...stale].map((u) => [u.run.id, u])).values()].sort(
    (a, b) => a.run.startedAt.getTime() - b.run.startedAt.getTime(),
  );
  if (owed.length === 0) return report;
  deps.logger.info({ runs: owed.length }, 'resuming the delivery of unfinished threads');
  // One chain per channel keeps threads in the order their runs started; channels go side by side.
  const byChannel = new Map<string, typeof owed>();
  for (const u of owed) {
    const key = u.run.channel ?? '';
    byChannel.set(key, [...(byChannel.get(key) ?? []), u]);
  }
  await Promise.all(
    [...byChannel.values()].map(async (runs) => {
      for (const u of runs) {
        const run = await resume(deps.client, u);
        if (!run) continue;
        report.runs++;
        if (run.undelivered > 0) report.incomplete++;
        else report.complete++;
      }
    }),
  );
  deps.logger.info({ ...report }, 'resumed unfinished threads');
  return report;
}
