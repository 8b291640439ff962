import type { AlertStatus } from '../../../../domain/alerts/alert.js';
import { MAX_TEXT } from '../../../../domain/alerts/alert-title.js';
import {
  cleanValue,
  decodeEntities,
  type Entry,
  isRecord,
  MAX_FIELDS,
  readDate,
  statusWord,
  str,
  stripBullets,
  stripMarks,
  unwrapLink,
} from './slack-readers.js';

// ---------------------------------------------------------------------------------------------------------------
// Fields and texts into entries.

export function fieldEntries(fields: unknown): Entry[] {
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
export function textEntries(text: string, depth: number): Entry[] {
  if (text.trim() === '') return [];
  const lines = text.split('\n');
  return hasSections(lines) ? sectionEntries(lines) : lineEntries(lines, depth);
}

export const LIST_ITEM = /^[ \t]*[-•][ \t]+(\S+) =(?: |$)([\s\S]*)$/;

export function hasSections(lines: readonly string[]): boolean {
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
export function sectionEntries(lines: readonly string[]): Entry[] {
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

export function labelEntry(name: string, value: string): Entry {
  return { kind: 'label', name, value };
}

export function lineEntries(lines: readonly string[], depth: number): Entry[] {
  const out: Entry[] = [];
  for (const raw of lines) {
    const line = stripBullets(raw);
    if (line === '') continue;
    for (const e of labelledLine(line, depth) ?? kvEntries(line)) out.push(e);
  }
  return out;
}

/** `*alertname:* \`X\``, `*Description:* …`, `Severity: critical`: a key before the first colon. */
export function labelledLine(line: string, depth: number): Entry[] | null {
  const colon = line.indexOf(':');
  if (colon <= 0 || colon > 70) return null;
  const rest = line.slice(colon + 1);
  if (rest.startsWith('//')) return null;
  const key = stripMarks(line.slice(0, colon));
  if (!/^[A-Za-z_][\w ./-]{0,62}$/.test(key)) return null;
  return keyed(key, rest.replace(/^[*_]+(?=\s|$)/, ''), depth);
}

export const ANNOTATION_KEYS = new Set([
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
export const IGNORED_KEYS = new Set([
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
export const START_KEYS = new Set([
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
export const SOURCE_KEYS = new Set(['source', 'generator', 'generatorurl', 'generator_url', 'graph']);
export const HEADER_KEYS = new Set([
  'labels',
  'details',
  'annotations',
  'alerts',
  'group',
  'common_labels',
  'group_labels',
]);

/** Entries for `key: value` (a field or a labelled line); null when the key is not a name. */
export function keyed(rawKey: string, rawValue: string, depth: number): Entry[] | null {
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
export function alertLine(value: string): Entry[] {
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
export const KV =
  /(<(?:https?|mailto):[^<>\n]{0,4096}>|https?:\/\/[^\s<>"]{1,4096})|(?<![\w./-])([A-Za-z_][A-Za-z0-9_]{0,127})[ \t]*=[ \t]*("(?:[^"\\\n]|\\[^\n]){0,4096}"|'[^'\n]{0,4096}'|`[^`\n]{0,4096}`|[^\s,{}]{1,4096})/g;

/** `alertname=HighErrorRate service="checkout"`, `{alertname="X", job="y"}`, Go's `map[alertname:X job:y]`. */
export function kvEntries(line: string): Entry[] {
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

export function pairEntries(name: string, value: string): Entry[] {
  if (name === 'status') {
    const s = statusWord(value);
    if (s) return [{ kind: 'status', value: s }];
  }
  if (ANNOTATION_KEYS.has(name)) return [{ kind: 'annotation', name, value }];
  return [labelEntry(name, value)];
}

export function unquote(raw: string): string {
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
