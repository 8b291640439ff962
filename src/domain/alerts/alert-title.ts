import { type AlertStatus, isScrapeJobName, isSeverityWord } from './alert.js';

/** What an alert title's `[FIRING:n] group values (common values)` says. */
export interface AlertTitle {
  /** `resolved` only for `[RESOLVED]` (no FIRING). */
  status: AlertStatus;
  /** The n of `[FIRING:n]`; undefined for `[RESOLVED]` and a count-less `[FIRING]`. */
  firing: number | undefined;
  /** The m of Grafana's `[FIRING:n, RESOLVED:m]`; undefined when not said. */
  resolved: number | undefined;
  /** The group label values, whitespace-normalised ("HighErrorRate checkout"). */
  group: string;
  /** The common label values in the trailing parentheses, without them; '' when absent. */
  common: string;
  /** Group values then common values, split on whitespace. The first is the alertname when it is grouped on. */
  values: string[];
}

/** The most characters read from one text (Slack cuts a message at 40,000). */
export const MAX_TEXT = 100_000;

/** `[FIRING:3]`, `[FIRING:2, RESOLVED:1]`, `[RESOLVED]`, after optional `:emoji:` prefixes. */
export const TITLE_PREFIX =
  /^[ \t]*(?::[\w+-]{1,64}:[ \t]*)*\[[ \t]*(FIRING|RESOLVED)(?:[ \t]*:[ \t]*(\d{1,6}))?(?:[ \t]*,[ \t]*RESOLVED[ \t]*:[ \t]*(\d{1,6}))?[ \t]*\]/i;

/**
 * Splits an alert title into its status, counts, group and common parts; null when it does not start with
 * `[FIRING…]`/`[RESOLVED…]`. Only the first line is read.
 */
export function parseAlertTitle(title: string): AlertTitle | null {
  const line = firstLine(title).slice(0, MAX_TEXT);
  const m = TITLE_PREFIX.exec(line);
  if (!m) return null;
  const word = (m[1] ?? '').toUpperCase();
  const { group, common } = splitCommon(line.slice(m[0].length).trim());
  return {
    status: word === 'RESOLVED' ? 'resolved' : 'firing',
    firing: word === 'FIRING' && m[2] !== undefined ? Number(m[2]) : undefined,
    resolved: m[3] !== undefined ? Number(m[3]) : undefined,
    group,
    common,
    values: [...words(group), ...words(common)],
  };
}

/** The label values an alert title shows (`[FIRING:1] HighErrorRate checkout (critical)` → 3 values); [] if none. */
export function alertTitleValues(title: string): string[] {
  return parseAlertTitle(title)?.values ?? [];
}

/** Environment names, never a service. */
export const ENVIRONMENTS = new Set([
  'prod',
  'production',
  'staging',
  'stage',
  'dev',
  'development',
  'test',
  'testing',
  'qa',
  'uat',
  'preprod',
  'pre-prod',
  'nonprod',
  'non-prod',
  'sandbox',
]);
/** Values that name no service: namespaces every cluster has, booleans, placeholders, states. */
export const NOT_SERVICES = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'monitoring',
  'true',
  'false',
  'none',
  'null',
  'nil',
  'unknown',
  'n/a',
  'firing',
  'resolved',
]);
export const POD_HASH = 'bcdfghjklmnpqrstvwxz2456789';
/** `checkout-7d9f8c6b5-x2k4q` (Deployment pod: ReplicaSet hash, then pod suffix). */
export const REPLICASET_POD = new RegExp(`-(?:[${POD_HASH}]{6,10}|\\d{8,10})-[${POD_HASH}]{5}$`);
/** `fluentd-x2k4q` (DaemonSet or Job pod); the suffix must hold a digit so plain words are kept. */
export const SUFFIXED_POD = new RegExp(`-(?=[${POD_HASH}]{0,4}\\d)[${POD_HASH}]{5}$`);
export const SERVICE_NAME = /^[a-z][a-z0-9_.-]*$/i;
export const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
export const DOMAIN_SUFFIX = /\.(?:com|net|org|io|internal|local|lan|cloud|app|dev|corp)$/i;

