import type { StoredEvent, StoredRun } from '../../application/ports/run-store.js';
import { replay } from '../../application/runs/run-progress.js';
import { dedupeKeyOf } from '../../application/runs/twins.js';
import type { RunRecord } from './run-registry.js';

/**
 * Rebuilds what the Slack surface needs about a run from the run store: for a run this process did not start (the
 * other replica's, or one from before a restart), so its buttons, its root and its export still work.
 */
export function recordFromStored(run: StoredRun, events: readonly StoredEvent[]): RunRecord | undefined {
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
