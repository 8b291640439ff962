import type { AlertStatus } from '../../../../domain/alerts/alert.js';

/** The most alerts read from one message; the rest are left out. */
export const MAX_ALERTS = 500;
/** The most characters read from one text (Slack cuts a message at 40,000). */
export const MAX_ATTACHMENTS = 20;
export const MAX_FIELDS = 100;
export const MAX_LINK = 2048;

export type Json = Record<string, unknown>;

/** One thing read from a text or a field, in order; `collect` turns a run of them into alerts. */
export type Entry =
  | { kind: 'start' }
  | { kind: 'label'; name: string; value: string }
  | { kind: 'annotation'; name: string; value: string }
  | { kind: 'append'; name: string; value: string }
  | { kind: 'status'; value: AlertStatus }
  | { kind: 'startsAt'; value: Date }
  | { kind: 'source'; value: string };

/** An alert being read. Maps, so that no label name (`__proto__`, `constructor`) can touch an object's prototype. */
export interface Draft {
  alertname?: string;
  labels: Map<string, string>;
  annotations: Map<string, string>;
  status?: AlertStatus;
  startsAt?: Date;
  generatorURL?: string;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Slack escapes `&`, `<` and `>` in message text; the values are read back as sent. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp);/g, (_, e: string) => (e === 'lt' ? '<' : e === 'gt' ? '>' : '&'));
}

/** `<https://x|label>` or `<https://x>` → `https://x`; anything else as it is. */
export function unwrapLink(value: string): string {
  const m = /^<(https?:\/\/[^|<>\s]+)(?:\|[^<>]*)?>$/i.exec(value);
  return m?.[1] ?? value;
}

/** Leading list marks: `•`, `-`, `*` or `>` followed by a space. */
export function stripBullets(line: string): string {
  const t = line.trim();
  let i = 0;
  while (i + 1 < t.length && '•◦▪‣·-*>'.includes(t[i] ?? '') && /\s/.test(t[i + 1] ?? '')) {
    i += 2;
    while (i < t.length && /\s/.test(t[i] ?? '')) i++;
  }
  return t.slice(i);
}

/** `*Severity*`, `_Service_`, `` `job` ``: the key without its emphasis. */
export function stripMarks(key: string): string {
  return key
    .trim()
    .replace(/^[*_`]+|[*_`]+$/g, '')
    .trim();
}

/** A value without the backticks, stars or link brackets a template wrapped it in. */
export function cleanValue(raw: string): string {
  let v = raw.trim();
  const code = /^`([^`]*)`$/.exec(v);
  if (code) v = code[1] ?? '';
  else {
    const bold = /^([*_])([^*_]+)\1$/.exec(v);
    if (bold) v = bold[2] ?? '';
  }
  return unwrapLink(v.trim());
}

export function statusWord(value: string): AlertStatus | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'firing' || v === 'alerting' || v === 'problem') return 'firing';
  if (v === 'resolved' || v === 'ok' || v === 'normal') return 'resolved';
  return undefined;
}

/** RFC 3339 (`2026-11-01T14:02:00Z`) or Go's default time format (`2026-11-01 14:02:00.123 +0000 UTC`). */
export function readDate(value: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?[ \t]*(Z|[+-]\d{2}:?\d{2})?/i.exec(value);
  if (!m) return undefined;
  const zone = m[4] ?? 'Z';
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const ms = (m[3] ?? '').slice(0, 3).padEnd(3, '0');
  const t = Date.parse(`${m[1]}T${m[2]?.length === 5 ? `${m[2]}:00` : m[2]}.${ms}${offset}`);
  return Number.isNaN(t) ? undefined : new Date(t);
}
