import {
  type Alert,
  type AlertNotification,
  type AlertStatus,
  clipValue,
  isScrapeJobName,
  isSeverityWord,
  MAX_LABELS,
} from './alert.js';

/**
 * The fields of a Slack message event that tell an alert apart (sdk `message` event). `attachments` and `blocks`
 * are untrusted JSON: they are checked field by field, never trusted to have a shape.
 */
export interface SlackAlertMessage {
  text?: string | undefined;
  username?: string | undefined;
  bot_id?: string | undefined;
  subtype?: string | undefined;
  attachments?: readonly unknown[] | undefined;
  blocks?: readonly unknown[] | undefined;
}

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

/** The most alerts read from one message; the rest are left out. */
const MAX_ALERTS = 500;
/** The most characters read from one text (Slack cuts a message at 40,000). */
const MAX_TEXT = 100_000;
const MAX_ATTACHMENTS = 20;
const MAX_FIELDS = 100;
const MAX_LINK = 2048;

/** `[FIRING:3]`, `[FIRING:2, RESOLVED:1]`, `[RESOLVED]`, after optional `:emoji:` prefixes. */
const TITLE_PREFIX =
  /^[ \t]*(?::[\w+-]{1,64}:[ \t]*)*\[[ \t]*(FIRING|RESOLVED)(?:[ \t]*:[ \t]*(\d{1,6}))?(?:[ \t]*,[ \t]*RESOLVED[ \t]*:[ \t]*(\d{1,6}))?[ \t]*\]/i;

/**
 * Reads a Slack message into an alert notification, or null when it is not one. Recognises Alertmanager's default
 * Slack notification (values-only title), Alertmanager with templated `fields`, `key=value` text, bullet lines
 * (`• *alertname:* \`X\``) or `Labels:`/` - name = value` sections, and Grafana's Slack contact point. Only bot
 * messages count (a `bot_id`, or subtype `bot_message`): a person quoting an alert is talking about it, not
 * raising it. Our own diagnosis messages (":mag: Diagnosing …", "Triage: …"), link unfurls and messages without an
 * alert title or an `alertname` label give null. Never throws; label values and annotations are cut at 1,024
 * characters and alerts keep at most 64 labels. For a `message_changed` event, pass its inner `message`.
 *
 * @example parseSlackAlert({ bot_id: 'B1', attachments: [{ title: '[FIRING:1] HighErrorRate checkout (critical)' }] })
 * // alertname 'HighErrorRate', labels { severity: 'critical' }, groupKey 'slack:HighErrorRate checkout'
 */
