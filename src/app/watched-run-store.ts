import type { RunStore } from '../application/ports/run-store.js';
import type { Readiness } from './readiness.js';

/** Calls that only read: their success says nothing about whether writes work again. */
const READS = new Set([
  'getRun',
  'events',
  'listRuns',
  'runByThread',
  'outbox',
  'undeliveredRuns',
  'getCommand',
  'schemaVersion',
  'close',
]);

/**
 * The run store, watched: a call that fails marks the `store` component not ready (with the error), and the next
 * write that succeeds marks it ready again. Callers still get every result and every error unchanged.
 */
export function watchRunStore(
  store: RunStore,
  readiness: Readiness,
  onFailure?: (method: string, error: unknown) => void,
): RunStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (ok: unknown) => {
            if (!READS.has(property)) readiness.set('store', undefined);
            return ok;
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            readiness.set('store', `the run store failed (${property}): ${message}`);
            onFailure?.(property, error);
            throw error;
          },
        );
      };
    },
  });
}
