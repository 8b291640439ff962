import type { WebClient } from '@slack/web-api';
import type { NewOutboxMessage, RunStore } from '../../application/ports/run-store.js';
import type { RunStateHolder } from '../../application/runs/run-state.js';
import type { SlackMessage } from './blocks/slack-message.js';
import { withDeliveryNote } from './delivery-note.js';
import { type MethodBudget, UNLIMITED } from './method-budget.js';
import type { OutboxSender } from './outbox-sender.js';
import type { RunRecord } from './run-registry.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

/** Per run, its outbox writes one after the other, so the stored order is the order they were asked for. */
export class OutboxWrites {
  private readonly chains = new Map<string, Promise<unknown>>();

  /** Runs `write` after the run's earlier writes; the chain is forgotten once it is idle. */
  write<T>(runId: string, write: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(runId) ?? Promise.resolve()).then(write);
    const settled = next.catch(() => undefined);
    this.chains.set(runId, settled);
    void settled.then(() => {
      if (this.chains.get(runId) === settled) this.chains.delete(runId);
    });
    return next;
  }

  /** Runs with writes under way. */
  get size(): number {
    return this.chains.size;
  }
}

/** The durable outbox root edits are written to before they are sent. */
export interface RootOutbox {
  store: Pick<RunStore, 'enqueueOutbox'>;
  sender: Pick<OutboxSender, 'deliver' | 'isStopped'> & Partial<Pick<OutboxSender, 'flushRoot'>>;
}

export interface RootEditorDeps {
  render: { root(record: RunRecord): SlackMessage };
  logger: ReporterLogger;
  /** The workspace's chat.update budget, shared by every root edit. */
  updates?: Pick<MethodBudget, 'take'> | undefined;
  outbox?: RootOutbox | undefined;
  /** The outbox writes of every run, shared with the thread's replies so their order is kept. */
  writes?: OutboxWrites;
  /** Told about an edit sent directly because the outbox refused its write (it is not durable). */
  onBypassed?: (runId: string, what: string, error: unknown) => void;
  /**
   * The holder of the runs' current states: an edit renders the run's state found there when it is written or sent,
   * so an edit that waited shows the newest state (default: the state the edit was asked with).
   */
  states?: Pick<RunStateHolder, 'get'> | undefined;
}

export interface RootEditOptions {
  /** Space this run's edits at least this far apart. */
  minIntervalMs?: number;
  /**
   * The edit belongs to the run's own delivery (the diagnosis is still reporting): it goes out with the thread and,
   * once the sender is stopped, stays pending for the next start with the rest of the thread.
   */
  withThread?: boolean;
  /** The run has no outbox (it could not be opened): send the edit directly. */
  direct?: boolean;
}

/**
 * The one editor of runs' root messages. The root is rendered from the run's current state (in the state holder)
 * when the edit is written or sent, so an edit that waited shows the latest state. With the outbox, the edit is written there first, replacing the run's
 * edit still pending (root edits are idempotent: the latest wins), and sent by the outbox sender, so a process
 * killed before Slack got it leaves it for the next start; once the sender is stopped (shutdown) an edit made
 * outside the run's own delivery is still tried once. Without an outbox, or when the store refuses the write, the
 * edit is sent directly: serialised per run, spaced, within the workspace's chat.update budget.
 */
export class RootEditor {
  private readonly deps: RootEditorDeps;
  private readonly writes: OutboxWrites;
  /** Per run, its latest root edit through the outbox (written, then delivered). */
  private readonly edits = new Map<string, Promise<void>>();
  /** Per run, the chain of root edits sent without the outbox. */
  private readonly directEdits = new Map<string, Promise<void>>();
  /** Runs with a direct edit queued and not started yet: another request joins it (it renders at send time). */
  private readonly editQueued = new Set<string>();
  private readonly lastEdit = new Map<string, number>();

  constructor(deps: RootEditorDeps) {
    this.deps = deps;
    this.writes = deps.writes ?? new OutboxWrites();
  }

  /** The root message for a run's current record, saying how many thread messages Slack never got. */
  render(record: RunRecord): SlackMessage {
    return withDeliveryNote(this.deps.render.root(record), record.undelivered);
  }

