import type { RunJournal } from '../diagnose/run-journal.js';
import type { RunDecision } from '../ports/run-store.js';

/** Records a person's verdict on a run's leading cause: on the run, and as a note in its journal. */
export async function recordDecision(
  journal: Pick<RunJournal, 'update' | 'note'>,
  runId: string,
  decision: RunDecision,
): Promise<void> {
  await journal.update(runId, { decision });
  await journal.note(runId, {
    type: 'human-decision',
    userId: decision.userId,
    decision: decision.decision,
    cause: decision.cause,
  });
}
