/**
 * Runs `work`, and everything it starts (its awaits and timers), as part of one run, so that a failure that escapes
 * it (an unhandled rejection, an uncaught exception) can be charged to that run rather than leave it "running".
 * The Node implementation (AsyncLocalStorage) lives in src/adapters/log/run-context.ts.
 */
export type RunScope = <T>(runId: string, work: () => T) => T;
