import type { LogLine } from '../ports.js';

/**
 * Log lines as stores hold them, read back into the application's own messages: the container runtime's wrapper
 * taken off (Docker's json-file `{"log":…}`, CRI's `<time> <stream> <P|F> <text>`), the parts of a line the runtime
 * split joined again, and the physical lines of one event (a stack trace, a traceback) kept with their first line.
 */

/** One physical record with the runtime's wrapper taken off. */
export interface Unwrapped {
  /** The application's text. */
  text: string;
  /** `stdout` / `stderr` when the wrapper said. */
  stream?: string;
  /** A CRI partial record (`P`): the line goes on in the next record of the same stream. */
  partial: boolean;
}

const CRI = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (stdout|stderr) ([PF])(?: (.*))?$/s;

/** The application's text of one stored record: Docker's and CRI's wrappers taken off, anything else as it is. */
export function unwrap(raw: string): Unwrapped {
  const cri = CRI.exec(raw);
  if (cri) return { text: cri[4] ?? '', stream: cri[2] ?? '', partial: cri[3] === 'P' };
  if (raw.startsWith('{"log":') || (raw.startsWith('{') && raw.includes('"log":') && raw.includes('"stream":'))) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { log?: unknown }).log === 'string') {
        const record = parsed as { log: string; stream?: unknown };
        const text = record.log.replace(/\r?\n$/, '');
        return {
          text,
          ...(typeof record.stream === 'string' ? { stream: record.stream } : {}),
          // Docker splits lines over 16 KiB too; only the last part ends with a newline.
          partial: !record.log.endsWith('\n'),
        };
      }
    } catch {
      // not Docker's json-file record: the line is the application's own
    }
  }
  return { text: raw, partial: false };
}

