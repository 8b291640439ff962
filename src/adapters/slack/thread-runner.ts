import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { DiagnoseRequest } from '../../application/diagnose/diagnose.js';
import type { RunJournal } from '../../application/diagnose/run-journal.js';
import type { RunScope } from '../../application/ports/run-scope.js';
import type { NewOutboxMessage, RunTrigger, StoredRun, UndeliveredRun } from '../../application/ports/run-store.js';
import type { ChatMessage } from '../../application/runs/chat-port.js';
import { resumeDelivery } from '../../application/runs/resume-run.js';
import type { RunMetrics } from '../../application/runs/run-metrics.js';
import { type RunState, undeliveredAdded } from '../../application/runs/run-state.js';
import { type StartRunDeps, type StartRunRequest, startRun } from '../../application/runs/start-run.js';
import type { ThreadDelivery, ThreadReporterOptions } from '../../application/runs/thread-ports.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { ChannelPacer } from './channel-pacer.js';
import { DirectSends } from './direct-sends.js';
import type { MethodBudget } from './method-budget.js';
import { DELIVERY_CLAIM_MS, OutboxSender } from './outbox-sender.js';
import { OutboxWrites, RootEditor } from './root-editor.js';
import type { RunAlert, RunRecord, RunRegistry } from './run-registry.js';
import { SlackChat } from './slack-chat.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';
import {
  type SlackMessage,
  SlackThreadReporter,
  type ThreadCharts,
  type ThreadRenderers,
} from './slack-thread-reporter.js';
import { TurnQueue } from './turn-queue.js';

export interface ThreadRunnerDeps {
  run: (request: DiagnoseRequest) => AsyncGenerator<RunEvent, DiagnosisOutcome>;
  registry: RunRegistry;
  pacer: ChannelPacer;
  render: ThreadRenderers;
  logger: ReporterLogger;
  /** Charges whatever a run's work starts to that run (process-level failures name it). */
  runScope: RunScope;
  /** The workspace's chat.update budget, shared by every root edit. */
  updates?: Pick<MethodBudget, 'take'>;
  /** Records every run and its events in the run store. */
  journal?: RunJournal;
  /** Counts runs, step durations and data-source errors for /metrics. */
  metrics?: RunMetrics;
  /** The data source a playbook step queries (`prometheus`, `logs`), for the metrics. */
  sourceOf?: (playbook: string, stepId: string) => string;
  /**
   * Thread messages go through the run store's durable outbox (default: whenever there is a journal); `false`
   * sends them from memory only.
   */
  outbox?: boolean;
  /** How long a replica's claim on a run's delivery stands without renewal (default 2 minutes). */
  deliveryClaimMs?: number;
  /** Draws the decisive evidence and uploads it into each thread (absent: text sparklines only). */
  charts?: ThreadCharts;
}

export interface StartRunArgs {
  client: WebClient;
  channel: string;
  userId: string;
  text: string;
  symptom: ParsedSymptom;
  /** Post the root inside this thread instead of at the top of the channel. */
  inThread?: string;
  /** Answer here when the bot cannot post in the channel (a slash command's response URL). */
  respond?: RespondFn;
  /** The alert this run diagnoses, shown on the root. */
  alert?: RunAlert;
  /** Post only the root (edited in place) and the ledger, no reply per step: for alert storms. */
  compact?: boolean;
  /** Called once the root is posted (the run is in the registry), before the diagnosis starts. */
  onRootPosted?: (record: RunRecord) => void;
  /** Called once the diagnosis is over (or could not start), while its last posts may still be on their way. */
  onFinished?: () => void;
  /** Post the root before other waiting posts of the channel (an alert's first answer). */
  urgent?: boolean;
  /** What started the run, for the run store (default `command`). */
  trigger?: RunTrigger;
  /** The run's id (a slash command's, recorded before its ack); default a new one. */
  runId?: string;
  /** When the command was asked, for a run resumed after a restart (its root says so). */
  resumedFrom?: Date;
}

/**
 * Starts diagnoses in Slack: the Slack wiring (client, pacing, outbox sender, root editor, reporter) of the
 * application's run use-cases (`startRun`, `resumeDelivery`). Shared by the slash command, app mentions, buttons
 * and alert channels, so every surface gets the same thread.
 */
export class ThreadRunner {
  private readonly deps: ThreadRunnerDeps;
  /** Per run, its outbox writes (thread replies, root edits, alert lines) in call order. */
  private readonly writes = new OutboxWrites();
  /** The one editor of the runs' root messages. */
  private readonly editor: RootEditor;
  /** Per run, messages sent to Slack directly because the store refused them, and how many of those failed. */
  private readonly direct: DirectSends;
  /** Runs start one per turn of the event loop, after the acks of the commands that asked for them. */
  private readonly turns = new TurnQueue();
  /** Sends what runs queued in the run store's outbox (absent without a journal). */
  readonly sender: OutboxSender | undefined;

