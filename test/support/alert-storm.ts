/**
 * Drives an alert storm through a Slack harness (shared by the storm test and `npm run bench`): Alertmanager-style
 * posts in one alert channel at a steady rate, delivered as signed events; then reads back from the fake Slack
 * what happened to each alert.
 */
import type { SlackHarness } from '../slack/slack-harness.js';
import type { FakeMessage, RecordedCall } from './fake-slack/fake-slack-server.js';
import { messageEvent } from './fake-slack/sign-request.js';

export interface StormOptions {
  channel: string;
  alerts: number;
  /** Spread the alerts over this long. */
  durationMs: number;
  services: readonly string[];
  alertnames: readonly string[];
  botId?: string;
}

export interface StormReport {
  sent: number;
  sentInMs: number;
  /** From the first alert until every thread, note and summary was posted. */
  handledInMs: number;
  /** Alerts with a diagnosis in their thread. */
  threaded: string[];
  /** Alerts linked from a line in another alert's thread (repeats and grouped alerts). */
  noted: string[];
  /** What the storm summary says was not diagnosed. */
  notDiagnosed: number;
  summaries: number;
  /** Alert message ts values. */
  alerts: string[];
  calls: number;
  posts: number;
  updates: number;
  /** 429 answers by method. */
  rateLimited: Record<string, number>;
  /** Milliseconds from each diagnosed alert's delivery to the first reply in its thread, sorted. */
  firstReplyMs: number[];
}

function blocksText(m: FakeMessage | undefined): string {
  return JSON.stringify(m?.blocks ?? []);
}

/** Alert message ts values linked from a message's blocks (`…/archives/C…/p1700000000000100`). */
export function linkedAlerts(m: FakeMessage, channel: string): string[] {
  const pattern = new RegExp(`archives/${channel}/p(\\d{10})(\\d{6})`, 'g');
  return [...blocksText(m).matchAll(pattern)].map(([, s, us]) => `${s}.${us}`);
}

export function isDiagnosisRoot(m: FakeMessage): boolean {
  return blocksText(m).includes('triage_root_header');
}

export async function runAlertStorm(slack: SlackHarness, options: StormOptions): Promise<StormReport> {
  const { channel } = options;
  const bot = options.botId ?? 'B0ALERTMGR';
  const sentAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < options.alerts; i++) {
    const service = options.services[i % options.services.length] ?? 'service';
    const name = options.alertnames[Math.floor(i / options.services.length) % options.alertnames.length] ?? 'Alert';
    const title = `[FIRING:1] ${name} ${service} (critical)`;
    const attachments = [
      { title, text: '', fallback: title, color: 'danger', mrkdwn_in: ['fallback', 'pretext', 'text'] },
    ];
    const ts = slack.fake.seedMessage(channel, {
      subtype: 'bot_message',
      bot_id: bot,
      username: 'Alertmanager',
      attachments,
    });
    const event = messageEvent({ channel, ts, subtype: 'bot_message', bot_id: bot, attachments, text: '' });
    sentAt.set(ts, Date.now());
    const status = await slack.event(event);
    if (status !== 200) throw new Error(`the alert event was answered ${status}`);
    const due = started + ((i + 1) * options.durationMs) / options.alerts;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  const sentInMs = Date.now() - started;
  await slack.settled(900_000);
  const handledInMs = Date.now() - started;

  const ours = slack.fake.channelMessages(channel).filter((m) => m.source === 'api');
  const roots = ours.filter(isDiagnosisRoot);
  const summaries = ours.filter((m) => blocksText(m).includes('triage_storm_summary'));
  const notes = ours.filter((m) => blocksText(m).includes('triage_alert_notes'));
  const summaryText = `${summaries[0]?.text ?? ''}${blocksText(summaries[0])}`;
  const notDiagnosed = Number(/(\d+) alert\(s\) were not diagnosed/.exec(summaryText)?.[1] ?? 0);
  const calls = slack.fake.calls;
  const rateLimited: Record<string, number> = {};
  for (const c of calls) if (c.status === 429) rateLimited[c.method] = (rateLimited[c.method] ?? 0) + 1;
  const rootCalls = new Map<string, RecordedCall>();
  for (const c of slack.fake.callsTo('chat.postMessage')) {
    const thread = c.params.thread_ts;
    if (c.status === 200 && typeof thread === 'string' && !rootCalls.has(thread)) rootCalls.set(thread, c);
  }
  const firstReplyMs = roots
    .map((r) => {
      const call = rootCalls.get(r.thread_ts ?? '');
      const sent = sentAt.get(r.thread_ts ?? '');
      return call && sent !== undefined ? call.time - sent : Number.NaN;
    })
    .sort((a, b) => a - b);
  return {
    sent: options.alerts,
    sentInMs,
    handledInMs,
    threaded: roots.map((r) => r.thread_ts ?? ''),
    noted: notes.flatMap((m) => linkedAlerts(m, channel)),
    notDiagnosed,
    summaries: summaries.length,
    alerts: [...sentAt.keys()],
    calls: calls.length,
    posts: slack.fake.callsTo('chat.postMessage').length,
    updates: slack.fake.callsTo('chat.update').length,
    rateLimited,
    firstReplyMs,
  };
}

/** One line with the storm's figures. */
export function describeStorm(r: StormReport): string {
  const pct = (p: number) =>
    r.firstReplyMs[Math.min(r.firstReplyMs.length - 1, Math.floor(p * r.firstReplyMs.length))] ?? 0;
  const limited =
    Object.entries(r.rateLimited)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ') || 'none';
  const perMinute = (r.sent / r.handledInMs) * 60_000;
  return (
    `${r.sent} alerts sent in ${(r.sentInMs / 1000).toFixed(1)} s, all handled in ${(r.handledInMs / 1000).toFixed(1)} s ` +
    `(${perMinute.toFixed(0)} alerts/min): threaded ${r.threaded.length}, repeats or grouped into a thread ${r.noted.length}, ` +
    `counted in the storm summary ${r.notDiagnosed}, lost ${r.sent - r.threaded.length - r.noted.length - r.notDiagnosed}; ` +
    `Slack calls ${r.calls} (${r.posts} chat.postMessage, ${r.updates} chat.update), 429s: ${limited}; ` +
    `alert → first thread reply: median ${(pct(0.5) / 1000).toFixed(1)} s, max ${((r.firstReplyMs.at(-1) ?? 0) / 1000).toFixed(1)} s`
  );
}
