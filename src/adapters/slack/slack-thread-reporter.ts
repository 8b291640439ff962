import type { WebClient } from '@slack/web-api';
import type { ChartRenderer } from '../../application/ports/chart-renderer.js';
import type { NewOutboxMessage, RunStore } from '../../application/ports/run-store.js';
import {
  eventHappened,
  type RunState,
  type RunStateHolder,
  RunStates,
  type RunTransition,
  undeliveredAdded,
} from '../../application/runs/run-state.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { ChartSpec } from '../../domain/report/chart-spec.js';
import { MAX_MESSAGES, planThread, type ThreadMessage } from '../../domain/report/thread-plan.js';
import { type PlanRenderers, renderPlanned } from './blocks/plan-renderers.js';
import type { SlackMessage } from './blocks/slack-message.js';
import type { ChannelPacer } from './channel-pacer.js';
import { type ChartUpload, uploadCharts } from './chart-uploads.js';
import type { MethodBudget } from './method-budget.js';
import type { OutboxSender } from './outbox-sender.js';
import { OutboxWrites, RootEditor } from './root-editor.js';
import type { RunRecord } from './run-registry.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

export type { ReporterLogger, SlackMessage };
export { describeSlackError };

/** The renderers a reporter needs, injected so the reporter can be tested without Block Kit details. */
export interface ThreadRenderers extends PlanRenderers {
  root(record: RunRecord): SlackMessage;
  ledger(result: DiagnosisOutcome, record: RunRecord): SlackMessage;
}

/** The decisive evidence drawn as charts and uploaded into the thread (absent: the thread is text only). */
export interface ThreadCharts {
  renderer: ChartRenderer;
  /** The charts worth drawing for a diagnosis (redacted), strongest first. */
  specsOf(result: DiagnosisOutcome): ChartSpec[];
}

/** The durable outbox a reporter writes its messages to before they are sent. */
export interface ReporterOutbox {
  store: Pick<RunStore, 'enqueueOutbox' | 'closeOutbox'>;
  sender: Pick<OutboxSender, 'deliver' | 'isStopped'> & Partial<Pick<OutboxSender, 'flushRoot'>>;
}

/** The outbox label of a planned reply. */
function labelOf(message: ThreadMessage, index: number): string {
  return message.kind === 'finding-group' ? `findings ${index + 1}` : message.kind;
}

