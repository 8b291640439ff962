import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { RunEvent } from '../../domain/engine/types.js';
import type { DiagnoseRequest, DiagnosisOutcome } from '../../domain/runs/diagnose.js';
import type { RunJournal } from '../../domain/runs/run-journal.js';
import type { RunTrigger, StoredRun, UndeliveredRun } from '../../domain/runs/run-store.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import { withRun } from '../log/run-context.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { ChannelPacer } from './channel-pacer.js';
import { withDeliveryNote } from './delivery-note.js';
import { type MethodBudget, UNLIMITED } from './method-budget.js';
import { DELIVERY_CLAIM_MS, OutboxSender } from './outbox-sender.js';
import { dedupeKeyOf, type RunAlert, type RunRecord, type RunRegistry } from './run-registry.js';
import {
  describeSlackError,
  type ReporterLogger,
  type SlackMessage,
  SlackRunReporter,
  type ThreadRenderers,
} from './slack-run-reporter.js';
import { recordFromStored } from './stored-record.js';
import { TurnQueue } from './turn-queue.js';

export interface ThreadRunnerDeps {
  run: (request: DiagnoseRequest) => AsyncGenerator<RunEvent, DiagnosisOutcome>;
  registry: RunRegistry;
  pacer: ChannelPacer;
  render: ThreadRenderers;
  logger: ReporterLogger;
  /** The workspace's chat.update budget, shared by every root edit. */
  updates?: Pick<MethodBudget, 'take'>;
  /** Records every run and its events in the run store. */
  journal?: RunJournal;
  /** Counts runs, step durations and data-source errors for /metrics. */
  metrics?: Pick<SelfMetrics, 'runStarted' | 'runEnded' | 'observe' | 'undelivered'>;
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
  private readonly rootEdits = new Map<string, Promise<void>>();
  /** Runs with a root edit queued and not started yet: another request joins it (it renders at send time). */
  private readonly editQueued = new Set<string>();
  private readonly lastEdit = new Map<string, number>();
  /** Runs start one per turn of the event loop, after the acks of the commands that asked for them. */
  private readonly turns = new TurnQueue();
  /** Sends what runs queued in the run store's outbox (absent without a journal). */
  readonly sender: OutboxSender | undefined;

  constructor(deps: ThreadRunnerDeps) {
    this.deps = deps;
    const { journal } = deps;
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
          return record ? withDeliveryNote(deps.render.root(record), record.undelivered) : undefined;
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
    let settled = await sender.deliver(run.id, client);
    if (!settled || sender.isStopped) return settled;
    record.undelivered = settled.undelivered;
    const root = withDeliveryNote(this.deps.render.root(record), record.undelivered);
    await store.enqueueOutbox(run.id, [
      {
        kind: 'root',
        channel: record.channel,
        threadTs: null,
        targetTs: record.rootTs,
        payload: { text: root.text, blocks: root.blocks },
      },
    ]);
    settled = await sender.deliver(run.id, client);
    return settled;
  }

  /** What the runner holds between runs (root edits queued, edit spacing): empty once every run's edits are done. */
  held(): { rootEdits: number; queuedEdits: number; editTimes: number } {
    return { rootEdits: this.rootEdits.size, queuedEdits: this.editQueued.size, editTimes: this.lastEdit.size };
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
   * Re-renders a run's root message from its current record. Edits of one run are serialised and rendered when
   * they are sent; a request made while another waits joins it, and edits are spaced `minIntervalMs` apart
   * (chat.update is rate limited per workspace, and a storm of repeats must not spend it).
   */
  refreshRoot(client: WebClient, record: RunRecord, options: { minIntervalMs?: number } = {}): Promise<void> {
    if (!record.rootTs) return Promise.resolve();
    const { runId } = record;
    const previous = this.rootEdits.get(runId) ?? Promise.resolve();
    if (this.editQueued.has(runId)) return previous;
    this.editQueued.add(runId);
    const next = previous.then(async () => {
      const wait = (this.lastEdit.get(runId) ?? 0) + (options.minIntervalMs ?? 0) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await (this.deps.updates ?? UNLIMITED).take();
      this.editQueued.delete(runId);
      this.lastEdit.set(runId, Date.now());
      const root = withDeliveryNote(this.deps.render.root(record), record.undelivered);
      try {
        await client.chat.update({ channel: record.channel, ts: record.rootTs, text: root.text, blocks: root.blocks });
      } catch (err) {
        this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the root message could not be updated');
      }
    });
    this.rootEdits.set(runId, next);
    void next.then(() => {
      if (this.rootEdits.get(runId) !== next) return;
      this.rootEdits.delete(runId);
      // Spacing only matters while edits keep coming; forget it once the run's edits are done.
      setTimeout(() => {
        if (!this.rootEdits.has(runId)) this.lastEdit.delete(runId);
      }, options.minIntervalMs ?? 0).unref?.();
    });
    return next;
  }

  private postAndRun(args: StartRunArgs): Promise<RunRecord | undefined> {
    const runId = randomUUID();
    // Everything the run starts carries its id, so an error nobody catches can still mark this run failed.
    return withRun(runId, () => this.postAndRunAs(runId, args));
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
              this.deps.logger.warn({ runId, error: describeSlackError(err) }, 'the outbox is not available');
              return undefined;
            },
          )
        : undefined;
    args.onRootPosted?.(record);
    const reporter = new SlackRunReporter({
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
        void this.deps.journal?.note(runId, { type: 'delivery-failed', what, error });
      },
      ...(outbox ? { outbox } : {}),
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
      await this.rootEdits.get(runId);
      record.active = false;
      // With the outbox, the store counts failed messages itself.
      if (record.undelivered > 0 && !outbox)
        await this.deps.journal?.update(runId, { undelivered: record.undelivered });
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
