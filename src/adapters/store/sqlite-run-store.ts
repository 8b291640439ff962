import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Row, SqlDb } from './sql-db.js';
import { SqlRunStore } from './sql-run-store.js';

type Statement = Database.Statement<unknown[], Row>;

/** better-sqlite3 takes no undefined and no booleans. */
function bindable(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : p));
}

/**
 * One SQLite connection. better-sqlite3 is synchronous; every call (and every transaction, whole) is queued so a
 * transaction's statements never interleave with another caller's. Transactions start with BEGIN IMMEDIATE, which
 * takes the file's write lock, so another process writing the same file waits (busy_timeout) instead of racing.
 */
class SqliteDb implements SqlDb {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private users = 1;
  private readonly onClosed: () => void;

  constructor(db: Database.Database, onClosed: () => void) {
    this.db = db;
    this.onClosed = onClosed;
  }

  /** Another store in this process on the same file shares this connection. */
  share(): this {
    this.users++;
    return this;
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.serial(() => this.all(sql, params));
  }

  execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.serial(() => this.run(sql, params));
  }

  transaction<T>(work: (db: SqlDb) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      const inner: SqlDb = {
        query: async (sql, params = []) => this.all(sql, params),
        execute: async (sql, params = []) => this.run(sql, params),
        transaction: (nested) => nested(inner),
        close: async () => undefined,
      };
      try {
        const result = await work(inner);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    if (--this.users > 0) return;
    this.onClosed();
    await this.queue.catch(() => undefined);
    if (this.db.open) this.db.close();
  }

  private serial<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], Row>(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all(sql: string, params: readonly unknown[]): Row[] {
    const statement = this.prepare(sql);
    if (!statement.reader) {
      statement.run(...bindable(params));
      return [];
    }
    return statement.all(...bindable(params));
  }

  private run(sql: string, params: readonly unknown[]): number {
    const statement = this.prepare(sql);
    if (statement.reader) return statement.all(...bindable(params)).length;
    return statement.run(...bindable(params)).changes;
  }
}

export interface SqliteStoreOptions {
  /** Migrate only up to this version (tests of upgrades); default the latest. */
  upTo?: number;
  clock?: () => Date;
}

/**
 * Connections by file, so that stores opened twice in one process share one connection: two connections of one
 * thread would wait on each other's write lock synchronously (busy_timeout) and fail.
 */
const open = new Map<string, SqliteDb>();

function connect(path: string): SqliteDb {
  const memory = path === ':memory:';
  const key = memory ? '' : resolve(path);
  const shared = memory ? undefined : open.get(key);
  if (shared) return shared.share();
  if (!memory) makeDirectory(dirname(key));
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  const connection = new SqliteDb(db, () => {
    if (open.get(key) === connection) open.delete(key);
  });
  if (!memory) open.set(key, connection);
  return connection;
}

/**
 * Opens (creating it and its directory if needed) the SQLite run store at `path` (`:memory:` for none), in WAL
 * mode, and applies pending migrations. Other processes may use the same file (the CLI next to the app): writes take
 * the file's lock and wait for each other.
 */
export async function openSqliteRunStore(path: string, options: SqliteStoreOptions = {}): Promise<SqlRunStore> {
  const db = connect(path);
  const store = new SqlRunStore(db, options.clock ? { clock: options.clock } : {});
  try {
    await store.migrate(options.upTo === undefined ? {} : { upTo: options.upTo });
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Creates a directory and its missing parents one level at a time. Node's `recursive` option never returns under
 * some pseudo file systems (`/proc/…`); here each level either exists, is created, or fails with its own error.
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  while (!existsSync(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) mkdirSync(level);
}
