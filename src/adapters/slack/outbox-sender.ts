import type { WebClient } from '@slack/web-api';
import type { OutboxMessage, RunStore, StoredRun } from '../../application/ports/run-store.js';
import { type Idleness, IdleSignal } from '../../application/work/idle-signal.js';
import type { ChannelPacer } from './channel-pacer.js';
import { type MethodBudget, UNLIMITED } from './method-budget.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

/** Marks a message as Triage's outbox entry, so a sender restarted after a crash can find what was already posted. */
export const OUTBOX_EVENT_TYPE = 'triage_outbox';

/**
 * How long a replica's claim on a run's delivery stands without renewal. It is renewed before every message, so
 * another replica can take over a dead one's runs this long after its last send.
 */
export const DELIVERY_CLAIM_MS = 120_000;

export type OutboxStore = Pick<
  RunStore,
  'outbox' | 'markSending' | 'settleOutbox' | 'claimDelivery' | 'releaseDelivery' | 'enqueueOutbox' | 'getRun'
>;

export interface OutboxSenderDeps {
  store: OutboxStore;
  pacer: ChannelPacer;
  /** The workspace's chat.update budget, for root edits. */
  updates?: Pick<MethodBudget, 'take'>;
  /** This replica (TRIAGE_REPLICA_ID): the delivery claim's holder. */
  owner: string;
  logger: ReporterLogger;
  /** How long a delivery claim stands without renewal; renewed before every send. Default {@link DELIVERY_CLAIM_MS}. */
  claimTtlMs?: number;
  /**
   * The root message as it should read now, when this process knows the run: a root edit is sent with the latest
   * state rather than the one stored when it was queued (a decision made since, say). Undefined: the stored one.
   */
  currentRoot?: (runId: string) => { text: string; blocks?: unknown[] } | undefined;
  /** Told about every message given up (after the Web API client's retries). */
  onFailed?: (message: OutboxMessage, error: string) => void;
}

/** The sender stopped (SIGTERM): the message stays pending. */
class SenderStopped extends Error {
  constructor() {
    super('the outbox sender stopped');
    this.name = 'SenderStopped';
  }
}

interface Lane {
  running: Promise<void> | undefined;
  again: boolean;
}

/** Which of a run's lanes a delivery drains: the thread's messages, the root's edit, or both. */
export type DeliveryLanes = 'all' | 'thread' | 'root';

export interface DeliverOptions {
  /** Default `all`. */
  lanes?: DeliveryLanes;
  /**
   * Root edits of this run are sent at least this far apart (alert counters in a storm of repeats): the edit waits,
   * and goes out with the state of the run when its time comes.
   */
  rootSpacingMs?: number;
}

/** How many times a delivery looks again for messages queued while its last pass ran (by another replica, say). */
const EXTRA_PASSES = 2;

const isOpen = (m: OutboxMessage): boolean => m.state === 'pending' || m.state === 'sending';

/**
 * Sends what runs queued in the outbox: per run, the thread's messages (replies, ledger) one at a time in their order,
 * paced per channel, and the root's latest edit on its own lane (a root edit need not wait for the replies). Every
 * result is written as soon as Slack answers: a message is marked `sending` just before its call and `sent` with
 * its ts right after, and a sender that finds a message still `sending` (a crash in between) looks for it in the
 * thread (by its metadata) before posting it again. Once stopped, it sends nothing more and leaves the rest pending.
 */
export class OutboxSender {
  private readonly deps: OutboxSenderDeps;
  private readonly threads = new Map<string, Lane>();
  private readonly roots = new Map<string, Lane>();
  /** Per run: the spacing its root edits keep, and when its last root edit was sent (while edits keep coming). */
  private readonly spacing = new Map<string, { ms: number; lastAt: number; forget?: NodeJS.Timeout }>();
  private stopped = false;
  /** Lanes draining (a run's thread lane, its root lane). */
  private readonly work = new IdleSignal();
  private onStopped: () => void = () => undefined;
  /** Resolves when {@link stop} is called: callers waiting for a delivery are let go at once. */
  private readonly stoppedSignal = new Promise<void>((resolve) => {
    this.onStopped = resolve;
  });

  constructor(deps: OutboxSenderDeps) {
    this.deps = deps;
  }

  /** The replica whose claims this sender takes. */
  get owner(): string {
    return this.deps.owner;
  }

  /** True once {@link stop} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs with a delivery under way. */
  active(): number {
    return new Set([...this.threads.keys(), ...this.roots.keys()]).size;
  }

  /** Idle when no run has a delivery under way. */
  get idleness(): Idleness {
    return this.work;
  }

