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
  runner: Pick<ThreadRunner, 'refreshRoot'>;
  registry: RunRegistry;
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  };
}

/**
 * On start: the runs this replica was running when it stopped, and runs of replicas that died, are marked
 * interrupted, and their Slack roots say so (with the Re-run button). Each run is marked once even when replicas
 * start together.
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
  return interrupted;
}