/**
 * Guesses the service from the label values of a values-only alert title (Alertmanager's default Slack title).
 * `values[0]` is taken as the alertname and skipped. A value is skipped when it is a severity word, an environment
 * (prod, staging, …), a number or duration, a URL, an IP, a cloud region, a common namespace (default,
 * kube-system, monitoring), a scrape job (kubernetes-pods, node-exporter), or not name-shaped
 * (`^[a-z][a-z0-9_.-]*$`, any case) or a domain name. Pod names lose their ReplicaSet/DaemonSet suffix
 * (`checkout-7d9f8c6b5-x2k4q` → `checkout`). Instances (`host:port`) are a weaker clue, used only when no plain value
 * qualifies: an IP is never a service; a Kubernetes service DNS name gives its first label
 * (`checkout.shop.svc:8080` → `checkout`); a single-label host gives itself (`checkout:8080`, the Compose or Service
 * style); other host names are machines and give nothing.
 *
 * @example serviceFromTitleValues(['HighErrorRate', 'prod', 'checkout-7d9f8c6b5-x2k4q', 'critical']) // 'checkout'
 */
export function serviceFromTitleValues(values: readonly string[]): string | undefined {
  const [alertname, ...rest] = values;
  let weak: string | undefined;
  for (const raw of rest) {
    const value = raw.trim();
    if (value === '' || value === alertname) continue;
    const instance = /^([^:\s]+):(\d{1,5})$/.exec(value);
    if (instance) {
      weak ??= serviceFromHost(instance[1] ?? '');
      continue;
    }
    const name = serviceFromValue(value);
    if (name !== undefined) return name;
  }
  return weak;
}

export function serviceFromValue(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (isSeverityWord(value) || ENVIRONMENTS.has(lower) || NOT_SERVICES.has(lower) || isScrapeJobName(value)) {
    return undefined;
  }
  if (/^[\d.,:%]+$/.test(value) || /^\d+(?:ms|[smhdw])$/.test(lower) || lower.includes('://')) return undefined;
  if (/^[a-z]{2}-[a-z]+-\d[a-z]?$/.test(lower) || /^[0-9a-f-]{16,}$/.test(lower)) return undefined;
  if (/^i-[0-9a-f]{8,17}$/.test(lower) || /^ip-\d{1,3}(?:-\d{1,3}){3}(?:\.|$)/.test(lower)) return undefined;
  if (!SERVICE_NAME.test(value) || DOMAIN_SUFFIX.test(value) || value.split('.').length > 3) return undefined;
  const pod = podWorkload(value);
  if (pod !== undefined) return pod;
  return value;
}

/**
 * The workload a Kubernetes pod name belongs to, when it ends in a ReplicaSet hash and pod suffix
 * (`checkout-7d9f8c6b5-x2k4q` → `checkout`) or a DaemonSet/Job suffix holding a digit (`fluentd-x2k4q` → `fluentd`);
 * undefined otherwise.
 */
export function podWorkload(value: string): string | undefined {
  const m = REPLICASET_POD.exec(value) ?? SUFFIXED_POD.exec(value);
  if (!m) return undefined;
  const base = value.slice(0, m.index);
  return SERVICE_NAME.test(base) ? base : undefined;
}

export function serviceFromHost(host: string): string | undefined {
  if (IPV4.test(host) || host.startsWith('[')) return undefined;
  const labels = host.split('.');
  const first = labels[0] ?? '';
  if (labels.length > 1 && !labels.includes('svc')) return undefined;
  if (/^(?:ip|i|node|host|vm)-[0-9a-f-]+$/i.test(first)) return undefined;
  return serviceFromValue(first);
}

export function splitCommon(rest: string): { group: string; common: string } {
  if (rest.endsWith(')')) {
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest[i];
      if (c === ')') depth++;
      else if (c === '(') {
        depth--;
        if (depth === 0) {
          if (i === 0 || /\s/.test(rest[i - 1] ?? '')) {
            return { group: normalise(rest.slice(0, i)), common: normalise(rest.slice(i + 1, -1)) };
          }
          break;
        }
      }
    }
  }
  return { group: normalise(rest), common: '' };
}

/** The part of a title that stays the same from `[FIRING]` to `[RESOLVED]`: the group values. */
export function titleGroup(title: AlertTitle): string {
  if (title.group !== '') return title.group;
  return title.common === '' ? '' : `(${title.common})`;
}

export function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

export function normalise(text: string): string {
  return words(text).join(' ');
}

export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}
