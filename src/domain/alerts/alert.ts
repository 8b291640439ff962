/**
 * An alert as Triage understands it, whatever carried it: Alertmanager's Slack notification, its webhook, or
 * Grafana's Slack contact point. Parsers turn each format into an `AlertNotification`; the rest of Triage only
 * sees this model.
 */

export type AlertStatus = 'firing' | 'resolved';

/** Where the notification came from (for wording and for how much the parser could read). */
export type AlertSource = 'alertmanager-slack' | 'alertmanager-webhook' | 'grafana-slack';

export interface Alert {
  status: AlertStatus;
  /** The `alertname` label, or the best guess from a title when labels are not shown. */
  alertname: string;
  /** Labels as shown (names and values). Empty when the format shows values only (Alertmanager's default title). */
  labels: Readonly<Record<string, string>>;
  /** Annotations (`summary`, `description`, `runbook_url`, …) when the format shows them. */
  annotations: Readonly<Record<string, string>>;
  /** When the alert started firing, when known (webhook `startsAt`); Slack formats mostly do not say. */
  startsAt?: Date;
  /** When it resolved, when known (a resolved webhook alert's `endsAt`). */
  endsAt?: Date;
  /** Alertmanager's fingerprint (webhook only). */
  fingerprint?: string;
  /** Link back to the rule or panel that fired (`generatorURL`, Grafana's Source line). */
  generatorURL?: string;
  /**
   * What tells the alert apart when the notification shows no labels (Alertmanager's default Slack message): its
   * text without the status and counts (`HighErrorRate checkout (critical)`). Set by the Slack parser only then.
   */
  identity?: string;
}

export interface AlertNotification {
  source: AlertSource;
  /** `resolved` when every alert of the notification is resolved. */
  status: AlertStatus;
  /** The title as posted (`[FIRING:3] HighErrorRate checkout (critical)`), or built from the group labels. */
  title: string;
  /** Alertmanager's group key (webhook), or a stable key built from the title's group part (Slack formats). */
  groupKey: string;
  /** Group label values or names→values when known. */
  groupLabels: Readonly<Record<string, string>>;
  /** Labels every alert of the group shares, when known. */
  commonLabels: Readonly<Record<string, string>>;
  commonAnnotations: Readonly<Record<string, string>>;
  /** How many alerts are firing in the group (`[FIRING:n]`), and how many resolved. */
  firingCount: number;
  resolvedCount: number;
  /** The alerts the notification lists. For Alertmanager's default Slack message this is one alert built from the
   * title (labels unknown). */
  alerts: readonly Alert[];
  /** Alertmanager's `truncatedAlerts` (alerts left out by `max_alerts`). */
  truncatedAlerts: number;
  /** Link to the alert in Alertmanager or Grafana (`title_link`, `externalURL`). */
  link?: string;
}

/** Severity ranks, lowest first. Alerts below the configured minimum are not diagnosed. */
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  none: 'info',
  info: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  debug: 'info',
  p4: 'info',
  p5: 'info',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  minor: 'warning',
  p3: 'warning',
  error: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  disaster: 'critical',
  p1: 'critical',
  p0: 'critical',
};

/** Reads a `severity` label value ("critical", "P1", "warn") into a rank; undefined when it is not one. */
export function severityOf(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  return SEVERITY_WORDS[value.trim().toLowerCase()];
}

/** True when `value` is a word Triage reads as a severity. */
export function isSeverityWord(value: string): boolean {
  return severityOf(value) !== undefined;
}

/**
 * Whether an alert of this severity label is diagnosed under `minimum`. A missing or unknown severity counts as
 * `warning`, so alerts without the label are still diagnosed by default.
 */
export function meetsSeverity(value: string | undefined, minimum: Severity): boolean {
  const rank = SEVERITIES.indexOf(severityOf(value) ?? 'warning');
  return rank >= SEVERITIES.indexOf(minimum);
}

/**
 * An alert's identity: its fingerprint when known (webhook), else its full label set, alertname included. A
 * notification that shows no labels identifies its alert by its text (`identity`), so distinct texts are distinct
 * alerts. Two alerts with the same name for two services never share a key.
 */
export function alertKey(alert: Alert): string {
  if (alert.fingerprint) return `fp:${alert.fingerprint}`;
  if (alert.identity !== undefined) return `text:${alert.identity}`;
  const labels = sortedLabelPairs({ alertname: alert.alertname, ...alert.labels })
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',');
  return `labels:{${labels}}`;
}

/** The most labels (and, separately, annotations) kept per alert; the rest are dropped. */
export const MAX_LABELS = 64;
/** The longest label value or annotation kept, in characters; longer ones are cut. */
export const MAX_VALUE_LENGTH = 1024;

/** Cuts `value` to `MAX_VALUE_LENGTH` characters (never inside a surrogate pair). */
export function clipValue(value: string): string {
  if (value.length <= MAX_VALUE_LENGTH) return value;
  const cut = value.slice(0, MAX_VALUE_LENGTH);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Label pairs in Alertmanager's `SortedPairs` order: `alertname` first, the rest by name. */
export function sortedLabelPairs(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => {
    if (a === b) return 0;
    if (a === 'alertname') return -1;
    if (b === 'alertname') return 1;
    return a < b ? -1 : 1;
  });
}