  /** The outbox entry of a root edit showing the run's current state. */
  entry(record: RunRecord): NewOutboxMessage {
    const root = this.render(this.latest(record));
    return {
      kind: 'root',
      channel: record.channel,
      threadTs: null,
      targetTs: record.rootTs,
      payload: { text: root.text, blocks: root.blocks },
    };
  }

  /** Edits the run's root to show its current record. Resolves once sent, left pending, or given up (logged). */
  edit(client: WebClient, record: RunRecord, options: RootEditOptions = {}): Promise<void> {
    if (!record.rootTs) return Promise.resolve();
    const { outbox } = this.deps;
    if (!outbox || options.direct) return this.editDirect(client, record, options);
    const { runId } = record;
    const { sender } = outbox;
    const done = this.writes
      .write(runId, () => outbox.store.enqueueOutbox(runId, [this.entry(record)]))
      .then(
        async () => {
          if (options.withThread) await sender.deliver(runId, client);
          else if (sender.isStopped) await sender.flushRoot?.(runId, client);
          else
            await sender.deliver(runId, client, {
              lanes: 'root',
              ...(options.minIntervalMs ? { rootSpacingMs: options.minIntervalMs } : {}),
            });
        },
        (err: unknown) => {
          // Stopped (shutdown past its grace): nothing more goes to Slack from this process.
          if (sender.isStopped) return undefined;
          if (this.deps.onBypassed) this.deps.onBypassed(runId, 'root', err);
          else
            this.deps.logger.warn(
              { runId, kind: 'root', error: describeSlackError(err), durable: false },
              'the outbox could not take a message; sending it directly',
            );
          return this.editDirect(client, record, options);
        },
      );
    const tracked = done.catch((err: unknown) => {
      this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the root message could not be updated');
    });
    this.edits.set(runId, tracked);
    void tracked.then(() => {
      if (this.edits.get(runId) === tracked) this.edits.delete(runId);
    });
    return tracked;
  }

  /** Resolves once the run's root edits under way are done. */
  async settled(runId: string): Promise<void> {
    await this.edits.get(runId);
    await this.directEdits.get(runId);
  }

  /** The run's newest state: the holder's, else the one the edit was asked with. */
  private latest(record: RunRecord): RunRecord {
    return this.deps.states?.get(record.runId) ?? record;
  }

  /** What the editor holds (edits under way, queued, spacing): empty once every run's edits are done. */
  held(): { rootEdits: number; queuedEdits: number; editTimes: number } {
    return {
      rootEdits: this.edits.size + this.directEdits.size,
      queuedEdits: this.editQueued.size + this.writes.size,
      editTimes: this.lastEdit.size,
    };
  }

  /** The root edit without the outbox: serialised per run, spaced, within the chat.update budget. */
  private editDirect(client: WebClient, record: RunRecord, options: RootEditOptions): Promise<void> {
    const { runId } = record;
    const previous = this.directEdits.get(runId) ?? Promise.resolve();
    if (this.editQueued.has(runId)) return previous;
    this.editQueued.add(runId);
    const next = previous.then(async () => {
      const wait = (this.lastEdit.get(runId) ?? 0) + (options.minIntervalMs ?? 0) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await (this.deps.updates ?? UNLIMITED).take();
      this.editQueued.delete(runId);
      this.lastEdit.set(runId, Date.now());
      const root = this.render(this.latest(record));
      try {
        await client.chat.update({ channel: record.channel, ts: record.rootTs, text: root.text, blocks: root.blocks });
      } catch (err) {
        this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the root message could not be updated');
      }
    });
    this.directEdits.set(runId, next);
    void next.then(() => {
      if (this.directEdits.get(runId) !== next) return;
      this.directEdits.delete(runId);
      // Spacing only matters while edits keep coming; forget it once the run's edits are done.
      setTimeout(() => {
        if (!this.directEdits.has(runId)) this.lastEdit.delete(runId);
      }, options.minIntervalMs ?? 0).unref?.();
    });
    return next;
  }
}
