import type { CommandStatus, NewCommand, RunStore } from '../ports/run-store.js';

/**
 * How long a slash command's ack waits for the run store to record the command: well inside Slack's 3 s. Past it
 * (or when the write fails) the command is acknowledged anyway and goes on in memory only.
 */
export const COMMAND_RECORD_BUDGET_MS = 1500;

/** Waits for `work` at most `ms`: ok when it succeeded in time, else why not (it may still finish later). */
export async function withinBudget(
  work: Promise<unknown>,
  ms: number,
): Promise<{ ok: true } | { ok: false; why: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ ok: false; why: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, why: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => ({ ok: true }) as const,
        (err: unknown) => ({ ok: false, why: err instanceof Error ? err.message : String(err) }) as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface AcceptedCommand {
  /** Whether the store recorded the command within the budget (if not, a crash before its root loses it). */
  recorded: { ok: true } | { ok: false; why: string };
  /** Records what became of the command (after its record, should that write still be under way); never rejects. */
  settle(status: Exclude<CommandStatus, 'accepted'>): Promise<unknown>;
}

/**
 * Records a diagnosis command before it is acknowledged, so a process killed between the ack and the root post
 * leaves it for the next start to run. Waits for the store at most `budgetMs`.
 */
export async function acceptCommand(
  store: Pick<RunStore, 'acceptCommand' | 'settleCommand'>,
  command: NewCommand,
  budgetMs = COMMAND_RECORD_BUDGET_MS,
): Promise<AcceptedCommand> {
  const recording = store.acceptCommand(command);
  const recorded = await withinBudget(recording, budgetMs);
  return {
    recorded,
    settle: (status) => recording.then(() => store.settleCommand(command.id, status)).catch(() => undefined),
  };
}
