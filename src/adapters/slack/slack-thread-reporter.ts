import type { WebClient } from '@slack/web-api';
import type { NewOutboxMessage, RunStore } from '../../application/ports/run-store.js';
import { advance } from '../../application/runs/run-progress.js';
import type { DiagnosisOutcome, RunEvent, StepResult } from '../../domain/engine/types.js';
import type { SlackMessage } from './blocks/slack-message.js';
import type { ChannelPacer } from './channel-pacer.js';
import type { MethodBudget } from './method-budget.js';
import type { OutboxSender } from './outbox-sender.js';
import { OutboxWrites, RootEditor } from './root-editor.js';
import type { RunRecord } from './run-registry.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

export type { ReporterLogger, SlackMessage };
export { describeSlackError };

/** The renderers a reporter needs, injected so the reporter can be tested without Block Kit details. */
export interface ThreadRenderers {
  root(record: RunRecord): SlackMessage;
  step(step: StepResult): SlackMessage;
  ledger(result: DiagnosisOutcome, record: RunRecord): SlackMessage;
}

/** The durable outbox a reporter writes its messages to before they are sent. */
export interface ReporterOutbox {
  store: Pick<RunStore, 'enqueueOutbox' | 'closeOutbox'>;
  sender: Pick<OutboxSender, 'deliver' | 'isStopped'> & Partial<Pick<OutboxSender, 'flushRoot'>>;
}

/** Steps that say nothing new in a thread of their own: listed once in the ledger instead. */
function isQuiet(step: StepResult): boolean {
  return step.status === 'skipped' || step.status === 'no_data';
}

export interface ThreadReporterDeps {
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
  /** The process's root editor and outbox writes (default: the reporter's own). */
  editor?: RootEditor;
  writes?: OutboxWrites;
}

/**
 * Turns one run's event stream into its Slack thread: a reply per finished step (paced per channel, in order),
 * the root message edited in place as hypotheses change (at most every `rootEditMs`, through the root editor), and
 * the ledger at the end. A post that fails after the Web API client's own retries is counted as undelivered and the
 * thread goes on. With an outbox, every message is written to the run store before it is sent, and the ledger
 * closes the run's delivery; if the store cannot take it, the message is sent directly as without one.
 */
export class SlackThreadReporter {
  private readonly deps: ThreadReporterDeps;
  private readonly record: RunRecord;
  private readonly rootEditMs: number;
  private readonly compact: boolean;
  private readonly outbox: ReporterOutbox | undefined;
  private readonly editor: RootEditor;
  /** Outbox writes in event order, so the messages' sequence numbers follow the thread's order. */
  private readonly writes: OutboxWrites;
  private lastRootEdit = 0;
  private rootDirty = false;
  private rootChain: Promise<void> = Promise.resolve();

  constructor(deps: ThreadReporterDeps) {
    this.deps = deps;
    this.record = deps.record;
    this.outbox = deps.outbox;
    this.rootEditMs = deps.rootEditMs ?? 2000;
    this.compact = deps.compact ?? false;
    this.writes = deps.writes ?? new OutboxWrites();
    const { onBypassed } = deps;
    this.editor =
      deps.editor ??
      new RootEditor({
        render: deps.render,
        logger: deps.logger,
        updates: deps.updates,
        outbox: deps.outbox,
        writes: this.writes,
        ...(onBypassed ? { onBypassed: (_runId: string, what: string, err: unknown) => onBypassed(what, err) } : {}),
      });
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
      // Told while the run still shows as running.
      if (event.type === 'run-finished') this.deps.onFinished?.();
      // The root's state follows the events: one rule for a live run and for a run read back from the store.
      Object.assign(this.record, advance(this.record, event));
      switch (event.type) {
        case 'step-finished':
          if (!this.compact && !isQuiet(event.step))
            replies.push(this.reply(this.deps.render.step(event.step), `step ${event.step.id}`));
          this.editRoot(false);
          break;
        case 'hypotheses-updated':
          this.editRoot(false);
          break;
        case 'run-finished':
          replies.push(this.reply(this.deps.render.ledger(event.result, this.record), 'ledger', true));
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
    const { runId } = this.record;
    await this.writes.write(runId, () => store.closeOutbox(runId)).catch(() => undefined);
    await sender.deliver(runId, this.deps.client);
  }

  /** True when an edit was skipped by the throttle and is still owed. */
  get pendingRootEdit(): boolean {
    return this.rootDirty;
  }

  private reply(message: SlackMessage, what: string, last = false): Promise<unknown> {
    const { outbox } = this;
    if (!outbox) {
      this.deps.onBypassed?.(what, 'the run has no outbox');
      return this.postDirect(message, what);
    }
    const { runId, channel, threadTs } = this.record;
    const entry: NewOutboxMessage = {
      kind: last ? 'ledger' : 'reply',
      channel,
      threadTs,
      targetTs: null,
      payload: { text: message.text, blocks: message.blocks, label: what },
    };
    return this.writes
      .write(runId, () => outbox.store.enqueueOutbox(runId, [entry], last ? { close: true } : {}))
      .then(
        () => outbox.sender.deliver(runId, this.deps.client),
        (err: unknown) => {
          // Stopped (shutdown past its grace): nothing more goes to Slack from this process.
          if (outbox.sender.isStopped) return undefined;
          if (this.deps.onBypassed) this.deps.onBypassed(what, err);
          else
            this.deps.logger.warn(
              { runId, kind: entry.kind, error: describeSlackError(err), durable: false },
              'the outbox could not take a message; sending it directly',
            );
          return this.postDirect(message, what);
        },
      );
  }

  private postDirect(message: SlackMessage, what: string): Promise<unknown> {
    const { channel, threadTs } = this.record;
    return this.deps.pacer
      .run(channel, () =>
        this.deps.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks }),
      )
      .catch((err: unknown) => {
        this.record.undelivered++;
        const error = describeSlackError(err);
        this.deps.logger.warn({ runId: this.record.runId, what, error }, 'a thread reply could not be delivered');
        this.deps.onUndelivered?.(what, error);
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
    if (!this.outbox) this.deps.onBypassed?.('root', 'the run has no outbox');
    this.rootChain = this.editor.edit(this.deps.client, this.record, { withThread: true, direct: !this.outbox });
  }
}
