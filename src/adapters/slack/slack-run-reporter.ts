import type { WebClient } from '@slack/web-api';
import type { NewOutboxMessage, RunStore } from '../../application/ports/run-store.js';
import type { DiagnosisOutcome, RunEvent, StepResult } from '../../domain/engine/types.js';
import type { SlackMessage } from './blocks/limits.js';
import type { ChannelPacer } from './channel-pacer.js';
import { withDeliveryNote } from './delivery-note.js';
import { type MethodBudget, UNLIMITED } from './method-budget.js';
import type { OutboxSender } from './outbox-sender.js';
import type { RunRecord } from './run-registry.js';

export type { SlackMessage };

/** The renderers a reporter needs, injected so the reporter can be tested without Block Kit details. */
export interface ThreadRenderers {
  root(record: RunRecord): SlackMessage;
  step(step: StepResult): SlackMessage;
  ledger(result: DiagnosisOutcome, record: RunRecord): SlackMessage;
}

/** The durable outbox a reporter writes its messages to before they are sent. */
export interface ReporterOutbox {
  store: Pick<RunStore, 'enqueueOutbox' | 'closeOutbox'>;
  sender: Pick<OutboxSender, 'deliver' | 'isStopped'>;
}

export interface ReporterLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Steps that say nothing new in a thread of their own: listed once in the ledger instead. */
function isQuiet(step: StepResult): boolean {
  return step.status === 'skipped' || step.status === 'no_data';
}

/**
 * Turns one run's event stream into its Slack thread: a reply per finished step (paced per channel, in order),
 * the root message edited in place as hypotheses change (at most every `rootEditMs`), and the ledger at the end.
 * A post that fails after the Web API client's own retries is counted as undelivered and the thread goes on.
 * With an outbox, every message is written to the run store before it is sent, and the ledger closes the run's
 * delivery; if the store cannot take it, the message is sent directly as without one.
 */