export interface ThreadReporterDeps {
  client: WebClient;
  pacer: ChannelPacer;
  render: ThreadRenderers;
  /** The run's state when the reporter starts. */
  record: RunRecord;
  /** Where the run's current state is kept and replaced (default: the reporter's own holder). */
  states?: RunStateHolder;
  logger: ReporterLogger;
  rootEditMs?: number;
  /** Only the root (edited in place) and the ledger: no findings, folds or charts. */
  compact?: boolean;
  /** Draws the decisive evidence and uploads it into the thread, before the findings. */
  charts?: ThreadCharts;
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
 * Turns one run's event stream into its Slack thread. While the run goes, only the root moves: edited in place as
 * steps finish and hypotheses change (at most every `rootEditMs`, through the root editor). Once the diagnosis is
 * over, the root shows the conclusion and the thread gets its calm shape (`planThread`): the charts of the decisive
 * evidence (one upload), one reply per group of abnormal findings (strongest hypothesis first), one reply folding
 * the normal checks, one for what could not be measured, and the ledger last — paced per channel, in order. A post that fails after the Web API client's own retries is counted as undelivered and the
 * thread goes on. With an outbox, every message is written to the run store before it is sent, and the ledger
 * closes the run's delivery; if the store cannot take it, the message is sent directly as without one.
 */
export class SlackThreadReporter {
  private readonly deps: ThreadReporterDeps;
  private readonly runId: string;
  private readonly states: RunStateHolder;
  /** The run's state as this reporter last saw it (used if the holder no longer holds the run). */
  private last: RunState;
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
    this.runId = deps.record.runId;
    this.last = deps.record;
    this.states = deps.states ?? new RunStates([deps.record]);
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
        states: this.states,
        ...(onBypassed ? { onBypassed: (_runId: string, what: string, err: unknown) => onBypassed(what, err) } : {}),
      });
  }

  /** The run's current state. */
  get state(): RunState {
    this.last = this.states.get(this.runId) ?? this.last;
    return this.last;
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
      this.update(eventHappened(event));
      switch (event.type) {
        case 'step-finished':
        case 'hypotheses-updated':
          this.editRoot(false);
          break;
        case 'run-finished':
          await this.finish(event.result, replies);
          break;
        default:
          break;
      }
    }
  }

  /**
   * The diagnosis is over: the root shows the conclusion at once; the charts are drawn meanwhile; the thread's
   * replies are written to the outbox together (durable, in order), then sent at the channel's pace once the charts
   * are up, so the pictures come first. A chart that cannot be drawn or uploaded leaves the text as it is.
   */
  private async finish(result: DiagnosisOutcome, replies: Promise<unknown>[]): Promise<void> {
    const specs = this.compact || !this.deps.charts ? [] : this.chartSpecs(result);
    const drawn = specs.length > 0 ? this.drawCharts(specs) : undefined;
    // The charts' message counts: the plan keeps the whole thread, root included, within the same cap.
    const plan = planThread(result, { maxMessages: MAX_MESSAGES - (specs.length > 0 ? 1 : 0) });
    const planned = this.compact ? plan.messages.filter((m) => m.kind === 'ledger') : plan.messages;
    const ledger = () => this.deps.render.ledger(result, this.state);
    this.editRoot(true);
    // Nothing of the thread is sent before the root's conclusion and the charts: the outbox holds the replies.
    await this.rootChain;
    const queued = planned.map((message, i) =>
      this.queue(renderPlanned(message, this.deps.render, ledger), labelOf(message, i), message.kind === 'ledger'),
    );
    if (drawn) await drawn;
    for (const q of queued) replies.push(q.then((send) => send()));
    await Promise.all(replies);
    await this.rootChain;
  }

  private chartSpecs(result: DiagnosisOutcome): ChartSpec[] {
    try {
      return this.deps.charts?.specsOf(result) ?? [];
    } catch (err) {
      this.deps.logger.warn({ runId: this.runId, error: String(err) }, 'the charts could not be chosen');
      return [];
    }
  }

  private drawCharts(specs: ChartSpec[]): Promise<ChartUpload> {
    const { charts } = this.deps;
    if (!charts) return Promise.resolve({ uploaded: 0 });
    const { channel, threadTs } = this.state;
    return uploadCharts(
      { client: this.deps.client, renderer: charts.renderer, logger: this.deps.logger },
      { runId: this.runId, channel, threadTs },
      specs,
    );
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
    const { runId } = this;
    await this.writes.write(runId, () => store.closeOutbox(runId)).catch(() => undefined);
    await sender.deliver(runId, this.deps.client);
  }

  /** True when an edit was skipped by the throttle and is still owed. */
  get pendingRootEdit(): boolean {
    return this.rootDirty;
  }

  /**
   * Writes a thread message to the outbox (in call order); resolves with the function that sends it. Without an
   * outbox, or when the store refuses the write, sending posts it directly.
   */
  private queue(message: SlackMessage, what: string, last = false): Promise<() => Promise<unknown>> {
    const { outbox } = this;
    if (!outbox) {
      this.deps.onBypassed?.(what, 'the run has no outbox');
      return Promise.resolve(() => this.postDirect(message, what));
    }
    const { runId, channel, threadTs } = this.state;
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
        () => () => outbox.sender.deliver(runId, this.deps.client),
        (err: unknown) => () => {
          // Stopped (shutdown past its grace): nothing more goes to Slack from this process.
          if (outbox.sender.isStopped) return Promise.resolve(undefined);
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
    const { channel, threadTs } = this.state;
    return this.deps.pacer
      .run(channel, () =>
        this.deps.client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks }),
      )
      .catch((err: unknown) => {
        this.update(undeliveredAdded(1));
        const error = describeSlackError(err);
        this.deps.logger.warn({ runId: this.runId, what, error }, 'a thread reply could not be delivered');
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
    this.rootChain = this.editor.edit(this.deps.client, this.state, { withThread: true, direct: !this.outbox });
  }

  /** Replaces the run's state in its holder (the reporter never changes a state in place). */
  private update(transition: RunTransition): void {
    this.last = this.states.update(this.runId, transition) ?? transition(this.state);
  }
}
