import type { AlertThread, ClaimKey, ClaimResult } from '../../application/ports/alert-threads.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { date, definedOnly, iso, LOCKS, placeholders, type Row, type SqlContext, type SqlDb, text } from './sql-db.js';

/** Claims between two clean-ups of expired claims and old alert threads. */
const PRUNE_EVERY = 500;
/** Alert threads not seen for this long are forgotten (their windows are hours at most). */
const ALERT_THREAD_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Keys that one replica at a time may claim (a Slack event, a service and window being diagnosed), and the alert
 * threads found by their alerts' keys. Claims on alert threads take the advisory lock {@link LOCKS.alertClaims}.
 */
export class SqlAlertThreads {
  private claimsSincePrune = 0;

  private readonly sql: SqlContext;

  constructor(sql: SqlContext) {
    this.sql = sql;
  }

  async claimKey(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if (++this.claimsSincePrune >= PRUNE_EVERY) {
      this.claimsSincePrune = 0;
      await this.prune();
    }
    const now = this.sql.clock();
    // One statement: a new key is inserted; a held key is taken over only when its claim has expired.
    const rows = await this.sql.db.query(
      `INSERT INTO claimed_keys (claim_key, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (claim_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE claimed_keys.expires_at <= ? RETURNING claim_key`,
      [key, owner, iso(new Date(now.getTime() + ttlMs)), iso(now)],
    );
    return rows.length === 1;
  }

  /**
   * Deletes expired claims and alert threads not seen for a week (with their keys), so neither table grows with
   * every event Slack ever sent. Runs go by retention (`deleteRunsBefore`). Returns how many rows went.
   */
  async prune(): Promise<{ claims: number; threads: number }> {
    const now = this.sql.clock();
    const cutoff = iso(new Date(now.getTime() - ALERT_THREAD_RETENTION_MS));
    return this.sql.db.transaction(
      async (tx) => {
        const claims = await tx.execute('DELETE FROM claimed_keys WHERE expires_at < ?', [iso(now)]);
        await tx.execute(
          'DELETE FROM alert_keys WHERE thread_id IN (SELECT id FROM alert_threads WHERE last_seen_at < ?)',
          [cutoff],
        );
        const threads = await tx.execute('DELETE FROM alert_threads WHERE last_seen_at < ?', [cutoff]);
        return { claims, threads };
      },
      { lock: LOCKS.alertClaims },
    );
  }

  async releaseKey(key: string): Promise<void> {
    await this.sql.db.execute('DELETE FROM claimed_keys WHERE claim_key = ?', [key]);
  }

  async claim(keys: readonly ClaimKey[], thread: AlertThread): Promise<ClaimResult> {
    return this.sql.db.transaction(
      async (tx) => {
        for (const { key, since } of keys) {
          const holder = await holderOf(tx, key);
          if (holder && holder.openedAt.getTime() >= since.getTime()) return { holder, matched: key };
        }
        await tx.execute(
          `INSERT INTO alert_threads (id, channel, thread_ts, run_id, service, title, opened_at, last_seen_at, status, firing)
           VALUES (${placeholders(10)})`,
          threadToRow(thread),
        );
        await bindKeys(
          tx,
          keys.map((k) => k.key),
          thread.id,
        );
        return { holder: null };
      },
      { lock: LOCKS.alertClaims },
    );
  }

  async find(keys: readonly string[], since?: Date): Promise<AlertThread | undefined> {
    for (const key of keys) {
      const holder = await holderOf(this.sql.db, key);
      if (holder && (!since || holder.openedAt.getTime() >= since.getTime())) return holder;
    }
    return undefined;
  }

  async bind(keys: readonly string[], threadId: string): Promise<void> {
    await this.sql.db.transaction(
      async (tx) => {
        const [exists] = await tx.query('SELECT id FROM alert_threads WHERE id = ?', [threadId]);
        if (exists) await bindKeys(tx, keys, threadId);
      },
      { lock: LOCKS.alertClaims },
    );
  }

  async update(threadId: string, patch: Partial<Omit<AlertThread, 'id'>>): Promise<AlertThread | undefined> {
    return this.sql.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT * FROM alert_threads WHERE id = ? ${this.sql.forUpdate}`, [threadId]);
      if (!row) return undefined;
      const next: AlertThread = { ...rowToThread(row), ...definedOnly(patch), id: threadId };
      const [, ...values] = threadToRow(next);
      await tx.execute(
        `UPDATE alert_threads SET channel = ?, thread_ts = ?, run_id = ?, service = ?, title = ?, opened_at = ?,
         last_seen_at = ?, status = ?, firing = ? WHERE id = ?`,
        [...values, threadId],
      );
      return next;
    });
  }

  async release(threadId: string): Promise<void> {
    await this.sql.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM alert_keys WHERE thread_id = ?', [threadId]);
      await tx.execute('DELETE FROM alert_threads WHERE id = ?', [threadId]);
    });
  }
}

async function holderOf(db: SqlDb, key: string): Promise<AlertThread | undefined> {
  const [row] = await db.query(
    'SELECT t.* FROM alert_keys k JOIN alert_threads t ON t.id = k.thread_id WHERE k.alert_key = ?',
    [key],
  );
  return row ? rowToThread(row) : undefined;
}

async function bindKeys(db: SqlDb, keys: readonly string[], threadId: string): Promise<void> {
  for (const key of new Set(keys)) {
    await db.execute(
      `INSERT INTO alert_keys (alert_key, thread_id) VALUES (?, ?)
       ON CONFLICT (alert_key) DO UPDATE SET thread_id = excluded.thread_id`,
      [key, threadId],
    );
  }
}

function rowToThread(row: Row): AlertThread {
  const runId = text(row.run_id);
  return {
    id: String(row.id),
    channel: String(row.channel),
    threadTs: text(row.thread_ts),
    ...(runId ? { runId } : {}),
    service: text(row.service),
    title: String(row.title),
    openedAt: date(row.opened_at),
    lastSeenAt: date(row.last_seen_at),
    status: String(row.status) as AlertThread['status'],
    firing: decodeJson<string[]>(String(row.firing)),
  };
}

function threadToRow(t: AlertThread): unknown[] {
  return [
    t.id,
    t.channel,
    t.threadTs,
    t.runId ?? null,
    t.service,
    t.title,
    iso(t.openedAt),
    iso(t.lastSeenAt),
    t.status,
    encodeJson(t.firing),
  ];
}
