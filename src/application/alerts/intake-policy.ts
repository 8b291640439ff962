import {
  type Alert,
  type AlertNotification,
  type AlertSource,
  alertKey,
  meetsSeverity,
  type Severity,
} from '../../domain/alerts/alert.js';
import { alertToSymptom, splitByService } from '../../domain/alerts/alert-symptom.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { AlertThread, AlertThreadStore, ClaimKey } from '../ports/alert-threads.js';
import type { RunAlertInfo } from '../ports/run-store.js';
import type { AlertChange, AlertLine } from './alert-lines.js';
import type { IncomingAlert, IntakeOutcome } from './alert-receiver.js';

export interface IntakePolicyOptions {
  /** A thread stays the one for its alert this long after it was opened (default 1 h). */
  dedupeWindowMs: number;
  /** Alerts for a service already being diagnosed this recently join that diagnosis (default 10 min). */
  groupWindowMs: number;
  /** Alerts below this severity are not diagnosed (default `warning`). */
  minSeverity: Severity;
  /** Diagnoses that may wait; past it alerts are counted in the channel's storm summary (default 20). */
  queueMax: number;
}

/** One diagnosis to start: its thread (claimed already), what it diagnoses and how its root shows the alert. */
export interface DiagnosisPlan {
  thread: AlertThread;
  symptom: ParsedSymptom;
  alert: RunAlertInfo;
  /** `HighErrorRate — checkout`: how the diagnosis is headed among the others of its notification. */
  heading: string;
}

/** The one summary of a notification that affects several services. */
export interface AlertGroupSummary {
  title: string;
  source: AlertSource;
  /** Headings of the diagnoses started. */
  diagnosed: string[];
  /** Headings of the services past `max`: listed, not diagnosed. */
  notDiagnosed: string[];
  max: number;
}

/** What the intake does about one alert, in order. */
export type IntakeAction =
  /** A line in an existing thread (a repeat, an alert grouped into it, a resolution). */
  | { kind: 'note'; thread: AlertThread; line: AlertLine }
  /** A change to the alert state the thread's root shows. */
  | { kind: 'change'; thread: AlertThread; change: AlertChange }
  /** The queue is full: the alert is counted in the channel's storm summary, not diagnosed. */
  | { kind: 'drop'; notification: AlertNotification }
  /** New diagnoses, one per service; with a summary heading them when there are several. */
  | { kind: 'diagnose'; diagnoses: DiagnosisPlan[]; group?: AlertGroupSummary };

export interface IntakeDecision {
  outcome: IntakeOutcome;
  actions: IntakeAction[];
}

export interface IntakePolicyDeps {
  store: AlertThreadStore;
  options: IntakePolicyOptions;
  timeZone?: string;
  newId(): string;
  /** SHA-256 of a text, in hex (long alert identities are stored hashed). */
  sha256(text: string): string;
  /** A link to a chat message (the alert's own message, shown in its thread's lines). */
  messageLink(channel: string, ts: string): string;
}

export interface IntakeContext {
  now: Date;
  /** Diagnoses waiting to start now. */
  waiting(): number;
}

/** The most diagnoses one notification starts; the other services it affects are listed, not diagnosed. */
export const MAX_DIAGNOSES_PER_NOTIFICATION = 5;
/** Identities longer than this are stored hashed. */
const MAX_STORED_KEY = 512;
/** The most alert identities looked up for one resolution. */
const MAX_KEYS_LOOKED_UP = 100;

const scoped = (channel: string, key: string) => `${channel}|${key}`;

/** `HighErrorRate — checkout`, or the alertname alone when no service is known. */
function alertHeading(alertname: string, service: string | null): string {
  return service ? `${alertname} — ${service}` : alertname;
}

interface ThreadKeys {
  thread: AlertThread;
  keys: string[];
}