export function parseSlackAlert(message: SlackAlertMessage): AlertNotification | null {
  try {
    return readMessage(message);
  } catch {
    // Defensive: odd input must never break the message listener.
    return null;
  }
}

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
const ENVIRONMENTS = new Set([
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
const NOT_SERVICES = new Set([
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
const POD_HASH = 'bcdfghjklmnpqrstvwxz2456789';
/** `checkout-7d9f8c6b5-x2k4q` (Deployment pod: ReplicaSet hash, then pod suffix). */
const REPLICASET_POD = new RegExp(`-(?:[${POD_HASH}]{6,10}|\\d{8,10})-[${POD_HASH}]{5}$`);
/** `fluentd-x2k4q` (DaemonSet or Job pod); the suffix must hold a digit so plain words are kept. */
const SUFFIXED_POD = new RegExp(`-(?=[${POD_HASH}]{0,4}\\d)[${POD_HASH}]{5}$`);
const SERVICE_NAME = /^[a-z][a-z0-9_.-]*$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DOMAIN_SUFFIX = /\.(?:com|net|org|io|internal|local|lan|cloud|app|dev|corp)$/i;

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

function serviceFromValue(value: string): string | undefined {
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

function serviceFromHost(host: string): string | undefined {
  if (IPV4.test(host) || host.startsWith('[')) return undefined;
  const labels = host.split('.');
  const first = labels[0] ?? '';
  if (labels.length > 1 && !labels.includes('svc')) return undefined;
  if (/^(?:ip|i|node|host|vm)-[0-9a-f-]+$/i.test(first)) return undefined;
  return serviceFromValue(first);
}

// ---------------------------------------------------------------------------------------------------------------
// The message.

type Json = Record<string, unknown>;

/** One thing read from a text or a field, in order; `collect` turns a run of them into alerts. */
type Entry =
  | { kind: 'start' }
  | { kind: 'label'; name: string; value: string }
  | { kind: 'annotation'; name: string; value: string }
  | { kind: 'append'; name: string; value: string }
  | { kind: 'status'; value: AlertStatus }
  | { kind: 'startsAt'; value: Date }
  | { kind: 'source'; value: string };

/** An alert being read. Maps, so that no label name (`__proto__`, `constructor`) can touch an object's prototype. */
interface Draft {
  alertname?: string;
  labels: Map<string, string>;
  annotations: Map<string, string>;
  status?: AlertStatus;
  startsAt?: Date;
  generatorURL?: string;
}

interface AttachmentInfo {
  title: string | undefined;
  link: string | undefined;
  grafana: boolean;
  entries: Entry[];
}

function readMessage(message: SlackAlertMessage): AlertNotification | null {
  if (!isRecord(message)) return null;
  const subtype = str(message.subtype);
  if (subtype !== undefined && subtype !== 'bot_message') return null;
  if (str(message.bot_id) === undefined && subtype !== 'bot_message') return null;
  const text = decodeEntities((str(message.text) ?? '').slice(0, MAX_TEXT));
  if (isOwnMessage(text)) return null;

  const attachments = (Array.isArray(message.attachments) ? message.attachments.slice(0, MAX_ATTACHMENTS) : [])
    .filter(isRecord)
    .filter((a) => !isUnfurl(a))
    .map(readAttachment);

  // Slack mirrors a message's text as a rich_text block: read that block only when the text is empty.
  const blocks = blockTexts(message.blocks, text.trim() === '').map((t) => decodeEntities(t.slice(0, MAX_TEXT)));

  const titleText =
    attachments.map((a) => a.title).find((t) => t !== undefined && parseAlertTitle(t) !== null) ??
    (parseAlertTitle(text) ? firstLine(text).trim() : undefined) ??
    blocks.map((b) => firstLine(b).trim()).find((t) => parseAlertTitle(t) !== null);
  const title = titleText === undefined ? null : parseAlertTitle(titleText);

  const sources = [
    ...attachments.map((a) => a.entries),
    textEntries(text, 0),
    ...blocks.map((b) => textEntries(parseAlertTitle(b) ? b.slice(firstLine(b).length) : b, 0)),
  ].map(collect);
  const drafts = mergeSources(sources);
  const explicit = drafts.some((d) => d.alertname !== undefined);
  if (!title && !explicit) return null;

  const alerts = buildAlerts(drafts, title, title?.status ?? 'firing');
  if (alerts.length === 0) return null;

  const grafana = /grafana/i.test(str(message.username) ?? '') || attachments.some((a) => a.grafana);
  const { status, firingCount, resolvedCount } = countsOf(title, alerts);
  const commonLabels = shared(alerts.map((a) => a.labels));
  const commonAnnotations = shared(alerts.map((a) => a.annotations));
  const names = [...new Set(alerts.map((a) => a.alertname))].sort();
  const link = attachments.find((a) => a.link !== undefined)?.link;
  const shownTitle = titleText === undefined ? undefined : clipValue(titleText.trim());

  return {
    source: grafana ? 'grafana-slack' : 'alertmanager-slack',
    status,
    title: shownTitle ?? `[${status === 'resolved' ? 'RESOLVED' : `FIRING:${firingCount}`}] ${names.join(' ')}`,
    groupKey: `slack:${title ? titleGroup(title) || names.join(' ') : names.join(' ')}`,
    groupLabels: title && explicit ? groupLabelsOf(commonLabels, title.group) : {},
    commonLabels,
    commonAnnotations,
    firingCount,
    resolvedCount,
    alerts,
    truncatedAlerts: 0,
    ...(link !== undefined ? { link } : {}),
  };
}

/**
 * The notification's status and counts: the title's when it has them (`[RESOLVED]` resolves everything), else
 * counted from the alerts. `resolved` also when every alert read is resolved.
 */
function countsOf(
  title: AlertTitle | null,
  alerts: readonly Alert[],
): { status: AlertStatus; firingCount: number; resolvedCount: number } {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const status: AlertStatus = title?.status === 'resolved' || firing === 0 ? 'resolved' : 'firing';
  if (title?.status === 'resolved') {
    return { status, firingCount: 0, resolvedCount: title.resolved ?? Math.max(1, alerts.length) };
  }
  if (title) {
    return {
      status,
      firingCount: title.firing ?? Math.max(1, firing),
      resolvedCount: title.resolved ?? alerts.length - firing,
    };
  }
  return { status, firingCount: firing, resolvedCount: alerts.length - firing };
}

const MAX_BLOCKS = 50;

/**
 * The texts of a message's Block Kit blocks, one per block: a header's text, a section's text and fields, a
 * context's elements, a rich text's runs (sections and list items on their own lines; only when `readRichText`).
 * Anything else is skipped.
 */
function blockTexts(blocks: unknown, readRichText: boolean): string[] {
  if (!Array.isArray(blocks)) return [];
  const out: string[] = [];
  for (const block of blocks.slice(0, MAX_BLOCKS)) {
    if (!isRecord(block) || (!readRichText && block.type === 'rich_text')) continue;
    const parts: string[] = [];
    const textOf = (v: unknown) => (isRecord(v) ? str(v.text) : undefined);
    const own = textOf(block.text);
    if (own !== undefined) parts.push(own);
    for (const list of [block.fields, block.elements]) {
      if (!Array.isArray(list)) continue;
      for (const item of list.slice(0, MAX_FIELDS)) {
        const t = isRecord(item) ? (str(item.text) ?? richText(item, 0)) : undefined;
        if (t !== undefined && t !== '') parts.push(t);
      }
    }
    const joined = parts.join('\n');
    if (joined.trim() !== '') out.push(joined);
  }
  return out;
}

/** A rich_text element's runs as text: inline runs joined, sections and list items one per line. */
function richText(element: Json, depth: number): string | undefined {
  if (depth > 4) return undefined;
  const type = str(element.type);
  if (type === 'text' || type === 'link') return str(element.text) ?? str(element.url);
  if (!Array.isArray(element.elements)) return undefined;
  const inner = element.elements
    .slice(0, MAX_FIELDS)
    .filter(isRecord)
    .map((e) => richText(e, depth + 1) ?? '');
  const block = type === 'rich_text_list' || type === 'rich_text' || type === 'rich_text_preformatted';
  return inner.join(block ? '\n' : '');
}

function isOwnMessage(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith(':mag:') || t.startsWith('\u{1F50E}') || t.startsWith('Triage:');
}

/** Link previews Slack adds to a message (`from_url`, app unfurls, shared messages). */
function isUnfurl(a: Json): boolean {
  return (
    a.from_url !== undefined ||
    a.original_url !== undefined ||
    a.is_app_unfurl === true ||
    a.app_unfurl_url !== undefined ||
    a.is_msg_unfurl === true ||
    a.is_share === true
  );
}

function readAttachment(a: Json): AttachmentInfo {
  let title = str(a.title);
  const fallback = str(a.fallback);
  if ((title === undefined || title.trim() === '') && fallback !== undefined) {
    const bar = fallback.lastIndexOf(' | ');
    title = bar > 0 ? fallback.slice(0, bar) : fallback;
  }
  title = title === undefined ? undefined : decodeEntities(title.slice(0, MAX_TEXT));
  const rawLink = str(a.title_link)?.trim();
  const link = rawLink !== undefined && /^https?:\/\//i.test(rawLink) ? rawLink.slice(0, MAX_LINK) : undefined;
  const footer = str(a.footer) ?? '';
  const color = (str(a.color) ?? '').toLowerCase().replace(/^#/, '');
  const entries = [
    ...fieldEntries(a.fields),
    ...textEntries(decodeEntities((str(a.text) ?? '').slice(0, MAX_TEXT)), 0),
  ];
  return { title, link, grafana: /^grafana/i.test(footer) || color === 'd63232', entries };
}

// ---------------------------------------------------------------------------------------------------------------
// Titles.

function splitCommon(rest: string): { group: string; common: string } {
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
function titleGroup(title: AlertTitle): string {
  if (title.group !== '') return title.group;
  return title.common === '' ? '' : `(${title.common})`;
}

function groupLabelsOf(common: Readonly<Record<string, string>>, group: string): Record<string, string> {
  const padded = ` ${group} `;
  return Object.fromEntries(
    Object.entries(common).filter(([, value]) => {
      const v = normalise(value);
      return v !== '' && padded.includes(` ${v} `);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Fields and texts into entries.

function fieldEntries(fields: unknown): Entry[] {
  if (!Array.isArray(fields)) return [];
  const out: Entry[] = [];
  for (const f of fields.slice(0, MAX_FIELDS)) {
    if (!isRecord(f)) continue;
    const value = decodeEntities((str(f.value) ?? '').slice(0, MAX_TEXT));
    if (value.trim() === '') continue;
    const title = decodeEntities(str(f.title) ?? '');
    const entries = title.trim() === '' ? null : keyed(stripMarks(title), value, 0);
    for (const e of entries ?? textEntries(value, 1)) out.push(e);
  }
  return out;
}

/** Entries of a text: `Labels:` sections when it has them, else bullet/`Key: value` lines and `key=value` pairs. */
function textEntries(text: string, depth: number): Entry[] {
  if (text.trim() === '') return [];
  const lines = text.split('\n');
  return hasSections(lines) ? sectionEntries(lines) : lineEntries(lines, depth);
}

const LIST_ITEM = /^[ \t]*[-•][ \t]+(\S+) =(?: |$)([\s\S]*)$/;

function hasSections(lines: readonly string[]): boolean {
  let labels = false;
  for (const line of lines) {
    if (/^labels:$/i.test(line.trim())) labels = true;
    else if (labels && LIST_ITEM.test(line)) return true;
  }
  return false;
}

/**
 * Grafana's `default.message` and Alertmanager's `__text_alert_list`: `**Firing**`/`**Resolved**` headers, then per
 * alert `Value: …`, `Labels:`, ` - name = value` lines, `Annotations:`, more items, `Source: <url>`.
 */
function sectionEntries(lines: readonly string[]): Entry[] {
  const out: Entry[] = [];
  let status: AlertStatus | undefined;
  let section: 'none' | 'labels' | 'annotations' = 'none';
  let open = false;
  let labelsSeen = false;
  let lastAnnotation: string | undefined;
  const startAlert = (): void => {
    out.push({ kind: 'start' });
    if (status) out.push({ kind: 'status', value: status });
    open = true;
    labelsSeen = false;
    lastAnnotation = undefined;
  };
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const t = line.trim();
    const header = /^\*{1,2}(firing|resolved)\*{1,2}$/i.exec(t);
    if (header) {
      status = (header[1] ?? '').toLowerCase() === 'resolved' ? 'resolved' : 'firing';
      section = 'none';
      open = false;
      continue;
    }
    if (/^value:/i.test(t)) {
      startAlert();
      section = 'none';
      continue;
    }
    if (/^labels:$/i.test(t)) {
      if (!open || labelsSeen) startAlert();
      labelsSeen = true;
      section = 'labels';
      continue;
    }
    if (/^annotations:$/i.test(t)) {
      if (!open) startAlert();
      section = 'annotations';
      lastAnnotation = undefined;
      continue;
    }
    const item = section === 'none' ? null : LIST_ITEM.exec(line);
    if (item) {
      const name = item[1] ?? '';
      const value = item[2] ?? '';
      if (section === 'labels') out.push(labelEntry(name, value));
      else {
        out.push({ kind: 'annotation', name, value });
        lastAnnotation = name;
      }
      continue;
    }
    const link = /^(source|silence|dashboard|panel):([\s\S]*)$/i.exec(t);
    if (link) {
      const url = unwrapLink((link[2] ?? '').trim());
      if ((link[1] ?? '').toLowerCase() === 'source' && url !== '') out.push({ kind: 'source', value: url });
      section = 'none';
      continue;
    }
    if (section === 'annotations' && lastAnnotation !== undefined && t !== '') {
      out.push({ kind: 'append', name: lastAnnotation, value: line });
    }
  }
  return out;
}

function labelEntry(name: string, value: string): Entry {
  return { kind: 'label', name, value };
}

function lineEntries(lines: readonly string[], depth: number): Entry[] {
  const out: Entry[] = [];
  for (const raw of lines) {
    const line = stripBullets(raw);
    if (line === '') continue;
    for (const e of labelledLine(line, depth) ?? kvEntries(line)) out.push(e);
  }
  return out;
}

/** `*alertname:* \`X\``, `*Description:* …`, `Severity: critical`: a key before the first colon. */
function labelledLine(line: string, depth: number): Entry[] | null {
  const colon = line.indexOf(':');
  if (colon <= 0 || colon > 70) return null;
  const rest = line.slice(colon + 1);
  if (rest.startsWith('//')) return null;
  const key = stripMarks(line.slice(0, colon));
  if (!/^[A-Za-z_][\w ./-]{0,62}$/.test(key)) return null;
  return keyed(key, rest.replace(/^[*_]+(?=\s|$)/, ''), depth);
}

const ANNOTATION_KEYS = new Set([
  'summary',
  'description',
  'message',
  'title',
  'runbook',
  'runbook_url',
  'playbook',
  'dashboard',
  'dashboard_url',
  'impact',
  'action',
]);
const IGNORED_KEYS = new Set([
  'value',
  'values',
  'silence',
  'panel',
  'ends_at',
  'endsat',
  'ended',
  'ended_at',
  'resolved_at',
]);
const START_KEYS = new Set([
  'started',
  'starts_at',
  'startsat',
  'started_at',
  'start',
  'start_time',
  'since',
  'fired_at',
  'firing_since',
]);
const SOURCE_KEYS = new Set(['source', 'generator', 'generatorurl', 'generator_url', 'graph']);
const HEADER_KEYS = new Set(['labels', 'details', 'annotations', 'alerts', 'group', 'common_labels', 'group_labels']);

/** Entries for `key: value` (a field or a labelled line); null when the key is not a name. */
function keyed(rawKey: string, rawValue: string, depth: number): Entry[] | null {
  const key = rawKey
    .trim()
    .toLowerCase()
    .replace(/[\s./-]+/g, '_');
  if (!/^[a-z_][a-z0-9_]*$/.test(key)) return null;
  if (HEADER_KEYS.has(key)) return depth === 0 ? textEntries(rawValue, depth + 1) : kvEntries(rawValue);
  const value = cleanValue(rawValue);
  if (IGNORED_KEYS.has(key)) return [];
  if (key === 'alert') return alertLine(value);
  if (value === '') return [];
  if (key === 'alertname' || key === 'alert_name') return [{ kind: 'label', name: 'alertname', value }];
  if (key === 'status' || key === 'state') {
    const s = statusWord(value);
    return s ? [{ kind: 'status', value: s }] : [];
  }
  if (START_KEYS.has(key)) {
    const d = readDate(value);
    return d ? [{ kind: 'startsAt', value: d }] : [];
  }
  if (SOURCE_KEYS.has(key)) return /^https?:\/\//i.test(value) ? [{ kind: 'source', value }] : [];
  if (ANNOTATION_KEYS.has(key)) return [{ kind: 'annotation', name: key, value }];
  return [labelEntry(key, value)];
}

/** `*Alert:* Error ratio above 5% - \`critical\``: a new alert, its summary and severity. */
function alertLine(value: string): Entry[] {
  const out: Entry[] = [{ kind: 'start' }];
  let summary = value;
  const tag = value.lastIndexOf(' - `');
  if (tag >= 0 && value.endsWith('`') && value.length - tag <= 80) {
    const severity = value.slice(tag + 4, -1);
    summary = value.slice(0, tag).trim();
    if (severity !== '' && !severity.includes('`')) out.push(labelEntry('severity', severity));
  }
  if (summary !== '') out.push({ kind: 'annotation', name: 'summary', value: summary });
  return out;
}

/** A link (skipped, so its query string is not read as labels), or a `name=value` pair. */
const KV =
  /(<(?:https?|mailto):[^<>\n]{0,4096}>|https?:\/\/[^\s<>"]{1,4096})|(?<![\w./-])([A-Za-z_][A-Za-z0-9_]{0,127})[ \t]*=[ \t]*("(?:[^"\\\n]|\\[^\n]){0,4096}"|'[^'\n]{0,4096}'|`[^`\n]{0,4096}`|[^\s,{}]{1,4096})/g;

/** `alertname=HighErrorRate service="checkout"`, `{alertname="X", job="y"}`, Go's `map[alertname:X job:y]`. */
function kvEntries(line: string): Entry[] {
  const out: Entry[] = [];
  const t = line.trim();
  if (t.startsWith('map[') && t.endsWith(']')) {
    for (const pair of t.slice(4, -1).split(/\s+/)) {
      const colon = pair.indexOf(':');
      const name = pair.slice(0, colon);
      if (colon > 0 && /^[A-Za-z_]\w*$/.test(name)) out.push(...pairEntries(name, pair.slice(colon + 1)));
    }
    return out;
  }
  for (const m of line.matchAll(KV)) {
    if (m[1] === undefined) out.push(...pairEntries(m[2] ?? '', unquote(m[3] ?? '')));
  }
  return out;
}

function pairEntries(name: string, value: string): Entry[] {
  if (name === 'status') {
    const s = statusWord(value);
    if (s) return [{ kind: 'status', value: s }];
  }
  if (ANNOTATION_KEYS.has(name)) return [{ kind: 'annotation', name, value }];
  return [labelEntry(name, value)];
}

function unquote(raw: string): string {
  const q = raw[0];
  if (raw.length >= 2 && q === '"' && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\([\s\S])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  if (raw.length >= 2 && (q === "'" || q === '`') && raw.endsWith(q)) return raw.slice(1, -1);
  let v = raw.replace(/[.,;:]+$/, '');
  if (v.endsWith(')') && !v.includes('(')) v = v.slice(0, -1);
  if (v.endsWith(']') && !v.includes('[')) v = v.slice(0, -1);
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Entries into alerts.

function emptyDraft(): Draft {
  return { labels: new Map(), annotations: new Map() };
}

function isEmpty(d: Draft): boolean {
  return d.labels.size === 0 && d.annotations.size === 0;
}

/**
 * Groups entries into drafts: a `start`, a second `alertname`, or a label or annotation whose value differs from
 * the one already read starts the next alert. Repeats of the same value are ignored.
 */
function collect(entries: readonly Entry[]): Draft[] {
  const drafts: Draft[] = [];
  let cur = emptyDraft();
  const next = (): void => {
    if (!isEmpty(cur) && drafts.length < MAX_ALERTS) drafts.push(cur);
    cur = emptyDraft();
  };
  for (const e of entries) {
    switch (e.kind) {
      case 'start':
        next();
        break;
      case 'label': {
        const value = clipValue(e.value);
        const had = cur.labels.get(e.name);
        if (e.name === 'alertname' ? cur.alertname !== undefined : had !== undefined && had !== value) next();
        if (!cur.labels.has(e.name) && cur.labels.size >= MAX_LABELS) break;
        cur.labels.set(e.name, value);
        if (e.name === 'alertname') cur.alertname = value;
        break;
      }
      case 'annotation': {
        const value = clipValue(e.value);
        const had = cur.annotations.get(e.name);
        if (had !== undefined && had !== value) next();
        if (!cur.annotations.has(e.name) && cur.annotations.size >= MAX_LABELS) break;
        cur.annotations.set(e.name, value);
        break;
      }
      case 'append': {
        const had = cur.annotations.get(e.name);
        if (had !== undefined) cur.annotations.set(e.name, clipValue(`${had}\n${e.value}`));
        break;
      }
      case 'status':
        cur.status ??= e.value;
        break;
      case 'startsAt':
        cur.startsAt ??= e.value;
        break;
      case 'source':
        cur.generatorURL ??= e.value.slice(0, MAX_LINK);
        break;
    }
  }
  next();
  return drafts;
}

/** Two drafts describe the same alert: same alertname (or one lacks it) and no label or annotation disagrees. */
function compatible(a: Draft, b: Draft): boolean {
  if (a.alertname !== undefined && b.alertname !== undefined && a.alertname !== b.alertname) return false;
  for (const [k, v] of b.labels) if (a.labels.has(k) && a.labels.get(k) !== v) return false;
  for (const [k, v] of b.annotations) if (a.annotations.has(k) && a.annotations.get(k) !== v) return false;
  return true;
}

/**
 * Joins what several parts of one message say (an attachment's fields, its text, the message text): a draft from a
 * later part is merged into a compatible draft from an earlier part, else added.
 */
function mergeSources(sources: readonly Draft[][]): Draft[] {
  const out: { draft: Draft; from: number }[] = [];
  sources.forEach((drafts, from) => {
    const canMerge = out.length > 0 && out.length * drafts.length <= 2_500;
    const used = new Set<number>();
    for (const d of drafts) {
      const i = canMerge ? out.findIndex((o, j) => o.from !== from && !used.has(j) && compatible(o.draft, d)) : -1;
      const target = out[i];
      if (target) {
        used.add(i);
        const t = target.draft;
        for (const [k, v] of d.labels) if (!t.labels.has(k) && t.labels.size < MAX_LABELS) t.labels.set(k, v);
        for (const [k, v] of d.annotations) {
          if (!t.annotations.has(k) && t.annotations.size < MAX_LABELS) t.annotations.set(k, v);
        }
        if (d.alertname !== undefined) t.alertname ??= d.alertname;
        if (d.status) t.status ??= d.status;
        if (d.startsAt) t.startsAt ??= d.startsAt;
        if (d.generatorURL) t.generatorURL ??= d.generatorURL;
      } else if (out.length < MAX_ALERTS) {
        out.push({ draft: d, from });
      }
    }
  });
  return out.map((o) => o.draft);
}

/**
 * The identity of an alert whose notification shows no labels: the title without its status and counts, plus the
 * annotations shown, so distinct texts are distinct alerts and the `[RESOLVED]` post of a `[FIRING:n]` one matches.
 */
function textIdentity(title: AlertTitle | null, annotations: ReadonlyMap<string, string>): string {
  const head = title ? normalise(`${title.group}${title.common === '' ? '' : ` (${title.common})`}`) : '';
  const notes = [...annotations.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${normalise(v)}`);
  return clipValue([head, ...notes].filter((p) => p !== '').join(' | '));
}

function buildAlerts(drafts: readonly Draft[], title: AlertTitle | null, status: AlertStatus): Alert[] {
  const titleName = title?.values[0];
  const titleSeverity = title?.values.slice(1).find((v) => isSeverityWord(v));
  const titleLabels: Record<string, string> = titleSeverity !== undefined ? { severity: clipValue(titleSeverity) } : {};
  if (drafts.length === 0) {
    if (titleName === undefined) return [];
    return [
      {
        status,
        alertname: clipValue(titleName),
        labels: titleLabels,
        annotations: {},
        identity: textIdentity(title, new Map()),
      },
    ];
  }
  const alerts: Alert[] = [];
  let previous: string | undefined;
  for (const d of drafts) {
    const alertname = d.alertname ?? previous ?? titleName;
    if (alertname === undefined || alertname.trim() === '') continue;
    previous = alertname;
    const labels = d.labels.size === 0 ? { ...titleLabels } : Object.fromEntries(d.labels);
    // Labels other than the name and severity tell alerts apart; without them the text does.
    const shown = [...d.labels.keys()].some((k) => k !== 'alertname' && k !== 'severity');
    alerts.push({
      status: d.status ?? status,
      alertname: clipValue(alertname),
      labels,
      annotations: Object.fromEntries(d.annotations),
      ...(shown ? {} : { identity: textIdentity(title, d.annotations) }),
      ...(d.startsAt ? { startsAt: d.startsAt } : {}),
      ...(d.generatorURL ? { generatorURL: d.generatorURL } : {}),
    });
  }
  return alerts;
}

function shared(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((m) => Object.hasOwn(m, k) && m[k] === v)),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers.

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

function normalise(text: string): string {
  return words(text).join(' ');
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

/** Slack escapes `&`, `<` and `>` in message text; the values are read back as sent. */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp);/g, (_, e: string) => (e === 'lt' ? '<' : e === 'gt' ? '>' : '&'));
}

/** `<https://x|label>` or `<https://x>` → `https://x`; anything else as it is. */
function unwrapLink(value: string): string {
  const m = /^<(https?:\/\/[^|<>\s]+)(?:\|[^<>]*)?>$/i.exec(value);
  return m?.[1] ?? value;
}

/** Leading list marks: `•`, `-`, `*` or `>` followed by a space. */
function stripBullets(line: string): string {
  const t = line.trim();
  let i = 0;
  while (i + 1 < t.length && '•◦▪‣·-*>'.includes(t[i] ?? '') && /\s/.test(t[i + 1] ?? '')) {
    i += 2;
    while (i < t.length && /\s/.test(t[i] ?? '')) i++;
  }
  return t.slice(i);
}

/** `*Severity*`, `_Service_`, `` `job` ``: the key without its emphasis. */
function stripMarks(key: string): string {
  return key
    .trim()
    .replace(/^[*_`]+|[*_`]+$/g, '')
    .trim();
}

/** A value without the backticks, stars or link brackets a template wrapped it in. */
function cleanValue(raw: string): string {
  let v = raw.trim();
  const code = /^`([^`]*)`$/.exec(v);
  if (code) v = code[1] ?? '';
  else {
    const bold = /^([*_])([^*_]+)\1$/.exec(v);
    if (bold) v = bold[2] ?? '';
  }
  return unwrapLink(v.trim());
}

function statusWord(value: string): AlertStatus | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'firing' || v === 'alerting' || v === 'problem') return 'firing';
  if (v === 'resolved' || v === 'ok' || v === 'normal') return 'resolved';
  return undefined;
}

/** RFC 3339 (`2026-11-01T14:02:00Z`) or Go's default time format (`2026-11-01 14:02:00.123 +0000 UTC`). */
function readDate(value: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?[ \t]*(Z|[+-]\d{2}:?\d{2})?/i.exec(value);
  if (!m) return undefined;
  const zone = m[4] ?? 'Z';
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const ms = (m[3] ?? '').slice(0, 3).padEnd(3, '0');
  const t = Date.parse(`${m[1]}T${m[2]?.length === 5 ? `${m[2]}:00` : m[2]}.${ms}${offset}`);
  return Number.isNaN(t) ? undefined : new Date(t);
}
