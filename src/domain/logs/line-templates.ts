import { readStructured, unwrap } from './read-line.js';

// A log line reduced to its template: the message without its prefix, its variable parts masked.

/** Characters of a line's message that are templated; the rest cannot change its group. */
const MAX_INPUT_CHARS = 4000;
/** Longest template returned. */
const MAX_TEMPLATE_CHARS = 1000;
/** Normalisation passes until the template is a fixed point (one or two are enough in practice). */
const MAX_PASSES = 8;

/**
 * The line's message with its variable parts masked (`<num>`, `<uuid>`, `<ip>`, `<hex>`, `<id>`, `<str>`, `<ts>`,
 * `<email>`, `<dur>`), its leading timestamp/level prefix removed and its whitespace collapsed, so the same message
 * logged at different times, for different requests or hosts, gives the same template.
 *
 * Only the first line of a multi-line entry (a stack trace) counts: the exception message, or for a Python
 * traceback its last line. JSON lines (pino, zap, ECS) and logfmt lines are reduced to their message and error
 * fields; nginx access lines to `"METHOD /path" STATUS`. `templateOf(templateOf(x)) === templateOf(x)`.
 */
export function templateOf(line: string): string {
  let current = normalise(headline(line));
  for (let pass = 1; pass < MAX_PASSES; pass++) {
    const next = normalise(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

function headline(text: string): string {
  if (!/[\r\n]/.test(text)) return text;
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '' && !LEAD_IN_LINE.some((p) => p.test(l.trim())));
  const first = lines[0] ?? '';
  const python = lines.some((l) => TRACEBACK.test(l));
  const exceptions = lines.filter((l) => EXCEPTION_HEAD.test(l.replace(/^Caused by: /, '')));
  if (TRACEBACK.test(first)) {
    // Python puts the exception last; an indented last line is a frame (the trace was cut), so keep the first.
    const last = lines[lines.length - 1] ?? first;
    return /^\s/.test(last) ? first : last;
  }
  // The message says what failed; the exception under it says why: "Rate lookup failed …: ResourceAccessException: …".
  if (NAMES_EXCEPTION.test(first)) return first;
  const why = python ? exceptions.at(-1) : exceptions[0];
  return why === undefined || why === first ? first : `${first}: ${why.replace(/^Caused by: /, '')}`;
}

const TRACEBACK = /^\s*Traceback \(most recent call last\)/;
/** A line that reports an exception: `java.lang.IllegalStateException: …`, `TypeError: …`, `panic: …`. */
const EXCEPTION_HEAD = /^(?:(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Throwable)(?::|$)|panic: )/;
/** A first line that already names its exception. */
const NAMES_EXCEPTION = /(?:Exception|Error|Throwable)\b|Traceback|\bpanic: /;
/** Lines before the message that say nothing of it (V8's GC trace ahead of its "FATAL ERROR"). */
const LEAD_IN_LINE = [/^<--- [\w ]+ --->$/, /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /, /^----- Native stack trace -----$/];

function normalise(text: string): string {
  let s = headline(extractStructured(unwrap(text).text));
  if (s.length > MAX_INPUT_CHARS) s = s.slice(0, MAX_INPUT_CHARS);
  const access = ACCESS_LINE.exec(s);
  if (access) {
    const [, method = '', path = '', status = ''] = access;
    return `"${method} ${collapse(mask(path)).replace(/"/g, '')}" ${status}`;
  }
  s = stripPrefix(collapse(mask(s)));
  if (s.length > MAX_TEMPLATE_CHARS) s = s.slice(0, MAX_TEMPLATE_CHARS).trimEnd();
  return s;
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** nginx/Apache access line (combined format), or the template such a line already became. */
const ACCESS_LINE = /^(?:\S+ \S+ \S+ \[[^\]\n]*\] )?"([A-Z]{3,10}) (\S+)(?: [^"\n]*)?" ([1-5]\d\d)(?!\d)/;
/** A masking step: the regular expression (global) and what replaces a match. */
interface MaskRule {
  name: string;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const IPV6_GROUPS = '(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?';
const DURATION_UNIT = '(?:ms|us|µs|ns|h|m|s)';
/** Applied in order; each rule only ever produces placeholders the later rules leave alone. */
const MASK_RULES: readonly MaskRule[] = [
  { name: 'double-quoted', pattern: /"(?:[^"\\\n]|\\.)*"/g, replace: '<str>' },
  { name: 'single-quoted', pattern: /(?<![\w'])'[^'\n]*'(?![\w'])/g, replace: '<str>' },
  {
    name: 'iso-timestamp',
    pattern: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}\b)?)?/g,
    replace: '<ts>',
  },
  {
    name: 'slash-timestamp',
    pattern: /\b\d{4}\/\d{2}\/\d{2}(?: \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)?/g,
    replace: '<ts>',
  },
  {
    name: 'nginx-timestamp',
    pattern: /\b\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?/g,
    replace: '<ts>',
  },
  {
    name: 'syslog-timestamp',
    pattern: /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\b/g,
    replace: '<ts>',
  },
  { name: 'time-of-day', pattern: /(?<![\w:.])\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?![\w:])/g, replace: '<ts>' },
  { name: 'url-query-value', pattern: /([?&][\w.[\]-]+=)[^&\s"'#]*/g, replace: '$1<str>' },
  { name: 'email', pattern: /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, replace: '<email>' },
  {
    name: 'uuid',
    pattern: /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g,
    replace: '<uuid>',
  },
  { name: 'ipv4', pattern: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.])/g, replace: '<ip>' },
  {
    name: 'ipv6-bracketed',
    pattern: /\[(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}\](?::\d{1,5})?/g,
    replace: '<ip>',
  },
  {
    name: 'ipv6',
    pattern: new RegExp(`(?<![\\w:.])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|${IPV6_GROUPS})(?![\\w:])`, 'g'),
    replace: (m) => (m === '::' ? m : '<ip>'),
  },
  {
    name: 'hex',
    pattern: /(?<!\w)(?:0x[0-9a-fA-F]+|[0-9a-fA-F]{8,})(?!\w)/g,
    replace: (m) => (m.startsWith('0x') || (/\d/.test(m) && /[a-fA-F]/.test(m)) ? '<hex>' : m),
  },
  { name: 'epoch', pattern: /(?<![\w.])1\d{9}(?:\d{3}|\d{6}|\d{9})?(?:\.\d{1,9})?(?![\w.])/g, replace: '<ts>' },
  {
    name: 'long-id',
    pattern: /(?<![\w+/=-])[\w+/-]{20,}={0,2}(?![\w+/=-])/g,
    replace: (m) => (/[A-Z]/.test(m) && /[a-z]/.test(m) && /\d/.test(m) ? '<id>' : m),
  },
  {
    name: 'duration',
    pattern: new RegExp(`(?<![\\w.])\\d+(?:\\.\\d+)?${DURATION_UNIT}(?:\\d+(?:\\.\\d+)?${DURATION_UNIT})+(?!\\w)`, 'g'),
    replace: '<dur>',
  },
  {
    name: 'number',
    pattern: /\d+(?:\.\d+)*/g,
    // A single digit glued to a word is part of a name (`v1`, `utf8`, `accept4`), not a value.
    replace: (m, ...rest) => {
      const offset = rest[rest.length - 2] as unknown as number;
      const input = rest[rest.length - 1] as unknown as string;
      return m.length === 1 && /[A-Za-z_]/.test(input.charAt(offset - 1)) ? m : '<num>';
    },
  },
];

function mask(text: string): string {
  let s = text;
  for (const rule of MASK_RULES) {
    s =
      typeof rule.replace === 'string' ? s.replace(rule.pattern, rule.replace) : s.replace(rule.pattern, rule.replace);
  }
  return s;
}

const LEVELS = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|CRIT|CRITICAL|ALERT|EMERG|FATAL';
/** Prefixes removed from the start of a masked line, repeatedly, so only the message remains. */
const PREFIX_RULES: readonly RegExp[] = [
  /^\[?<ts>\]?[:,]?(?: |$)/,
  new RegExp(`^\\[?(?:${LEVELS})\\]?:?(?: |$)`),
  new RegExp(`^\\[(?:${LEVELS.toLowerCase()})\\]:?(?: |$)`),
  /^<num>#<num>: (?:\*<num> )?/, // nginx error log: pid#tid: *connection
  // Spring Boot: pid --- [app] [thread] [trace-span] logger : (the application and correlation parts since 3.2)
  /^<num> --- (?:\[[^\]\n]*\] *){0,4}(?:\S+ +: )?/,
  new RegExp(`^(?:${LEVELS}):(?=\\S)`), // Python logging.basicConfig: ERROR:name:message
  /^[IWEF]<num> (?:<ts> )?(?:<num> )?/, // glog: E1101 14:03:22.123456 1
];

function stripPrefix(s: string): string {
  let current = s;
  for (let i = 0; i < 16; i++) {
    const before = current;
    for (const rule of PREFIX_RULES) current = current.replace(rule, '');
    if (current === before) break;
  }
  return current;
}

// Structured lines (JSON, logfmt)

/** The message (and error) of a JSON or logfmt line, or the line itself. */
function extractStructured(line: string): string {
  const structured = readStructured(line);
  if (structured === undefined) return line;
  const message = structured.message;
  let error = structured.error !== undefined ? headline(structured.error) : undefined;
  const type = structured.errorType;
  if (error !== undefined && type !== undefined && !error.startsWith(type) && !type.endsWith(`.${error.split(':')[0]}`))
    error = `${type}: ${error}`;
  else if (error === undefined && type !== undefined) error = type;
  // An error the message already tells (a stack trace whose first line the message quotes) is said once.
  if (message !== undefined && error !== undefined && message.includes(error.split('\n')[0] ?? error)) return message;
  if (message !== undefined && error !== undefined) return `${message}: ${error}`;
  return message ?? error ?? line;
}

/**
 * What a reader is shown of a line: the application's text with the runtime's wrapper off; for a structured line,
 * its message and error (the rest of the record is fields a reader can open in the store).
 */
export function messageOf(line: string): string {
  const text = unwrap(line).text;
  const first = text.split('\n', 1)[0] ?? text;
  if (readStructured(first) === undefined) return text;
  const structured = readStructured(first);
  const said = extractStructured(first);
  const stack = structured?.error?.includes('\n') ? `\n${structured.error}` : '';
  return said === first ? text : `${said}${stack}`;
}
