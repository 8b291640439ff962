import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { type AlertChange, changeAlert } from '../../../application/alerts/alert-lines.js';
import type { AlertReceiver, IncomingAlert, IntakeOutcome } from '../../../application/alerts/alert-receiver.js';
import {
  type AlertGroupSummary,
  type DiagnosisPlan,
  type IntakeAction,
  IntakePolicy,
  type IntakePolicyOptions,
} from '../../../application/alerts/intake-policy.js';
import type { RunJournal } from '../../../application/diagnose/run-journal.js';
import type { AlertQueueMetrics } from '../../../application/ports/alert-queue-metrics.js';
import type { AlertThread, AlertThreadStore } from '../../../application/ports/alert-threads.js';
import { alertIs } from '../../../application/runs/run-state.js';
import { type Idleness, IdleSignal } from '../../../application/work/idle-signal.js';
import { type AlertGroupState, type AlertNote, renderAlertGroup, type StormState } from '../blocks/render-alert.js';
import type { SlackMessage } from '../blocks/slack-message.js';
import type { ChannelPacer } from '../channel-pacer.js';
import type { MethodBudget } from '../method-budget.js';
import { messageLink, type RunAlert, type RunRecord, type RunRegistry } from '../run-registry.js';
import { describeSlackError } from '../slack-thread-reporter.js';
import { recordFromStored } from '../stored-record.js';
import type { ThreadRunner } from '../thread-runner.js';
import { AlertNotes } from './alert-notes.js';
import { StormSummaries } from './storm-summary.js';

export type { IncomingAlert, IntakeOutcome } from '../../../application/alerts/alert-receiver.js';
export { MAX_DIAGNOSES_PER_NOTIFICATION } from '../../../application/alerts/intake-policy.js';

export interface AlertIntakeOptions extends IntakePolicyOptions {
  /** Alert diagnoses that run at once (default 2). */
  concurrency: number;
  /** Minimum spacing of storm-summary edits (default 3 s; chat.update is rate limited too). */
  summaryEditMs?: number;
}

export interface AlertRenderers {
  notes(notes: readonly AlertNote[]): SlackMessage;
  storm(state: StormState): SlackMessage;
  /** The summary of a notification affecting several services (default `renderAlertGroup`). */
  group?(state: AlertGroupState): SlackMessage;
}

export interface AlertIntakeDeps {
  client: WebClient;
  runner: ThreadRunner;
  registry: RunRegistry;
  pacer: ChannelPacer;
  store: AlertThreadStore;
  render: AlertRenderers;
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  };
  now: () => Date;
  timeZone?: string;
  options: AlertIntakeOptions;
  /** The workspace's chat.update budget (storm-summary edits). */
  updates?: Pick<MethodBudget, 'take'>;
  /** Records the alert lines of each thread with its run. */
  journal?: Pick<RunJournal, 'note' | 'update' | 'store'>;
  /** Told the queue's figures each time they change. */
  metrics?: AlertQueueMetrics;
}

export interface IntakeStats {
  received: number;
  diagnosed: number;
  repeats: number;
  grouped: number;
  resolved: number;
  belowSeverity: number;
  dropped: number;
  unmatchedResolves: number;
  /** Alert diagnoses waiting and running now. */
  queued: number;
  running: number;
  /** Milliseconds from accepting an alert to its diagnosis root being posted, for every diagnosed alert. */
  firstReplyMs: number[];
}

interface Job extends DiagnosisPlan {
  incoming: IncomingAlert;
  acceptedAt: number;
  /** The thread of the notification's summary, when it affects several services. */
  inThread?: Promise<string | undefined>;
}

/** Spacing of root edits caused by repeats, grouped alerts and resolutions (chat.update is rate limited). */
const ROOT_EDIT_SPACING_MS = 3000;
/** The most threads whose run state this process remembers. */
const MAX_REMEMBERED = 10_000;

/** Adds to a bounded map, forgetting the oldest entry past the bound. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size <= MAX_REMEMBERED) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}

/**
 * The alert channels' front door in Slack. `IntakePolicy` decides what each alert does (open a diagnosis, a line in
 * its thread, a resolution, the storm summary); this carries it out: diagnoses are queued and run a few at a time,
 * thread lines and root changes are posted, and the storm summary counts the alerts past the queue bound.
 */