/**
 * The alert channels' rules. Each alert either opens a diagnosis, or joins the thread it belongs to: a repeat of
 * the same alert or group (same identity within the dedupe window), another alert for a service being diagnosed
 * (grouped, within the grouping window), or a resolution (which follows identity). Alerts below the minimum severity
 * are not diagnosed; a notification naming several services opens one diagnosis per service (at most
 * `MAX_DIAGNOSES_PER_NOTIFICATION`, the others listed); past the queue bound alerts go to the storm summary.
 * Thread bookkeeping is kept in the `AlertThreadStore`, so deliveries of one alert open one thread.
 */
export class IntakePolicy {
  private readonly deps: IntakePolicyDeps;

  constructor(deps: IntakePolicyDeps) {
    this.deps = deps;
  }

  async decide(incoming: IncomingAlert, context: IntakeContext): Promise<IntakeDecision> {
    const { notification: n, channel } = incoming;
    const { now } = context;
    const { store, options } = this.deps;
    const actions: IntakeAction[] = [];
    const messageKey = incoming.alertTs ? scoped(channel, `msg:${incoming.alertTs}`) : undefined;
    const resolved = n.alerts.filter((a) => a.status === 'resolved');

    // Resolutions follow identity: each resolved alert ends in the thread that holds its key.
    if (n.status === 'resolved') {
      const threads = await this.threadsOf(channel, resolved.length > 0 ? resolved : n.alerts, messageKey);
      if (threads.length === 0) return { outcome: 'unmatched-resolve', actions };
      for (const { thread, keys } of threads) actions.push(...(await this.resolve(thread, keys, n.title, now)));
      return { outcome: 'resolved', actions };
    }

    // Some alerts of a firing group may have resolved (Grafana's mixed notifications, webhook groups).
    if (resolved.length > 0) {
      for (const { thread, keys } of await this.threadsOf(channel, resolved)) {
        actions.push(...(await this.resolve(thread, keys, n.title, now, false)));
      }
    }

    const firing = n.alerts.filter(
      (a) => a.status === 'firing' && meetsSeverity(a.labels.severity ?? n.commonLabels.severity, options.minSeverity),
    );
    if (firing.length === 0) return { outcome: 'below-severity', actions };

    const dedupeSince = new Date(now.getTime() - options.dedupeWindowMs);
    const groupSince = new Date(now.getTime() - options.groupWindowMs);
    const outcomes: IntakeOutcome[] = [];
    /** Threads this notification already added a line to: one line each, however many of its alerts they hold. */
    const noted = new Set<string>();
    const fresh: DiagnosisPlan[] = [];
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
        (await store.find(keys, dedupeSince)) ?? (serviceKey ? await store.find([serviceKey], groupSince) : undefined);
      if (!known && fresh.length >= MAX_DIAGNOSES_PER_NOTIFICATION) {
        left.push({ heading, keys });
        continue;
      }
      if (!known && context.waiting() + fresh.length >= options.queueMax) {
        actions.push({ kind: 'drop', notification: sub });
        outcomes.push('dropped');
        continue;
      }

      const thread: AlertThread = {
        id: this.deps.newId(),
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
      const claim = await store.claim(claimKeys, thread);
      if (claim.holder) {
        const sameService = claim.matched === serviceKey;
        outcomes.push(sameService ? 'grouped' : 'repeat');
        actions.push(...(await this.join(claim.holder, sameService, keys, incoming, now, noted)));
        continue;
      }

      const severity = first?.labels.severity ?? sub.commonLabels.severity;
      const alert: RunAlertInfo = {
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
      fresh.push({ thread, symptom, alert, heading });
    }

    const [lead] = fresh;
    if (!lead) return { outcome: outcomes[0] ?? 'repeat', actions };
    if (left.length > 0) {
      const keys = left.flatMap((l) => l.keys);
      lead.thread.firing = [...new Set([...lead.thread.firing, ...keys])];
      await store.bind(keys, lead.thread.id);
      await store.update(lead.thread.id, { firing: lead.thread.firing });
    }
    // An edit of the message (Alertmanager's update_message) that resolves it finds its thread by the message too.
    if (messageKey) await store.bind([messageKey], lead.thread.id);
    // Several services: one summary, then one diagnosis per service in its thread.
    const group: AlertGroupSummary | undefined =
      fresh.length + left.length > 1
        ? {
            title: n.title,
            source: n.source,
            diagnosed: fresh.map((d) => d.heading),
            notDiagnosed: left.map((l) => l.heading),
            max: MAX_DIAGNOSES_PER_NOTIFICATION,
          }
        : undefined;
    actions.push({ kind: 'diagnose', diagnoses: fresh, ...(group ? { group } : {}) });
    return { outcome: 'queued', actions };
  }

  /**
   * An alert's identity in a channel: its fingerprint, its full label set, or its text (`alertKey`). A long one is
   * stored as its SHA-256, so a key stays far below what a database index entry may hold.
   */
  alertKeyIn(channel: string, a: Alert): string {
    const key = alertKey(a);
    if (key.length <= MAX_STORED_KEY) return scoped(channel, key);
    const kind = key.slice(0, key.indexOf(':'));
    return scoped(channel, `${kind}:sha256:${this.deps.sha256(key)}`);
  }

  /** An alert joins the thread holding its identity (a repeat) or its service (grouped into that diagnosis). */
  private async join(
    holder: AlertThread,
    sameService: boolean,
    keys: readonly string[],
    incoming: IncomingAlert,
    now: Date,
    noted: Set<string>,
  ): Promise<IntakeAction[]> {
    const { store } = this.deps;
    await store.bind(keys, holder.id);
    const firing = [...new Set([...holder.firing, ...keys])];
    const refired = holder.status === 'resolved';
    await store.update(holder.id, { lastSeenAt: now, firing, status: 'firing' });
    if (noted.has(holder.id)) return [];
    noted.add(holder.id);
    const title = incoming.notification.title;
    const link = incoming.alertTs ? { link: this.deps.messageLink(incoming.channel, incoming.alertTs) } : {};
    if (sameService) {
      return [
        { kind: 'note', thread: holder, line: { kind: 'grouped', title, at: now, ...link } },
        { kind: 'change', thread: holder, change: { kind: 'grouped', title } },
      ];
    }
    return [
      { kind: 'note', thread: holder, line: { kind: refired ? 'refired' : 'repeat', title, at: now, ...link } },
      { kind: 'change', thread: holder, change: { kind: 'repeat', refired } },
    ];
  }

  /**
   * The thread's resolved alerts leave its firing set; it is resolved when none is left, or (for a whole
   * resolution) when only group keys are left.
   */
  private async resolve(
    thread: AlertThread,
    keys: readonly string[],
    title: string,
    now: Date,
    whole = true,
  ): Promise<IntakeAction[]> {
    const gone = new Set(keys);
    const firing = thread.firing.filter((k) => !gone.has(k));
    const status = firing.length === 0 || (whole && firing.every((k) => k.includes('|group:'))) ? 'resolved' : 'firing';
    const left = status === 'resolved' ? [] : firing;
    await this.deps.store.update(thread.id, { firing: left, status, lastSeenAt: now });
    const actions: IntakeAction[] = [
      { kind: 'note', thread, line: { kind: 'resolved', title, at: now, stillFiring: left.length } },
    ];
    if (status === 'resolved') actions.push({ kind: 'change', thread, change: { kind: 'resolved', at: now } });
    return actions;
  }

  /**
   * The threads holding the identities of `alerts`, each with the keys it holds; the thread of the message itself
   * (`messageKey`) when no identity matches.
   */
  private async threadsOf(channel: string, alerts: readonly Alert[], messageKey?: string): Promise<ThreadKeys[]> {
    const found = new Map<string, ThreadKeys>();
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
}
