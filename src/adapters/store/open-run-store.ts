import type { RunStore } from '../../domain/runs/run-store.js';
import { openPostgresRunStore } from './postgres-run-store.js';
import { openSqliteRunStore } from './sqlite-run-store.js';

export interface OpenRunStoreOptions {
  /** PostgreSQL (several replicas); when unset, the SQLite file. */
  databaseUrl?: string;
  sqlitePath: string;
}

/** Opens the configured run store, migrated to the latest schema; the error says which store and why. */
export async function openRunStore(options: OpenRunStoreOptions): Promise<RunStore> {
  if (options.databaseUrl) return openPostgresRunStore(options.databaseUrl);
  try {
    return await openSqliteRunStore(options.sqlitePath);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`could not open the run store at ${options.sqlitePath}: ${reason}`);
  }
}
