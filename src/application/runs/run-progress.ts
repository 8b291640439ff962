import type { DiagnosisOutcome, HypothesisResult } from '../../domain/engine/types.js';
import type { RunJournalEvent } from '../ports/run-store.js';

/** What a run's root shows of its diagnosis so far, as its events tell it. */
export interface RunProgress {
  status: 'running' | 'finished' | 'failed' | 'interrupted';
  stepsDone: number;
  stepsTotal: number;
  playbook?: string;
  /** The service as discovered (it may differ from the typed name), once known. */
  service?: string;
  /** The leading hypothesis of the latest ranking. */
  top?: HypothesisResult;
  result?: DiagnosisOutcome;
}

/**
 * The same progress after one more event of the run's journal (a new object: the given one is left as it was). Notes
 * (decisions, alert lines, deliveries) leave it as it was.
 */
export function advance(progress: RunProgress, event: RunJournalEvent): RunProgress {
  switch (event.type) {
    case 'run-started':
      return { ...progress, stepsTotal: event.steps.length, playbook: event.playbook };
    case 'step-finished':
      return { ...progress, stepsDone: progress.stepsDone + 1 };
    case 'hypotheses-updated': {
      const top = event.hypotheses[0];
      return top ? { ...progress, top } : progress;
    }
    case 'run-finished': {
      const { result } = event;
      return {
        ...progress,
        result,
        ...(result.service ? { service: result.service } : {}),
        status: result.conclusion.kind === 'failed' ? 'failed' : 'finished',
      };
    }
    default:
      return progress;
  }
}

/** A run's progress rebuilt from its stored events, from `start`. */
export function replay(start: RunProgress, events: Iterable<RunJournalEvent>): RunProgress {
  let progress = start;
  for (const event of events) progress = advance(progress, event);
  return progress;
}