export class SlackRunReporter {
  private readonly client: WebClient;
  private readonly pacer: ChannelPacer;
  private readonly render: ThreadRenderers;
  private readonly record: RunRecord;
  private readonly logger: ReporterLogger;
  private readonly rootEditMs: number;
  private readonly compact: boolean;
  private readonly onFinished: (() => void) | undefined;
  private readonly updates: Pick<MethodBudget, 'take'>;
  private readonly onUndelivered: ((what: string, error: string) => void) | undefined;
  private readonly onBypassed: ((what: string, error: unknown) => void) | undefined;
  private lastRootEdit = 0;
  private rootDirty = false;
  private rootChain: Promise<void> = Promise.resolve();
  private readonly outbox: ReporterOutbox | undefined;
  /** Outbox writes in event order, so the messages' sequence numbers follow the thread's order. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(deps: {
    client: WebClient;
    pacer: ChannelPacer;
    render: ThreadRenderers;
    record: RunRecord;
    logger: ReporterLogger;
    rootEditMs?: number;
    /** Only the root (edited in place) and the ledger: no reply per step. */
    compact?: boolean;
    /** Called when the diagnosis itself is over, before its last posts are delivered. */
    onFinished?: () => void;
    /** The workspace's chat.update budget. */
    updates?: Pick<MethodBudget, 'take'>;
    /** Told about every post Slack never got (after the client's retries), so it can be recorded. */
    onUndelivered?: (what: string, error: string) => void;
    /** Write every message to the run store's outbox before it is sent. */
    outbox?: ReporterOutbox;
    /**
     * Told about every message sent directly although it should have gone through the outbox: the store refused its
     * write, or (without `outbox`) the run's outbox could not be opened. Such a message is not durable.
     */
    onBypassed?: (what: string, error: unknown) => void;
  }) {
    this.outbox = deps.outbox;
    this.client = deps.client;
    this.pacer = deps.pacer;
    this.render = deps.render;
    this.record = deps.record;
    this.logger = deps.logger;
    this.rootEditMs = deps.rootEditMs ?? 2000;
    this.compact = deps.compact ?? false;
    this.onFinished = deps.onFinished;
    this.updates = deps.updates ?? UNLIMITED;
    this.onUndelivered = deps.onUndelivered;
    this.onBypassed = deps.onBypassed;
  }

  /** Consumes the run to its end and returns its result. */
  async consume(run: AsyncGenerator<RunEvent, DiagnosisOutcome>): Promise<DiagnosisOutcome> {
    const replies: Promise<unknown>[] = [];
    while (true) {
      const next = await run.next();
      if (next.done) {
        await Promise.all(replies);
        return next.value;
      }
      const event = next.value;
      switch (event.type) {
        case 'run-started':
          this.record.stepsTotal = event.steps.length;
          this.record.playbook = event.playbook;
          break;
        case 'step-finished':
          this.record.stepsDone++;
          if (!this.compact && !isQuiet(event.step))
            replies.push(this.reply(this.render.step(event.step), `step ${event.step.id}`));
          this.editRoot(false);
          break;
        case 'hypotheses-updated': {
          const top = event.hypotheses[0];
          if (top) this.record.top = top;
          this.editRoot(false);
          break;
        }
        case 'run-finished':
          this.onFinished?.();
          this.record.result = event.result;
          if (event.result.service) this.record.service = event.result.service;
          this.record.status = event.result.conclusion.kind === 'failed' ? 'failed' : 'finished';
          replies.push(this.reply(this.render.ledger(event.result, this.record), 'ledger', true));
          // The root shows the conclusion at once; the thread's replies follow at the channel's pace.
          this.editRoot(true);
          await Promise.all(replies);
          await this.rootChain;
          break;
        default:
          break;
      }
    }
  }

  /** Re-renders the root message now (after a human decision, say). */
  refreshRoot(): Promise<void> {
    this.editRoot(true);
    return this.rootChain;
  }

  /** Closes the run's delivery without a ledger (the diagnosis failed); its queued messages still go out. */
  async closeDelivery(): Promise<void> {
    if (!this.outbox) return;
    const { store, sender } = this.outbox;
    const write = this.writes.then(() => store.closeOutbox(this.record.runId));
    this.writes = write.catch(() => undefined);
    await write.catch(() => undefined);
    await sender.deliver(this.record.runId, this.client);
  }

  private reply(message: SlackMessage, what: string, last = false): Promise<unknown> {
    if (this.outbox) {
      const { channel, threadTs } = this.record;
      const entry: NewOutboxMessage = {
        kind: last ? 'ledger' : 'reply',
        channel,
        threadTs,
        targetTs: null,
        payload: { text: message.text, blocks: message.blocks, label: what },
      };
      return this.queue(entry, last ? { close: true } : {}, () => this.postDirect(message, what));
    }
    this.onBypassed?.(what, 'the run has no outbox');
    return this.postDirect(message, what);
  }

  /** Writes to the outbox in order and has the sender deliver; sends directly if the store refuses. */
  private queue(
    entry: NewOutboxMessage,
    options: { close?: boolean },
    direct: () => Promise<unknown>,
  ): Promise<unknown> {
    const outbox = this.outbox;
    if (!outbox) return direct();
    const { runId } = this.record;
    const write = this.writes.then(() => outbox.store.enqueueOutbox(runId, [entry], options));
    this.writes = write.catch(() => undefined);
    return write.then(
      () => outbox.sender.deliver(runId, this.client),
      (err: unknown) => {
        // Stopped (shutdown past its grace): nothing more goes to Slack from this process.
        if (outbox.sender.isStopped) return undefined;
        if (this.onBypassed) this.onBypassed(entry.payload.label ?? entry.kind, err);
        else
          this.logger.warn(
            { runId, kind: entry.kind, error: describeSlackError(err), durable: false },
            'the outbox could not take a message; sending it directly',
          );
        return direct();
      },
    );
  }

  private postDirect(message: SlackMessage, what: string): Promise<unknown> {
    const { channel, threadTs } = this.record;
    return this.pacer
      .run(channel, () =>
        this.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks }),
      )
      .catch((err: unknown) => {
        this.record.undelivered++;
        const error = describeSlackError(err);
        this.logger.warn({ runId: this.record.runId, what, error }, 'a thread reply could not be delivered');
        this.onUndelivered?.(what, error);
      });
  }

  private editRoot(force: boolean): void {
    const now = Date.now();
    // Compact threads (alert storms) edit the root once, at the end: chat.update is rate limited too.
    if (!force && (this.compact || now - this.lastRootEdit < this.rootEditMs)) {
      this.rootDirty = true;
      return;
    }
    this.lastRootEdit = now;
    this.rootDirty = false;
    const { channel, rootTs } = this.record;
    const outbox = this.outbox;
    if (outbox) {
      // Rendered now: the outbox keeps only the latest pending root edit, so it goes out with the latest state.
      const message = withDeliveryNote(this.render.root(this.record), this.record.undelivered);
      const entry: NewOutboxMessage = {
        kind: 'root',
        channel,
        threadTs: null,
        targetTs: rootTs,
        payload: { text: message.text, blocks: message.blocks },
      };
      this.rootChain = this.queue(entry, {}, () => this.updateDirect()).then(() => undefined);
      return;
    }
    this.onBypassed?.('root', 'the run has no outbox');
    this.rootChain = this.rootChain.then(() => this.updateDirect());
  }

  private updateDirect(): Promise<void> {
    const { channel, rootTs } = this.record;
    return Promise.resolve()
      .then(async () => {
        await this.updates.take();
        // Rendered when sent, so an edit that waited for the budget shows the latest state.
        const message = this.render.root(this.record);
        return this.client.chat.update({ channel, ts: rootTs, text: message.text, blocks: message.blocks });
      })
      .then(
        () => undefined,
        (err: unknown) => {
          this.logger.warn(
            { runId: this.record.runId, error: describeSlackError(err) },
            'the root message could not be updated',
          );
        },
      );
  }

  /** True when an edit was skipped by the throttle and is still owed. */
  get pendingRootEdit(): boolean {
    return this.rootDirty;
  }
}

/** An error as safe, short text for logs: the Slack error code or message, never a token. */
export function describeSlackError(err: unknown): string {
  if (err && typeof err === 'object') {
    const data = (err as { data?: { error?: unknown } }).data;
    if (data && typeof data.error === 'string') return data.error;
    const code = (err as { code?: unknown }).code;
    const message = (err as { message?: unknown }).message;
    return [code, message]
      .filter((x) => typeof x === 'string')
      .join(': ')
      .replace(/xox[a-z]-[\w-]+/g, 'xox…');
  }
  return String(err);
}
