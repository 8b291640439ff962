import { SymptomError } from '../errors.js';
import { parseSymptom } from '../symptom/parse-symptom.js';
import { DEFAULT_WINDOW_SECONDS, MAX_WINDOW_SECONDS } from '../symptom/resolve-window.js';
import type { ParsedSymptom, SymptomKind } from '../symptom/symptom.js';
import {
  type Alert,
  type AlertNotification,
  isExporterName,
  isScrapeJobName,
  isSeverityWord,
  KUBERNETES_WORKLOAD_LABELS,
  SERVICE_LABELS,
} from './alert.js';
import { alertTitleValues, podWorkload, serviceFromTitleValues } from './alert-title.js';

/** Options of `alertToSymptom`. */
export interface AlertSymptomOptions {
  /** The current time (injected, never read from the wall clock here). */
  now: Date;
  /** IANA time zone the notes write clock times in; default UTC. */
  timeZone?: string | undefined;
  /** Look-back in seconds when the alert gives no usable start; default 1800 (30 minutes). */
  lookbackSeconds?: number | undefined;
}

/** How long before the alert's start the window opens, so the onset shows. */
export const ALERT_LEAD_SECONDS = 900;
/** The longest stretch after the alert's start that the window covers. */
export const ALERT_SPAN_SECONDS = 6 * 3_600;

/** Looked up in the first firing alert's labels, then in the common labels (order and reasons in alert.ts). */
export { SERVICE_LABELS };

/** Containers that run next to every service and name none of them. */
const SIDECARS = new Set(['pod', 'istio-proxy', 'istio-init', 'linkerd-proxy', 'linkerd-init', 'envoy', 'vault-agent']);
/** Labels whose values are never the service; their values are dropped before the title is guessed from. */
const NOT_SERVICE_LABELS = [
  'severity',
  'priority',
  'namespace',
  'cluster',
  'env',
  'environment',
  'region',
  'zone',
  'team',
  'owner',
  'grafana_folder',
  'receiver',
  'prometheus',
  'instance',
];

/**
 * Turns an alert notification into the symptom a diagnosis runs on. The service comes from the labels
 * (`SERVICE_LABELS`), else from the title's values (`serviceFromTitleValues`, for Slack's values-only titles). The
 * symptom kinds and status codes come from `parseSymptom` run on the alertname split into words
 * (`KubePodCrashLooping` → "kube pod crash looping"), the summary and the description, with severity tags removed.
 * The window opens 15 minutes before the earliest firing alert's `startsAt` and ends now, or 6 hours after the
 * start when the alert is older; without a usable start (none, or in the future) it is the last `lookbackSeconds`.
 * `notes` say where each part came from. Throws `SymptomError` only for an unknown time zone or an unusable
 * look-back, and `RangeError` for an invalid `now`.
 *
 * @example alertToSymptom(notification, { now }) // { text: 'HighErrorRate on checkout: … (critical)', service: 'checkout', kinds: ['errors'], … }
 */
export function alertToSymptom(n: AlertNotification, options: AlertSymptomOptions): ParsedSymptom {
  const now = options.now.getTime();
  if (Number.isNaN(now)) throw new RangeError('alertToSymptom: options.now is not a valid date');
  const lookback = options.lookbackSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (!(lookback > 0 && lookback <= MAX_WINDOW_SECONDS)) {
    throw new SymptomError(
      `The look-back of ${lookback} seconds is not usable: it must be above zero and at most 7 days.`,
    );
  }
  const zone = zoneOf(options.timeZone);

  const primary = n.alerts.find((a) => a.status === 'firing') ?? n.alerts[0];
  const titleValues = alertTitleValues(n.title);
  const alertname = primary?.alertname ?? n.commonLabels.alertname ?? titleValues[0] ?? 'Alert';
  const annotation = (name: string): string | undefined =>
    nonEmpty(primary?.annotations[name] ?? n.commonAnnotations[name]);
  const summaryRaw = annotation('summary') ?? annotation('title') ?? annotation('message');
  const descriptionRaw = annotation('description') ?? (annotation('summary') ? annotation('message') : undefined);
  const summary = summaryRaw === undefined ? undefined : withoutSeverity(oneLine(summaryRaw));
  const description = descriptionRaw === undefined ? undefined : withoutSeverity(oneLine(descriptionRaw));
  const severity = nonEmpty(primary?.labels.severity ?? n.commonLabels.severity);

  const notes: string[] = [];
  const chosen = alertService(primary, n.commonLabels, n.title);
  const service = chosen?.service ?? null;
  notes.push(chosen?.note ?? 'The alert names no service.');

  const detected = detect([alertnameWords(alertname), summary, description], service, options.now);
  const read = ['name', summary ? 'summary' : undefined, description ? 'description' : undefined].filter(
    (p): p is string => p !== undefined,
  );
  if (detected.kinds.length > 0 || detected.statusCodes.length > 0) {
    const codes = detected.statusCodes.length > 0 ? ` (${detected.statusCodes.join(', ')})` : '';
    notes.push(`Symptom from the alert's ${listWords(read)}: ${detected.kinds.join(', ')}${codes}.`);
  } else {
    notes.push("No symptom recognised in the alert's name, summary or description.");
  }

  const window = alertWindow(n, now, lookback, zone);
  notes.push(...window.notes);

  return {
    text: humanText(alertname, service, summary, severity),
    service,
    serviceCandidates: chosen ? [...new Set(chosen.candidates.flatMap(candidatesFor))] : [],
    kinds: detected.kinds,
    statusCodes: detected.statusCodes,
    window: { start: new Date(window.start), end: new Date(window.end) },
    windowSource: window.source,
    notes,
  };
}

