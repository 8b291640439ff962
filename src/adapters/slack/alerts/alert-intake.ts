import { createHash, randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { RunJournal } from '../../../application/diagnose/run-journal.js';
import type { AlertThread, AlertThreadStore, ClaimKey } from '../../../application/ports/alert-threads.js';
import type { JournalNote } from '../../../application/ports/run-store.js';
import {
  type Alert,
  type AlertNotification,
  alertKey,
  meetsSeverity,
  type Severity,
  severityOf,
} from '../../../domain/alerts/alert.js';
import { alertToSymptom, splitByService } from '../../../domain/alerts/alert-symptom.js';
import type { ParsedSymptom } from '../../../domain/symptom/symptom.js';
import type { SlackMessage } from '../blocks/limits.js';
import {
  type AlertGroupState,
  type AlertNote,
  MAX_NOTES_PER_MESSAGE,
  renderAlertGroup,
  type StormState,
} from '../blocks/render-alert.js';
import type { ChannelPacer } from '../channel-pacer.js';
import { type MethodBudget, UNLIMITED } from '../method-budget.js';
import { messageLink, type RunAlert, type RunRecord, type RunRegistry } from '../run-registry.js';
import { describeSlackError } from '../slack-run-reporter.js';
import { recordFromStored } from '../stored-record.js';
import type { ThreadRunner } from '../thread-runner.js';

/** An alert as it reached Triage: a message in an alert channel, or a webhook call. */
export interface IncomingAlert {
  notification: AlertNotification;
  /** Where the diagnosis goes. */
  channel: string;
  /** The alert's own Slack message (threads go under it); absent for webhook alerts. */
  alertTs?: string;
}

/** What Triage did with one incoming alert. */
export type IntakeOutcome =
  | 'queued'
  | 'repeat'
  | 'grouped'
  | 'resolved'
  | 'below-severity'
  | 'dropped'
  | 'unmatched-resolve';

export interface AlertIntakeOptions {
  /** A thread stays the one for its alert this long after it was opened (default 1 h). */
  dedupeWindowMs: number;
  /** Alerts for a service already being diagnosed this recently join that diagnosis (default 10 min). */
  groupWindowMs: number;
  /** Alerts below this severity are not diagnosed (default `warning`). */
  minSeverity: Severity;
  /** Diagnoses that may wait; past it alerts are counted in the channel's storm summary (default 20). */
  queueMax: number;
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

interface Job {
  thread: AlertThread;
  incoming: IncomingAlert;
  symptom: ParsedSymptom;
  alert: RunAlert;
  acceptedAt: number;
  /** `HighErrorRate — checkout`: how the diagnosis is headed among the others of its notification. */
  heading: string;
  /** The thread of the notification's summary, when it affects several services. */
  inThread?: Promise<string | undefined>;
}

/** The most diagnoses one notification starts; the other services it affects are listed, not diagnosed. */
export const MAX_DIAGNOSES_PER_NOTIFICATION = 5;
/** Identities longer than this are stored hashed. */
const MAX_STORED_KEY = 512;
/** The most alert identities looked up for one resolution. */
const MAX_KEYS_LOOKED_UP = 100;

/** `HighErrorRate — checkout`, or the alertname alone when no service is known. */
function alertHeading(alertname: string, service: string | null): string {
  return service ? `${alertname} — ${service}` : alertname;
}

interface Storm {
  since: Date;
  lastDropAt: number;
  notDiagnosed: number;
  titles: Map<string, number>;
  ts?: string;
  posting?: Promise<void> | undefined;
  lastEdit: number;
  editTimer?: ReturnType<typeof setTimeout> | undefined;
}

/** Per thread: notes gathered while its root is not posted yet or the channel is busy, posted as one reply. */
interface NoteBuffer {
  channel: string;
  threadTs: string | null;
  /** The run whose thread the notes go to: they are written to its durable outbox. */
  runId: string | null;
  notes: AlertNote[];
  scheduled: boolean;
}

/** Spacing of root edits caused by repeats, grouped alerts and resolutions (chat.update is rate limited). */
const ROOT_EDIT_SPACING_MS = 3000;

const scoped = (channel: string, key: string) => `${channel}|${key}`;

function firingAlerts(n: AlertNotification): Alert[] {
  return n.alerts.filter((a) => a.status === 'firing');
}

function severityLabel(n: AlertNotification): string | undefined {
  const first = firingAlerts(n)[0] ?? n.alerts[0];
  return first?.labels.severity ?? n.commonLabels.severity;
}

/**
 * The alert channels' front door. Each alert either opens a diagnosis (queued, a few at a time), or joins the thread
 * it belongs to: a repeat of the same alert or group, another alert for a service being diagnosed (grouped), or a
 * resolution. Nothing is dropped silently: when the queue is full the channel's storm summary counts the alert.
 * Thread bookkeeping lives in the `AlertThreadStore`, so deliveries of one alert open one thread.
 */
export class AlertIntake {
  private readonly deps: AlertIntakeDeps;
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly storms = new Map<string, Storm>();
  private readonly buffers = new Map<string, NoteBuffer>();
  /** Thread id → its diagnosis run and where its replies go, for threads this process started. */
  private readonly runByThread = new Map<string, { runId: string; threadTs: string }>();
  /** Thread id → the alert state its root shows (the same object the run record holds once the root is posted). */
  private readonly alertByThread = new Map<string, RunAlert>();
  private readonly pending = new Set<Promise<unknown>>();
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
  }

  stats(): IntakeStats {
    return { ...this.counts, queued: this.queue.length, running: this.running, firstReplyMs: [...this.firstReplyMs] };
  }

  /** True when nothing is queued, running, or waiting to be posted. */
  idle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.pending.size === 0;
  }

  /**
   * Shutdown: starts no more queued diagnoses and releases their threads' claims, so the alert opens a thread when
   * it is delivered again (Alertmanager re-sends; another replica or the restarted one takes it). Returns how many.
   */
  async stopQueue(): Promise<number> {
    this.draining = true;
    const left = this.queue.splice(0);
    for (const job of left) await this.deps.store.release(job.thread.id).catch(() => undefined);
    return left.length;
  }

  /** Decides what to do with one alert and starts doing it; resolves once the decision is recorded. */
  async accept(incoming: IncomingAlert): Promise<IntakeOutcome> {
    this.counts.received++;
    const outcome = await this.decide(incoming);
    this.deps.logger.info(
      { channel: incoming.channel, alert: incoming.notification.title.slice(0, 200), outcome },
      'alert handled',
    );
    return outcome;
  }

  private async decide(incoming: IncomingAlert): Promise<IntakeOutcome> {
    const { notification: n, channel } = incoming;
    const now = this.deps.now();
    const messageKey = incoming.alertTs ? scoped(channel, `msg:${incoming.alertTs}`) : undefined;
    const resolved = n.alerts.filter((a) => a.status === 'resolved');

    // Resolutions follow identity: each resolved alert ends in the thread that holds its key.
    if (n.status === 'resolved') {
      const threads = await this.threadsOf(channel, resolved.length > 0 ? resolved : n.alerts, messageKey);
      if (threads.length === 0) {
        this.counts.unmatchedResolves++;
        return 'unmatched-resolve';
      }
      for (const { thread, keys } of threads) await this.resolve(thread, keys, n.title, now);
      this.counts.resolved++;
      return 'resolved';
    }

    // Some alerts of a firing group may have resolved (Grafana's mixed notifications, webhook groups).
    if (resolved.length > 0) {
      for (const { thread, keys } of await this.threadsOf(channel, resolved)) {
        await this.resolve(thread, keys, n.title, now, false);
      }
    }

    const firing = firingAlerts(n).filter((a) =>
      meetsSeverity(a.labels.severity ?? n.commonLabels.severity, this.deps.options.minSeverity),
    );
    if (firing.length === 0) {
      this.counts.belowSeverity++;
      return 'below-severity';
    }

    const dedupeSince = new Date(now.getTime() - this.deps.options.dedupeWindowMs);
    const groupSince = new Date(now.getTime() - this.deps.options.groupWindowMs);
    const outcomes: IntakeOutcome[] = [];
    /** Threads this notification already added a line to: one line each, however many of its alerts they hold. */
    const noted = new Set<string>();
    const fresh: Job[] = [];
    /** Services past the bound: listed, not diagnosed; their alerts belong to the first new thread. */
    const left: { heading: string; keys: string[] }[] = [];
    // One diagnosis per service the notification names (a grouped `[FIRING:2] HighErrorRate` for two services).
    for (const group of splitByService({ ...n, alerts: firing, firingCount: firing.length })) {
      const sub = group.notification;
      const keys = [...new Set(sub.alerts.map((a) => this.alertKeyIn(channel, a)))];
      const symptom = alertToSymptom(sub, { now, ...(this.deps.timeZone ? { timeZone: this.deps.timeZone } : {}) });
      const serviceKey = symptom.service ? scoped(channel, `service:${symptom.service.toLowerCase()}`) : undefined;
      const first = sub.alerts[0];
      const heading = alertHeading(first?.alertname ?? n.title, symptom.service);

      // A repeat of an alert (same identity), or another alert for a service being diagnosed.
      const known =
        (await this.deps.store.find(keys, dedupeSince)) ??
        (serviceKey ? await this.deps.store.find([serviceKey], groupSince) : undefined);
      if (!known && fresh.length >= MAX_DIAGNOSES_PER_NOTIFICATION) {
        left.push({ heading, keys });
        continue;
      }
      if (!known && this.queue.length + fresh.length >= this.deps.options.queueMax) {
        this.drop(channel, sub, now);
        outcomes.push('dropped');
        continue;
      }

      const thread: AlertThread = {
        id: randomUUID(),
        channel,
        threadTs: incoming.alertTs ?? null,
        service: symptom.service,
        title: n.title,
        openedAt: now,
        lastSeenAt: now,
        status: 'firing',
        firing: keys,
      };
      const claimKeys: ClaimKey[] = [
        ...keys.map((key) => ({ key, since: dedupeSince })),
        ...(serviceKey ? [{ key: serviceKey, since: groupSince }] : []),
      ];
      const claim = await this.deps.store.claim(claimKeys, thread);
      if (claim.holder) {
        outcomes.push(await this.join(claim.holder, claim.matched === serviceKey, keys, incoming, now, noted));
        continue;
      }

      const severity = first?.labels.severity ?? sub.commonLabels.severity;
      const alert: RunAlert = {
        source: n.source,
        title: n.title,
        alertname: first?.alertname ?? n.title,
        ...(symptom.service ? { service: symptom.service } : {}),
        ...(severity ? { severity } : {}),
        status: 'firing',
        ...(first?.startsAt ? { startsAt: first.startsAt } : {}),
        repeats: 0,
        grouped: [],
        ...(n.link ? { link: n.link } : {}),
      };
      fresh.push({ thread, incoming, symptom, alert, acceptedAt: performance.now(), heading });
    }

    const [lead] = fresh;
    if (!lead) return outcomes[0] ?? 'repeat';
    if (left.length > 0) {
      const keys = left.flatMap((l) => l.keys);
      lead.thread.firing = [...new Set([...lead.thread.firing, ...keys])];
      await this.deps.store.bind(keys, lead.thread.id);
      await this.deps.store.update(lead.thread.id, { firing: lead.thread.firing });
    }
    // An edit of the message (Alertmanager's update_message) that resolves it finds its thread by the message too.
    if (messageKey) await this.deps.store.bind([messageKey], lead.thread.id);
    // Several services: one summary, then one diagnosis per service in its thread.
    const inThread =
      fresh.length + left.length > 1
        ? this.postGroupSummary(channel, incoming.alertTs, {
            title: n.title,
            source: n.source,
            diagnosed: fresh.map((j) => j.heading),
            notDiagnosed: left.map((l) => l.heading),
            max: MAX_DIAGNOSES_PER_NOTIFICATION,
          })
        : undefined;
    for (const job of fresh) {
      if (inThread) job.inThread = inThread;
      this.alertByThread.set(job.thread.id, job.alert);
      if (this.alertByThread.size > 10_000) {
        const oldest = this.alertByThread.keys().next().value;
        if (oldest !== undefined) this.alertByThread.delete(oldest);
      }
      this.queue.push(job);
    }
    this.pump();
    return 'queued';
  }

  /** An alert joins the thread holding its identity (a repeat) or its service (grouped into that diagnosis). */
  private async join(
    holder: AlertThread,
    sameService: boolean,
    keys: readonly string[],
    incoming: IncomingAlert,
    now: Date,
    noted: Set<string>,
  ): Promise<IntakeOutcome> {
    const { channel } = incoming;
    await this.deps.store.bind(keys, holder.id);
    const firing = [...new Set([...holder.firing, ...keys])];
    const refired = holder.status === 'resolved';
    await this.deps.store.update(holder.id, { lastSeenAt: now, firing, status: 'firing' });
    const outcome: IntakeOutcome = sameService ? 'grouped' : 'repeat';
    if (noted.has(holder.id)) return outcome;
    noted.add(holder.id);
    const title = incoming.notification.title;
    const link = incoming.alertTs ? { link: messageLink(channel, incoming.alertTs) } : {};
    if (sameService) {
      this.counts.grouped++;
      this.note(holder, { kind: 'grouped', title, at: now, ...link });
      this.touchRun(holder, (alert) => {
        alert.grouped.push(title);
      });
      return 'grouped';
    }
    this.counts.repeats++;
    this.note(holder, { kind: refired ? 'refired' : 'repeat', title, at: now, ...link });
    this.touchRun(holder, (alert) => {
      alert.repeats++;
      if (refired) {
        alert.status = 'firing';
        delete alert.resolvedAt;
      }
    });
    return 'repeat';
  }

  /**
   * The threads holding the identities of `alerts`, each with the keys it holds; the thread of the message itself
   * (`messageKey`) when no identity matches.
   */
  private async threadsOf(
    channel: string,
    alerts: readonly Alert[],
    messageKey?: string,
  ): Promise<{ thread: AlertThread; keys: string[] }[]> {
    const found = new Map<string, { thread: AlertThread; keys: string[] }>();
    const keys = [...new Set(alerts.slice(0, MAX_KEYS_LOOKED_UP).map((a) => this.alertKeyIn(channel, a)))];
    for (const key of keys) {
      const thread = await this.deps.store.find([key]);
      if (!thread) continue;
      const entry = found.get(thread.id) ?? { thread, keys: [] };
      entry.keys.push(key);
      found.set(thread.id, entry);
    }
    if (found.size === 0 && messageKey) {
      const thread = await this.deps.store.find([messageKey]);
      if (thread) found.set(thread.id, { thread, keys: [...keys, ...thread.firing] });
    }
    return [...found.values()];
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

  /**
   * An alert's identity in a channel: its fingerprint, its full label set, or its text (`alertKey`). A long one is
   * stored as its SHA-256, so a key stays far below what a database index entry may hold.
   */
  private alertKeyIn(channel: string, a: Alert): string {
    const key = alertKey(a);
    if (key.length <= MAX_STORED_KEY) return scoped(channel, key);
    const kind = key.slice(0, key.indexOf(':'));
    return scoped(channel, `${kind}:sha256:${createHash('sha256').update(key).digest('hex')}`);
  }

  private pump(): void {
    if (this.draining) return;
    while (this.running < this.deps.options.concurrency && this.queue.length > 0) {
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
      alert,
      compact,
      urgent: true,
      trigger: incoming.alertTs ? 'alert' : 'webhook',
      onFinished,
      onRootPosted: (posted) => {
        this.firstReplyMs.push(performance.now() - job.acceptedAt);
        if (this.firstReplyMs.length > 10_000) this.firstReplyMs.shift();
        this.runByThread.set(thread.id, { runId: posted.runId, threadTs: posted.threadTs });
        if (this.runByThread.size > 10_000) {
          const oldest = this.runByThread.keys().next().value;
          if (oldest !== undefined) this.runByThread.delete(oldest);
        }
        this.track(this.deps.store.update(thread.id, { threadTs: posted.threadTs, runId: posted.runId }));
        const buffer = this.buffers.get(thread.id);
        if (buffer) {
          buffer.threadTs = posted.threadTs;
          buffer.runId = posted.runId;
          this.flushSoon(thread.id);
        }
      },
    });
    if (!record) {
      this.deps.logger.warn(
        { channel: incoming.channel },
        'the alert diagnosis could not start; its thread is released',
      );
      this.buffers.delete(thread.id);
      this.alertByThread.delete(thread.id);
      await this.deps.store.release(thread.id);
    }
  }

  private async resolve(
    thread: AlertThread,
    keys: readonly string[],
    title: string,
    now: Date,
    whole = true,
  ): Promise<void> {
    const gone = new Set(keys);
    const firing = thread.firing.filter((k) => !gone.has(k));
    const status = firing.length === 0 || (whole && firing.every((k) => k.includes('|group:'))) ? 'resolved' : 'firing';
    const left = status === 'resolved' ? [] : firing;
    await this.deps.store.update(thread.id, { firing: left, status, lastSeenAt: now });
    this.note(thread, { kind: 'resolved', title, at: now, stillFiring: left.length });
    if (status === 'resolved') {
      this.touchRun(thread, (alert) => {
        alert.status = 'resolved';
        alert.resolvedAt = now;
      });
    }
  }

  /** Changes the alert state a thread's root shows, and re-renders the root if it is posted already. */
  private touchRun(thread: AlertThread, change: (alert: RunAlert) => void): void {
    const runId = thread.runId ?? this.runByThread.get(thread.id)?.runId;
    const record: RunRecord | undefined = runId ? this.deps.registry.get(runId) : undefined;
    const alert = this.alertByThread.get(thread.id) ?? record?.alert;
    if (alert) change(alert);
    if (runId && !record) {
      this.touchStoredRun(runId, change);
      return;
    }
    if (!alert) return;
    if (runId) void this.deps.journal?.update(runId, { alert });
    if (record?.rootTs)
      this.track(this.deps.runner.refreshRoot(this.deps.client, record, { minIntervalMs: ROOT_EDIT_SPACING_MS }));
  }

  /**
   * The same for a run this replica does not hold (another replica ran it, or this one has restarted since): the
   * stored run is changed, and its root re-rendered from the store unless it is still running (the replica running
   * it renders it). Changes to one run are applied one after the other, so none is lost.
   */
  private touchStoredRun(runId: string, change: (alert: RunAlert) => void): void {
    const journal = this.deps.journal;
    if (!journal) return;
    const previous = this.storedTouches.get(runId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const run = await journal.store.getRun(runId);
      if (!run?.alert) return;
      change(run.alert);
      await journal.update(runId, { alert: run.alert });
      if (run.status === 'running') return;
      const record = recordFromStored(run, await journal.store.events(runId));
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

  /** Adds a line to the thread; lines gathered before it is posted go out together. */
  private note(thread: AlertThread, note: AlertNote): void {
    let buffer = this.buffers.get(thread.id);
    if (!buffer) {
      buffer = { channel: thread.channel, threadTs: null, runId: null, notes: [], scheduled: false };
      this.buffers.set(thread.id, buffer);
    }
    // Notes wait for the diagnosis root (webhook threads have no ts before it), so the root comes first in the thread.
    if (buffer.threadTs === null)
      buffer.threadTs = this.runByThread.get(thread.id)?.threadTs ?? (thread.runId ? thread.threadTs : null);
    const runId = thread.runId ?? this.runByThread.get(thread.id)?.runId;
    if (buffer.threadTs !== null && buffer.runId === null && runId) buffer.runId = runId;
    buffer.notes.push(note);
    this.flushSoon(thread.id);
    if (runId) void this.deps.journal?.note(runId, journalNote(note));
  }

  private flushSoon(threadId: string): void {
    const buffer = this.buffers.get(threadId);
    if (!buffer || buffer.scheduled || buffer.threadTs === null || buffer.notes.length === 0) return;
    buffer.scheduled = true;
    const { channel } = buffer;
    if (buffer.runId !== null) {
      this.flushDurably(threadId, buffer, buffer.runId, buffer.threadTs);
      return;
    }
    // Notes of a thread no run belongs to: sent from memory.
    const post = this.deps.pacer
      .run(channel, () => {
        // Rendered when its turn comes, so notes added while it waited go out in the same reply.
        const notes = buffer.notes.splice(0, MAX_NOTES_PER_MESSAGE);
        buffer.scheduled = false;
        const message = this.deps.render.notes(notes);
        return this.deps.client.chat.postMessage({
          channel,
          thread_ts: buffer.threadTs ?? '',
          text: message.text,
          blocks: message.blocks,
        });
      })
      .catch((err: unknown) => {
        buffer.scheduled = false;
        this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'an alert note could not be posted');
      })
      .finally(() => {
        if (buffer.notes.length > 0) this.flushSoon(threadId);
        else if (!buffer.scheduled) this.buffers.delete(threadId);
      });
    this.track(post);
  }

  /**
   * The notes of a run's thread go through the run's durable outbox, in order with the thread's other messages: a
   * process killed before Slack got them leaves them for the next start. Notes that come while a reply of notes is
   * still on its way wait for it (they are journalled on the run at once) and go out together in the next reply, so
   * a storm of repeats makes few replies.
   */
  private flushDurably(threadId: string, buffer: NoteBuffer, runId: string, threadTs: string): void {
    const { channel } = buffer;
    const notes = buffer.notes.splice(0, MAX_NOTES_PER_MESSAGE);
    const message = this.deps.render.notes(notes);
    const post = this.deps.runner
      .postInThread(this.deps.client, { runId, channel, threadTs }, message, 'alert lines')
      .catch((err: unknown) => {
        this.deps.logger.warn({ channel, runId, error: describeSlackError(err) }, 'an alert note could not be posted');
      })
      .finally(() => {
        buffer.scheduled = false;
        if (buffer.notes.length > 0) this.flushSoon(threadId);
        else if (this.buffers.get(threadId) === buffer) this.buffers.delete(threadId);
      });
    this.track(post);
  }

  private drop(channel: string, n: AlertNotification, now: Date): void {
    this.counts.dropped++;
    let storm = this.storms.get(channel);
    if (!storm || now.getTime() - storm.lastDropAt > this.deps.options.groupWindowMs) {
      if (storm?.editTimer) clearTimeout(storm.editTimer);
      storm = { since: now, lastDropAt: now.getTime(), notDiagnosed: 0, titles: new Map(), lastEdit: 0 };
      this.storms.set(channel, storm);
    }
    storm.lastDropAt = now.getTime();
    storm.notDiagnosed++;
    const name = firingAlerts(n)[0]?.alertname ?? n.title;
    if (storm.titles.size < 500 || storm.titles.has(name)) storm.titles.set(name, (storm.titles.get(name) ?? 0) + 1);
    this.deps.logger.warn({ channel, alert: n.title.slice(0, 200) }, 'alert not diagnosed: the queue is full');
    this.publishStorm(channel, storm);
  }

  private stormState(storm: Storm): StormState {
    return {
      notDiagnosed: storm.notDiagnosed,
      titles: storm.titles,
      since: storm.since,
      queueMax: this.deps.options.queueMax,
      diagnosing: this.counts.diagnosed + this.queue.length,
      grouped: this.counts.grouped,
      repeats: this.counts.repeats,
    };
  }

  /** Posts the storm summary once, then keeps it up to date with throttled edits. */
  private publishStorm(channel: string, storm: Storm): void {
    if (storm.ts === undefined) {
      if (storm.posting) return;
      storm.posting = this.deps.pacer
        .run(
          channel,
          () => {
            const message = this.deps.render.storm(this.stormState(storm));
            return this.deps.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
          },
          { urgent: true },
        )
        .then((posted) => {
          storm.ts = String(posted.ts);
          storm.lastEdit = Date.now();
          this.scheduleStormEdit(channel, storm);
        })
        .catch((err: unknown) => {
          this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'the storm summary could not be posted');
        })
        .finally(() => {
          storm.posting = undefined;
        });
      this.track(storm.posting);
      return;
    }
    this.scheduleStormEdit(channel, storm);
  }

  private rendered = new WeakMap<Storm, number>();

  private scheduleStormEdit(channel: string, storm: Storm): void {
    if (storm.editTimer || storm.ts === undefined) return;
    if (this.rendered.get(storm) === storm.notDiagnosed) return;
    const wait = Math.max(0, storm.lastEdit + (this.deps.options.summaryEditMs ?? 3000) - Date.now());
    let release: () => void = () => {};
    this.track(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    storm.editTimer = setTimeout(async () => {
      await (this.deps.updates ?? UNLIMITED).take();
      storm.editTimer = undefined;
      storm.lastEdit = Date.now();
      const shown = storm.notDiagnosed;
      const message = this.deps.render.storm(this.stormState(storm));
      this.deps.client.chat
        .update({ channel, ts: storm.ts ?? '', text: message.text, blocks: message.blocks })
        .then(() => this.rendered.set(storm, shown))
        .catch((err: unknown) =>
          this.deps.logger.warn({ channel, error: describeSlackError(err) }, 'the storm summary could not be updated'),
        )
        .finally(() => {
          release();
          this.scheduleStormEdit(channel, storm);
        });
    }, wait);
  }

  /** Counts in-flight work, so `idle()` and shutdown can wait for it. */
  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
  }
}

/** Severity of a notification's first firing alert, as a rank name (for logs). */
export function notificationSeverity(n: AlertNotification): Severity | undefined {
  return severityOf(severityLabel(n));
}

/** An alert line as the run's journal keeps it. */
function journalNote(note: AlertNote): JournalNote {
  const link = 'link' in note && note.link ? { link: note.link } : {};
  switch (note.kind) {
    case 'grouped':
      return { type: 'alert-grouped', title: note.title, ...link };
    case 'resolved':
      return { type: 'alert-resolved', title: note.title, ...(note.stillFiring === 0 ? { resolvedAt: note.at } : {}) };
    default:
      return { type: 'alert-repeat', title: note.title, ...link };
  }
}