export class AlertIntake implements AlertReceiver {
  private readonly deps: AlertIntakeDeps;
  private readonly policy: IntakePolicy;
  private readonly notes: AlertNotes;
  private readonly storms: StormSummaries;
  private readonly queue: Job[] = [];
  private running = 0;
  /** Thread id → its diagnosis run and where its replies go, for threads this process started. */
  private readonly runByThread = new Map<string, { runId: string; threadTs: string }>();
  /**
   * Thread id → the alert state its root shows, kept from the alert's acceptance on (the run's state in the registry
   * is given every change too once its root is posted).
   */
  private readonly alertByThread = new Map<string, RunAlert>();
  /** Work in flight: a non-empty queue, and every piece of work tracked (diagnoses running, posts, edits). */
  private readonly work = new IdleSignal();
  /** Ends the queue's count in `work` once the queue is empty. */
  private queueHeld: (() => void) | undefined;
  /** Changes under way to stored runs this replica does not hold, by run id (see touchStoredRun). */
  private readonly storedTouches = new Map<string, Promise<void>>();
  private readonly counts: Omit<IntakeStats, 'queued' | 'running' | 'firstReplyMs'> = {
    received: 0,
    diagnosed: 0,
    repeats: 0,
    grouped: 0,
    resolved: 0,
    belowSeverity: 0,
    dropped: 0,
    unmatchedResolves: 0,
  };
  private readonly firstReplyMs: number[] = [];
  private draining = false;

  constructor(deps: AlertIntakeDeps) {
    this.deps = deps;
    const track = (work: Promise<unknown>) => this.track(work);
    this.policy = new IntakePolicy({
      store: deps.store,
      options: deps.options,
      ...(deps.timeZone ? { timeZone: deps.timeZone } : {}),
      newId: randomUUID,
      sha256: (text) => createHash('sha256').update(text).digest('hex'),
      messageLink,
    });
    this.notes = new AlertNotes({
      client: deps.client,
      runner: deps.runner,
      pacer: deps.pacer,
      render: (notes) => deps.render.notes(notes),
      logger: deps.logger,
      ...(deps.journal ? { journal: deps.journal } : {}),
      postedRun: (threadId) => this.runByThread.get(threadId),
      track,
    });
    this.storms = new StormSummaries({
      client: deps.client,
      pacer: deps.pacer,
      render: (state) => deps.render.storm(state),
      logger: deps.logger,
      groupWindowMs: deps.options.groupWindowMs,
      queueMax: deps.options.queueMax,
      ...(deps.options.summaryEditMs !== undefined ? { summaryEditMs: deps.options.summaryEditMs } : {}),
      ...(deps.updates ? { updates: deps.updates } : {}),
      counts: () => ({
        diagnosing: this.counts.diagnosed + this.queue.length,
        grouped: this.counts.grouped,
        repeats: this.counts.repeats,
      }),
      track,
    });
  }

  stats(): IntakeStats {
    return { ...this.counts, queued: this.queue.length, running: this.running, firstReplyMs: [...this.firstReplyMs] };
  }

  /** True when nothing is queued, running, or waiting to be posted. */
  idle(): boolean {
    return this.work.idle;
  }

  /** Idle when nothing is queued, running, or waiting to be posted. */
  get idleness(): Idleness {
    return this.work;
  }

  /**
   * Shutdown: starts no more queued diagnoses and releases their threads' claims, so the alert opens a thread when
   * it is delivered again (Alertmanager re-sends; another replica or the restarted one takes it). Returns how many.
   */
  async stopQueue(): Promise<number> {
    this.draining = true;
    const left = this.queue.splice(0);
    this.queueChanged();
    for (const job of left) await this.deps.store.release(job.thread.id).catch(() => undefined);
    return left.length;
  }

