import type { KnownBlock } from '@slack/types';
import type { RunAlertInfo } from '../../../application/ports/run-store.js';
import type { AlertSource } from '../../../domain/alerts/alert.js';
import { BLOCKS } from '../ids.js';
import { codeSpan, fitText, joinWithin, link, mrkdwnText } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import type { SlackMessage } from './slack-message.js';

/** The alert part of a root message: the alert as the run store keeps it. */
export type RootAlert = RunAlertInfo;

function hhmm(d: Date): string {
  return Number.isNaN(d.getTime()) ? '?' : `${d.toISOString().slice(11, 16)} UTC`;
}

function minutesBetween(a: Date, b: Date): string {
  const minutes = Math.max(0, Math.round((b.getTime() - a.getTime()) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 6) / 10} h`;
}

const SOURCE_NAME: Readonly<Record<AlertSource, string>> = {
  'alertmanager-slack': 'Alertmanager',
  'alertmanager-webhook': 'Alertmanager',
  'grafana-slack': 'Grafana',
};

/** One mrkdwn line about the alert a diagnosis is for: name, severity, status, repeats and grouped alerts. */
export function alertLine(alert: RootAlert): string {
  const parts: string[] = [];
  // `HighErrorRate — checkout`: a grouped notification's diagnoses share a thread, so each says which service.
  const heading = alert.service ? `${alert.alertname} — ${alert.service}` : alert.alertname;
  const name = alert.link ? (link(alert.link, heading) ?? `*${fitText(heading, 200)}*`) : null;
  const shown = name ?? `*${fitText(heading, 200)}*`;
  const severity = alert.severity ? ` (${fitText(alert.severity, 40)})` : '';
  if (alert.status === 'resolved') {
    const when = alert.resolvedAt ? ` at ${hhmm(alert.resolvedAt)}` : '';
    const lasted =
      alert.resolvedAt && alert.startsAt ? `, after ${minutesBetween(alert.startsAt, alert.resolvedAt)}` : '';
    parts.push(
      `:large_green_circle: ${SOURCE_NAME[alert.source]} alert ${shown}${severity} *resolved*${when}${lasted}`,
    );
  } else {
    const since = alert.startsAt ? ` since ${hhmm(alert.startsAt)}` : '';
    parts.push(`:rotating_light: ${SOURCE_NAME[alert.source]} alert ${shown}${severity} firing${since}`);
  }
  if (alert.repeats > 0) parts.push(`fired again ${alert.repeats}×`);
  if (alert.grouped.length > 0) parts.push(`${alert.grouped.length} more alert(s) for this service grouped here`);
  return parts.join(' · ');
}

/** A line in an alert thread: a repeat, an alert grouped into this diagnosis, a resolution. */
export type AlertNote =
  | { kind: 'repeat'; title: string; at: Date; link?: string }
  | { kind: 'grouped'; title: string; at: Date; link?: string }
  | { kind: 'resolved'; title: string; at: Date; stillFiring: number }
  | { kind: 'refired'; title: string; at: Date; link?: string };

function noteLine(note: AlertNote): string {
  const title = fitText(note.title, 150);
  switch (note.kind) {
    case 'repeat': {
      const where = note.link ? link(note.link, 'alert') : null;
      return `:repeat: ${hhmm(note.at)} — fired again: ${title}${where ? ` (${where})` : ''}`;
    }
    case 'grouped': {
      const where = note.link ? link(note.link, 'alert') : null;
      return `:link: ${hhmm(note.at)} — grouped into this diagnosis (same service): ${title}${where ? ` (${where})` : ''}`;
    }
    case 'resolved':
      return note.stillFiring > 0
        ? `:large_green_circle: ${hhmm(note.at)} — resolved: ${title}. ${note.stillFiring} alert(s) in this thread still firing.`
        : `:large_green_circle: ${hhmm(note.at)} — resolved: ${title}. Nothing in this thread is firing any more.`;
    case 'refired': {
      const where = note.link ? link(note.link, 'alert') : null;
      return `:rotating_light: ${hhmm(note.at)} — firing again after it resolved: ${title}${where ? ` (${where})` : ''}`;
    }
  }
}

const FALLBACK_WORD: Readonly<Record<AlertNote['kind'], string>> = {
  repeat: 'Fired again',
  grouped: 'Grouped into this diagnosis',
  resolved: 'Resolved',
  refired: 'Firing again',
};

/** Notes one reply carries at most; the intake posts the rest in the next one, so no line is cut. */
export const MAX_NOTES_PER_MESSAGE = 30;

/** Several notes gathered while the channel was busy, posted as one reply (one section per ten lines). */
export function renderAlertNotes(notes: readonly AlertNote[]): SlackMessage {
  const lines = notes.slice(0, MAX_NOTES_PER_MESSAGE).map(noteLine);
  const blocks: KnownBlock[] = [];
  for (let i = 0; i < lines.length; i += 10) {
    blocks.push({
      type: 'section',
      ...(i === 0 ? { block_id: BLOCKS.alertNotes } : {}),
      text: mrkdwnText(joinWithin(lines.slice(i, i + 10), LIMITS.sectionText, (n) => `… and ${n} more`)),
    });
  }
  const only = notes.length === 1 ? notes[0] : undefined;
  const fallback = only ? `${FALLBACK_WORD[only.kind]}: ${only.title}` : `${notes.length} alert updates`;
  return enforceLimits({ text: fitText(fallback, LIMITS.fallbackText), blocks });
}

/** The one message per storm that says how many alerts were not diagnosed, and which. */
export interface StormState {
  notDiagnosed: number;
  /** Titles of the alerts not diagnosed, with how many times each. */
  titles: ReadonlyMap<string, number>;
  since: Date;
  queueMax: number;
  diagnosing: number;
  grouped: number;
  repeats: number;
}

export function renderStormSummary(state: StormState): SlackMessage {
  const top = [...state.titles.entries()].sort((a, b) => b[1] - a[1]);
  const lines = top.map(([title, n]) => `• ${fitText(title, 200)}${n > 1 ? ` ×${n}` : ''}`);
  const head =
    `:warning: *Alert storm since ${hhmm(state.since)}: ${state.notDiagnosed} alert(s) were not diagnosed* ` +
    `because ${state.queueMax} diagnoses were already waiting. Diagnosing or done: ${state.diagnosing} · ` +
    `grouped into those: ${state.grouped} · repeats: ${state.repeats}. Mention ${codeSpan('@triage <symptom> for <service>', 60)} ` +
    'in an alert’s thread to diagnose it by hand.';
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.stormSummary, text: mrkdwnText(head) },
    {
      type: 'section',
      block_id: BLOCKS.stormAlerts,
      text: mrkdwnText(joinWithin(lines, LIMITS.sectionText, (n) => `… and ${n} more alert name(s)`) || '_none_'),
    },
  ];
  return enforceLimits({
    text: `Alert storm: ${state.notDiagnosed} alert(s) were not diagnosed (queue full).`,
    blocks,
  });
}

/** A notification that affects several services: its headings, and the services past the bound. */
export interface AlertGroupState {
  title: string;
  source: AlertSource;
  /** `HighErrorRate — checkout`, one per diagnosis started. */
  diagnosed: readonly string[];
  /** Headings of the services not diagnosed (past `max`). */
  notDiagnosed: readonly string[];
  max: number;
}

/**
 * The one summary of a notification affecting several services, at the head of their diagnoses: which services,
 * one diagnosis each below, and which ones were only listed (more than `max`).
 */
export function renderAlertGroup(state: AlertGroupState): SlackMessage {
  const total = state.diagnosed.length + state.notDiagnosed.length;
  const head =
    `:rotating_light: ${SOURCE_NAME[state.source]} alert *${fitText(state.title, 300)}* affects ${total} services: ` +
    `one diagnosis per service below${state.notDiagnosed.length > 0 ? ` (the first ${state.max})` : ''}.`;
  const lines = state.diagnosed.map((h) => `• ${fitText(h, 200)}`);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: BLOCKS.alertGroup,
      text: mrkdwnText(joinWithin([head, ...lines], LIMITS.sectionText, (n) => `… and ${n} more`)),
    },
  ];
  if (state.notDiagnosed.length > 0) {
    const names = joinWithin(
      state.notDiagnosed.map((h) => fitText(h, 200)),
      LIMITS.sectionText - 300,
      (n) => `… and ${n} more`,
    ).replaceAll('\n', ', ');
    blocks.push({
      type: 'context',
      elements: [
        mrkdwnText(
          `Not diagnosed (more than ${state.max} services): ${names}. Mention ${codeSpan('@triage <symptom> for <service>', 60)} here to diagnose one.`,
        ),
      ],
    });
  }
  const fallback = `${state.title}: ${total} services — ${[...state.diagnosed, ...state.notDiagnosed].join(', ')}`;
  return enforceLimits({ text: fitText(fallback, LIMITS.fallbackText), blocks });
}
