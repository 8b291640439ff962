import type { StoredEvent, StoredRun } from '../../application/ports/run-store.js';
import type { HypothesisResult } from '../../domain/engine/types.js';
import { dedupeKeyOf, type RunRecord } from './run-registry.js';

/**
 * Rebuilds what the Slack surface needs about a run from the run store: for a run this process did not start (the
 * other replica's, or one from before a restart), so its buttons, its root and its export still work.
 */
export function recordFromStored(run: StoredRun, events: readonly StoredEvent[]): RunRecord | undefined {
  if (!run.channel || !run.rootTs) return undefined;
  let stepsTotal = 0;
  let stepsDone = 0;
  let top: HypothesisResult | undefined;
  for (const { data } of events) {
    if (data.type === 'run-started') stepsTotal = data.steps.length;
    else if (data.type === 'step-finished') stepsDone++;
    else if (data.type === 'hypotheses-updated' && data.hypotheses[0]) top = data.hypotheses[0];
  }
  top = run.result?.hypotheses[0] ?? top;
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
    // A delivering run's diagnosis is over: its root shows the outcome while the thread goes out.
    status:
      run.status === 'delivering' ? (run.result?.conclusion.kind === 'failed' ? 'failed' : 'finished') : run.status,
    stepsDone,
    stepsTotal,
    ...(top ? { top } : {}),
    ...(run.result ? { result: run.result } : {}),
    ...(run.decision ? { decision: run.decision } : {}),
    dedupeKey: dedupeKeyOf(run.symptom) ?? run.id,
    ...(run.alert ? { alert: run.alert } : {}),
    undelivered: run.undelivered,
    active: false,
  };
}