  /** Runs whose root-edit spacing is remembered (empty once their edits are done). */
  spacingHeld(): number {
    return this.spacing.size;
  }

  /**
   * Delivers the run's pending messages; resolves once none is pending, the run is claimed by another replica, or
   * the sender stopped. Called again while delivering, it picks up what was queued since. Messages queued by another
   * process while the last pass ran are picked up too; once the run's thread is complete the claim is let go, so the
   * next message of the run (an alert line, a decision) can be delivered by whichever replica queues it.
   */
  async deliver(runId: string, client: WebClient, options: DeliverOptions = {}): Promise<StoredRun | undefined> {
    if (this.stopped) return undefined;
    const ttl = this.deps.claimTtlMs ?? DELIVERY_CLAIM_MS;
    if (!(await this.deps.store.claimDelivery(runId, this.deps.owner, ttl))) {
      this.deps.logger.warn({ runId }, 'another replica delivers this run');
      return undefined;
    }
    const lanes = options.lanes ?? 'all';
    if (options.rootSpacingMs !== undefined) this.spaceRoot(runId, options.rootSpacingMs);
    for (let pass = 0; pass <= EXTRA_PASSES; pass++) {
      await Promise.race([
        Promise.all([
          lanes !== 'root' ? this.kick(this.threads, runId, () => this.drainThread(runId, client)) : undefined,
          lanes !== 'thread' ? this.kick(this.roots, runId, () => this.drainRoot(runId, client)) : undefined,
        ]),
        this.stoppedSignal,
      ]);
      if (this.stopped) return undefined;
      const left = (await this.deps.store.outbox(runId)).filter(
        (m) => m.state === 'pending' && (lanes === 'all' || (lanes === 'root') === (m.kind === 'root')),
      );
      if (left.length === 0 || this.threads.has(runId) || this.roots.has(runId)) break;
    }
    const run = await this.deps.store.getRun(runId);
    // Settled: its delivery is closed and nothing is pending.
    const settled = run?.status === 'finished' || run?.status === 'failed';
    if (settled && !this.threads.has(runId) && !this.roots.has(runId))
      await this.deps.store.releaseDelivery(runId, this.deps.owner).catch(() => undefined);
    return run;
  }

  /**
   * Sends the run's pending root edit once even though the sender is stopped: at shutdown, the root of a run cut
   * short says so within the last seconds. What does not make it stays pending for the next start.
   */
  async flushRoot(runId: string, client: WebClient): Promise<void> {
    const waiting = (await this.deps.store.outbox(runId)).filter((m) => m.kind === 'root' && isOpen(m));
    for (const message of waiting) {
      await (this.deps.updates ?? UNLIMITED).take();
      await this.send(message, client, true);
    }
  }

  /**
   * Stops sending: what is queued stays pending in the store. Resolves when the sends under way have answered and
   * been recorded, or after `waitMs` (a send whose answer comes later stays `sending`; the next sender finds it in
   * the thread).
   */
  async stop(waitMs = 2000): Promise<void> {
    this.stopped = true;
    this.onStopped();
    const running = [...this.threads.values(), ...this.roots.values()].map((l) => l.running);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((p) => p?.catch(() => undefined))),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private spaceRoot(runId: string, ms: number): void {
    const entry = this.spacing.get(runId);
    if (entry?.forget) clearTimeout(entry.forget);
    this.spacing.set(runId, { ms: Math.max(ms, entry?.ms ?? 0), lastAt: entry?.lastAt ?? 0 });
  }

  /** Spacing only matters while edits keep coming: forgotten once the run's root lane has been idle that long. */
  private forgetSpacingLater(runId: string): void {
    const entry = this.spacing.get(runId);
    if (!entry) return;
    if (entry.forget) clearTimeout(entry.forget);
    entry.forget = setTimeout(() => {
      if (!this.roots.has(runId) && this.spacing.get(runId) === entry) this.spacing.delete(runId);
    }, entry.ms);
    entry.forget.unref?.();
  }

  private kick(lanes: Map<string, Lane>, runId: string, drain: () => Promise<void>): Promise<void> {
    let lane = lanes.get(runId);
    if (lane?.running) {
      lane.again = true;
      return lane.running;
    }
    lane = { running: undefined, again: true };
    lanes.set(runId, lane);
    const current = lane;
    const drained = this.work.begin();
    current.running = (async () => {
      try {
        while (current.again && !this.stopped) {
          current.again = false;
          await drain();
        }
      } catch (err) {
        if (!(err instanceof SenderStopped))
          this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the outbox could not be delivered');
      } finally {
        lanes.delete(runId);
        drained();
      }
    })();
    return current.running;
  }