/** A line that goes on the event before it: a stack frame, a cause, an indented traceback line. */
const CONTINUATION = [
  /^\s+\S/, // \tat …, "    at …", '  File "…"', " 1: 0x… node::…"
  /^Caused by: /,
  /^Suppressed: /,
  /^\.\.\. \d+ (?:more|common frames omitted)/,
  /^Traceback \(most recent call last\):/,
  /^During handling of the above exception, another exception occurred:/,
  /^The above exception was the direct cause of the following exception:/,
  /^goroutine \d+ \[/,
];

/** A line that ends an exception's report (`java.lang.IllegalStateException: …`, `TypeError: …`). */
const EXCEPTION_LINE = /^(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Throwable|Exit|Interrupt)(?::|$)/;

/** Lines that open a report whose message comes after them (V8's heap dump before "FATAL ERROR: … out of memory"). */
const LEAD_IN = [/^<--- [\w ]+ --->$/, /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /, /^----- Native stack trace -----$/];

/** Physical lines of one event are written together: further apart than this, a line starts a new event. */
const SAME_EVENT_SECONDS = 1;
/** An exception line without indentation joins the line before only when written in the same instant. */
const SAME_INSTANT_SECONDS = 0.05;

interface Building {
  time: number;
  text: string;
  labels: Readonly<Record<string, string>>;
  /** The last physical line's time. */
  last: number;
  /** The last record was a partial one: the next record of the stream continues its text. */
  open: boolean;
}

/**
 * The events the lines hold, newest first: wrappers taken off, partial records joined, stack frames and causes
 * joined to the line they follow in the same stream (Loki returns the error-looking lines of a trace, not all of
 * them; what it returns is kept together). A line's labels and its stream tell its stream apart.
 */
export function assembleEvents(lines: readonly LogLine[]): LogLine[] {
  const streams = new Map<string, { time: number; labels: Readonly<Record<string, string>>; u: Unwrapped }[]>();
  for (const l of lines) {
    const u = unwrap(l.line);
    const key = `${streamKey(l.labels)}\u0000${u.stream ?? ''}`;
    let list = streams.get(key);
    if (!list) {
      list = [];
      streams.set(key, list);
    }
    list.push({ time: l.time, labels: l.labels, u });
  }
  const events: LogLine[] = [];
  for (const list of streams.values()) {
    list.sort((a, b) => a.time - b.time);
    let current: Building | undefined;
    let leadIn: { time: number; text: string } | undefined;
    const close = () => {
      if (current && current.text.trim() !== '') {
        events.push({ time: current.time, line: current.text, labels: current.labels });
      }
      current = undefined;
    };
    for (const { time, labels, u } of list) {
      const text = u.text;
      if (current?.open && time - current.last <= SAME_EVENT_SECONDS) {
        current.text += text;
        current.last = time;
        current.open = u.partial;
        continue;
      }
      if (text.trim() === '') continue;
      if (LEAD_IN.some((p) => p.test(text))) {
        leadIn =
          leadIn && time - leadIn.time <= SAME_EVENT_SECONDS
            ? { time, text: `${leadIn.text}\n${text}` }
            : { time, text };
        continue;
      }
      const near = current !== undefined && time - current.last <= SAME_EVENT_SECONDS;
      const instant = current !== undefined && time - current.last <= SAME_INSTANT_SECONDS;
      if (current && ((near && CONTINUATION.some((p) => p.test(text))) || (instant && EXCEPTION_LINE.test(text)))) {
        current.text += `\n${text}`;
        current.last = time;
        current.open = u.partial;
        continue;
      }
      close();
      const lead = leadIn && time - leadIn.time <= SAME_EVENT_SECONDS ? `${leadIn.text}\n` : '';
      leadIn = undefined;
      current = { time, text: `${lead}${text}`, labels, last: time, open: u.partial };
    }
    close();
  }
  return events.sort((a, b) => b.time - a.time);
}

function streamKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .filter((k) => k !== 'level')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

// ---------------------------------------------------------------------------------------------------------------
// Structured messages

/** Keys that hold a structured line's message, in the order they are looked for. */
export const MESSAGE_KEYS = ['msg', 'message', '@message', 'event', 'MESSAGE', 'log', '@m', '@mt'] as const;
/** Keys that hold its level. */
export const LEVEL_KEYS = [
  'level',
  'severity',
  'lvl',
  'log.level',
  'levelname',
  'level_name',
  'loglevel',
  '@l',
] as const;
/** Keys that hold an error beside the message. */
export const ERROR_KEYS = [
  'err',
  'error',
  'exception',
  'error.message',
  'exc_info',
  'stack_trace',
  'error.stack_trace',
] as const;

/** What a structured (JSON or logfmt) line says: its message, level and error, or nothing when it is not one. */
export interface Structured {
  message?: string;
  level?: string;
  error?: string;
  /** The error's type when given apart (`error.type`, pino's `err.type`). */
  errorType?: string;
}

/** Reads a JSON object or a logfmt line; `undefined` for plain text. A JSON cut short still gives its message. */
export function readStructured(text: string): Structured | undefined {
  const t = text.trim();
  if (t.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      return t.endsWith('}') ? undefined : readTruncatedJson(t);
    }
    if (!isRecord(parsed)) return undefined;
    return fromRecord(parsed);
  }
  if (/^[\w.@-]+=/.test(t) && /(?:^|\s)(?:msg|message|level|lvl)=/.test(t)) {
    const fields: Record<string, string> = {};
    for (const m of t.matchAll(/(?:^|\s)([\w.@-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const [, key = '', raw = ''] = m;
      if (!(key in fields)) fields[key] = unquote(raw);
    }
    return fromRecord(fields);
  }
  return undefined;
}

function fromRecord(record: Record<string, unknown>): Structured | undefined {
  const get = (key: string): unknown => (key in record ? record[key] : dotted(record, key));
  let message: string | undefined;
  for (const k of MESSAGE_KEYS) {
    const v = get(k);
    if (typeof v === 'string' && v.trim() !== '') {
      message = v;
      break;
    }
  }
  let level: string | undefined;
  for (const k of LEVEL_KEYS) {
    const v = get(k);
    if (typeof v === 'string' && v.trim() !== '') {
      level = v;
      break;
    }
    if (typeof v === 'number') {
      level = numericLevel(v);
      break;
    }
  }
  let error: string | undefined;
  let errorType: string | undefined;
  for (const k of ERROR_KEYS) {
    const v = get(k);
    if (typeof v === 'string' && v.trim() !== '') {
      error = v;
      break;
    }
    if (isRecord(v)) {
      const m = v.message ?? v.msg;
      if (typeof m === 'string' && m.trim() !== '') {
        error = m;
        const type = v.type ?? v.name ?? v.kind;
        if (typeof type === 'string' && type !== 'Error') errorType = type;
        break;
      }
    }
  }
  const type = get('error.type');
  if (errorType === undefined && typeof type === 'string' && type.trim() !== '') errorType = type;
  if (message === undefined && error === undefined && level === undefined) return undefined;
  return {
    ...(message !== undefined ? { message } : {}),
    ...(level !== undefined ? { level } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(errorType !== undefined ? { errorType } : {}),
  };
}

/** `log.level` read from `{"log":{"level":…}}` as ECS loggers nest it. */
function dotted(record: Record<string, unknown>, key: string): unknown {
  if (!key.includes('.')) return undefined;
  let v: unknown = record;
  for (const part of key.split('.')) {
    if (!isRecord(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** pino's and bunyan's numbers. */
function numericLevel(n: number): string {
  if (n >= 60) return 'fatal';
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  if (n >= 20) return 'debug';
  return 'trace';
}

/** A JSON object cut short (a CRI part whose rest was not returned): its message and level keys, read one by one. */
function readTruncatedJson(t: string): Structured | undefined {
  const field = (keys: readonly string[]) => {
    for (const k of keys) {
      const m = new RegExp(`"${k.replace(/[.@]/g, '\\$&')}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(t);
      if (m?.[1]) return unquote(m[1]);
    }
    return undefined;
  };
  const message = field(MESSAGE_KEYS);
  const level = field(LEVEL_KEYS);
  if (message === undefined) return undefined;
  return { message, ...(level !== undefined ? { level } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unquote(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'string') return v;
  } catch {
    // not valid JSON escapes: fall through
  }
  return raw.slice(1, -1);
}

// ---------------------------------------------------------------------------------------------------------------
// Levels

const TEXT_LEVELS: readonly [RegExp, string][] = [
  [
    /^\S*\s*(?:\d{4}-\d\d-\d\d[T ][\d:.,]+\S*\s+)?(?:\[[^\]\n]{0,40}\]\s+)?(FATAL|ERROR|WARN(?:ING)?|INFO|DEBUG|TRACE|SEVERE|CRITICAL)\b/,
    '',
  ],
  [/^(CRITICAL|ERROR|WARNING|INFO|DEBUG):[\w.]*:/, ''], // Python logging.basicConfig
  [/ - (CRITICAL|ERROR|WARNING|INFO|DEBUG) - /, ''], // Python %(asctime)s - %(name)s - %(levelname)s
  [/\[(emerg|alert|crit|error|warn|notice|info|debug)\]/, ''], // nginx, Apache
  [/\blevel=("?)(\w+)\1/, 'logfmt'],
  [/^([EWIF])\d{4} \d\d:\d\d:\d\d/, 'glog'],
];

const GLOG: Readonly<Record<string, string>> = { E: 'error', W: 'warn', I: 'info', F: 'fatal' };

/** The level a line was written at, lower case (`error`, `warn`, `info`, …), when it says. */
export function levelOf(text: string): string | undefined {
  const structured = readStructured(text);
  if (structured?.level !== undefined) return normaliseLevel(structured.level);
  const head = text.slice(0, 300);
  for (const [pattern, kind] of TEXT_LEVELS) {
    const m = pattern.exec(head);
    if (!m) continue;
    if (kind === 'glog') return GLOG[m[1] ?? ''];
    return normaliseLevel((kind === 'logfmt' ? m[2] : m[1]) ?? '');
  }
  return undefined;
}

function normaliseLevel(level: string): string {
  const l = level.toLowerCase();
  if (l === 'warning') return 'warn';
  if (l === 'err' || l === 'severe') return 'error';
  if (l === 'crit' || l === 'critical' || l === 'emerg' || l === 'alert' || l === 'panic') return 'fatal';
  return l;
}

/** Levels at which a line is not an error, whatever words it holds ("Resolved [… Exception …]" at WARN is not one). */
export const NOT_ERROR_LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'notice', 'warn']);
