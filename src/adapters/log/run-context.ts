import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The run the code now executing works for, carried through its awaits and timers: a process-level handler (an
 * unhandled rejection, an uncaught exception) reads it to mark that run failed rather than leave it "running".
 */
const current = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it starts) as part of run `runId`. */
export function withRun<T>(runId: string, work: () => T): T {
  return current.run(runId, work);
}

/** The run the executing code belongs to, if any. */
export function currentRunId(): string | undefined {
  return current.getStore();
}
