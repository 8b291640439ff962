import type { Logger } from '../adapters/log/json-logger.js';
import { currentRunId } from '../adapters/log/run-context.js';

/** The run an error belongs to, when the code that threw said so (`runId` on the error or its cause). */
export function runIdOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const id = (e as { runId?: unknown }).runId;
    if (typeof id === 'string' && id !== '') return id;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function fieldsOf(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { errorName: error.name, error: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { error: String(error) };
}

export interface ProcessGuardOptions {
  logger: Logger;
  /** Marks the run an error belongs to failed (the app's store). */
  markRunFailed?: (runId: string, reason: string) => Promise<unknown>;
  /** After an uncaught exception is logged: stop the process (the state may be broken). */
  onFatal: () => void;
}

/**
 * Process-level handlers: an unhandled rejection is logged as one JSON line (redacted like every log line) and the
 * run it belongs to is marked failed; the process goes on. An uncaught exception is logged the same way, then
 * `onFatal` ends the process. Returns a function that removes the handlers.
 */
export function installProcessGuards(options: ProcessGuardOptions, target: NodeJS.EventEmitter = process): () => void {
  const handle = async (kind: 'unhandledRejection' | 'uncaughtException', error: unknown) => {
    // The error says which run it belongs to, or the handler runs in that run's async context.
    const runId = runIdOf(error) ?? currentRunId();
    options.logger.error({ kind, ...fieldsOf(error), ...(runId ? { runId } : {}) }, `${kind}: logged, not silent`);
    if (runId && options.markRunFailed) {
      await options
        .markRunFailed(runId, `Triage hit an unexpected error: ${fieldsOf(error).error as string}`)
        .catch(() => {});
    }
  };
  const onRejection = (reason: unknown) => void handle('unhandledRejection', reason);
  const onException = (error: unknown) => {
    void handle('uncaughtException', error).finally(() => options.onFatal());
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return () => {
    target.off('unhandledRejection', onRejection);
    target.off('uncaughtException', onException);
  };
}
