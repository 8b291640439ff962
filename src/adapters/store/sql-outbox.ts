import type {
  DeliveryQuery,
  NewOutboxMessage,
  OutboxMessage,
  OutboxResult,
  StoredRun,
  UndeliveredRun,
} from '../../application/ports/run-store.js';
import { decodeJson, encodeJson } from './json-codec.js';
import {
  conditions,
  date,
  iso,
  isTerminal,
  optionalDate,
  type Row,
  type SqlContext,
  type SqlDb,
  text,
} from './sql-db.js';
import { rowToRun } from './sql-run-rows.js';

/** How many of a run's outbox messages are still to go out (pending or being sent). */
export async function pendingCount(db: SqlDb, runId: string): Promise<number> {
  const [row] = await db.query(
    "SELECT COUNT(*) AS n FROM outbox WHERE run_id = ? AND state IN ('pending', 'sending')",
    [runId],
  );
  return Number(row?.n ?? 0);
}

/**
 * The durable outbox of each run's Slack thread, and the claim on its delivery: messages go out in order, a run
 * that ended while its thread is still going out reads `delivering`, and settles once its outbox is closed and
 * complete.
 */
export class SqlOutbox {
  private readonly sql: SqlContext;

  constructor(sql: SqlContext) {
    this.sql = sql;
  }

