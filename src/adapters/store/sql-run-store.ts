import { randomUUID } from 'node:crypto';
import type { AlertThread, ClaimKey, ClaimResult } from '../../application/ports/alert-threads.js';
import type {
  ClaimCommandsQuery,
  CommandStatus,
  DeliveryQuery,
  ListRunsQuery,
  MarkInterruptedQuery,
  NewCommand,
  NewOutboxMessage,
  NewRun,
  OutboxMessage,
  OutboxResult,
  RunJournalEvent,
  RunPatch,
  RunStore,
  StoredCommand,
  StoredEvent,
  StoredRun,
  UndeliveredRun,
} from '../../application/ports/run-store.js';
import { decodeJson, encodeJson } from './json-codec.js';
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';

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

/** Advisory lock ids (PostgreSQL): schema migrations, and alert-thread claims. */
export const LOCKS = { migrate: 7_402_001, alertClaims: 7_402_002 } as const;

const RUN_COLUMNS = [
  'id',
  'run_trigger',
  'symptom_text',
  'symptom',
  'service',
  'playbook',
  'status',
  'channel',
  'root_ts',
  'thread_ts',
  'user_id',
  'alert',
  'owner',
  'started_at',
  'updated_at',
  'finished_at',
  'result',
  'decision',
  'undelivered',
] as const;

