import type { StoredEvent, StoredRun } from '../../application/ports/run-store.js';
import { stateFromStored } from '../../application/runs/run-state.js';
import type { RunRecord } from './run-registry.js';

/**
 * Rebuilds what the Slack surface needs about a run from the run store: for a run this process did not start (the
 * other replica's, or one from before a restart), so its buttons, its root and its export still work.
 */
export function recordFromStored(run: StoredRun, events: readonly StoredEvent[]): RunRecord | undefined {
  return stateFromStored(run, events);
}
