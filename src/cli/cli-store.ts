import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunJournal } from '../application/diagnose/run-journal.js';
import type { RunStore, StoredRun } from '../application/ports/run-store.js';
import { type CliIo, StoreUnavailable, UsageProblem } from './cli-io.js';
import { stripUserinfo } from './options.js';
import { defaultCliStorePath } from './state-dir.js';

/** The fewest characters of a run id `triage postmortem` accepts as a prefix. */
export const MIN_RUN_ID_PREFIX = 4;

export interface StoreOptions {
  databaseUrl?: string;
  sqlitePath: string;
}

/**
 * The run store the CLI reads and records into. A flag beats the environment: --database-url, --db, then
 * DATABASE_URL, TRIAGE_DB_PATH, then the user's state directory.
 */
function storeOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): StoreOptions {
  const flagUrl = opts.databaseUrl as string | undefined;
  const flagPath = opts.db as string | undefined;
  if (flagUrl) return { databaseUrl: flagUrl, sqlitePath: flagPath ?? defaultCliStorePath(env) };
  if (flagPath) return { sqlitePath: flagPath };
  const sqlitePath = env.TRIAGE_DB_PATH || defaultCliStorePath(env);
  return env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, sqlitePath } : { sqlitePath };
}

async function storeName(options: StoreOptions): Promise<string> {
  return options.databaseUrl ? stripUserinfo(options.databaseUrl) : options.sqlitePath;
}

/** True when the store is a SQLite file not written yet: reading it must not create it (nor its directory). */
function notCreatedYet(options: StoreOptions): boolean {
  return !options.databaseUrl && options.sqlitePath !== ':memory:' && !existsSync(options.sqlitePath);
}

async function openStore(options: StoreOptions): Promise<RunStore> {
  const { openRunStore } = await import('../adapters/store/open-run-store.js');
  return openRunStore(options);
}

/** Runs `use` on the store, or on nothing (undefined) when the SQLite file was never written. */
export async function withStore<T>(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  use: (store: RunStore | undefined, name: string) => Promise<T>,
): Promise<T> {
  const options = storeOptions(opts, env);
  const name = await storeName(options);
  if (notCreatedYet(options)) return use(undefined, name);
  let store: RunStore;
  try {
    store = await openStore(options);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const fix = options.databaseUrl
      ? 'check --database-url or DATABASE_URL (host, port, database, credentials)'
      : 'check --db or TRIAGE_DB_PATH (a file in a writable directory)';
    throw new StoreUnavailable(`cannot open the run store ${name}: ${reason}; ${fix}.`);
  }
  try {
    return await use(store, name);
  } finally {
    await store.close();
  }
}

/**
 * A run by id, or by a unique prefix of at least MIN_RUN_ID_PREFIX characters (as in the export's file name). A
 * shorter or ambiguous prefix is a usage error that asks for more characters.
 */
export async function findRun(store: RunStore | undefined, id: string): Promise<StoredRun | undefined> {
  if (id.length < MIN_RUN_ID_PREFIX)
    throw new UsageProblem(
      `"${id}" is too short to name a run: give at least ${MIN_RUN_ID_PREFIX} characters of its id (\`triage runs list\` shows them).`,
    );
  if (!store) return undefined;
  const exact = await store.getRun(id);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: 1000 })).filter((r) => r.id.startsWith(id));
  if (matches.length > 1)
    throw new UsageProblem(
      `"${id}" is the start of ${matches.length} runs (${matches
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}${matches.length > 3 ? ', …' : ''}): give more characters of the id.`,
    );
  return matches[0];
}

/** A journal on the run store, or undefined (with a warning) when the store cannot be opened: the diagnosis goes on. */
export async function openJournal(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  now: () => Date,
): Promise<RunJournal | undefined> {
  const options = storeOptions(opts, env);
  try {
    const store = await openStore(options);
    const { RunJournal } = await import('../application/diagnose/run-journal.js');
    return new RunJournal(store, {
      owner: env.TRIAGE_REPLICA_ID ?? `cli:${hostname()}:${process.pid}`,
      now,
      logger: { warn: (obj, msg) => io.stderr(`triage: ${msg} (${String(obj.error ?? '')})\n`) },
    });
  } catch (err) {
    io.stderr(
      `triage: not recording this run: ${err instanceof Error ? err.message : String(err)} (use --no-record to silence this)\n`,
    );
    return undefined;
  }
}

export function runSummary(r: StoredRun, redactor: (text: string) => string) {
  return {
    id: r.id,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status,
    trigger: r.trigger,
    service: r.service,
    symptom: redactor(r.text),
    channel: r.channel,
    conclusion: r.result ? redactor(r.result.conclusion.summary) : null,
  };
}
