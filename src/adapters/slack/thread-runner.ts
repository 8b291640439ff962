import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DiagnoseRequest } from '../../application/diagnose/diagnose.js';
import type { RunJournal } from '../../application/diagnose/run-journal.js';
import type { RunScope } from '../../application/ports/run-scope.js';
import type { NewOutboxMessage, RunTrigger, StoredRun, UndeliveredRun } from '../../application/ports/run-store.js';
import type { RunMetrics } from '../../application/runs/run-metrics.js';
import { dedupeKeyOf } from '../../application/runs/twins.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { ChannelPacer } from './channel-pacer.js';
import { DirectSends } from './direct-sends.js';
import type { MethodBudget } from './method-budget.js';
import { DELIVERY_CLAIM_MS, OutboxSender } from './outbox-sender.js';
import { OutboxWrites, RootEditor } from './root-editor.js';
import type { RunAlert, RunRecord, RunRegistry } from './run-registry.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';
import { type SlackMessage, SlackThreadReporter, type ThreadRenderers } from './slack-thread-reporter.js';
import { recordFromStored } from './stored-record.js';
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

const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);

function slackError(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * Starts diagnoses in Slack: posts the root message, runs the diagnosis and reports it in the thread. Shared by the
 * slash command, app mentions, buttons and alert channels, so every surface gets the same thread.
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
          const record = deps.registry.get(message.runId);
          if (record) record.undelivered++;
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
    const { sender } = this;
    const store = this.deps.journal?.store;
    if (!sender || !store) return undefined;
    const { run } = owed;
    if (!(await store.claimDelivery(run.id, sender.owner, this.deps.deliveryClaimMs ?? DELIVERY_CLAIM_MS)))
      return undefined;
    const record = this.deps.registry.get(run.id) ?? recordFromStored(run, await store.events(run.id));
    if (!record) {
      // No thread to post in: nothing can be delivered.
      await store.closeOutbox(run.id);
      return store.getRun(run.id);
    }
    this.deps.registry.add(record);
    if (owed.open) {
      if (run.result && record.threadTs) {
        const ledger = this.deps.render.ledger(run.result, record);
        await store.enqueueOutbox(
          run.id,
          [
            {
              kind: 'ledger',
              channel: record.channel,
              threadTs: record.threadTs,
              targetTs: null,
              payload: { text: ledger.text, blocks: ledger.blocks, label: 'ledger' },
            },
          ],
          { close: true },
        );
      } else await store.closeOutbox(run.id);
    }
    // The thread first; then one root edit with the final state (it replaces a root edit left pending by the
    // previous process: a decision, an alert counter, "interrupted"), so the root is edited once.
    let settled = await sender.deliver(run.id, client, { lanes: 'thread' });
    if (!settled || sender.isStopped) return settled;
    record.undelivered = settled.undelivered;
    await store.enqueueOutbox(run.id, [this.editor.entry(record)]);
    settled = await sender.deliver(run.id, client);
    return settled;
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
      return await this.postAndRun(args);
    } finally {
      started();
      args.onFinished?.();
    }
  }

  /**
   * Re-renders a run's root message from its current record (a decision, an alert counter, "interrupted") through
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

  private postAndRun(args: StartRunArgs): Promise<RunRecord | undefined> {
    const runId = args.runId ?? randomUUID();
    // Everything the run starts carries its id, so an error nobody catches can still mark this run failed.
    return this.deps.runScope(runId, () => this.postAndRunAs(runId, args));
  }

  private async postAndRunAs(runId: string, args: StartRunArgs): Promise<RunRecord | undefined> {
    const { client, channel, symptom } = args;
    const record: RunRecord = {
      runId,
      channel,
      rootTs: '',
      threadTs: '',
      text: args.text,
      symptom,
      userId: args.userId,
      status: 'running',
      stepsDone: 0,
      stepsTotal: 0,
      dedupeKey: dedupeKeyOf(symptom) ?? runId,
      undelivered: 0,
      active: true,
      ...(args.alert ? { alert: args.alert } : {}),
      ...(args.resumedFrom ? { resumedFrom: args.resumedFrom } : {}),
    };
    const root = this.deps.render.root(record);
    try {
      const posted = await this.deps.pacer.run(
        channel,
        () =>
          client.chat.postMessage({
            channel,
            text: root.text,
            blocks: root.blocks,
            ...(args.inThread ? { thread_ts: args.inThread } : {}),
          }),
        { urgent: args.urgent === true },
      );
      record.rootTs = String(posted.ts);
      record.threadTs = args.inThread ?? record.rootTs;
    } catch (err) {
      const code = slackError(err);
      if (code && NOT_A_MEMBER.has(code) && args.respond) {
        await this.runWithoutThread(record, { ...args, respond: args.respond });
        record.active = false;
        return record;
      }
      record.active = false;
      this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'could not post the root message');
      await args.respond?.({
        response_type: 'ephemeral',
        text: `I could not post in this channel (${describeSlackError(err)}).`,
      });
      return undefined;
    }
    this.deps.registry.add(record);
    await this.begin(record, args);
    // The run's delivery is open until its ledger is queued: a crash before then is resumed with the ledger.
    const store = this.deps.journal?.store;
    const outbox =
      this.sender && store
        ? await store.enqueueOutbox(runId, [], { open: true }).then(
            () => ({ store, sender: this.sender as OutboxSender }),
            (err: unknown) => {
              this.deps.logger.warn(
                { runId, error: describeSlackError(err), durable: false },
                'the outbox is not available: this thread is sent directly',
              );
              return undefined;
            },
          )
        : undefined;
    args.onRootPosted?.(record);
    const reporter = new SlackThreadReporter({
      client,
      pacer: this.deps.pacer,
      render: this.deps.render,
      record,
      logger: this.deps.logger,
      ...(args.compact ? { compact: true } : {}),
      ...(args.onFinished ? { onFinished: args.onFinished } : {}),
      ...(this.deps.updates ? { updates: this.deps.updates } : {}),
      onUndelivered: (what, error) => {
        this.deps.metrics?.undelivered();
        // With an outbox, only messages it could not take are sent directly.
        if (this.sender && store) this.direct.failed(runId);
        void this.deps.journal?.note(runId, { type: 'delivery-failed', what, error });
      },
      ...(outbox ? { outbox } : {}),
      ...(this.sender && store
        ? { onBypassed: (what: string, err: unknown) => this.direct.bypassed(runId, what, err) }
        : {}),
      editor: this.editor,
      writes: this.writes,
    });
    const trigger = args.trigger ?? 'command';
    this.deps.metrics?.runStarted(trigger);
    try {
      await reporter.consume(this.diagnose(runId, symptom));
    } catch (err) {
      record.status = 'failed';
      this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the run failed');
    } finally {
      this.deps.metrics?.runEnded(trigger, record.status);
      if (outbox) {
        // A failed diagnosis queued no ledger: close its delivery so the run settles once its replies are out.
        await reporter.closeDelivery();
        // The root says how many thread messages Slack never got.
        if (record.undelivered > 0 && !outbox.sender.isStopped) await reporter.refreshRoot();
      }
      await this.editor.settled(runId);
      record.active = false;
      // With the outbox, the store counts its failed messages itself; those sent directly are added to them.
      if (outbox) await this.direct.record(runId);
      else {
        this.direct.forget(runId);
        if (record.undelivered > 0) await this.deps.journal?.update(runId, { undelivered: record.undelivered });
      }
    }
    return record;
  }

  /** The diagnosis's event stream, journalled when there is a run store. */
  private diagnose(runId: string, symptom: ParsedSymptom): AsyncGenerator<RunEvent, DiagnosisOutcome> {
    let run = this.deps.run({ runId, symptom });
    if (this.deps.metrics) run = this.deps.metrics.observe(run, this.deps.sourceOf ?? (() => 'prometheus'));
    return this.deps.journal ? this.deps.journal.record(runId, run) : run;
  }

  /** Records the run in the store before its first event. */
  private async begin(record: RunRecord, args: StartRunArgs): Promise<void> {
    await this.deps.journal?.begin({
      id: record.runId,
      trigger: args.trigger ?? 'command',
      text: record.text,
      symptom: record.symptom,
      service: record.symptom.service,
      playbook: null,
      channel: record.channel,
      rootTs: record.rootTs || null,
      threadTs: record.threadTs || null,
      userId: args.alert ? null : record.userId,
      alert: record.alert ?? null,
    });
  }

  /** The bot is not in the channel: say how to invite it, run anyway, and answer through the response URL. */
  private async runWithoutThread(record: RunRecord, args: StartRunArgs & { respond: RespondFn }): Promise<void> {
    const { respond } = args;
    await respond({
      response_type: 'ephemeral',
      text: `I'm not a member of this channel, so I can't start a thread here. Invite me with \`/invite @Triage\`. Meanwhile I'll diagnose "${record.text}" and answer you here.`,
    });
    let result: DiagnosisOutcome | undefined;
    await this.begin(record, args);
    const run = this.diagnose(record.runId, record.symptom);
    while (true) {
      const next = await run.next();
      if (next.done) {
        result = next.value;
        break;
      }
    }
    record.result = result;
    record.status = 'finished';
    const ledger: SlackMessage = this.deps.render.ledger(result, record);
    await respond({ response_type: 'ephemeral', text: ledger.text, blocks: ledger.blocks });
  }
}