  constructor(deps: ThreadRunnerDeps) {
    this.deps = deps;
    const { journal } = deps;
    this.direct = new DirectSends({
      logger: deps.logger,
      metrics: deps.metrics,
      journal,
      active: (runId) => deps.registry.get(runId)?.active === true,
    });
    if (journal && deps.outbox !== false) {
      this.sender = new OutboxSender({
        store: journal.store,
        pacer: deps.pacer,
        ...(deps.updates ? { updates: deps.updates } : {}),
        owner: journal.replica,
        logger: deps.logger,
        ...(deps.deliveryClaimMs ? { claimTtlMs: deps.deliveryClaimMs } : {}),
        currentRoot: (runId) => {
          const record = deps.registry.get(runId);
          return record ? this.editor.render(record) : undefined;
        },
        onFailed: (message, error) => {
          deps.registry.update(message.runId, undeliveredAdded(1));
          deps.metrics?.undelivered();
          void journal.note(message.runId, {
            type: 'delivery-failed',
            what: message.payload.label ?? `${message.kind} ${message.seq}`,
            error,
          });
        },
      });
    }
    const store = journal?.store;
    this.editor = new RootEditor({
      render: deps.render,
      logger: deps.logger,
      updates: deps.updates,
      outbox: this.sender && store ? { store, sender: this.sender } : undefined,
      writes: this.writes,
      onBypassed: (runId, what, err) => this.direct.bypassed(runId, what, err),
      // The root shows the run's newest state when an edit is written or sent.
      states: deps.registry,
    });
  }

  /** Stops sending outbox messages (SIGTERM past its grace): what is left stays pending for the next start. */
  stopDelivery(): Promise<void> {
    return this.sender?.stop() ?? Promise.resolve();
  }

  /**
   * Finishes delivering a run this process did not finish (after a restart, or a replica that died): queues its
   * ledger if the diagnosis ended before the ledger was queued, sends what is pending in order, and edits the root
   * to its final state (saying how many messages could not be delivered). Nothing happens if another replica holds
   * the run's delivery.
   */
  async resumeDelivery(client: WebClient, owed: UndeliveredRun): Promise<StoredRun | undefined> {
    const store = this.deps.journal?.store;
    if (!this.sender || !store) return undefined;
    return resumeDelivery(
      {
        store,
        states: this.deps.registry,
        render: this.deps.render,
        delivery: this.delivery(client),
        claimMs: this.deps.deliveryClaimMs ?? DELIVERY_CLAIM_MS,
      },
      owed,
    );
  }

  /** What the runner holds between runs (root edits queued, edit spacing): empty once every run's edits are done. */
  held(): { rootEdits: number; queuedEdits: number; editTimes: number } {
    const editor = this.editor.held();
    return {
      rootEdits: editor.rootEdits,
      queuedEdits: editor.queuedEdits + this.direct.size,
      editTimes: editor.editTimes + (this.sender?.spacingHeld() ?? 0),
    };
  }

  /** Posts the root, runs the diagnosis and reports it. Resolves when the run is over (undefined if nothing ran). */
  async start(args: StartRunArgs): Promise<RunRecord | undefined> {
    const started = this.deps.registry.beginStart();
    try {
      await this.turns.next();
      const runId = args.runId ?? randomUUID();
      // Everything the run starts carries its id, so an error nobody catches can still mark this run failed.
      return await this.deps.runScope(runId, () => startRun(this.startDeps(args.client), requestOf(runId, args)));
    } finally {
      started();
      args.onFinished?.();
    }
  }

  /**
   * Re-renders a run's root message from its current state (a decision, an alert counter, "interrupted") through
   * the root editor: durable with the outbox, edits spaced `minIntervalMs` apart within the chat.update budget.
   */
  refreshRoot(client: WebClient, record: RunRecord, options: { minIntervalMs?: number } = {}): Promise<void> {
    return this.editor.edit(client, record, options);
  }

