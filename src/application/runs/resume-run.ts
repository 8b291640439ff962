import type { RunStore, StoredRun, UndeliveredRun } from '../ports/run-store.js';
import { delivered, type RunState, type RunStateHolder, stateFromStored } from './run-state.js';
import type { RunRenderers, ThreadDelivery } from './thread-ports.js';

export interface ResumeDeliveryDeps {
  store: Pick<RunStore, 'claimDelivery' | 'events' | 'closeOutbox' | 'getRun' | 'enqueueOutbox'>;
  /** The holder of the runs' states: the run is held there from now on. */
  states: RunStateHolder & { add(state: RunState): void };
  render: Pick<RunRenderers, 'ledger'>;
  delivery: Pick<ThreadDelivery, 'owner' | 'isStopped' | 'deliver' | 'rootEdit'>;
  /** How long a claim on a run's delivery stands without renewal. */
  claimMs: number;
}

/**
 * Finishes delivering a run this process did not finish (after a restart, or a replica that died): queues its
 * ledger if the diagnosis ended before the ledger was queued, sends what is pending in order, and edits the root
 * to its final state (saying how many messages could not be delivered). Nothing happens if another replica holds
 * the run's delivery. Resolves with the stored run once settled (undefined when it was not delivered here).
 */
export async function resumeDelivery(deps: ResumeDeliveryDeps, owed: UndeliveredRun): Promise<StoredRun | undefined> {
  const { store, delivery, states } = deps;
  const { run } = owed;
  if (!(await store.claimDelivery(run.id, delivery.owner, deps.claimMs))) return undefined;
  const state = states.get(run.id) ?? stateFromStored(run, await store.events(run.id));
  if (!state) {
    // No thread to post in: nothing can be delivered.
    await store.closeOutbox(run.id);
    return store.getRun(run.id);
  }
  states.add(state);
  if (owed.open) {
    if (run.result && state.threadTs) {
      const ledger = deps.render.ledger(run.result, state);
      await store.enqueueOutbox(
        run.id,
        [
          {
            kind: 'ledger',
            channel: state.channel,
            threadTs: state.threadTs,
            targetTs: null,
            payload: { text: ledger.text, ...(ledger.blocks ? { blocks: [...ledger.blocks] } : {}), label: 'ledger' },
          },
        ],
        { close: true },
      );
    } else await store.closeOutbox(run.id);
  }
  // The thread first; then one root edit with the final state (it replaces a root edit left pending by the
  // previous process: a decision, an alert counter, "interrupted"), so the root is edited once.
  let settled = await delivery.deliver(run.id, { lanes: 'thread' });
  if (!settled || delivery.isStopped) return settled;
  const latest = states.update(run.id, delivered(settled.undelivered)) ?? state;
  await store.enqueueOutbox(run.id, [delivery.rootEdit(latest)]);
  settled = await delivery.deliver(run.id);
  return settled;
}