  /** Decides what to do with one alert and starts doing it; resolves once the decision is recorded. */
  async accept(incoming: IncomingAlert): Promise<IntakeOutcome> {
    this.counts.received++;
    const now = this.deps.now();
    const { outcome, actions } = await this.policy.decide(incoming, { now, waiting: () => this.queue.length });
    if (outcome === 'resolved') this.counts.resolved++;
    else if (outcome === 'unmatched-resolve') this.counts.unmatchedResolves++;
    else if (outcome === 'below-severity') this.counts.belowSeverity++;
    for (const action of actions) this.carryOut(action, incoming, now);
    this.deps.logger.info(
      { channel: incoming.channel, alert: incoming.notification.title.slice(0, 200), outcome },
      'alert handled',
    );
    return outcome;
  }

  private carryOut(action: IntakeAction, incoming: IncomingAlert, now: Date): void {
    switch (action.kind) {
      case 'note':
        if (action.line.kind === 'grouped') this.counts.grouped++;
        else if (action.line.kind !== 'resolved') this.counts.repeats++;
        this.notes.add(action.thread, action.line);
        return;
      case 'change':
        this.touchRun(action.thread, action.change);
        return;
      case 'drop':
        this.counts.dropped++;
        this.storms.drop(incoming.channel, action.notification, now);
        return;
      case 'diagnose':
        this.enqueue(action.diagnoses, incoming, action.group);
    }
  }

  /** Queues the diagnoses of one notification; several services get one summary heading their diagnoses. */
  private enqueue(diagnoses: readonly DiagnosisPlan[], incoming: IncomingAlert, group?: AlertGroupSummary): void {
    const acceptedAt = performance.now();
    const inThread = group ? this.postGroupSummary(incoming.channel, incoming.alertTs, group) : undefined;
    for (const plan of diagnoses) {
      remember(this.alertByThread, plan.thread.id, plan.alert);
      this.queue.push({ ...plan, incoming, acceptedAt, ...(inThread ? { inThread } : {}) });
    }
    this.pump();
  }

  /**
   * Posts the one summary of a notification that affects several services: in the alert's thread (Slack), or at the
   * top of the channel (webhook), where it heads the thread. Resolves to the thread the diagnoses go to, or
   * undefined when it could not be posted (each diagnosis then opens its own thread).
   */
  private postGroupSummary(
    channel: string,
    alertTs: string | undefined,
    state: AlertGroupState,
  ): Promise<string | undefined> {
    const message = (this.deps.render.group ?? renderAlertGroup)(state);
    const posted = this.deps.pacer
      .run(
        channel,
        () =>
          this.deps.client.chat.postMessage({
            channel,
            text: message.text,
            blocks: message.blocks,
            ...(alertTs ? { thread_ts: alertTs } : {}),
          }),
        { urgent: true },
      )
      .then((r) => alertTs ?? (r.ts ? String(r.ts) : undefined))
      .catch((err: unknown) => {
        this.deps.logger.warn(
          { channel, error: describeSlackError(err) },
          'the alert group summary could not be posted',
        );
        return alertTs;
      });
    this.track(posted);
    return posted;
  }