  /**
   * Posts a message in a run's thread (an alert line): written to the run's outbox and delivered in order with the
   * thread's other messages; sent directly without an outbox or when the store refuses it. Resolves once it was
   * delivered (or left pending for the replica that delivers the run, or the next start).
   */
  async postInThread(
    client: WebClient,
    target: { runId: string; channel: string; threadTs: string },
    message: SlackMessage,
    label: string,
  ): Promise<void> {
    const { sender } = this;
    const store = this.deps.journal?.store;
    const { runId, channel, threadTs } = target;
    const direct = () =>
      this.deps.pacer.run(channel, () =>
        client.chat.postMessage({ channel, thread_ts: threadTs, text: message.text, blocks: message.blocks }),
      );
    if (!sender || !store) {
      await direct();
      return;
    }
    const entry: NewOutboxMessage = {
      kind: 'reply',
      channel,
      threadTs,
      targetTs: null,
      payload: { text: message.text, blocks: message.blocks, label },
    };
    try {
      await this.writes.write(runId, () => store.enqueueOutbox(runId, [entry]));
    } catch (err) {
      if (sender.isStopped) return;
      this.direct.bypassed(runId, label, err);
      await direct().catch((error: unknown) => {
        this.direct.failed(runId);
        throw error;
      });
      return;
    }
    await sender.deliver(runId, client, { lanes: 'thread' });
  }

  /** The ports of the start use-case, over Slack. */
  private startDeps(client: WebClient): StartRunDeps {
    const { deps } = this;
    return {
      chat: new SlackChat(client, { pacer: deps.pacer }),
      states: deps.registry,
      render: deps.render,
      run: deps.run,
      delivery: this.delivery(client),
      reporter: (state, options) => this.reporter(client, state, options),
      logger: deps.logger,
      describeError: describeSlackError,
      journal: deps.journal,
      metrics: deps.metrics,
      sourceOf: deps.sourceOf,
    };
  }

  /** The Slack thread reporter of one run. */
  private reporter(client: WebClient, state: RunState, options: ThreadReporterOptions): SlackThreadReporter {
    const { deps, sender } = this;
    const { runId } = state;
    const store = deps.journal?.store;
    return new SlackThreadReporter({
      client,
      pacer: deps.pacer,
      render: deps.render,
      record: state,
      states: deps.registry,
      logger: deps.logger,
      ...(options.compact ? { compact: true } : {}),
      ...(deps.charts ? { charts: deps.charts } : {}),
      ...(options.onFinished ? { onFinished: options.onFinished } : {}),
      ...(deps.updates ? { updates: deps.updates } : {}),
      onUndelivered: (what, error) => {
        deps.metrics?.undelivered();
        // With an outbox, only messages it could not take are sent directly.
        if (sender && store) this.direct.failed(runId);
        void deps.journal?.note(runId, { type: 'delivery-failed', what, error });
      },
      ...(options.durable && sender && store ? { outbox: { store, sender } } : {}),
      ...(sender && store
        ? { onBypassed: (what: string, err: unknown) => this.direct.bypassed(runId, what, err) }
        : {}),
      editor: this.editor,
      writes: this.writes,
    });
  }

  /** The thread delivery port over the run store's outbox and this runner's sender, root editor and direct sends. */
  private delivery(client: WebClient): ThreadDelivery {
    const { sender, deps } = this;
    const store = deps.journal?.store;
    return {
      owner: sender?.owner ?? deps.journal?.replica ?? '',
      get isStopped() {
        return sender?.isStopped ?? false;
      },
      open: async (runId) => {
        if (!sender || !store) return false;
        return store.enqueueOutbox(runId, [], { open: true }).then(
          () => true,
          (err: unknown) => {
            deps.logger.warn(
              { runId, error: describeSlackError(err), durable: false },
              'the outbox is not available: this thread is sent directly',
            );
            return false;
          },
        );
      },
      deliver: (runId, options) => sender?.deliver(runId, client, options ?? {}) ?? Promise.resolve(undefined),
      rootEdit: (state) => this.editor.entry(state),
      rootEditsSettled: (runId) => this.editor.settled(runId),
      threadOver: async (runId, durable) => {
        if (durable) await this.direct.record(runId);
        else this.direct.forget(runId);
      },
    };
  }
}

/** The use-case's request for a start asked in Slack. */
function requestOf(runId: string, args: StartRunArgs): StartRunRequest {
  const { respond } = args;
  return {
    runId,
    channel: args.channel,
    userId: args.userId,
    text: args.text,
    symptom: args.symptom,
    ...(args.inThread ? { inThread: args.inThread } : {}),
    ...(args.alert ? { alert: args.alert } : {}),
    ...(args.compact ? { compact: true } : {}),
    ...(args.urgent ? { urgent: true } : {}),
    ...(args.trigger ? { trigger: args.trigger } : {}),
    ...(args.resumedFrom ? { resumedFrom: args.resumedFrom } : {}),
    ...(respond
      ? {
          tellAsker: (message: ChatMessage) =>
            respond({
              response_type: 'ephemeral',
              text: message.text,
              ...(message.blocks ? { blocks: message.blocks as KnownBlock[] } : {}),
            }),
        }
      : {}),
    ...(args.onRootPosted ? { onRootPosted: args.onRootPosted } : {}),
    ...(args.onFinished ? { onFinished: args.onFinished } : {}),
  };
}
