import { openRunStore } from '../adapters/store/open-run-store.js';
import type { Logger } from '../application/ports/logger.js';
import type { RunStore } from '../application/ports/run-store.js';
import type { Config } from './config.js';
import type { Readiness } from './readiness.js';
import { StartupError } from './startup-error.js';
import { watchRunStore } from './watched-run-store.js';

export interface AppRunStore {
  /** The store as the app uses it: a failed write shows in /readyz until a write succeeds. */
  store: RunStore;
  /** The store itself, for what must not wait on readiness (marking a run failed as the process dies). */
  opened: RunStore;
  /** Closes the store, unless the caller opened it (then it stays open). */
  close(): Promise<void>;
}

/** The caller's run store or the configured one, watched for failed writes. */
export async function setUpRunStore(
  config: Readonly<Config>,
  given: RunStore | undefined,
  readiness: Readiness,
  logger: Logger,
): Promise<AppRunStore> {
  const opened = given ?? (await openStore(config));
  const store = watchRunStore(opened, readiness, (method, error) =>
    logger.error(
      { component: 'store', method, error: error instanceof Error ? error.message : String(error) },
      'run store write failed; /readyz reports it until a write succeeds',
    ),
  );
  return { store, opened, close: async () => (given ? undefined : opened.close()) };
}

/** Opens the configured run store, or ends start-up with a sentence naming the variable to fix. */
async function openStore(config: Readonly<Config>): Promise<RunStore> {
  try {
    return await openRunStore({
      ...(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : {}),
      sqlitePath: config.store.sqlitePath,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (config.store.databaseUrl) {
      throw new StartupError(
        'store_unavailable',
        'DATABASE_URL',
        `Triage cannot start: the PostgreSQL run store in DATABASE_URL cannot be opened (${reason}). Check the host, port, database name and credentials in DATABASE_URL, and that the database accepts connections from here.`,
      );
    }
    throw new StartupError(
      'store_unavailable',
      'TRIAGE_DB_PATH',
      `Triage cannot start: the SQLite run store at ${config.store.sqlitePath} cannot be opened (${reason}). Set TRIAGE_DB_PATH to a file in a writable directory (its parent directories are created).`,
    );
  }
}
