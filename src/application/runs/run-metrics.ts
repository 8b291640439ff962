import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';

/** What a diagnosis run counts for Triage's own /metrics: runs by trigger and outcome, step timings, lost posts. */
export interface RunMetrics {
  runStarted(trigger: string): void;
  runEnded(trigger: string, status: string): void;
  /** Passes a run's events through, timing its steps by data source (`sourceOf` tells a step's source). */
  observe(
    run: AsyncGenerator<RunEvent, DiagnosisOutcome>,
    sourceOf: (playbook: string, stepId: string) => string,
  ): AsyncGenerator<RunEvent, DiagnosisOutcome>;
  /** A thread post Slack never got, after the retries. */
  undelivered(): void;
  /** A message sent directly because the run store's outbox could not take it. */
  outboxBypassed?(): void;
}
