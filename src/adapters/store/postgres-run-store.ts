import pg from 'pg';
import type { Row, SqlDb } from './sql-db.js';
import { SqlRunStore } from './sql-run-store.js';

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the store's SQL has no `?` inside string literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type Queryable = pg.Pool | pg.PoolClient;

async function rows(db: Queryable, sql: string, params: readonly unknown[]): Promise<pg.QueryResult<Row>> {
  return db.query<Row>(numbered(sql), [...params]);
}

function clientDb(client: pg.PoolClient): SqlDb {
  const db: SqlDb = {
    query: async (sql, params = []) => (await rows(client, sql, params)).rows,
    execute: async (sql, params = []) => (await rows(client, sql, params)).rowCount ?? 0,
    transaction: (work) => work(db),
    close: async () => undefined,
  };
  return db;
}

/**
 * A pooled PostgreSQL connection. A transaction holds one pooled client from BEGIN to COMMIT; with `lock` it first
 * takes a transaction-scoped advisory lock, which serialises that kind of work across every replica.
 */
class PostgresDb implements SqlDb {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await rows(this.pool, sql, params)).rows;
  }

  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await rows(this.pool, sql, params)).rowCount ?? 0;
  }

  async transaction<T>(work: (db: SqlDb) => Promise<T>, options: { lock?: number } = {}): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (options.lock !== undefined) await client.query('SELECT pg_advisory_xact_lock($1)', [options.lock]);
      const result = await work(clientDb(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export interface PostgresStoreOptions {
  /** A schema of its own (created if missing), e.g. for tests; default the connection's search_path. */
  schema?: string;
  /** Pool size; default 10. */
  max?: number;
  /** Migrate only up to this version (tests of upgrades); default the latest. */
  upTo?: number;
  clock?: () => Date;
}

/** The URL without its password, for messages. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

/** Opens a pooled PostgreSQL run store and applies pending migrations (once, even when replicas start together). */
export async function openPostgresRunStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlRunStore> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema))
    throw new Error(`the run store schema must be a lower-case SQL name, not "${options.schema}"`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    if (options.schema) {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((err: { code?: string }) => {
        // Two replicas creating it at once: one of them gets a unique violation, and the schema exists.
        if (err.code !== '23505' && err.code !== '42P06') throw err;
      });
    }
    const store = new SqlRunStore(new PostgresDb(pool), {
      lockRows: true,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await store.migrate(options.upTo === undefined ? {} : { upTo: options.upTo });
    return store;
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`could not open the PostgreSQL run store at ${describeDatabaseUrl(url)}: ${reason}`);
  }
}
