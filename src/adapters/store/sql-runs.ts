import type {
  ListRunsQuery,
  MarkInterruptedQuery,
  NewRun,
  RunJournalEvent,
  RunPatch,
  StoredEvent,
  StoredRun,
} from '../../application/ports/run-store.js';
import { decodeJson, encodeJson } from './json-codec.js';
import {
  conditions,
  date,
  definedOnly,
  iso,
  isTerminal,
  placeholders,
  type SqlContext,
  type SqlDb,
  text,
} from './sql-db.js';
import { pendingCount } from './sql-outbox.js';
import { RUN_COLUMNS, rowToRun, runToRow } from './sql-run-rows.js';

/** Runs and their events in order: created, patched, journaled, found, interrupted, and deleted by retention. */
export class SqlRuns {
  private readonly sql: SqlContext;

  constructor(sql: SqlContext) {
    this.sql = sql;
  }

  async createRun(run: NewRun): Promise<StoredRun> {
    const stored: StoredRun = {
      ...run,
      status: run.status ?? 'running',
      updatedAt: this.sql.clock(),
      finishedAt: null,
      result: null,
      decision: null,
      undelivered: 0,
    };
    await this.sql.db.execute(
      `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${placeholders(RUN_COLUMNS.length)})`,
      runToRow(stored),
    );
    return stored;
  }

  async updateRun(id: string, patch: RunPatch): Promise<StoredRun | undefined> {
    return this.sql.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT * FROM runs WHERE id = ? ${this.sql.forUpdate}`, [id]);
      if (!row) return undefined;
      const next: StoredRun = { ...rowToRun(row), ...definedOnly(patch), id, updatedAt: this.sql.clock() };
      // A diagnosis that ended while its thread is still going out is `delivering` until the outbox is complete.
      let settlesTo = text(row.settles_to);
      if (isTerminal(next.status) && (Number(row.delivery_open) === 1 || (await pendingCount(tx, id)) > 0)) {
        settlesTo = next.status;
        next.status = 'delivering';
      }
      const columns = RUN_COLUMNS.filter((c) => c !== 'id');
      await tx.execute(`UPDATE runs SET ${columns.map((c) => `${c} = ?`).join(', ')}, settles_to = ? WHERE id = ?`, [
        ...runToRow(next).slice(1),
        settlesTo,
        id,
      ]);
      return next;
    });
  }

  async appendEvent(runId: string, event: RunJournalEvent): Promise<number> {
    return this.sql.db.transaction(async (tx) => {
      const seq = await insertEvent(tx, runId, event, iso(this.sql.clock()));
      if (seq === undefined) throw new Error(`no run ${runId} to append an event to`);
      return seq;
    });
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const [row] = await this.sql.db.query('SELECT * FROM runs WHERE id = ?', [id]);
    return row ? rowToRun(row) : undefined;
  }

  async events(runId: string): Promise<StoredEvent[]> {
    const rows = await this.sql.db.query('SELECT * FROM run_events WHERE run_id = ? ORDER BY seq', [runId]);
    return rows.map((row) => ({
      runId: String(row.run_id),
      seq: Number(row.seq),
      type: String(row.type) as StoredEvent['type'],
      at: date(row.at),
      data: decodeJson<RunJournalEvent>(String(row.data)),
    }));
  }

  async listRuns(query: ListRunsQuery = {}): Promise<StoredRun[]> {
    const { where, params } = conditions([
      ['channel = ?', query.channel],
      ['status = ?', query.status],
    ]);
    const limit = Math.max(1, Math.min(10_000, Math.floor(query.limit ?? 20)));
    const rows = await this.sql.db.query(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(rowToRun);
  }

  async runByThread(channel: string, ts: string): Promise<StoredRun | undefined> {
    const [row] = await this.sql.db.query(
      'SELECT * FROM runs WHERE channel = ? AND (root_ts = ? OR thread_ts = ?) ORDER BY started_at DESC, id DESC LIMIT 1',
      [channel, ts, ts],
    );
    return row ? rowToRun(row) : undefined;
  }

  async markInterrupted(query: MarkInterruptedQuery): Promise<StoredRun[]> {
    const { where: which, params } = conditions([
      ['owner = ?', query.owner],
      ['updated_at < ?', query.staleBefore && iso(query.staleBefore)],
    ]);
    if (which.length === 0) return [];
    return this.sql.db.transaction(async (tx) => {
      // Re-checked under the row lock: of two replicas marking at once, each run is returned to one of them.
      const rows = await tx.query(
        `UPDATE runs SET status = 'interrupted', finished_at = ?, updated_at = ?
         WHERE status = 'running' AND (${which.join(' OR ')}) RETURNING *`,
        [iso(query.at), iso(this.sql.clock()), ...params],
      );
      const runs = rows.map(rowToRun);
      for (const run of runs)
        await insertEvent(tx, run.id, { type: 'interrupted', reason: query.reason, at: query.at });
      return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    });
  }

  /** In batches of `batch` runs, each its own short transaction, so other writers are never held up for long. */
  async deleteRunsBefore(before: Date, batch = 500): Promise<number> {
    const size = Math.max(1, Math.floor(batch));
    let deleted = 0;
    while (true) {
      const gone = await this.sql.db.transaction(async (tx) => {
        const rows = await tx.query(
          `SELECT id FROM runs WHERE started_at < ? AND status NOT IN ('running', 'delivering') ORDER BY started_at LIMIT ${size}`,
          [iso(before)],
        );
        const ids = rows.map((row) => String(row.id));
        if (ids.length === 0) return 0;
        await tx.execute(`DELETE FROM run_events WHERE run_id IN (${placeholders(ids.length)})`, ids);
        await tx.execute(`DELETE FROM outbox WHERE run_id IN (${placeholders(ids.length)})`, ids);
        return tx.execute(`DELETE FROM runs WHERE id IN (${placeholders(ids.length)})`, ids);
      });
      deleted += gone;
      if (gone < size) break;
    }
    // Commands are only ever run within minutes of being asked: older ones are history, whatever their state.
    await this.sql.db.execute('DELETE FROM commands WHERE received_at < ?', [iso(before)]);
    return deleted;
  }
}

/**
 * Appends an event to a run's journal in a transaction, under the next sequence number of the run (`updatedAt`, if
 * given, becomes the run's); undefined when there is no such run. The UPDATE locks the run's row until commit, so
 * concurrent appenders get consecutive numbers.
 */
async function insertEvent(
  tx: SqlDb,
  runId: string,
  event: RunJournalEvent,
  updatedAt: string | null = null,
): Promise<number | undefined> {
  const [row] = await tx.query(
    'UPDATE runs SET next_seq = next_seq + 1, updated_at = COALESCE(?, updated_at) WHERE id = ? RETURNING next_seq',
    [updatedAt, runId],
  );
  if (!row) return undefined;
  const seq = Number(row.next_seq);
  await tx.execute('INSERT INTO run_events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)', [
    runId,
    seq,
    event.type,
    iso(event.at),
    encodeJson(event),
  ]);
  return seq;
}
