import { z } from 'zod';
import {
  type Alert,
  type AlertNotification,
  type AlertStatus,
  capLabels,
  KEY_ANNOTATIONS,
  sortedLabelPairs,
} from '../../domain/alerts/alert.js';

/** The most alerts read from one payload; the rest count as truncated. */
const MAX_ALERTS = 500;
/** The most problems reported for one payload. */
const MAX_PROBLEMS = 20;
const MAX_LINK = 2048;

/** Go's zero `time.Time`, which Alertmanager sends as the `endsAt` of a firing alert: "no end". */
const ZERO_TIME = /^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:00)$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

const missingOr =
  (problem: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'missing' : problem;

const LabelMap = z.record(z.string(), z.string({ error: missingOr('not a string') }), {
  error: missingOr('not an object of strings'),
});
const OptionalLabelMap = LabelMap.nullish().transform((m) => m ?? {});
const OptionalString = z.string({ error: 'not a string' }).nullish();
const Status = z.enum(['firing', 'resolved'], { error: missingOr('not "firing" or "resolved"') });

/** An RFC 3339 time; Go's zero time becomes undefined. */
const Time = z
  .string({ error: missingOr('not a string') })
  .refine((s) => RFC3339.test(s.trim()) && !Number.isNaN(Date.parse(s.trim())), { error: 'not a date' })
  .transform((s): Date | undefined => (ZERO_TIME.test(s.trim()) ? undefined : new Date(Date.parse(s.trim()))));

const AlertSchema = z.object(
  {
    status: Status,
    labels: LabelMap,
    annotations: OptionalLabelMap,
    startsAt: Time,
    endsAt: Time.nullish(),
    generatorURL: OptionalString,
    fingerprint: OptionalString,
  },
  { error: 'not an object' },
);

/**
 * Alertmanager's webhook payload, version "4" (docs/configuration.md, notify/webhook/webhook.go). Unknown fields
 * (`notification_reason`, `routeLabels`, …) are accepted and ignored.
 */
export const AlertmanagerWebhookSchema = z.object(
  {
    version: z.literal('4', {
      error: (issue) =>
        issue.input === undefined ? 'missing' : `not "4" (got ${String(JSON.stringify(issue.input)).slice(0, 20)})`,
    }),
    groupKey: OptionalString,
    truncatedAlerts: z
      .number({ error: 'not a number' })
      .int({ error: 'not a whole number' })
      .min(0, { error: 'below zero' })
      .nullish(),
    status: Status,
    receiver: OptionalString,
    groupLabels: OptionalLabelMap,
    commonLabels: OptionalLabelMap,
    commonAnnotations: OptionalLabelMap,
    externalURL: OptionalString,
    alerts: z.array(AlertSchema, { error: missingOr('not a list') }).min(1, { error: 'empty' }),
  },
  { error: 'not a JSON object' },
);

/** A validated webhook payload: times as `Date` (undefined for Go's zero time), absent maps as `{}`. */
export type AlertmanagerWebhookPayload = z.infer<typeof AlertmanagerWebhookSchema>;

/** The notification, or the problems that make the body unusable (one short line each, with its JSON path). */
export type ParseWebhookResult = { ok: true; notification: AlertNotification } | { ok: false; problems: string[] };

/**
 * Validates an Alertmanager webhook body (version "4") and turns it into an `AlertNotification` (source
 * `alertmanager-webhook`). Problems are short lines with the JSON path (`alerts.0.startsAt: not a date`). Label
 * values and annotations are cut at 1,024 characters, an alert keeps at most 64 labels and 64 annotations (`capLabels`:
 * the ones Triage reads first), and at most 500 alerts are read (the rest are added to `truncatedAlerts`). Never throws.
 *
 * @example parseAlertmanagerWebhook(JSON.parse(body)) // { ok: true, notification: { title: '[FIRING:1] HighErrorRate checkout', … } }
 */
export function parseAlertmanagerWebhook(body: unknown): ParseWebhookResult {
  const parsed = AlertmanagerWebhookSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, MAX_PROBLEMS).map((issue) => {
      const path = issue.path.map(String).join('.');
      return `${path === '' ? 'body' : path}: ${issue.message}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  return { ok: true, notification: toNotification(parsed.data) };
}

function toNotification(p: AlertmanagerWebhookPayload): AlertNotification {
  const alerts = p.alerts.slice(0, MAX_ALERTS).map(toAlert);
  const firingCount = alerts.filter((a) => a.status === 'firing').length;
  const groupLabels = capLabels(p.groupLabels);
  const externalURL = p.externalURL?.trim();
  return {
    source: 'alertmanager-webhook',
    status: p.status,
    title: webhookTitle(p.status, firingCount, groupLabels, alerts),
    groupKey: p.groupKey ?? fallbackGroupKey(p.receiver ?? '', groupLabels),
    groupLabels,
    commonLabels: capLabels(p.commonLabels),
    commonAnnotations: capLabels(p.commonAnnotations, KEY_ANNOTATIONS),
    firingCount,
    resolvedCount: alerts.length - firingCount,
    alerts,
    truncatedAlerts: (p.truncatedAlerts ?? 0) + Math.max(0, p.alerts.length - MAX_ALERTS),
    ...(externalURL ? { link: externalURL.slice(0, MAX_LINK) } : {}),
  };
}

function toAlert(a: AlertmanagerWebhookPayload['alerts'][number]): Alert {
  const labels = capLabels(a.labels);
  const generatorURL = a.generatorURL?.trim();
  return {
    status: a.status,
    alertname: labels.alertname ?? '(unnamed)',
    labels,
    annotations: capLabels(a.annotations, KEY_ANNOTATIONS),
    ...(a.startsAt ? { startsAt: a.startsAt } : {}),
    ...(a.endsAt ? { endsAt: a.endsAt } : {}),
    ...(a.fingerprint ? { fingerprint: a.fingerprint } : {}),
    ...(generatorURL ? { generatorURL: generatorURL.slice(0, MAX_LINK) } : {}),
  };
}

/**
 * Alertmanager's title: `[FIRING:n] <group label values>` (alertname first, then by name) or `[RESOLVED] …`. With
 * no group labels, the alertnames of the alerts stand in.
 */
function webhookTitle(
  status: AlertStatus,
  firing: number,
  groupLabels: Readonly<Record<string, string>>,
  alerts: readonly Alert[],
): string {
  const prefix = status === 'resolved' ? '[RESOLVED]' : `[FIRING:${firing}]`;
  const values = sortedLabelPairs(groupLabels).map(([, v]) => v);
  const shown = values.length > 0 ? values : [...new Set(alerts.map((a) => a.alertname))];
  return `${prefix} ${shown.join(' ')}`.trim();
}

/** Alertmanager always sends `groupKey`; a hand-made payload without one is keyed by receiver and group labels. */
function fallbackGroupKey(receiver: string, groupLabels: Readonly<Record<string, string>>): string {
  const pairs = sortedLabelPairs(groupLabels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `webhook:${receiver}:{${pairs.join(', ')}}`;
}