/**
 * An alertname as words for symptom detection: `HighErrorRate` → "high error rate", `KubePodCrashLooping` → "kube
 * pod crash looping", `HTTP5xxRatioHigh` → "http 5xx ratio high", `P99LatencyHigh` → "p99 latency high",
 * `node_filesystem_full` → "node filesystem full".
 */
export function alertnameWords(alertname: string): string {
  return alertname
    .slice(0, 200)
    .replace(/[_\-.:/]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z]{2,})(\d)/g, '$1 $2')
    .replace(/(\d)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------------------------
// The service.

/** The service an alert is about, the other names it may go by (best first), and where they came from. */
export interface ServiceChoice {
  service: string;
  /** Names to look for in Prometheus, best first (`service` first, the namespace last). */
  candidates: string[];
  note: string;
}

/** Namespaces every cluster has: they name no workload. */
const SHARED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring']);

/** Labels that name a Kubernetes workload (kube-state-metrics, cAdvisor, the mesh). */
const WORKLOAD_LABELS: ReadonlySet<string> = new Set([...KUBERNETES_WORKLOAD_LABELS, 'destination_workload']);

/** A workload label's value as a service name: a pod without its hash, a CronJob's job without its timestamp. */
function workloadOf(name: string, raw: string): string | undefined {
  if (name === 'pod') return podWorkload(raw) ?? /^(.*[a-z].*)-\d{1,4}$/i.exec(raw)?.[1];
  if (name === 'job_name') return raw.replace(/-\d{6,}$/, '');
  return raw;
}

/**
 * The service one alert is about, from its labels (then the notification's common labels), else from the values
 * of a values-only title. Exporter jobs and services (`isExporterName`: kube-state-metrics, node-exporter,
 * blackbox, cAdvisor, the Prometheus operator …) and scrape-job names never name it; `container`, `pod` (without
 * its ReplicaSet or StatefulSet suffix), `deployment`, `statefulset`, `daemonset`, `job_name`,
 * `destination_workload` and `service_name` do, and the namespace is the last candidate. Every candidate is kept,
 * so the diagnosis can take the first one Prometheus knows.
 *
 * @example alertService({ labels: { service: 'kube-prometheus-stack-kube-state-metrics', container: 'billing', namespace: 'finance' } … }, {}, '')
 * // { service: 'billing', candidates: ['billing', 'finance'], note: … }
 */
export function alertService(
  alert: Alert | undefined,
  commonLabels: Readonly<Record<string, string>>,
  title: string,
): ServiceChoice | null {
  const candidates: string[] = [];
  let first: { name: string; raw: string } | undefined;
  const exporters: string[] = [];
  const sources = [alert?.labels ?? {}, commonLabels];
  for (const labels of sources) {
    for (const name of SERVICE_LABELS) {
      const raw = nonEmpty(labels[name]);
      if (raw === undefined) continue;
      if (isExporterName(raw) || (name === 'job' && isScrapeJobName(raw))) {
        if (!exporters.includes(`${name}="${raw}"`)) exporters.push(`${name}="${raw}"`);
        continue;
      }
      if (name === 'container' && SIDECARS.has(raw.toLowerCase())) continue;
      const value = workloadOf(name, raw);
      if (value === undefined || value === '' || isExporterName(value)) continue;
      if (!candidates.some((c) => c.toLowerCase() === value.toLowerCase())) candidates.push(value);
      first ??= { name, raw };
    }
  }
  const skipped = exporterNote(exporters);
  if (first !== undefined && candidates[0] !== undefined) {
    // A workload label names a Kubernetes workload: its namespace is the last name worth trying.
    for (const labels of WORKLOAD_LABELS.has(first.name) ? sources : []) {
      const ns = nonEmpty(labels.namespace);
      if (ns !== undefined && !SHARED_NAMESPACES.has(ns.toLowerCase()) && !candidates.includes(ns)) candidates.push(ns);
    }
    const how = first.name === 'pod' ? ` (the pod ${first.raw})` : '';
    return {
      service: candidates[0],
      candidates,
      note: `Service from the alert's \`${first.name}\` label${how}${skipped}.`,
    };
  }
  const known = new Set<string>();
  for (const labels of sources) {
    for (const name of NOT_SERVICE_LABELS) {
      const v = labels[name];
      if (v !== undefined) known.add(v);
    }
  }
  const [name, ...rest] = alertTitleValues(title);
  const guess = name === undefined ? undefined : serviceFromTitleValues([name, ...rest.filter((v) => !known.has(v))]);
  if (guess !== undefined) {
    return { service: guess, candidates: [guess], note: `Service guessed from the alert title: "${guess}".` };
  }
  for (const labels of sources) {
    const ns = nonEmpty(labels.namespace);
    if (ns !== undefined && !SHARED_NAMESPACES.has(ns.toLowerCase())) {
      return { service: ns, candidates: [ns], note: `Service from the alert's \`namespace\` label${skipped}.` };
    }
  }
  return null;
}

/** ` (\`job="kube-state-metrics"\` names the exporter …)`: why a label that looks like a service was skipped. */
function exporterNote(exporters: readonly string[]): string {
  if (exporters.length === 0) return '';
  const shown = exporters
    .slice(0, 3)
    .map((e) => `\`${e}\``)
    .join(', ');
  const verb = exporters.length === 1 ? 'names' : 'name';
  return ` (${shown} ${verb} the exporter or scrape job that reported it, not the workload)`;
}

/** The firing alerts of a notification, one group per service they are about (alerts naming none form one group). */
export interface ServiceGroup {
  service: string | null;
  /** The notification narrowed to this group's alerts. */
  notification: AlertNotification;
}

/**
 * Splits a notification by the service of each alert (`alertService`), in the order the services first appear;
 * services compare case-insensitively. A notification whose alerts show no labels stays one group.
 *
 * @example splitByService(grouped).map((g) => g.service) // ['billing', 'checkout']
 */
export function splitByService(n: AlertNotification): ServiceGroup[] {
  const groups = new Map<string, { service: string | null; alerts: Alert[] }>();
  for (const alert of n.alerts) {
    const service = alertService(alert, n.commonLabels, n.title)?.service ?? null;
    const key = service?.toLowerCase() ?? '';
    const group = groups.get(key);
    if (group) group.alerts.push(alert);
    else groups.set(key, { service, alerts: [alert] });
  }
  return [...groups.values()].map(({ service, alerts }) => {
    const firing = alerts.filter((a) => a.status === 'firing').length;
    return {
      service,
      notification:
        groups.size === 1
          ? n
          : {
              ...n,
              alerts,
              firingCount: firing,
              resolvedCount: alerts.length - firing,
              status: firing > 0 ? 'firing' : 'resolved',
            },
    };
  });
}

function candidatesFor(service: string): string[] {
  const lower = service.toLowerCase();
  const out = [service, lower];
  if (lower.includes('-') && !lower.includes('_')) out.push(lower.replaceAll('-', '_'));
  else if (lower.includes('_') && !lower.includes('-')) out.push(lower.replaceAll('_', '-'));
  const base = /^(.+?)[-_](?:api|service|svc)$/.exec(lower)?.[1];
  if (base !== undefined && /[a-z]/.test(base)) out.push(base);
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------------------------------------------
// The symptom.

function detect(
  parts: readonly (string | undefined)[],
  service: string | null,
  now: Date,
): { kinds: SymptomKind[]; statusCodes: number[] } {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  const all = present.join('. ');
  // parseSymptom reads times too, and rejects impossible ones; alert texts are not written for it, so fall back to
  // the text without clock times, then to the alertname alone.
  const attempts = [all, all.replace(/\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}/g, ' '), present[0] ?? ''];
  for (const text of attempts) {
    try {
      const parsed = parseSymptom(text, { now, ...(service !== null ? { service } : {}) });
      return { kinds: parsed.kinds, statusCodes: parsed.statusCodes };
    } catch {
      // try the next, simpler text
    }
  }
  return { kinds: [], statusCodes: [] };
}

/** Removes severity tags (`[critical]`, `(P1)`, a leading `CRITICAL:`), which say how bad, not what is wrong. */
function withoutSeverity(text: string): string {
  return text
    .replace(/[[(]\s*([A-Za-z0-9]{1,16})\s*[\])]/g, (m, w: string) => (isSeverityWord(w) ? ' ' : m))
    .replace(/^\s*([A-Za-z0-9]{1,16})\s*[:|\u2013-]\s+/, (m, w: string) => (isSeverityWord(w) ? '' : m))
    .replace(/\s+/g, ' ')
    .trim();
}

function humanText(alertname: string, service: string | null, summary: string | undefined, severity?: string): string {
  let text = clip(alertname, 200);
  if (service !== null) text += ` on ${clip(service, 200)}`;
  if (summary) text += `: ${clip(summary, 300)}`;
  if (severity) text += ` (${clip(oneLine(severity), 40)})`;
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// The window.

interface Zone {
  name: string | undefined;
  label: string;
}

interface AlertWindow {
  start: number;
  end: number;
  source: 'since' | 'last';
  notes: string[];
}

function alertWindow(n: AlertNotification, now: number, lookback: number, zone: Zone): AlertWindow {
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const pool = firing.length > 0 ? firing : n.alerts;
  const starts = pool.map((a) => a.startsAt?.getTime()).filter((t): t is number => t !== undefined && !Number.isNaN(t));
  const startsAt = starts.length > 0 ? Math.min(...starts) : undefined;
  const span = humanSpan(lookback);
  if (startsAt === undefined || startsAt > now) {
    const why =
      startsAt === undefined
        ? 'The alert gives no start time'
        : `The alert's start (${clock(startsAt, now, zone)}) is in the future`;
    return { start: now - lookback * 1000, end: now, source: 'last', notes: [`${why}: window of the last ${span}.`] };
  }
  const notes = [`Window from the alert's start, ${clock(startsAt, now, zone)}.`];
  let end = now;
  if (firing.length === 0) {
    const ends = pool.map((a) => a.endsAt?.getTime()).filter((t): t is number => t !== undefined && !Number.isNaN(t));
    const endsAt = ends.length > 0 ? Math.max(...ends) : undefined;
    if (endsAt !== undefined && endsAt >= startsAt && endsAt + ALERT_LEAD_SECONDS * 1000 < now) {
      end = endsAt + ALERT_LEAD_SECONDS * 1000;
      notes.push(`The alert resolved at ${clock(endsAt, now, zone)}: the window ends 15 minutes later.`);
    }
  }
  if (end - startsAt > ALERT_SPAN_SECONDS * 1000) {
    end = startsAt + ALERT_SPAN_SECONDS * 1000;
    notes.push('The alert started more than 6 hours ago: the window covers its first 6 hours.');
  }
  return { start: startsAt - ALERT_LEAD_SECONDS * 1000, end, source: 'since', notes };
}

function zoneOf(name: string | undefined): Zone {
  const trimmed = name?.trim();
  if (trimmed === undefined || trimmed === '') return { name: undefined, label: 'UTC' };
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    throw new SymptomError(
      `Unknown time zone "${trimmed}": use an IANA name such as "Europe/Paris" or "America/New_York", or "UTC".`,
    );
  }
  return canonical === 'UTC' || canonical === 'Etc/UTC'
    ? { name: undefined, label: 'UTC' }
    : { name: canonical, label: canonical };
}

/** "14:02 UTC", with the date in front when it is not the day of `now`: "2026-10-31 14:02 UTC". */
function clock(instant: number, now: number, zone: Zone): string {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone.name ?? 'UTC',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const parts = (t: number): Record<string, string> =>
    Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  const at = parts(instant);
  const today = parts(now);
  const day = `${at.year}-${at.month}-${at.day}`;
  const time = `${at.hour}:${at.minute} ${zone.label}`;
  return day === `${today.year}-${today.month}-${today.day}` ? time : `${day} ${time}`;
}

function humanSpan(seconds: number): string {
  if (seconds % 3_600 === 0) return seconds === 3_600 ? 'hour' : `${seconds / 3_600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers.

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