  private async drainThread(runId: string, client: WebClient): Promise<void> {
    const waiting = (await this.deps.store.outbox(runId)).filter((m) => m.kind !== 'root' && isOpen(m));
    for (const message of waiting) {
      if (this.stopped) throw new SenderStopped();
      await this.deps.store.claimDelivery(runId, this.deps.owner, this.deps.claimTtlMs ?? DELIVERY_CLAIM_MS);
      await this.deps.pacer
        .run(message.channel, () => this.send(message, client))
        .catch((err: unknown) => {
          if (err instanceof SenderStopped) throw err;
          // A failure was recorded by send(); anything else (the store) leaves the message for the next sender.
        });
    }
  }

  private async drainRoot(runId: string, client: WebClient): Promise<void> {
    try {
      while (true) {
        const waiting = (await this.deps.store.outbox(runId)).filter((m) => m.kind === 'root' && isOpen(m));
        if (waiting.length === 0) return;
        if (this.stopped) throw new SenderStopped();
        const spaced = this.spacing.get(runId);
        const wait = spaced ? spaced.lastAt + spaced.ms - Date.now() : 0;
        if (wait > 0) {
          // A newer edit queued meanwhile replaces this one in the store: read the outbox again after the wait.
          await this.sleep(wait);
          continue;
        }
        for (const message of waiting) {
          if (this.stopped) throw new SenderStopped();
          await (this.deps.updates ?? UNLIMITED).take();
          const entry = this.spacing.get(runId);
          if (entry) entry.lastAt = Date.now();
          await this.send(message, client).catch((err: unknown) => {
            if (err instanceof SenderStopped) throw err;
          });
        }
        return;
      }
    } finally {
      this.forgetSpacingLater(runId);
    }
  }

  /** Waits `ms`, or less if the sender stops. */
  private async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
      this.stoppedSignal,
    ]);
    clearTimeout(timer);
  }

  /** One message: found already posted, or sent now; its result recorded at once. */
  private async send(message: OutboxMessage, client: WebClient, evenStopped = false): Promise<void> {
    if (this.stopped && !evenStopped) throw new SenderStopped();
    const { store } = this.deps;
    const { runId, seq } = message;
    if (message.state === 'sending' && message.kind !== 'root') {
      const found = await this.findPosted(message, client);
      if (found) {
        await store.settleOutbox(runId, seq, { state: 'sent', slackTs: found });
        return;
      }
    }
    // False when a newer root edit replaced it, or another sender settled it.
    if (!(await store.markSending(runId, seq))) return;
    let slackTs: string;
    try {
      slackTs = await this.call(message, client);
    } catch (err) {
      const error = describeSlackError(err);
      await store.settleOutbox(runId, seq, { state: 'failed', error });
      this.deps.logger.warn({ runId, seq, kind: message.kind, error }, 'an outbox message could not be delivered');
      this.deps.onFailed?.(message, error);
      return;
    }
    // The only window where a crash repeats a message: Slack has answered, this write has not committed.
    await store.settleOutbox(runId, seq, { state: 'sent', slackTs });
  }

  private async call(message: OutboxMessage, client: WebClient): Promise<string> {
    if (message.kind === 'root') {
      const { text, blocks } = this.deps.currentRoot?.(message.runId) ?? message.payload;
      const res = await client.chat.update({
        channel: message.channel,
        ts: message.targetTs ?? '',
        text,
        ...(blocks ? { blocks: blocks as never } : {}),
      });
      return String(res.ts ?? message.targetTs);
    }
    const { text, blocks } = message.payload;
    const res = await client.chat.postMessage({
      channel: message.channel,
      text,
      ...(blocks ? { blocks: blocks as never } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { run_id: message.runId, seq: message.seq } },
    });
    return String(res.ts);
  }

  /** The ts of this message if an earlier sender posted it (its metadata names the run and seq), else undefined. */
  private async findPosted(message: OutboxMessage, client: WebClient): Promise<string | undefined> {
    if (!message.threadTs) return undefined;
    let cursor: string | undefined;
    try {
      for (let page = 0; page < 20; page++) {
        const res = await client.conversations.replies({
          channel: message.channel,
          ts: message.threadTs,
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of res.messages ?? []) {
          const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
          if (
            meta?.event_type === OUTBOX_EVENT_TYPE &&
            meta.event_payload?.run_id === message.runId &&
            Number(meta.event_payload?.seq) === message.seq
          )
            return m.ts;
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) return undefined;
      }
    } catch (err) {
      // Cannot look: post it again (at most this one message may show twice).
      this.deps.logger.warn(
        { runId: message.runId, seq: message.seq, error: describeSlackError(err) },
        'could not check whether an interrupted post went out',
      );
    }
    return undefined;
  }
}
