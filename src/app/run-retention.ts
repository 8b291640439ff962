import type { RunStore } from '../application/ports/run-store.js';

export interface RunRetentionDeps {
  store: Pick<RunStore, 'deleteRunsBefore'>;
  /** Runs started longer ago than this are deleted once finished; 0 keeps every run. */
  retentionDays: number;
  now: () => Date;
  /** Time between two sweeps; default one hour. */
  everyMs?: number;
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  };
}

export interface RunRetention {
  /** Deletes the runs past retention now; returns how many went (0 when the store failed, which is logged). */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep under way, so the store can be closed. */
  stop(): Promise<void>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Keeps the run store from growing without end: a sweep on start and every hour deletes finished runs (and their
 * events) older than the retention. A sweep that fails is logged and tried again at the next one.
 */
export function startRunRetention(deps: RunRetentionDeps): RunRetention {
  let current: Promise<number> | undefined;
  const sweep = (): Promise<number> => {
    if (deps.retentionDays === 0) return Promise.resolve(0);
    current ??= (async () => {
      const before = new Date(deps.now().getTime() - deps.retentionDays * DAY_MS);
      try {
        const runs = await deps.store.deleteRunsBefore(before);
        if (runs > 0) deps.logger.info({ runs, retentionDays: deps.retentionDays }, 'deleted runs past retention');
        return runs;
      } catch (err) {
        deps.logger.warn({ error: String(err) }, 'could not delete runs past retention; trying again later');
        return 0;
      } finally {
        current = undefined;
      }
    })();
    return current;
  };
  const timer = deps.retentionDays === 0 ? undefined : setInterval(() => void sweep(), deps.everyMs ?? HOUR_MS);
  timer?.unref();
  void sweep();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