/** Scrape job names that say how a target is scraped, not which service it is. */
const SCRAPE_JOBS = new Set([
  'alertmanager',
  'apiserver',
  'blackbox',
  'blackbox-exporter',
  'cadvisor',
  'coredns',
  'federate',
  'federation',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-dns',
  'kube-proxy',
  'kube-scheduler',
  'kube-state-metrics',
  'kubelet',
  'kubernetes-apiservers',
  'kubernetes-cadvisor',
  'kubernetes-nodes',
  'kubernetes-nodes-cadvisor',
  'kubernetes-pods',
  'kubernetes-pods-slow',
  'kubernetes-service-endpoints',
  'kubernetes-service-endpoints-slow',
  'kubernetes-services',
  'node',
  'node-exporter',
  'node_exporter',
  'otel-collector',
  'prometheus',
  'pushgateway',
]);

/**
 * True when a `job` label value is a scrape job name (`kubernetes-pods`, `node-exporter`, `prometheus`,
 * `integrations/…`) or an exporter (`isExporterName`) rather than a service name.
 */
export function isScrapeJobName(value: string): boolean {
  const v = value.trim().toLowerCase();
  return SCRAPE_JOBS.has(v) || v.includes('/') || v.startsWith('kubernetes-') || isExporterName(v);
}

/** The monitoring stack's own components, as the last part of a job or service name. */
const EXPORTER_SUFFIX =
  /(?:^|[-_.])(?:kube[-_]state[-_]metrics|node[-_]exporter|prometheus[-_]node[-_]exporter|blackbox(?:[-_]exporter)?|cadvisor|kubelet|pushgateway|prometheus[-_]pushgateway|prometheus[-_]operator|kube[-_]prom(?:etheus)?(?:[-_]stack)?[-_]operator|operator|prometheus|prometheus[-_]k8s|prometheus[-_]operated|alertmanager(?:[-_]operated|[-_]main)?|[a-z0-9]+[-_]exporter|grafana[-_]agent|otel[-_]collector)$/;

/**
 * True when a job or service label names the exporter or monitoring component that reported the alert, never the
 * workload: kube-state-metrics, node-exporter, blackbox(-exporter), cAdvisor and the kubelet, the Prometheus
 * operator (`kube-prometheus-stack-operator`, `prometheus-operator`), Prometheus itself, Alertmanager, the
 * Pushgateway, any `…-exporter`, and the services a kube-prometheus-stack release creates
 * (`kube-prometheus-stack-kube-state-metrics`, `kube-prometheus-stack-prometheus-node-exporter`).
 *
 * @example isExporterName('kube-prometheus-stack-kube-state-metrics') // true
 */
export function isExporterName(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return false;
  if (SCRAPE_JOBS.has(v) || /^kube-prometheus-stack(?:-|$)/.test(v) || /(?:^|-)kube-prom-/.test(v)) return true;
  // `operator` alone is too common a word for a service; only the Prometheus operator's names count.
  if (/(?:^|[-_.])operator$/.test(v)) return /prom/.test(v);
  return EXPORTER_SUFFIX.test(v);
}

/** The Kubernetes workload labels kube-state-metrics and cAdvisor alerts carry, in the order they name a service. */
export const KUBERNETES_WORKLOAD_LABELS = [
  'container',
  'deployment',
  'statefulset',
  'daemonset',
  'job_name',
  'pod',
] as const;

/**
 * Labels that may name the service, best first: `service`, `service_name`, `app_kubernetes_io_name`,
 * `destination_workload`, then `job` (each skipped when it names a scrape job or an exporter: `isScrapeJobName`),
 * `app`, `application`, and the workload labels kube-state-metrics and cAdvisor alerts carry: `container`,
 * `deployment`, `statefulset`, `daemonset`, `job_name` and `pod` (without its hash). The namespace comes last, as a
 * candidate only (`alertService`).
 */
export const SERVICE_LABELS = [
  'service',
  'service_name',
  'app_kubernetes_io_name',
  'destination_workload',
  'job',
  'app',
  'application',
  ...KUBERNETES_WORKLOAD_LABELS,
] as const;

/** Labels Triage reads, kept first when an alert has more than `MAX_LABELS`. */
const KEY_LABELS: readonly string[] = ['alertname', 'severity', ...SERVICE_LABELS, 'namespace', 'instance'];

/** Annotations Triage reads, kept first when an alert has more than `MAX_LABELS`. */
export const KEY_ANNOTATIONS: readonly string[] = ['summary', 'description', 'message', 'title', 'runbook_url'];

/**
 * At most `MAX_LABELS` pairs in `SortedPairs` order, each value cut by `clipValue`. When there are more, the names in
 * `first` are kept before the rest (by default the labels Triage reads: alertname, severity, the service labels,
 * namespace, instance), then the others by name.
 */
export function capLabels(
  map: Readonly<Record<string, string>>,
  first: readonly string[] = KEY_LABELS,
): Record<string, string> {
  const pairs = sortedLabelPairs(map);
  const kept =
    pairs.length <= MAX_LABELS
      ? pairs
      : [
          ...first.flatMap((name) => pairs.filter(([n]) => n === name)),
          ...pairs.filter(([n]) => !first.includes(n)),
        ].slice(0, MAX_LABELS);
  const keep = new Set(kept.map(([n]) => n));
  return Object.fromEntries(pairs.filter(([n]) => keep.has(n)).map(([n, v]) => [n, clipValue(v)]));
}
