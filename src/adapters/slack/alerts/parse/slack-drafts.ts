import {
  type Alert,
  type AlertStatus,
  clipValue,
  isSeverityWord,
  MAX_LABELS,
} from '../../../../domain/alerts/alert.js';
import { type AlertTitle, normalise } from '../../../../domain/alerts/alert-title.js';
import { type Draft, type Entry, MAX_ALERTS, MAX_LINK } from './slack-readers.js';

// ---------------------------------------------------------------------------------------------------------------
// Entries into alerts.

export function emptyDraft(): Draft {
  return { labels: new Map(), annotations: new Map() };
}

export function isEmpty(d: Draft): boolean {
  return d.labels.size === 0 && d.annotations.size === 0;
}

/**
 * Groups entries into drafts: a `start`, a second `alertname`, or a label or annotation whose value differs from
 * the one already read starts the next alert. Repeats of the same value are ignored.
 */
export function collect(entries: readonly Entry[]): Draft[] {
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
export function compatible(a: Draft, b: Draft): boolean {
  if (a.alertname !== undefined && b.alertname !== undefined && a.alertname !== b.alertname) return false;
  for (const [k, v] of b.labels) if (a.labels.has(k) && a.labels.get(k) !== v) return false;
  for (const [k, v] of b.annotations) if (a.annotations.has(k) && a.annotations.get(k) !== v) return false;
  return true;
}

/**
 * Joins what several parts of one message say (an attachment's fields, its text, the message text): a draft from a
 * later part is merged into a compatible draft from an earlier part, else added.
 */
export function mergeSources(sources: readonly Draft[][]): Draft[] {
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
export function textIdentity(title: AlertTitle | null, annotations: ReadonlyMap<string, string>): string {
  const head = title ? normalise(`${title.group}${title.common === '' ? '' : ` (${title.common})`}`) : '';
  const notes = [...annotations.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${normalise(v)}`);
  return clipValue([head, ...notes].filter((p) => p !== '').join(' | '));
}

export function buildAlerts(drafts: readonly Draft[], title: AlertTitle | null, status: AlertStatus): Alert[] {
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

export function shared(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(
    Object.entries(first).filter(([k, v]) => rest.every((m) => Object.hasOwn(m, k) && m[k] === v)),
  );
}
