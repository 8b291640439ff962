export type Row = Record<string, unknown>;

/**
 * What the run store needs from a database engine. SQL uses `?` placeholders; the PostgreSQL engine numbers them.
 * A transaction is atomic and isolated from every other writer of the database (other processes included):
 * SQLite takes the write lock at BEGIN IMMEDIATE, PostgreSQL takes the advisory lock named by `lock`, if any.
 */
export interface SqlDb {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  transaction<T>(work: (db: SqlDb) => Promise<T>, options?: { lock?: number }): Promise<T>;
  close(): Promise<void>;
}

/**
 * What each part of the run store works with: the database, the store's clock, and the row lock that a
 * read-modify-write takes (`FOR UPDATE` on PostgreSQL; empty on SQLite, whose write transaction already excludes
 * other writers).
 */
export interface SqlContext {
  readonly db: SqlDb;
  readonly clock: () => Date;
  readonly forUpdate: string;
}

/** Advisory lock ids (PostgreSQL): schema migrations, and alert-thread claims. */
export const LOCKS = { migrate: 7_402_001, alertClaims: 7_402_002 } as const;

export const iso = (d: Date): string => d.toISOString();
export const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const date = (v: unknown): Date => new Date(String(v));
export const optionalDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export const isTerminal = (status: string): status is 'finished' | 'failed' =>
  status === 'finished' || status === 'failed';

/** The SQL conditions whose value is given, and their parameters in order. */
export function conditions(pairs: readonly (readonly [string, unknown])[]): { where: string[]; params: unknown[] } {
  const given = pairs.filter(([, value]) => value !== undefined);
  return { where: given.map(([sql]) => sql), params: given.map(([, value]) => value) };
}

/** A patch without its undefined fields (an absent field keeps its value). */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