const iso = (d: Date): string => d.toISOString();
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const date = (v: unknown): Date => new Date(String(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : decodeJson<T>(String(v)));

function runToRow(run: StoredRun): unknown[] {
  return [
    run.id,
    run.trigger,
    run.text,
    encodeJson(run.symptom),
    run.service,
    run.playbook,
    run.status,
    run.channel,
    run.rootTs,
    run.threadTs,
    run.userId,
    run.alert ? encodeJson(run.alert) : null,
    run.owner,
    iso(run.startedAt),
    iso(run.updatedAt),
    run.finishedAt ? iso(run.finishedAt) : null,
    run.result ? encodeJson(run.result) : null,
    run.decision ? encodeJson(run.decision) : null,
    run.undelivered,
  ];
}

function rowToRun(row: Row): StoredRun {
  return {
    id: String(row.id),
    trigger: String(row.run_trigger) as StoredRun['trigger'],
    text: String(row.symptom_text),
    symptom: decodeJson<StoredRun['symptom']>(String(row.symptom)),
    service: text(row.service),
    playbook: text(row.playbook),
    status: String(row.status) as StoredRun['status'],
    channel: text(row.channel),
    rootTs: text(row.root_ts),
    threadTs: text(row.thread_ts),
    userId: text(row.user_id),
    alert: json<StoredRun['alert']>(row.alert),
    owner: String(row.owner),
    startedAt: date(row.started_at),
    updatedAt: date(row.updated_at),
    finishedAt: row.finished_at === null || row.finished_at === undefined ? null : date(row.finished_at),
    result: json<StoredRun['result']>(row.result),
    decision: json<StoredRun['decision']>(row.decision),
    undelivered: Number(row.undelivered),
  };
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

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * The run store over SQL, shared by the SQLite and PostgreSQL engines: the same schema, the same statements, the
 * same atomicity (single-statement upserts with conditions, row locks taken by UPDATE … RETURNING, and an advisory
 * lock around alert-thread claims).
 */
/** Claims between two clean-ups of expired claims and old alert threads. */
const PRUNE_EVERY = 500;
/** Alert threads not seen for this long are forgotten (their windows are hours at most). */
const ALERT_THREAD_RETENTION_MS = 7 * 24 * 3_600_000;

export class SqlRunStore implements RunStore {
  protected readonly db: SqlDb;
  private readonly clock: () => Date;
  private claimsSincePrune = 0;
  /** This store's process: the commands it accepts are its own live work, never claimed back by itself. */
  private readonly session = randomUUID();

  constructor(db: SqlDb, options: { clock?: () => Date } = {}) {
    this.db = db;
    this.clock = options.clock ?? (() => new Date());
  }

  async migrate(options: { upTo?: number } = {}): Promise<number> {
    const target = options.upTo ?? LATEST_VERSION;
    for (const migration of MIGRATIONS) {
      if (migration.version > target) break;
      await this.db.transaction(
        async (tx) => {
          await tx.execute(MIGRATIONS_TABLE);
          const done = await tx.query('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
          if (done.length > 0) return;
          for (const statement of migration.statements) await tx.execute(statement);
          await tx.execute('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.description,
            iso(this.clock()),
          ]);
        },
        { lock: LOCKS.migrate },
      );
    }
    return this.schemaVersion();
  }

  async schemaVersion(): Promise<number> {
    try {
      const rows = await this.db.query('SELECT MAX(version) AS version FROM schema_migrations');
      return Number(rows[0]?.version ?? 0);
    } catch {
      return 0;
    }
  }

  async createRun(run: NewRun): Promise<StoredRun> {
    const stored: StoredRun = {
      ...run,
      status: run.status ?? 'running',
      updatedAt: this.clock(),
      finishedAt: null,
      result: null,
      decision: null,
      undelivered: 0,
    };
    await this.db.execute(
      `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${placeholders(RUN_COLUMNS.length)})`,
      runToRow(stored),
    );
    return stored;
  }

  async updateRun(id: string, patch: RunPatch): Promise<StoredRun | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT * FROM runs WHERE id = ? ${this.forUpdate()}`, [id]);
      if (!row) return undefined;
      const next: StoredRun = { ...rowToRun(row), ...definedOnly(patch), id, updatedAt: this.clock() };
      // A diagnosis that ended while its thread is still going out is `delivering` until the outbox is complete.
      let settlesTo = text(row.settles_to);
      if (isTerminal(next.status) && (Number(row.delivery_open) === 1 || (await this.pendingCount(tx, id)) > 0)) {
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
    return this.db.transaction(async (tx) => {
      // The UPDATE locks the run's row until commit, so concurrent appenders get consecutive numbers.
      const [row] = await tx.query(
        'UPDATE runs SET next_seq = next_seq + 1, updated_at = ? WHERE id = ? RETURNING next_seq',
        [iso(this.clock()), runId],
      );
      if (!row) throw new Error(`no run ${runId} to append an event to`);
      const seq = Number(row.next_seq);
      await tx.execute('INSERT INTO run_events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)', [
        runId,
        seq,
        event.type,
        iso(event.at),
        encodeJson(event),
      ]);
      return seq;
    });
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const [row] = await this.db.query('SELECT * FROM runs WHERE id = ?', [id]);
    return row ? rowToRun(row) : undefined;
  }

  async events(runId: string): Promise<StoredEvent[]> {
    const rows = await this.db.query('SELECT * FROM run_events WHERE run_id = ? ORDER BY seq', [runId]);
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
    const rows = await this.db.query(
      `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(rowToRun);
  }

  async runByThread(channel: string, ts: string): Promise<StoredRun | undefined> {
    const [row] = await this.db.query(
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
    return this.db.transaction(async (tx) => {
      // Re-checked under the row lock: of two replicas marking at once, each run is returned to one of them.
      const rows = await tx.query(
        `UPDATE runs SET status = 'interrupted', finished_at = ?, updated_at = ?
         WHERE status = 'running' AND (${which.join(' OR ')}) RETURNING *`,
        [iso(query.at), iso(this.clock()), ...params],
      );
      const runs = rows.map(rowToRun);
      for (const run of runs) {
        const [seqRow] = await tx.query('UPDATE runs SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq', [
          run.id,
        ]);
        const event: RunJournalEvent = { type: 'interrupted', reason: query.reason, at: query.at };
        await tx.execute('INSERT INTO run_events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)', [
          run.id,
          Number(seqRow?.next_seq),
          event.type,
          iso(event.at),
          encodeJson(event),
        ]);
      }
      return runs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    });
  }

  /** In batches of `batch` runs, each its own short transaction, so other writers are never held up for long. */
  async deleteRunsBefore(before: Date, batch = 500): Promise<number> {
    const size = Math.max(1, Math.floor(batch));
    let deleted = 0;
    while (true) {
      const gone = await this.db.transaction(async (tx) => {
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
    await this.db.execute('DELETE FROM commands WHERE received_at < ?', [iso(before)]);
    return deleted;
  }

  async claimKey(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if (++this.claimsSincePrune >= PRUNE_EVERY) {
      this.claimsSincePrune = 0;
      await this.prune();
    }
    const now = this.clock();
    // One statement: a new key is inserted; a held key is taken over only when its claim has expired.
    const rows = await this.db.query(
      `INSERT INTO claimed_keys (claim_key, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (claim_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE claimed_keys.expires_at <= ? RETURNING claim_key`,
      [key, owner, iso(new Date(now.getTime() + ttlMs)), iso(now)],
    );
    return rows.length === 1;
  }

  /**
   * Deletes expired claims and alert threads not seen for a week (with their keys), so neither table grows with
   * every event Slack ever sent. Runs go by retention ({@link deleteRunsBefore}). Returns how many rows went.
   */
  async prune(): Promise<{ claims: number; threads: number }> {
    const now = this.clock();
    const cutoff = iso(new Date(now.getTime() - ALERT_THREAD_RETENTION_MS));
    return this.db.transaction(
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
    await this.db.execute('DELETE FROM claimed_keys WHERE claim_key = ?', [key]);
  }

  async enqueueOutbox(
    runId: string,
    messages: readonly NewOutboxMessage[],
    options: { open?: boolean; close?: boolean } = {},
  ): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      const open = options.close ? 0 : options.open ? 1 : undefined;
      // The UPDATE locks the run's row until commit, so concurrent writers get consecutive numbers.
      const [row] = await tx.query(
        `UPDATE runs SET outbox_seq = outbox_seq + ?, delivery_open = COALESCE(?, delivery_open), updated_at = ?
         WHERE id = ? RETURNING outbox_seq, status`,
        [messages.length, open ?? null, iso(this.clock()), runId],
      );
      if (!row) throw new Error(`no run ${runId} to queue messages for`);
      const first = Number(row.outbox_seq) - messages.length + 1;
      const now = iso(this.clock());
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
    return this.db.transaction(async (tx) => {
      const changed = await tx.execute('UPDATE runs SET delivery_open = 0 WHERE id = ?', [runId]);
      if (changed === 0) return undefined;
      return this.settle(tx, runId);
    });
  }

  async outbox(runId: string): Promise<OutboxMessage[]> {
    const rows = await this.db.query('SELECT * FROM outbox WHERE run_id = ? ORDER BY seq', [runId]);
    return rows.map(rowToOutbox);
  }

  async markSending(runId: string, seq: number): Promise<boolean> {
    const changed = await this.db.execute(
      "UPDATE outbox SET state = 'sending' WHERE run_id = ? AND seq = ? AND state IN ('pending', 'sending')",
      [runId, seq],
    );
    return changed === 1;
  }

  async settleOutbox(runId: string, seq: number, result: OutboxResult): Promise<StoredRun | undefined> {
    return this.db.transaction(async (tx) => {
      const now = iso(this.clock());
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
    const rows = await this.db.query(
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
    const now = this.clock();
    return this.db.transaction(async (tx) => {
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
    await this.db.execute('DELETE FROM claimed_keys WHERE claim_key = ? AND owner = ?', [deliveryKey(runId), owner]);
  }

  async acceptCommand(command: NewCommand): Promise<StoredCommand> {
    const stored: StoredCommand = { ...command, status: 'accepted', updatedAt: this.clock() };
    await this.db.execute(
      `INSERT INTO commands (id, channel, user_id, team_id, command_text, symptom, response_url, received_at, status,
       owner, session, updated_at) VALUES (${placeholders(12)})`,
      [
        stored.id,
        stored.channel,
        stored.userId,
        stored.teamId,
        stored.text,
        encodeJson(stored.symptom),
        stored.responseUrl,
        iso(stored.receivedAt),
        stored.status,
        stored.owner,
        this.session,
        iso(stored.updatedAt),
      ],
    );
    return stored;
  }

  async settleCommand(id: string, status: Exclude<CommandStatus, 'accepted'>): Promise<StoredCommand | undefined> {
    const [row] = await this.db.query(
      `UPDATE commands SET status = ?, response_url = NULL, updated_at = ? WHERE id = ? AND status = 'accepted'
       RETURNING *`,
      [status, iso(this.clock()), id],
    );
    return row ? rowToCommand(row) : undefined;
  }

  async getCommand(id: string): Promise<StoredCommand | undefined> {
    const [row] = await this.db.query('SELECT * FROM commands WHERE id = ?', [id]);
    return row ? rowToCommand(row) : undefined;
  }

  async claimCommands(query: ClaimCommandsQuery): Promise<StoredCommand[]> {
    const { where: which, params } = conditions([
      ['c.owner = ?', query.owner],
      ['c.updated_at < ?', query.staleBefore && iso(query.staleBefore)],
    ]);
    const candidates = await this.db.query(
      `SELECT * FROM commands c WHERE c.status = 'accepted' AND c.session <> ? AND (${which.join(' OR ')})
       AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = c.id) ORDER BY c.received_at, c.id`,
      [this.session, ...params],
    );
    const claimed: StoredCommand[] = [];
    for (const candidate of candidates) {
      // Compare-and-set on the process that held it: of two replicas claiming at once, one changes the row and the
      // other's condition no longer holds (PostgreSQL re-checks it on the updated row; SQLite serialises writers).
      const [row] = await this.db.query(
        `UPDATE commands SET owner = ?, session = ?, updated_at = ?
         WHERE id = ? AND session = ? AND status = 'accepted'
         AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = commands.id) RETURNING *`,
        [query.owner, this.session, iso(this.clock()), String(candidate.id), String(candidate.session)],
      );
      if (row) claimed.push(rowToCommand(row));
    }
    return claimed;
  }

  async claim(keys: readonly ClaimKey[], thread: AlertThread): Promise<ClaimResult> {
    return this.db.transaction(
      async (tx) => {
        for (const { key, since } of keys) {
          const holder = await this.holderOf(tx, key);
          if (holder && holder.openedAt.getTime() >= since.getTime()) return { holder, matched: key };
        }
        await tx.execute(
          `INSERT INTO alert_threads (id, channel, thread_ts, run_id, service, title, opened_at, last_seen_at, status, firing)
           VALUES (${placeholders(10)})`,
          threadToRow(thread),
        );
        await this.bindKeys(
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
      const holder = await this.holderOf(this.db, key);
      if (holder && (!since || holder.openedAt.getTime() >= since.getTime())) return holder;
    }
    return undefined;
  }

  async bind(keys: readonly string[], threadId: string): Promise<void> {
    await this.db.transaction(
      async (tx) => {
        const [exists] = await tx.query('SELECT id FROM alert_threads WHERE id = ?', [threadId]);
        if (exists) await this.bindKeys(tx, keys, threadId);
      },
      { lock: LOCKS.alertClaims },
    );
  }

  async update(threadId: string, patch: Partial<Omit<AlertThread, 'id'>>): Promise<AlertThread | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT * FROM alert_threads WHERE id = ? ${this.forUpdate()}`, [threadId]);
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
    await this.db.transaction(async (tx) => {
      await tx.execute('DELETE FROM alert_keys WHERE thread_id = ?', [threadId]);
      await tx.execute('DELETE FROM alert_threads WHERE id = ?', [threadId]);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async pendingCount(db: SqlDb, runId: string): Promise<number> {
    const [row] = await db.query(
      "SELECT COUNT(*) AS n FROM outbox WHERE run_id = ? AND state IN ('pending', 'sending')",
      [runId],
    );
    return Number(row?.n ?? 0);
  }

  /** Delivering → the status it settles to, once the delivery is closed and nothing is pending. */
  private async settle(db: SqlDb, runId: string): Promise<StoredRun | undefined> {
    const [row] = await db.query(`SELECT * FROM runs WHERE id = ? ${this.forUpdate()}`, [runId]);
    if (!row) return undefined;
    if (String(row.status) !== 'delivering' || Number(row.delivery_open) === 1) return rowToRun(row);
    if ((await this.pendingCount(db, runId)) > 0) return rowToRun(row);
    const [settled] = await db.query(
      "UPDATE runs SET status = COALESCE(settles_to, 'finished'), settles_to = NULL WHERE id = ? RETURNING *",
      [runId],
    );
    return settled ? rowToRun(settled) : undefined;
  }

  /** Row lock for read-modify-write (PostgreSQL); SQLite's write transaction already excludes other writers. */
  protected forUpdate(): string {
    return '';
  }

  private async holderOf(db: SqlDb, key: string): Promise<AlertThread | undefined> {
    const [row] = await db.query(
      'SELECT t.* FROM alert_keys k JOIN alert_threads t ON t.id = k.thread_id WHERE k.alert_key = ?',
      [key],
    );
    return row ? rowToThread(row) : undefined;
  }

  private async bindKeys(db: SqlDb, keys: readonly string[], threadId: string): Promise<void> {
    for (const key of new Set(keys)) {
      await db.execute(
        `INSERT INTO alert_keys (alert_key, thread_id) VALUES (?, ?)
         ON CONFLICT (alert_key) DO UPDATE SET thread_id = excluded.thread_id`,
        [key, threadId],
      );
    }
  }
}

const isTerminal = (status: string): status is 'finished' | 'failed' => status === 'finished' || status === 'failed';

const deliveryKey = (runId: string): string => `delivery:${runId}`;

function rowToCommand(row: Row): StoredCommand {
  return {
    id: String(row.id),
    channel: String(row.channel),
    userId: String(row.user_id),
    teamId: text(row.team_id),
    text: String(row.command_text),
    symptom: decodeJson<StoredCommand['symptom']>(String(row.symptom)),
    responseUrl: text(row.response_url),
    receivedAt: date(row.received_at),
    status: String(row.status) as CommandStatus,
    owner: String(row.owner),
    updatedAt: date(row.updated_at),
  };
}

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
    settledAt: row.settled_at === null || row.settled_at === undefined ? null : date(row.settled_at),
  };
}

/** The SQL conditions whose value is given, and their parameters in order. */
function conditions(pairs: readonly (readonly [string, unknown])[]): { where: string[]; params: unknown[] } {
  const given = pairs.filter(([, value]) => value !== undefined);
  return { where: given.map(([sql]) => sql), params: given.map(([, value]) => value) };
}

/** A patch without its undefined fields (an absent field keeps its value). */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