  async enqueueOutbox(
    runId: string,
    messages: readonly NewOutboxMessage[],
    options: { open?: boolean; close?: boolean } = {},
  ): Promise<number[]> {
    return this.sql.db.transaction(async (tx) => {
      const open = options.close ? 0 : options.open ? 1 : undefined;
      // The UPDATE locks the run's row until commit, so concurrent writers get consecutive numbers.
      const [row] = await tx.query(
        `UPDATE runs SET outbox_seq = outbox_seq + ?, delivery_open = COALESCE(?, delivery_open), updated_at = ?
         WHERE id = ? RETURNING outbox_seq, status`,
        [messages.length, open ?? null, iso(this.sql.clock()), runId],
      );
      if (!row) throw new Error(`no run ${runId} to queue messages for`);
      const first = Number(row.outbox_seq) - messages.length + 1;
      const now = iso(this.sql.clock());
      const seqs: number[] = [];
      for (const [i, message] of messages.entries()) {
        // Only the latest state of the root goes out: an edit still waiting is replaced.
        if (message.kind === 'root')
          await tx.execute("DELETE FROM outbox WHERE run_id = ? AND kind = 'root' AND state = 'pending'", [runId]);
        const seq = first + i;
        await tx.execute(
          `INSERT INTO outbox (run_id, seq, kind, channel, thread_ts, target_ts, payload, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
          [
            runId,
            seq,
            message.kind,
            message.channel,
            message.threadTs,
            message.targetTs,
            encodeJson(message.payload),
            now,
          ],
        );
        seqs.push(seq);
      }
      const status = String(row.status);
      if (messages.length > 0 && isTerminal(status))
        await tx.execute("UPDATE runs SET settles_to = status, status = 'delivering' WHERE id = ?", [runId]);
      else await this.settle(tx, runId);
      return seqs;
    });
  }

  async closeOutbox(runId: string): Promise<StoredRun | undefined> {
    return this.sql.db.transaction(async (tx) => {
      const changed = await tx.execute('UPDATE runs SET delivery_open = 0 WHERE id = ?', [runId]);
      if (changed === 0) return undefined;
      return this.settle(tx, runId);
    });
  }

  async outbox(runId: string): Promise<OutboxMessage[]> {
    const rows = await this.sql.db.query('SELECT * FROM outbox WHERE run_id = ? ORDER BY seq', [runId]);
    return rows.map(rowToOutbox);
  }

  async markSending(runId: string, seq: number): Promise<boolean> {
    const changed = await this.sql.db.execute(
      "UPDATE outbox SET state = 'sending' WHERE run_id = ? AND seq = ? AND state IN ('pending', 'sending')",
      [runId, seq],
    );
    return changed === 1;
  }

  async settleOutbox(runId: string, seq: number, result: OutboxResult): Promise<StoredRun | undefined> {
    return this.sql.db.transaction(async (tx) => {
      const now = iso(this.sql.clock());
      // Never overwrites a result already recorded: a message marked sent stays sent.
      const changed = await tx.execute(
        `UPDATE outbox SET state = ?, slack_ts = ?, error = ?, settled_at = ?
         WHERE run_id = ? AND seq = ? AND state IN ('pending', 'sending')`,
        [
          result.state,
          result.state === 'sent' ? result.slackTs : null,
          result.state === 'failed' ? result.error : null,
          now,
          runId,
          seq,
        ],
      );
      await tx.execute(`UPDATE runs SET updated_at = ?, undelivered = undelivered + ? WHERE id = ?`, [
        now,
        changed === 1 && result.state === 'failed' ? 1 : 0,
        runId,
      ]);
      return this.settle(tx, runId);
    });
  }

  async undeliveredRuns(query: DeliveryQuery): Promise<UndeliveredRun[]> {
    const { where: which, params } = conditions([
      ['r.owner = ?', query.owner],
      ['r.updated_at < ?', query.staleBefore && iso(query.staleBefore)],
    ]);
    if (which.length === 0) return [];
    const rows = await this.sql.db.query(
      `SELECT r.*, (SELECT COUNT(*) FROM outbox o WHERE o.run_id = r.id AND o.state IN ('pending', 'sending')) AS pending
       FROM runs r WHERE r.status <> 'running' AND (${which.join(' OR ')})
       AND (r.delivery_open = 1 OR r.status = 'delivering'
            OR EXISTS (SELECT 1 FROM outbox o WHERE o.run_id = r.id AND o.state IN ('pending', 'sending')))
       ORDER BY r.started_at, r.id`,
      params,
    );
    return rows.map((row) => ({
      run: rowToRun(row),
      open: Number(row.delivery_open) === 1,
      pending: Number(row.pending),
    }));
  }

  async claimDelivery(runId: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.sql.clock();
    return this.sql.db.transaction(async (tx) => {
      // Taken when free or expired; renewed by the replica that holds it.
      const rows = await tx.query(
        `INSERT INTO claimed_keys (claim_key, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (claim_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE claimed_keys.expires_at <= ? OR claimed_keys.owner = excluded.owner RETURNING claim_key`,
        [deliveryKey(runId), owner, iso(new Date(now.getTime() + ttlMs)), iso(now)],
      );
      if (rows.length !== 1) return false;
      await tx.execute('UPDATE runs SET owner = ? WHERE id = ? AND owner <> ?', [owner, runId, owner]);
      return true;
    });
  }

  async releaseDelivery(runId: string, owner: string): Promise<void> {
    await this.sql.db.execute('DELETE FROM claimed_keys WHERE claim_key = ? AND owner = ?', [
      deliveryKey(runId),
      owner,
    ]);
  }

  /** Delivering → the status it settles to, once the delivery is closed and nothing is pending. */
  private async settle(db: SqlDb, runId: string): Promise<StoredRun | undefined> {
    const [row] = await db.query(`SELECT * FROM runs WHERE id = ? ${this.sql.forUpdate}`, [runId]);
    if (!row) return undefined;
    if (String(row.status) !== 'delivering' || Number(row.delivery_open) === 1) return rowToRun(row);
    if ((await pendingCount(db, runId)) > 0) return rowToRun(row);
    const [settled] = await db.query(
      "UPDATE runs SET status = COALESCE(settles_to, 'finished'), settles_to = NULL WHERE id = ? RETURNING *",
      [runId],
    );
    return settled ? rowToRun(settled) : undefined;
  }
}

const deliveryKey = (runId: string): string => `delivery:${runId}`;

function rowToOutbox(row: Row): OutboxMessage {
  return {
    runId: String(row.run_id),
    seq: Number(row.seq),
    kind: String(row.kind) as OutboxMessage['kind'],
    channel: String(row.channel),
    threadTs: text(row.thread_ts),
    targetTs: text(row.target_ts),
    payload: decodeJson<OutboxMessage['payload']>(String(row.payload)),
    state: String(row.state) as OutboxMessage['state'],
    slackTs: text(row.slack_ts),
    error: text(row.error),
    createdAt: date(row.created_at),
    settledAt: optionalDate(row.settled_at),
  };
}