  private pump(): void {
    while (!this.draining && this.running < this.deps.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift();
      if (!job) break;
      this.running++;
      // Under a backlog, threads are compact (root and ledger only) so the channel's post budget goes further.
      const compact = this.queue.length > 0;
      // The slot is free once the diagnosis is over; its last posts go out at the channel's pace meanwhile.
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        this.running--;
        this.pump();
      };
      this.track(this.runJob(job, compact, free).finally(free));
    }
    // After the jobs taken are tracked: the work count does not touch zero in between.
    this.queueChanged();
  }

  private async runJob(job: Job, compact: boolean, onFinished: () => void): Promise<void> {
    const { thread, incoming, symptom, alert } = job;
    this.counts.diagnosed++;
    const inThread = (job.inThread ? await job.inThread : undefined) ?? incoming.alertTs;
    const record = await this.deps.runner.start({
      client: this.deps.client,
      channel: incoming.channel,
      userId: 'alert',
      text: symptom.text,
      symptom,
      ...(inThread ? { inThread } : {}),
      // With the repeats and groupings that came while it waited.
      alert: this.alertByThread.get(thread.id) ?? alert,
      compact,
      urgent: true,
      trigger: incoming.alertTs ? 'alert' : 'webhook',
      onFinished,
      onRootPosted: (posted) => {
        this.firstReplyMs.push(performance.now() - job.acceptedAt);
        if (this.firstReplyMs.length > MAX_REMEMBERED) this.firstReplyMs.shift();
        remember(this.runByThread, thread.id, { runId: posted.runId, threadTs: posted.threadTs });
        this.track(this.deps.store.update(thread.id, { threadTs: posted.threadTs, runId: posted.runId }));
        this.notes.rootPosted(thread.id, posted.runId, posted.threadTs);
        // A change that came while the root was being posted: the run's state takes it now.
        const latest = this.alertByThread.get(thread.id);
        if (latest && latest !== posted.alert) {
          this.deps.registry.update(posted.runId, alertIs(latest));
          if (this.deps.journal) this.track(this.deps.journal.update(posted.runId, { alert: latest }));
        }
      },
    });
    if (!record) {
      this.deps.logger.warn(
        { channel: incoming.channel },
        'the alert diagnosis could not start; its thread is released',
      );
      this.notes.forget(thread.id);
      this.alertByThread.delete(thread.id);
      await this.deps.store.release(thread.id);
    }
  }

  /** Changes the alert state a thread's root shows, and re-renders the root if it is posted already. */
  private touchRun(thread: AlertThread, change: AlertChange): void {
    const runId = thread.runId ?? this.runByThread.get(thread.id)?.runId;
    const held: RunRecord | undefined = runId ? this.deps.registry.get(runId) : undefined;
    const before = this.alertByThread.get(thread.id) ?? held?.alert;
    const alert = before ? changeAlert(before, change) : undefined;
    if (alert && this.alertByThread.has(thread.id)) this.alertByThread.set(thread.id, alert);
    if (runId && !held) {
      this.touchStoredRun(runId, change);
      return;
    }
    if (!alert) return;
    const record = runId ? this.deps.registry.update(runId, alertIs(alert)) : undefined;
    if (runId) void this.deps.journal?.update(runId, { alert });
    if (record?.rootTs)
      this.track(this.deps.runner.refreshRoot(this.deps.client, record, { minIntervalMs: ROOT_EDIT_SPACING_MS }));
  }

  /**
   * The same for a run this replica does not hold (another replica ran it, or this one has restarted since): the
   * stored run is changed, and its root re-rendered from the store unless it is still running (the replica running
   * it renders it). Changes to one run are applied one after the other, so none is lost.
   */
  private touchStoredRun(runId: string, change: AlertChange): void {
    const journal = this.deps.journal;
    if (!journal) return;
    const previous = this.storedTouches.get(runId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const run = await journal.store.getRun(runId);
      if (!run?.alert) return;
      const alert = changeAlert(run.alert, change);
      await journal.update(runId, { alert });
      if (run.status === 'running') return;
      const record = recordFromStored({ ...run, alert }, await journal.store.events(runId));
      if (record) await this.deps.runner.refreshRoot(this.deps.client, record, { minIntervalMs: ROOT_EDIT_SPACING_MS });
    });
    const settled = next
      .catch((err: unknown) =>
        this.deps.logger.warn({ runId, error: String(err) }, "could not show the alert's new state on its run"),
      )
      .finally(() => {
        if (this.storedTouches.get(runId) === settled) this.storedTouches.delete(runId);
      });
    this.storedTouches.set(runId, settled);
    this.track(settled);
  }

  /** Counts in-flight work, so `idle()` and shutdown can wait for it. */
  private track(work: Promise<unknown>): void {
    this.work.track(work);
  }

  /** The queue grew, shrank, or a slot was taken or freed: counts a non-empty queue as work, and tells the metrics. */
  private queueChanged(): void {
    if (this.queue.length > 0) this.queueHeld ??= this.work.begin();
    else {
      this.queueHeld?.();
      this.queueHeld = undefined;
    }
    this.deps.metrics?.alertQueue({ queued: this.queue.length, running: this.running });
  }
}
