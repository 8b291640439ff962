import type { RunStore } from '../../application/ports/run-store.js';

export interface OpenRunStoreOptions {
  /** PostgreSQL (several replicas); when unset, the SQLite file. */
  databaseUrl?: string;
  sqlitePath: string;
}

/** Opens the configured run store, migrated to the latest schema; the error says which store and why. */
export async function openRunStore(options: OpenRunStoreOptions): Promise<RunStore> {
  // Each store's driver (pg, better-sqlite3) loads only when that store is used: a SQLite run never loads pg.
  if (options.databaseUrl) return (await import('./postgres-run-store.js')).openPostgresRunStore(options.databaseUrl);
  try {
    return await (await import('./sqlite-run-store.js')).openSqliteRunStore(options.sqlitePath);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`could not open the run store at ${options.sqlitePath}: ${reason}`);
  }
}
