import { type Alert, type AlertNotification, type AlertStatus, clipValue } from '../../../../domain/alerts/alert.js';
import {
  type AlertTitle,
  firstLine,
  MAX_TEXT,
  normalise,
  parseAlertTitle,
  titleGroup,
} from '../../../../domain/alerts/alert-title.js';
import { buildAlerts, collect, mergeSources, shared } from './slack-drafts.js';
import { fieldEntries, textEntries } from './slack-entries.js';
import {
  decodeEntities,
  type Entry,
  isRecord,
  type Json,
  MAX_ATTACHMENTS,
  MAX_FIELDS,
  MAX_LINK,
  str,
} from './slack-readers.js';

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

export interface AttachmentInfo {
  title: string | undefined;
  link: string | undefined;
  grafana: boolean;
  entries: Entry[];
}

export function readMessage(message: SlackAlertMessage): AlertNotification | null {
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
export function countsOf(
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

export const MAX_BLOCKS = 50;

/**
 * The texts of a message's Block Kit blocks, one per block: a header's text, a section's text and fields, a
 * context's elements, a rich text's runs (sections and list items on their own lines; only when `readRichText`).
 * Anything else is skipped.
 */
export function blockTexts(blocks: unknown, readRichText: boolean): string[] {
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
export function richText(element: Json, depth: number): string | undefined {
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

export function isOwnMessage(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith(':mag:') || t.startsWith('\u{1F50E}') || t.startsWith('Triage:');
}

/** Link previews Slack adds to a message (`from_url`, app unfurls, shared messages). */
export function isUnfurl(a: Json): boolean {
  return (
    a.from_url !== undefined ||
    a.original_url !== undefined ||
    a.is_app_unfurl === true ||
    a.app_unfurl_url !== undefined ||
    a.is_msg_unfurl === true ||
    a.is_share === true
  );
}

export function readAttachment(a: Json): AttachmentInfo {
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

export function groupLabelsOf(common: Readonly<Record<string, string>>, group: string): Record<string, string> {
  const padded = ` ${group} `;
  return Object.fromEntries(
    Object.entries(common).filter(([, value]) => {
      const v = normalise(value);
      return v !== '' && padded.includes(` ${v} `);
    }),
  );
}
