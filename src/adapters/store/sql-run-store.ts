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
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import { SqlAlertThreads } from './sql-alert-threads.js';
import { SqlCommands } from './sql-commands.js';
import { iso, LOCKS, type SqlContext, type SqlDb } from './sql-db.js';
import { SqlOutbox } from './sql-outbox.js';
import { SqlRuns } from './sql-runs.js';

export interface SqlRunStoreOptions {
  clock?: () => Date;
  /** Lock the rows a read-modify-write reads (`SELECT … FOR UPDATE`): PostgreSQL, where writers run concurrently. */
  lockRows?: boolean;
}

/**
 * The run store over SQL, shared by the SQLite and PostgreSQL engines: the same schema, the same statements, the
 * same atomicity (single-statement upserts with conditions, row locks taken by UPDATE … RETURNING, and an advisory
 * lock around alert-thread claims). Each concern has its part: runs and their events, the outbox, slash commands,
 * and claims with alert threads.
 */
export class SqlRunStore implements RunStore {
  private readonly sql: SqlContext;
  private readonly runs: SqlRuns;
  private readonly deliveries: SqlOutbox;
  private readonly commands: SqlCommands;
  private readonly threads: SqlAlertThreads;

  constructor(db: SqlDb, options: SqlRunStoreOptions = {}) {
    this.sql = { db, clock: options.clock ?? (() => new Date()), forUpdate: options.lockRows ? 'FOR UPDATE' : '' };
    this.runs = new SqlRuns(this.sql);
    this.deliveries = new SqlOutbox(this.sql);
    this.commands = new SqlCommands(this.sql);
    this.threads = new SqlAlertThreads(this.sql);
  }

  async migrate(options: { upTo?: number } = {}): Promise<number> {
    const target = options.upTo ?? LATEST_VERSION;
    for (const migration of MIGRATIONS) {
      if (migration.version > target) break;
      await this.sql.db.transaction(
        async (tx) => {
          await tx.execute(MIGRATIONS_TABLE);
          const done = await tx.query('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
          if (done.length > 0) return;
          for (const statement of migration.statements) await tx.execute(statement);
          await tx.execute('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.description,
            iso(this.sql.clock()),
          ]);
        },
        { lock: LOCKS.migrate },
      );
    }
    return this.schemaVersion();
  }

  async schemaVersion(): Promise<number> {
    try {
      const rows = await this.sql.db.query('SELECT MAX(version) AS version FROM schema_migrations');
      return Number(rows[0]?.version ?? 0);
    } catch {
      return 0;
    }
  }

  close(): Promise<void> {
    return this.sql.db.close();
  }

  // Runs and their events.
  createRun(run: NewRun): Promise<StoredRun> {
    return this.runs.createRun(run);
  }
  updateRun(id: string, patch: RunPatch): Promise<StoredRun | undefined> {
    return this.runs.updateRun(id, patch);
  }
  appendEvent(runId: string, event: RunJournalEvent): Promise<number> {
    return this.runs.appendEvent(runId, event);
  }
  getRun(id: string): Promise<StoredRun | undefined> {
    return this.runs.getRun(id);
  }
  events(runId: string): Promise<StoredEvent[]> {
    return this.runs.events(runId);
  }
  listRuns(query?: ListRunsQuery): Promise<StoredRun[]> {
    return this.runs.listRuns(query);
  }
  runByThread(channel: string, ts: string): Promise<StoredRun | undefined> {
    return this.runs.runByThread(channel, ts);
  }
  markInterrupted(query: MarkInterruptedQuery): Promise<StoredRun[]> {
    return this.runs.markInterrupted(query);
  }
  deleteRunsBefore(before: Date, batch?: number): Promise<number> {
    return this.runs.deleteRunsBefore(before, batch);
  }

  // The outbox of each run's thread, and who delivers it.
  enqueueOutbox(
    runId: string,
    messages: readonly NewOutboxMessage[],
    options?: { open?: boolean; close?: boolean },
  ): Promise<number[]> {
    return this.deliveries.enqueueOutbox(runId, messages, options);
  }
  closeOutbox(runId: string): Promise<StoredRun | undefined> {
    return this.deliveries.closeOutbox(runId);
  }
  outbox(runId: string): Promise<OutboxMessage[]> {
    return this.deliveries.outbox(runId);
  }
  markSending(runId: string, seq: number): Promise<boolean> {
    return this.deliveries.markSending(runId, seq);
  }
  settleOutbox(runId: string, seq: number, result: OutboxResult): Promise<StoredRun | undefined> {
    return this.deliveries.settleOutbox(runId, seq, result);
  }
  undeliveredRuns(query: DeliveryQuery): Promise<UndeliveredRun[]> {
    return this.deliveries.undeliveredRuns(query);
  }
  claimDelivery(runId: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.deliveries.claimDelivery(runId, owner, ttlMs);
  }
  releaseDelivery(runId: string, owner: string): Promise<void> {
    return this.deliveries.releaseDelivery(runId, owner);
  }

  // Slash commands.
  acceptCommand(command: NewCommand): Promise<StoredCommand> {
    return this.commands.acceptCommand(command);
  }
  settleCommand(id: string, status: Exclude<CommandStatus, 'accepted'>): Promise<StoredCommand | undefined> {
    return this.commands.settleCommand(id, status);
  }
  getCommand(id: string): Promise<StoredCommand | undefined> {
    return this.commands.getCommand(id);
  }
  claimCommands(query: ClaimCommandsQuery): Promise<StoredCommand[]> {
    return this.commands.claimCommands(query);
  }

  // Claimed keys and alert threads.
  claimKey(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.threads.claimKey(key, owner, ttlMs);
  }
  releaseKey(key: string): Promise<void> {
    return this.threads.releaseKey(key);
  }
  /** Deletes expired claims and alert threads not seen for a week, with their keys. */
  prune(): Promise<{ claims: number; threads: number }> {
    return this.threads.prune();
  }
  claim(keys: readonly ClaimKey[], thread: AlertThread): Promise<ClaimResult> {
    return this.threads.claim(keys, thread);
  }
  find(keys: readonly string[], since?: Date): Promise<AlertThread | undefined> {
    return this.threads.find(keys, since);
  }
  bind(keys: readonly string[], threadId: string): Promise<void> {
    return this.threads.bind(keys, threadId);
  }
  update(threadId: string, patch: Partial<Omit<AlertThread, 'id'>>): Promise<AlertThread | undefined> {
    return this.threads.update(threadId, patch);
  }
  release(threadId: string): Promise<void> {
    return this.threads.release(threadId);
  }
}
