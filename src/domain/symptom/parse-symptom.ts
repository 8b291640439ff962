import { SymptomError } from '../errors.js';
import type { ParsedSymptom, ParseSymptomOptions, SymptomKind, WindowSource } from './symptom.js';

/** The longest window Triage diagnoses. */
export const MAX_WINDOW_SECONDS = 7 * 86_400;
/** The window used when nothing is said: the 30 minutes before now (or before `at`). */
export const DEFAULT_WINDOW_SECONDS = 1_800;

/**
 * Reads a free-text symptom ("502 on checkout since 14:05") into a service guess, symptom kinds, status codes and
 * a time window. Pure: the clock is `options.now`. Throws `SymptomError` only for times and durations it cannot use
 * (an impossible clock time, an `at` in the future, an empty or over-long window, an unknown time zone); text it
 * does not understand gives a result with no kinds and possibly no service.
 *
 * @example parseSymptom('502 on checkout since 14:05', { now }) // service 'checkout', kinds ['errors'], [502]
 */
export function parseSymptom(input: string, options: ParseSymptomOptions): ParsedSymptom {
  const text = input.trim();
  const now = options.now.getTime();
  if (Number.isNaN(now)) throw new RangeError('parseSymptom: options.now is not a valid date');
  const zone = configuredZone(options.timeZone);
  const notes: string[] = [];

  const lower = text.toLowerCase();
  // Phrases are quoted back as typed; toLowerCase keeps offsets for all but a few exotic characters.
  const display = lower.length === text.length ? text : lower;
  const extracted = extractTimes(maskChatMarkup(lower), display);
  const resolved = resolveWindow(extracted, options, { now, zone });
  notes.push(...resolved.notes);

  const rest = extracted.rest;
  const unread = /\bsince\s+(?:(?:the|a|our|last|latest|that|this)\s+)*([^\s,.;!?]+)/.exec(rest);
  if (unread?.[1] && !DEPLOY_WORD.test(unread[1])) {
    const phrase = display.slice(unread.index, unread.index + unread[0].length);
    notes.push(`"${phrase}" is not a time Triage can read, so it was ignored.`);
  }
  const detected = detectKinds(rest);
  const found = findService(rest);

  let service: string | null;
  let serviceCandidates: string[];
  const explicit = options.service?.trim();
  if (explicit) {
    service = explicit;
    serviceCandidates = unique([explicit, explicit.toLowerCase()]);
    if (found && !found.candidates.includes(explicit.toLowerCase())) {
      notes.push(`The text names "${found.candidates[0]}"; the explicit service "${explicit}" is used instead.`);
    }
  } else if (found) {
    service = found.candidates[0] ?? null;
    serviceCandidates = found.candidates;
  } else {
    service = null;
    serviceCandidates = [];
  }

  // A peer named with "from X" / "calls to X" that is not the service itself (nor the edge) is a dependency.
  const own = new Set((explicit ? serviceCandidates : (found?.guess ?? [])).map((c) => c.toLowerCase()));
  const isDependency = (peer: string[]): boolean => !peer.some((c) => own.has(c) || EDGE_WORDS.has(c));
  if (found?.peers.some(isDependency)) detected.kinds.add('dependency');

  const kinds = [...detected.kinds].sort((a, b) => KIND_RANK[a] - KIND_RANK[b]);
  const statusCodes = unique(detected.codes.sort((a, b) => a.index - b.index).map((c) => c.code));

  if (service === null) notes.push('No service named.');
  if (kinds.length === 0 && statusCodes.length === 0) notes.push('No symptom recognised in the text.');

  return {
    text,
    service,
    serviceCandidates,
    kinds,
    statusCodes,
    window: { start: new Date(resolved.start), end: new Date(resolved.end) },
    windowSource: resolved.source,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Chat markup.

/**
 * Blanks out what Slack (or a chat habit) wraps around the words: mentions, channel links, URLs, emoji codes and
 * HTML entities; a link's label is kept. The text keeps its length so time phrases are still quoted as typed.
 */
function maskChatMarkup(lower: string): string {
  const blank = (m: string): string => ' '.repeat(m.length);
  let out = lower;
  // Each pattern is only tried when the character it cannot match without is present.
  if (out.includes('<')) {
    // <https://grafana/d/x|dashboard> → its label; <https://…>, <@U123|alice>, <#C1|ops>, <!here> → nothing.
    out = out
      .replace(/<[a-z][a-z0-9+.-]*:[^|>\s]*(?:\|([^>]*))?>/g, (m, label?: string) =>
        label === undefined ? blank(m) : `${' '.repeat(m.length - label.length - 1)}${label} `,
      )
      .replace(/<[@#!][^>]*>/g, blank);
  }
  if (out.includes('://')) out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/g, blank);
  // A bare @mention (@oncall, @alice.b); "@ 14:00" and "@14:00" are times.
  if (out.includes('@')) out = out.replace(/(?<![\w.])@[a-z][\w.-]*/g, blank);
  // Emoji codes (:fire:, :rotating_light:), never a clock time: they start with a letter.
  if (out.includes(':')) out = out.replace(/(?<![\w:]):[a-z][a-z0-9_+-]*:(?![\w:])/g, blank);
  if (out.includes('&')) out = out.replace(/&(?:gt|lt|amp|quot|nbsp);/g, blank);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones (Intl only; no library needed for offsets).

type Zone = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number; label: string };

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const UTC: Zone = { kind: 'offset', minutes: 0, label: 'UTC' };
const formatters = new Map<string, Intl.DateTimeFormat>();

function configuredZone(name: string | undefined): Zone {
  if (name === undefined || name.trim() === '') return UTC;
  return ianaZone(name.trim(), undefined);
}

function ianaZone(name: string, phrase: string | undefined): Zone {
  const where = phrase === undefined ? '' : ` in "${phrase}"`;
  try {
    const canonical = formatterFor(name).resolvedOptions().timeZone;
    return canonical === 'UTC' || canonical === 'Etc/UTC' ? UTC : { kind: 'iana', name: canonical };
  } catch {
    throw new SymptomError(
      `Unknown time zone "${name}"${where}: use an IANA name such as "Europe/Paris" or "America/New_York", or "UTC".`,
    );
  }
}

function formatterFor(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(name, f);
  }
  return f;
}

function zoneLabel(zone: Zone): string {
  return zone.kind === 'iana' ? zone.name : zone.label;
}

function wallOf(instant: number, zone: Zone): Wall {
  if (zone.kind === 'offset') return wallFromUtc(instant + zone.minutes * 60_000);
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone.name).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    ms: ((instant % 1000) + 1000) % 1000,
  };
}

function wallFromUtc(ms: number): Wall {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

function wallAsUtc(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);
}

function offsetMs(instant: number, zone: Zone): number {
  return wallAsUtc(wallOf(instant, zone)) - instant;
}

/** The instant a wall-clock time in `zone` names (checked twice so a DST change between guess and answer is seen). */
function instantOf(w: Wall, zone: Zone): number {
  const local = wallAsUtc(w);
  if (zone.kind === 'offset') return local - zone.minutes * 60_000;
  const first = local - offsetMs(local, zone);
  const second = local - offsetMs(first, zone);
  return second;
}

function addDays(w: Wall, days: number): Wall {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

// ---------------------------------------------------------------------------------------------------------------
// Time phrases.

// "10ish", "9:40ish", "2pm-ish": about that time, read as that time.
const CLOCK = String.raw`(?:(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?!\d)(?:\s*[ap]\.?m\.?(?![a-z]))?|\d{1,2}\s*[ap]\.?m\.?(?![a-z]))(?:-?ish(?![a-z]))?|\d{1,2}-?ish(?![a-z])|noon|midnight)`;
const DATE = String.raw`\d{4}-\d{1,2}-\d{1,2}`;
const ZONE_WORD = String.raw`(?:\s*(?:utc|gmt)(?:\s*[+-]\d{1,2}(?::?\d{2})?(?!\d))?(?![a-z])|z(?![a-z])|\s*\+\d{2}:?\d{2}(?!\d)|\s+[a-z]+/[a-z][a-z0-9_+-]*(?:/[a-z][a-z0-9_+-]*)?)`;
const ZONE_OFFSET = String.raw`(?:\s*[+-]\d{2}(?::?\d{2})?(?!\d))`;
const DAY_WORD = '(?:today|yesterday)';
const TIME = String.raw`(?:${DAY_WORD}\s+(?:at\s+)?)?(?:${DATE}(?:(?:t|\s+)${CLOCK})?(?:${ZONE_WORD}|${ZONE_OFFSET})?|${CLOCK}${ZONE_WORD}?)(?:\s+${DAY_WORD})?(?![\w:])`;
const TIME_PARTS = new RegExp(
  String.raw`^(?:(${DAY_WORD})\s+(?:at\s+)?)?(?:(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t|\s+)(${CLOCK}))?(${ZONE_WORD}|${ZONE_OFFSET})?|(${CLOCK})(${ZONE_WORD})?)(?:\s+(${DAY_WORD}))?$`,
);
const CLOCK_PARTS = /^(\d{1,2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:([ap])\.?m\.?)?(?:-?ish)?$/;

const NUM_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fortyfive: 45,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  couple: 2,
};
const NUM_WORD = String.raw`(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty[\s-]?five|forty|fifty|sixty|ninety|(?:a\s+)?couple(?:\s+of)?)`;
const UNIT = '(?:weeks?|wks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])';
const COMPONENT = String.raw`(?:\d+(?:\.\d+)?\s*|${NUM_WORD}\s+)${UNIT}`;
const DURATION = String.raw`(?:half\s+an?\s+hour|an?\s+hour\s+and\s+a\s+half|${COMPONENT}(?:(?:\s*,\s*|\s+and\s+|\s*)${COMPONENT})*)`;
const COMPONENT_PARTS = new RegExp(String.raw`(\d+(?:\.\d+)?|${NUM_WORD})\s*(${UNIT})`, 'g');
const APPROX = String.raw`(?:about\s+|around\s+|roughly\s+|approximately\s+|almost\s+|nearly\s+|over\s+|more\s+than\s+|like\s+|~\s*)?`;

const RANGE_RE = new RegExp(
  String.raw`\b(?:between|from)\s+(${TIME})\s*(?:and|to|until|till|through|-|–|—)\s*(${TIME})`,
  'g',
);
const AGO_RE = new RegExp(
  String.raw`(?<![\w.:-])(?:(?:since|started|starting|began|beginning)\s+)?${APPROX}(${DURATION})\s+ago\b`,
  'g',
);
const SINCE_DURATION_RE = new RegExp(String.raw`\bsince\s+${APPROX}(${DURATION})(?![\w:])`, 'g');
const LAST_RE = new RegExp(
  String.raw`\b(?:(?:for|in|over|during|within|since)\s+)?(?:the\s+)?(?:last|past|previous|prior)\s+(?:(${DURATION})|(week|day|hour|minute|half\s+(?:an\s+)?hour))(?![\w:])`,
  'g',
);
const FOR_RE = new RegExp(String.raw`\bfor\s+${APPROX}(${DURATION})(?![\w:])`, 'g');
const SINCE_TIME_RE = new RegExp(
  String.raw`\b(?:ever\s+)?(?:since|starting(?:\s+(?:at|from))?|started\s+at|beginning\s+at|from)\s+${APPROX}(${TIME})`,
  'g',
);
const AT_RE = new RegExp(String.raw`(?:\b(${DAY_WORD})\s+)?(?:\bat\s+|@\s*|\baround\s+)(?:~\s*)?(${TIME})`, 'g');
/** Parts of the day people start an incident from ("since breakfast"), read as a clock time. */
const DAY_PARTS: Record<string, { hour: number; label: string }> = {
  breakfast: { hour: 8, label: '08:00' },
  morning: { hour: 8, label: '08:00' },
  lunch: { hour: 12, label: '12:00' },
  lunchtime: { hour: 12, label: '12:00' },
};
const DAY_PART_RE = /\b(?:ever\s+)?since\s+(?:(?:this|the)\s+)?(breakfast|morning|lunch|lunchtime)\b/g;
const BARE_DATETIME_RE = new RegExp(
  String.raw`(?<![\w:-])(${DATE}(?:t|\s+)${CLOCK}(?:${ZONE_WORD}|${ZONE_OFFSET})?)(?![\w:])`,
  'g',
);

interface TimeExpr {
  phrase: string;
  date?: { year: number; month: number; day: number };
  clock: { hour: number; minute: number; second: number; ms: number };
  day?: 'today' | 'yesterday';
  zone?: Zone;
  /** The clock time a day part stands for ("08:00" for "since breakfast"), said back in a note. */
  reading?: string;
}

interface Extracted {
  /** The lower-cased text with every time phrase masked out (same length, a comma marks the gap). */
  rest: string;
  anchor?: TimeExpr;
  start?: TimeExpr;
  duration?: { seconds: number; phrase: string };
  ignored: string[];
}

function mask(length: number): string {
  return length >= 2 ? ` ,${' '.repeat(length - 2)}` : ' '.repeat(length);
}

function extractTimes(lower: string, display: string): Extracted {
  const out: Extracted = { rest: lower, ignored: [] };
  // Each pattern first checks for a word it cannot match without: the big patterns are compiled on first use, and
  // again after the engine drops them when idle (ms each), a cost a text without the word need not pay.
  const scan = (re: RegExp, needs: RegExp, take: (m: RegExpExecArray, phrase: string) => boolean): void => {
    const source = out.rest;
    if (!needs.test(source)) return;
    for (const m of source.matchAll(re)) {
      const index = m.index;
      const phrase = display.slice(index, index + m[0].length).trim();
      if (take(m, phrase))
        out.rest = out.rest.slice(0, index) + mask(m[0].length) + out.rest.slice(index + m[0].length);
    }
  };
  // Every phrase is parsed (so a bad one is reported); when two say the same thing, the first in the text wins.
  const anchors: { index: number; expr: TimeExpr }[] = [];
  const starts: { index: number; expr?: TimeExpr; duration?: { seconds: number; phrase: string } }[] = [];
  const setAnchor = (index: number, expr: TimeExpr): void => {
    anchors.push({ index, expr });
  };
  const setStart = (index: number, expr: TimeExpr): void => {
    starts.push({ index, expr });
  };
  const setDuration = (index: number, seconds: number, phrase: string): void => {
    starts.push({ index, duration: { seconds, phrase } });
  };

  scan(RANGE_RE, /\b(?:between|from)\s/, (m, phrase) => {
    const from = parseTimeExpr(m[1] ?? '', phrase);
    const to = parseTimeExpr(m[2] ?? '', phrase);
    // "from 2026-11-01 13:00 to 14:00": the end shares the start's date and zone.
    if (!to.date && !to.day && from.date) to.date = from.date;
    if (!to.zone && from.zone) to.zone = from.zone;
    setAnchor(m.index, to);
    setStart(m.index, from);
    return true;
  });
  scan(AGO_RE, /\sago\b/, (m, phrase) => {
    setDuration(m.index, parseDuration(m[1] ?? '', phrase), phrase);
    return true;
  });
  scan(SINCE_DURATION_RE, /\bsince\s/, (m, phrase) => {
    setDuration(m.index, parseDuration(m[1] ?? '', phrase), phrase);
    return true;
  });
  scan(LAST_RE, /\b(?:last|past|previous|prior)\s/, (m, phrase) => {
    const seconds = m[1] ? parseDuration(m[1], phrase) : unitSeconds(m[2] ?? '');
    setDuration(m.index, seconds, phrase);
    return true;
  });
  scan(FOR_RE, /\bfor\s/, (m, phrase) => {
    const amount = m[1] ?? '';
    // "for 502s" names status codes, not 502 seconds.
    const code = /^(\d{3})s$/.exec(amount);
    if (code && isStatusCode(Number(code[1]))) return false;
    setDuration(m.index, parseDuration(amount, phrase), phrase);
    return true;
  });
  scan(DAY_PART_RE, /\b(?:breakfast|morning|lunch)/, (m, phrase) => {
    const part = DAY_PARTS[m[1] ?? ''] ?? { hour: 8, label: '08:00' };
    setStart(m.index, { phrase, clock: { hour: part.hour, minute: 0, second: 0, ms: 0 }, reading: part.label });
    return true;
  });
  scan(SINCE_TIME_RE, /\b(?:since|starting|started|beginning|from)\s/, (m, phrase) => {
    setStart(m.index, parseTimeExpr(m[1] ?? '', phrase));
    return true;
  });
  scan(AT_RE, /\bat\s|@|\baround\s/, (m, phrase) => {
    const expr = parseTimeExpr(m[2] ?? '', phrase);
    if (!expr.day && (m[1] === 'today' || m[1] === 'yesterday')) expr.day = m[1];
    if (expr.date && !expr.hasClock) {
      throw new SymptomError(
        `"${phrase}" has no time of day: write the time too, for example "at ${m[2]?.trim()} 14:00".`,
      );
    }
    setAnchor(m.index, expr);
    return true;
  });
  scan(BARE_DATETIME_RE, /\d{4}-\d/, (m, phrase) => {
    setAnchor(m.index, parseTimeExpr(m[1] ?? '', phrase));
    return true;
  });
  anchors.sort((x, y) => x.index - y.index);
  starts.sort((x, y) => x.index - y.index);
  const [anchor, ...otherAnchors] = anchors;
  const [start, ...otherStarts] = starts;
  if (anchor) out.anchor = anchor.expr;
  if (start?.expr) out.start = start.expr;
  if (start?.duration) out.duration = start.duration;
  const ignored = [
    ...otherAnchors.map((a) => ({ index: a.index, phrase: a.expr.phrase })),
    ...otherStarts.map((x) => ({ index: x.index, phrase: x.expr?.phrase ?? x.duration?.phrase ?? '' })),
  ];
  // A range counts once: its start and its end share an index and a phrase.
  out.ignored = unique(ignored.sort((x, y) => x.index - y.index).map((x) => x.phrase));
  if (anchor) out.ignored = out.ignored.filter((p) => p !== anchor.expr.phrase);
  return out;
}

function unitSeconds(unit: string): number {
  if (unit.startsWith('half')) return 1_800;
  if (unit === 'week') return 604_800;
  if (unit === 'day') return 86_400;
  if (unit === 'minute') return 60;
  return 3_600;
}

function parseDuration(raw: string, phrase: string): number {
  const s = raw.trim();
  let seconds = 0;
  if (/^half\s+an?\s+hour$/.test(s)) seconds = 1_800;
  else if (/^an?\s+hour\s+and\s+a\s+half$/.test(s)) seconds = 5_400;
  else {
    for (const m of s.matchAll(COMPONENT_PARTS)) {
      const amountText = (m[1] ?? '')
        .replace(/^a\s+/, '')
        .replace(/\s+of$/, '')
        .replace(/[\s-]/g, '');
      const amount = NUM_WORDS[amountText] ?? Number(amountText);
      const unit = (m[2] ?? 's')[0];
      const size = unit === 'w' ? 604_800 : unit === 'd' ? 86_400 : unit === 'h' ? 3_600 : unit === 'm' ? 60 : 1;
      seconds += amount * size;
    }
  }
  seconds = Math.round(seconds);
  if (!(seconds > 0)) {
    throw new SymptomError(
      `"${phrase}" is an empty window: give a duration above zero, for example "for the last 30m".`,
    );
  }
  if (seconds > MAX_WINDOW_SECONDS) {
    throw new SymptomError(
      `"${phrase}" is longer than 7 days, the longest window Triage diagnoses: give a shorter duration, for example "for the last 2h".`,
    );
  }
  return seconds;
}

type ParsedTime = TimeExpr & { hasClock: boolean };

function parseTimeExpr(raw: string, phrase: string): ParsedTime {
  const m = TIME_PARTS.exec(raw.trim());
  if (!m)
    throw new SymptomError(`Cannot read the time in "${phrase}": write it like "14:05", "2pm" or "2026-11-01 14:05".`);
  const [, day1, year, month, day, dateClock, dateZone, clockOnly, clockZone, day2] = m;
  const clockText = dateClock ?? clockOnly;
  const expr: ParsedTime = {
    phrase,
    clock: clockText ? parseClock(clockText, phrase) : { hour: 0, minute: 0, second: 0, ms: 0 },
    hasClock: clockText !== undefined,
  };
  if (year && month && day) {
    const y = Number(year);
    const mo = Number(month);
    const d = Number(day);
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (
      mo < 1 ||
      mo > 12 ||
      check.getUTCFullYear() !== y ||
      check.getUTCMonth() !== mo - 1 ||
      check.getUTCDate() !== d
    ) {
      throw new SymptomError(`"${phrase}" is not a valid date: ${year}-${month}-${day} does not exist.`);
    }
    expr.date = { year: y, month: mo, day: d };
  }
  const dayWord = day1 ?? day2;
  if (dayWord === 'today' || dayWord === 'yesterday') {
    if (expr.date) throw new SymptomError(`"${phrase}" gives both a date and "${dayWord}": give one of them.`);
    expr.day = dayWord;
  }
  const zoneText = (dateZone ?? clockZone)?.trim();
  if (zoneText) expr.zone = parseZone(zoneText, phrase);
  return expr;
}

function parseClock(raw: string, phrase: string): TimeExpr['clock'] {
  const s = raw.trim();
  if (s === 'noon') return { hour: 12, minute: 0, second: 0, ms: 0 };
  if (s === 'midnight') return { hour: 0, minute: 0, second: 0, ms: 0 };
  const m = CLOCK_PARTS.exec(s);
  const bad = (): SymptomError =>
    new SymptomError(
      `"${phrase}" is not a valid time of day: hours go from 0 to 23 (or 1 to 12 with am/pm) and minutes from 0 to 59, for example "14:05".`,
    );
  if (!m) throw bad();
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  const second = Number(m[3] ?? 0);
  const ms = m[4] ? Math.round(Number(`0.${m[4]}`) * 1000) : 0;
  const meridiem = m[5];
  if (minute > 59 || second > 59) throw bad();
  if (meridiem) {
    if (hour < 1 || hour > 12) throw bad();
    hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
  } else if (hour > 23) {
    throw bad();
  }
  return { hour, minute, second, ms };
}

function parseZone(raw: string, phrase: string): Zone {
  const offsetText = raw.replace(/^(?:utc|gmt)\s*/, '');
  if (offsetText === '' || offsetText === 'z') return UTC;
  const offset = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(offsetText);
  if (offset) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? 0);
    if (hours > 14 || minutes > 59) throw new SymptomError(`"${raw}" in "${phrase}" is not a valid UTC offset.`);
    if (hours === 0 && minutes === 0) return UTC;
    const sign = offset[1] === '-' ? -1 : 1;
    const label = `UTC${offset[1]}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
    return { kind: 'offset', minutes: sign * (hours * 60 + minutes), label };
  }
  return ianaZone(raw, phrase);
}

// ---------------------------------------------------------------------------------------------------------------
// The window.

interface Resolved {
  start: number;
  end: number;
  source: WindowSource;
  notes: string[];
}

function resolveWindow(found: Extracted, options: ParseSymptomOptions, ctx: { now: number; zone: Zone }): Resolved {
  const notes: string[] = [];
  const defaultSeconds = options.defaultWindowSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (!(defaultSeconds > 0 && defaultSeconds <= MAX_WINDOW_SECONDS)) {
    throw new SymptomError(
      `The default window of ${defaultSeconds} seconds is not usable: it must be above zero and at most 7 days.`,
    );
  }
  let zoneless = false;
  const resolve = (expr: TimeExpr, ref: number, strict: boolean): number => {
    const zone = expr.zone ?? ctx.zone;
    if (!expr.zone) zoneless = true;
    const reading = (day: string): void => {
      if (expr.reading) notes.push(`"${expr.phrase}" is read as since ${expr.reading} ${day} (${zoneLabel(zone)}).`);
    };
    if (expr.date) return instantOf({ ...expr.date, ...expr.clock }, zone);
    if (expr.day) {
      const today = wallOf(ctx.now, zone);
      return instantOf({ ...addDays(today, expr.day === 'yesterday' ? -1 : 0), ...expr.clock }, zone);
    }
    const base = wallOf(ref, zone);
    const sameDay = instantOf({ ...base, ...expr.clock }, zone);
    if (strict ? sameDay < ref : sameDay <= ref) {
      reading('today');
      return sameDay;
    }
    reading('yesterday');
    const dayBefore = instantOf({ ...addDays(base, -1), ...expr.clock }, zone);
    const later = ref === ctx.now ? 'later than now' : `later than ${iso(ref)}`;
    notes.push(`"${expr.phrase}" would be ${later} today, so it means the day before: ${iso(dayBefore)}.`);
    return dayBefore;
  };

  let end = ctx.now;
  let endPhrase: string | undefined;
  let anchored = false;
  if (options.at !== undefined) {
    end = options.at.getTime();
    if (Number.isNaN(end)) throw new SymptomError('The explicit time (at) is not a valid date.');
    anchored = true;
    if (found.anchor) notes.push(`The explicit time ${iso(end)} is used instead of "${found.anchor.phrase}".`);
    if (end > ctx.now) {
      throw new SymptomError(
        `The explicit time ${iso(end)} is in the future (now is ${iso(ctx.now)}): Triage can only diagnose the past.`,
      );
    }
  } else if (found.anchor) {
    end = resolve(found.anchor, ctx.now, false);
    endPhrase = found.anchor.phrase;
    anchored = true;
    if (end > ctx.now) {
      throw new SymptomError(
        `"${endPhrase}" (${iso(end)}) is in the future (now is ${iso(ctx.now)}): Triage can only diagnose the past.`,
      );
    }
  }

  let start: number;
  let source: WindowSource;
  const look = (seconds: number): number => end - seconds * 1000;
  if (options.sinceSeconds !== undefined) {
    const s = options.sinceSeconds;
    if (!(s > 0 && s <= MAX_WINDOW_SECONDS)) {
      throw new SymptomError(
        `The explicit look-back of ${s} seconds is not usable: it must be above zero and at most 7 days.`,
      );
    }
    start = look(s);
    source = anchored ? 'at' : 'last';
    const replaced = found.start?.phrase ?? found.duration?.phrase;
    if (replaced) notes.push(`The explicit look-back (${humanDuration(s)}) is used instead of "${replaced}".`);
  } else if (found.start) {
    start = resolve(found.start, end, true);
    source = anchored ? 'at' : 'since';
    if (start >= end) {
      throw new SymptomError(
        `"${found.start.phrase}" (${iso(start)}) is not before the end of the window (${iso(end)}): give an earlier start.`,
      );
    }
  } else if (found.duration) {
    start = look(found.duration.seconds);
    source = anchored ? 'at' : 'last';
  } else {
    start = look(defaultSeconds);
    source = anchored ? 'at' : 'default';
    notes.push(
      anchored
        ? `No duration given: the ${humanSpan(defaultSeconds)} before ${iso(end)}.`
        : `No time given: the ${humanSpan(defaultSeconds)} before now.`,
    );
  }
  if (end - start > MAX_WINDOW_SECONDS * 1000) {
    const from = found.start?.phrase ?? 'the start';
    throw new SymptomError(
      `The window from "${from}" to ${iso(end)} is ${humanDuration((end - start) / 1000)} long; Triage diagnoses at most 7 days.`,
    );
  }
  for (const phrase of found.ignored)
    notes.push(`"${phrase}" was ignored: the text already gives that part of the window.`);
  if (zoneless) {
    notes.push(
      ctx.zone === UTC
        ? 'Times without a zone are read as UTC (no time zone is configured).'
        : `Times without a zone are read in ${zoneLabel(ctx.zone)}.`,
    );
  }
  return { start, end, source, notes };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function humanDuration(totalSeconds: number): string {
  let s = Math.max(1, Math.round(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ] as const) {
    if (s >= size) {
      const n = Math.floor(s / size);
      parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
      s %= size;
    }
  }
  return parts.join(' ');
}

/** "30 minutes", but "hour" rather than "1 hour", to read well after "the". */
function humanSpan(seconds: number): string {
  const text = humanDuration(seconds);
  return text.startsWith('1 ') && !text.includes(' ', 2) ? text.slice(2) : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Symptom kinds and status codes.

/** Most specific first: resource families, then failure shapes, then the generic ones, then context. */
const KIND_RANK: Record<SymptomKind, number> = {
  'resource-leak': 0,
  memory: 1,
  connections: 2,
  cpu: 3,
  'rate-limit': 4,
  dependency: 5,
  timeouts: 6,
  unavailable: 7,
  traffic: 8,
  latency: 9,
  errors: 10,
  deploy: 11,
};

interface KindRule {
  re: RegExp;
  kinds: SymptomKind[];
  code?: number;
}

const KIND_RULES: KindRule[] = [
  { re: /\b(?:bad\s+gateway|gateway\s+errors?)\b/g, kinds: ['errors'], code: 502 },
  { re: /\bgateway\s+time-?outs?\b/g, kinds: ['timeouts', 'errors'], code: 504 },
  { re: /\bservice\s+unavailable\b/g, kinds: ['unavailable', 'errors'], code: 503 },
  { re: /\binternal\s+server\s+errors?\b/g, kinds: ['errors'], code: 500 },
  { re: /\btoo\s+many\s+requests\b/g, kinds: ['rate-limit'], code: 429 },
  {
    // "flaky" is read as intermittent errors; "erorrs", "erros" are the usual slips of a hurried hand.
    re: /\b(?:errors?|erroring|errs|erorrs?|erors?|erros|errros?|exceptions?|fail(?:s|ed|ing|ures?)?|broken|broke|breaks|breaking|borked|busted|hosed|panic(?:s|ked|king)?|5xx(?:s|ing)?|stack\s*traces?|flak(?:y|iness))\b/g,
    kinds: ['errors'],
  },
  {
    re: /\b(?:slow\w*|latenc(?:y|ies)|latnec(?:y|ies)|latanc(?:y|ies)|p\d{2,3}(?:\.\d+)?|response\s+times?|sluggish|lag(?:gy|ging|s)?|tak(?:es?|ing)\s+(?:forever|ages)|ttfb)\b/g,
    kinds: ['latency'],
  },
  {
    re: /\b(?:tim(?:ing|ed|es)\s+out|time-?outs?|time\s+outs|timouts?|deadline[\s-]exceeded|hang(?:s|ing)?|hung|stuck)\b/g,
    kinds: ['timeouts'],
  },
  {
    re: /\b(?:down(?!-stream)|downtime|outages?|unreachable|unavailable|offline|dead|not\s+responding|unresponsive|crash\w*|restart\w*|reboot\w*|oom-?kill\w*|killed|kills|connection\s+refused|evicted|flap(?:s|ping|py)?)\b/g,
    kinds: ['unavailable'],
  },
  {
    re: /\b(?:memory|mem|oom\w*|out\s+of\s+memory|heap\w*|rss|gc|garbage\s+collection|swap\w*)\b/g,
    kinds: ['memory'],
  },
  { re: /\b(?:cpus?|processor|throttl\w*)\b/g, kinds: ['cpu'] },
  { re: /\b(?:connections?|conns?|pools?|pooling|max_connections)\b/g, kinds: ['connections'] },
  {
    re: /\b(?:file\s+descriptors?|fds?|open\s+files|threads?(?!\s+pool)|sockets?|goroutines?|handle\s+leaks?|(?:connection|conn)s?\s+leak\w*|leak\w*\s+connections?)\b/g,
    kinds: ['resource-leak'],
  },
  {
    re: /\b(?:up-?stream|down-?stream|dependenc(?:y|ies)|third[\s-]party|3rd[\s-]party|external\s+(?:apis?|services?|providers?|dependenc(?:y|ies))|peers?)\b/g,
    kinds: ['dependency'],
  },
  {
    re: /\b(?:rate[\s-]?limit\w*|throttled\s+by|throttling\s+us|quota\s+exceeded|quotas?)\b/g,
    kinds: ['rate-limit'],
  },
  {
    re: /\b(?:traffic|(?:over)?load(?:ed|s)?|flood\w*|ddos\w*|rps|qps|request\s+rate|requests\s+per\s+second|thundering\s+herd)\b/g,
    kinds: ['traffic'],
  },
  {
    re: /\b(?:deploy\w*|redeploy\w*|releas\w*|roll(?:ed|ing)?[\s-]?(?:outs?|backs?)|new\s+version|upgrad\w*|config(?:uration)?\s+changes?)\b/g,
    kinds: ['deploy'],
  },
];

const DEPLOY_WORD =
  /^(?:deploy\w*|redeploy\w*|releas\w*|rollouts?|rollbacks?|upgrad\w*|config\w*|change\w*|update\w*|migration\w*)$/;

/** Words that say what a spike or surge is of, when it is not traffic ("latency spike", "spike in 502s"). */
const NON_TRAFFIC_SPIKE =
  /^(?:errors?|5xx|\d{3}s?|latenc\w*|p\d+|slow\w*|cpu|memory|mem|heap|gc|timeouts?|failures?|exceptions?|restarts?|crash\w*|connections?)$/;

function isStatusCode(n: number): boolean {
  return n === 429 || (n >= 500 && n <= 599);
}

function detectKinds(rest: string): { kinds: Set<SymptomKind>; codes: { code: number; index: number }[] } {
  const kinds = new Set<SymptomKind>();
  const codes: { code: number; index: number }[] = [];
  // Phrases that contain a kind's word without meaning it.
  const t = rest
    .replace(/\b(slow(?:ed|ing|s)?)\s+down\b/g, (m, w: string) => w.padEnd(m.length))
    .replace(/\bscal(?:e|ed|ing)\s+down\b/g, (m) => ' '.repeat(m.length))
    .replace(/\b(?:load[\s-]?balancers?|page\s+loads?|load(?:ing)?\s+times?|loading)\b/g, (m) => ' '.repeat(m.length));
  for (const rule of KIND_RULES) {
    for (const m of t.matchAll(rule.re)) {
      // "throttled by X" is rate limiting, not CPU.
      if (rule.kinds[0] === 'cpu' && /^throttl/.test(m[0]) && /^\s+(?:by|us)\b/.test(t.slice(m.index + m[0].length)))
        continue;
      for (const k of rule.kinds) kinds.add(k);
      if (rule.code !== undefined) codes.push({ code: rule.code, index: m.index });
    }
  }
  // A generic "leak" with no resource named is a memory leak.
  if (/\bleak\w*/.test(t) && !kinds.has('resource-leak') && !kinds.has('memory')) kinds.add('memory');
  for (const m of t.matchAll(/\b(spik\w*|surg\w*)\b/g)) {
    const before = t.slice(0, m.index).trim().split(/\s+/).slice(-2);
    const after = /^\s+(?:in|of)\s+(\S+)/.exec(t.slice(m.index + m[0].length));
    const about = [...before, after?.[1] ?? ''];
    if (!about.some((w) => NON_TRAFFIC_SPIKE.test(w))) kinds.add('traffic');
  }
  // "502s", and "502ing" (chat for "throwing 502s").
  for (const m of t.matchAll(/(?<![\w.:])(\d{3})(?:s|ing)?(?![\w%]|\.\d|\s*(?:ms|milliseconds?|%|percent)\b)/g)) {
    const code = Number(m[1]);
    if (!isStatusCode(code)) continue;
    codes.push({ code, index: m.index });
    if (code === 429) kinds.add('rate-limit');
    else kinds.add('errors');
    if (code === 503) kinds.add('unavailable');
    if (code === 504) kinds.add('timeouts');
  }
  return { kinds, codes };
}

// ---------------------------------------------------------------------------------------------------------------
// The service.

/** Spoken suffixes that are part of the name ("accounts api" → accounts-api first). */
const NAME_SUFFIXES = new Set(['api', 'worker', 'gateway', 'proxy', 'consumer']);
/** Spoken suffixes that describe the service ("notifications service" → notifications first). */
const DESCRIPTIVE_SUFFIXES = new Set([
  'service',
  'svc',
  'tier',
  'app',
  'application',
  'server',
  'backend',
  'cluster',
  'deployment',
  'pods',
  'pod',
  'db',
  'database',
  'microservice',
  'job',
  'component',
  'layer',
]);
/** People, never a service unless a suffix follows ("users say…" but "users api"). */
const PEOPLE = new Set(['users', 'user', 'customers', 'customer', 'clients', 'client', 'people', 'folks', 'everyone']);
const STOP_WORDS = new Set(
  `the a an our my your their its this that these those it db dbs database databases api apis service services svc
  app apps application applications server servers site website system systems cluster platform infra prod
  production staging stage dev test qa env environment everything everywhere all some any many lots lot much more
  most few several us we i you they them me someone somebody mobile ios android browser browsers region regions
  zone requests request responses response calls call endpoint endpoints route routes pods pod nodes node
  instances instance hosts host today yesterday now tonight morning afternoon evening night week weekend
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december and or but with without from to on in at for of by via into onto over
  under about after before since until during while is are was were be been being am has have had do does did
  keeps keep kept going gone up very really too so still again just also not no yes high higher huge massive
  big large elevated increased increasing rising intermittent intermittently sporadic occasional random
  constant frequent sudden suddenly weird strange new old seeing getting having help urgent please pls hey hi
  hello issue issues problem problems incident incidents alert alerts alerting stuff things thing something
  anything nothing page pages balancer lb logs log metrics dashboard dashboards grpc http https rest tcp
  backend frontend status code codes what why how when where who which there here then than like looks seems
  since ago last past previous minutes minute hours hour seconds second days day error kubernetes k8s k8 kube docker
  ecs eks gke aks nomad consul aws gcp azure cloud vm vms`.split(/\s+/),
);
const FILLER = new Set(
  `hey hi hello help urgent please pls plz so ok okay um uh fyi heads up it there we re is are seems seem looks
  like seeing getting having now right suddenly again still also why anyone`.split(/\s+/),
);
const VERBS = new Set(
  `is are was were keeps keep kept throws throw throwing threw returns return returning returned gives give giving
  gave has have had seems seem looks went goes going started starts starting getting gets hitting hits showing
  shows feels feel felt sounds appears appear acting behaving not can cant won t isn aren doesn just randomly intermittently sometimes suddenly now again still very
  really super totally completely being : -`.split(/\s+/),
);
/**
 * Chat words and everyday verbs and adjectives: never a service, even as one of the other words tried after the
 * best guess ("is payments down rn", "any idea what's going on", "on my end", "checkout is on fire").
 */
const CHAT_WORDS = new Set(
  `rn atm asap else pls plz plss thx thanks ty tia lol lmao wtf omg ugh hmm fyi btw cc imo tbh idk afaik iirc anyone
  anybody guys team yall ya yo sos halp again tho though kinda sorta pretty quite ish maybe probably possibly think
  guess idea wrong weird odd happening happened happens end fire burning bad good fine ok okay way super mega crazy
  insane tons ton loads bunch heaps totally completely extremely seriously literally basically right currently
  tonight breakfast lunch lunchtime noon morning afternoon evening look looking check checking see seen saw know
  ping pinging paging paged pager oncall urgent p0 p1 p2 sev sev0 sev1 sev2 sev3 only even ever started starting
  stopped stop began begin throwing throws spewing spitting returning serving showing hitting dropping dropped drops
  jumped jumping went goes going gone acting behaving misbehaving feels seems looks keeps suddenly randomly
  constantly mostly sometimes occasionally periodically badly hard real hella af anymore same mine ours yours can
  could would should might must will shall cant wont dont doesnt isnt arent didnt wasnt nope yeah yep sure anything
  everything something nothing somewhere anywhere everywhere whole entire both every each other another wait waiting
  seeing watching noticed notice getting got gets get hit hits spiking spiked jump up down out off back over around
  across lately recently today yesterday tomorrow minute hour what whats mean means happen say says said tell told
  advise asking asked calling running sending doubled tripled because through thru against inside within go roof
  pauses`.split(/\s+/),
);
/**
 * Words that discovery reads as decorations of a name (environments, protocols, platforms, roles): tried alone they
 * would match another service's wrapped label value (`kubernetes` is in `inventory-8080@kubernetes`), so they are
 * never one of the other words tried; the grammar may still name them ("api 5xx", "the web tier").
 */
const DECORATION_WORDS = new Set(
  `prod production prd live staging stage stg dev develop development test testing qa uat preprod canary stable
  primary main blue green http https http2 grpc grpcs h2c tcp udp ws metrics metric svc service srv server backend
  be web api app application outbound inbound ingress egress cluster local internal external kubernetes k8s k8
  kube docker consul ecs nomad default public private v1 v2 v3 lb`.split(/\s+/),
);
/** The edge in front of the services: "timeouts from the ALB" names where it was seen, not a failing dependency. */
const EDGE_WORDS = new Set(
  `alb elb nlb cdn cloudfront cloudflare ingress nginx haproxy envoy traefik akamai fastly waf edge`.split(/\s+/),
);
/** Words after the subject that name a part of it ("checkout page super slow", "search pods restarting"). */
const SUBJECT_PARTS = new Set(
  `page pages endpoint endpoints route routes requests request calls pods pod nodes instances containers
  jobs`.split(/\s+/),
);
const SYMPTOM_TOKEN =
  /^(?:§|errors?|erroring|errs?|exceptions?|fail\w*|broken|broke|breaks|breaking|borked|busted|hosed|panic\w*|slow\w*|latenc\w*|lag\w*|sluggish|time-?outs?|timing|timed|times|hang\w*|hung|stuck|down|downtime|outages?|unreachable|unavailable|offline|dead|unresponsive|crash\w*|restart\w*|reboot\w*|oom\w*|kill\w*|memory|mem|heap|rss|gc|leak\w*|cpus?|throttl\w*|connections?|conns?|pools?|upstream|downstream|dependenc\w*|traffic|surg\w*|spik\w*|load|overload\w*|flood\w*|ddos|rps|qps|deploy\w*|redeploy\w*|releas\w*|rollouts?|rollbacks?|upgrad\w*|\d{3}(?:s|ing)?|[45]xx(?:s|ing)?|p\d+|pegged|saturat\w*|exhaust\w*|grow\w*|degraded|evicted|flak\w*|flap\w*|erorr\w*|erors?|erros|errros?|timouts?|latnec\w*|latanc\w*|goroutines?|threads?|fds?|sockets?|descriptors?|spiking|usage|growing|climbing)$/;
const DURATION_TOKEN = /^\d+(?:\.\d+)?(?:w|d|h|m|s|ms|min|mins|hr|hrs|sec|secs)$/;
const NAME_TOKEN = /^[a-z0-9][a-z0-9._/-]*$/;

/** Multi-word symptom phrases, replaced by a marker so their words are never taken as a name. */
const SYMPTOM_PHRASES =
  /\b(?:bad\s+gateway|gateway\s+errors?|gateway\s+time-?outs?|service\s+unavailable|internal\s+server\s+errors?|too\s+many\s+(?:connections|requests|open\s+files)|file\s+descriptors?|open\s+files|out\s+of\s+memory|response\s+times?|deadline\s+exceeded|tim(?:ing|ed|es)\s+out|rate[\s-]?limit\w*|third[\s-]party|3rd[\s-]party|load[\s-]?balancers?|(?:connection|thread|worker)\s+pools?|crash[\s-]?loop\w*|request\s+rate|requests\s+per\s+second|not\s+responding|new\s+version|config\s+changes?|roll(?:ed|ing)?\s+(?:out|back)|slow(?:ed|ing)?\s+down|shut\s+down)\b/g;
/** "users say", "customers are reporting that", "we see": who reports, not what is broken. */
const REPORTER =
  /\b(?:(?:our|the|some|many|lots\s+of)\s+)?(?:users|customers|clients|people|folks|someone|somebody|support|we|i|they|ops|sre|on-?call)\s+(?:(?:are|were|have\s+been|keep|keeps)\s+)?(?:say\w*|said|report\w*|see|seeing|saw|notic\w*|complain\w*|get|gets|getting|got|mention\w*|tell\w*(?:\s+us)?|hit|hitting|experienc\w*|observ\w*|encounter\w*)(?:\s+that)?\b/g;
const PREPOSITIONS = new Set(['on', 'in', 'at', 'with', 'against', 'for', 'hitting', 'across', 'inside', 'within']);
const DETERMINERS = new Set(['the', 'our', 'my', 'a', 'an', 'this', 'that', 'their', 'your']);

interface Phrase {
  candidates: string[];
  /** Index of the first token after the phrase. */
  next: number;
}

interface FoundService {
  /** The grammar's best guess, as its candidate list; empty when the grammar found no service phrase. */
  guess: string[];
  /** The guess, then every other word or word pair that could be a service, in text order. */
  candidates: string[];
  /** Other services named as peers ("from X", "calls to X"), each as its candidate list. */
  peers: string[][];
}

function isName(token: string | undefined): token is string {
  return (
    token !== undefined &&
    NAME_TOKEN.test(token) &&
    /[a-z]/.test(token) &&
    !STOP_WORDS.has(token) &&
    !PEOPLE.has(token) &&
    !DESCRIPTIVE_SUFFIXES.has(token) &&
    token !== 'api' &&
    !VERBS.has(token) &&
    !CHAT_WORDS.has(token) &&
    !SYMPTOM_TOKEN.test(token) &&
    !DURATION_TOKEN.test(token) &&
    // "shop/checkout" is a namespaced name when each part is one.
    (!token.includes('/') || token.split('/').every((part) => isName(part)))
  );
}

/** A word that may be tried as a service after the best guess: a name that discovery would not read as decoration. */
function isOtherName(token: string | undefined): token is string {
  return isName(token) && token.length > 1 && !DECORATION_WORDS.has(token);
}

function isSuffix(token: string | undefined): token is string {
  return token !== undefined && (NAME_SUFFIXES.has(token) || DESCRIPTIVE_SUFFIXES.has(token));
}

function tokenize(rest: string): string[] {
  const t = rest
    .replace(/['’]s\b/g, '')
    .replace(REPORTER, ' , ')
    .replace(SYMPTOM_PHRASES, ' § ')
    .replace(/\bsince\s+(?:the\s+|a\s+|last\s+)?\S+/g, ' , ')
    .replace(/["'“”‘’`*_]{1,3}(?=\s|$)|(?<=\s|^)["'“”‘’`*_]{1,3}/g, ' ')
    .replace(/\p{Extended_Pictographic}|\u{FE0F}|\u{200D}/gu, ' ')
    .replace(/[,;!?()[\]{}<>|\\]/g, ' , ')
    // A slash joins a namespace and a name ("shop/checkout"); elsewhere ("503/504", "errors /") it separates.
    .replace(/\/(?![a-z])|(?<![a-z0-9._-])\//g, ' , ')
    .replace(/\.(?=\s|$)/g, ' , ')
    .replace(/:(?=\s|$)/g, ' : ')
    .replace(/=/g, ' = ');
  return t
    .split(/\s+/)
    .map((w) => (w.length > 1 ? w.replace(/[.\-_]+$/, '') : w))
    .flatMap((w) => (w.includes('/') && !w.split('/').every((part) => isName(part)) ? w.split('/') : [w]))
    .filter((w) => w !== '');
}

/** A service phrase starting at `i`: "the notifications service", "accounts api", "users-api". */
function readPhrase(tokens: string[], i: number): Phrase | null {
  let at = i;
  while (DETERMINERS.has(tokens[at] ?? '')) at++;
  const t1 = tokens[at];
  const t2 = tokens[at + 1];
  const t3 = tokens[at + 2];
  if (t1 === undefined) return null;
  if (isSuffix(t2) && (isName(t1) || PEOPLE.has(t1) || (t1 === 'api' && NAME_SUFFIXES.has(t2)))) {
    return { candidates: spokenCandidates([t1], t2), next: at + 2 };
  }
  if (isName(t1) && isName(t2) && isSuffix(t3)) return { candidates: spokenCandidates([t1, t2], t3), next: at + 3 };
  if (isName(t1)) return { candidates: nameCandidates(t1), next: at + 1 };
  return null;
}

function spokenCandidates(words: string[], suffix: string): string[] {
  const dashed = words.join('-');
  const underscored = words.join('_');
  if (NAME_SUFFIXES.has(suffix)) return unique([`${dashed}-${suffix}`, dashed, `${underscored}_${suffix}`]);
  return unique([dashed, `${dashed}-${suffix}`, underscored]);
}

function nameCandidates(name: string): string[] {
  // "shop/checkout": the namespaced form first, then the name alone (never the namespace, which holds many).
  const slash = name.lastIndexOf('/');
  if (slash >= 0) return unique([name, ...nameCandidates(name.slice(slash + 1))]);
  const out = [name];
  const base = /^(.+?)[-_](?:api|service|svc)$/.exec(name)?.[1];
  if (base && /[a-z]/.test(base) && base !== 'api') out.push(base);
  if (name.includes('-') && !name.includes('_')) out.push(name.replaceAll('-', '_'));
  else if (name.includes('_') && !name.includes('-')) out.push(name.replaceAll('_', '-'));
  return unique(out);
}

function findService(rest: string): FoundService | null {
  const tokens = tokenize(rest);
  const peers: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const isPeerCue =
      t === 'from' || t === 'calling' || (t === 'to' && (tokens[i - 1] === 'calls' || tokens[i - 1] === 'requests'));
    if (isPeerCue && next !== undefined) {
      const p = readPhrase(tokens, i + 1);
      if (p) peers.push(p.candidates);
    }
  }
  const guess = bestGuess(tokens)?.candidates ?? [];
  // Discovery takes the first candidate Prometheus knows, so a real service named anywhere in the text beats a
  // guess that names nothing: every other word that could be a name is tried after the guess. The edge ("ALB
  // 502s on checkout") is where the failure was seen, so it is tried last.
  const ranked = unique([...guess, ...otherNames(tokens)]);
  const candidates = [...ranked.filter((c) => !EDGE_WORDS.has(c)), ...ranked.filter((c) => EDGE_WORDS.has(c))];
  return candidates.length === 0 ? null : { guess, candidates, peers };
}

/** The service phrase the sentence is about, read from its grammar, or null. */
function bestGuess(tokens: string[]): Phrase | null {
  // 1. Named outright: "service checkout", "for service: checkout", "svc=checkout".
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== 'service' && tokens[i] !== 'svc') continue;
    let j = i + 1;
    if (tokens[j] === ':' || tokens[j] === '=') j++;
    // "payments svc throwing 500s": after a name, "svc" is its suffix, read by the subject rule below.
    else if (isName(tokens[i - 1])) continue;
    const p = readPhrase(tokens, j);
    if (p && isName(tokens[j])) return p;
  }

  // 2. The subject: "checkout is down", "login timing out", "accounts api throws 503", "checkout: 502s".
  let i = 0;
  while (i < tokens.length && (FILLER.has(tokens[i] ?? '') || CHAT_WORDS.has(tokens[i] ?? '') || isPunct(tokens[i])))
    i++;
  // "api 5xx", "api is down": a bare "api" that opens the sentence is a service called api.
  const subject =
    tokens[i] === 'api' && !isSuffix(tokens[i + 1]) ? { candidates: ['api'], next: i + 1 } : readPhrase(tokens, i);
  if (subject) {
    let j = subject.next;
    // "checkout page super slow", "search pods restarting": the part named is still the subject's.
    while (tokens[j] === ',' || SUBJECT_PARTS.has(tokens[j] ?? '')) j++;
    const after = tokens[j];
    if (after !== undefined && (VERBS.has(after) || SYMPTOM_TOKEN.test(after))) return subject;
    // Two plain words before the verb: "shipping quotes failing" → shipping-quotes, shipping, quotes.
    const first = tokens[subject.next - 1];
    const second = tokens[subject.next];
    const third = tokens[subject.next + 1];
    if (
      first !== undefined &&
      isName(first) &&
      isName(second) &&
      third !== undefined &&
      (VERBS.has(third) || SYMPTOM_TOKEN.test(third))
    ) {
      return {
        candidates: unique([`${first}-${second}`, first, second, `${first}_${second}`]),
        next: subject.next + 1,
      };
    }
  }

  // 3. After a preposition: "502 on checkout", "errors in the billing service", "for checkout".
  for (let k = 0; k < tokens.length; k++) {
    if (!PREPOSITIONS.has(tokens[k] ?? '')) continue;
    const p = readPhrase(tokens, k + 1);
    if (p) return p;
  }

  // 4. A source: "from the web tier", "from users-api".
  for (let k = 0; k < tokens.length; k++) {
    if (tokens[k] !== 'from') continue;
    const p = readPhrase(tokens, k + 1);
    if (p) return p;
  }

  // 5. Anything spoken with a suffix: "… accounts api …".
  for (let k = 0; k < tokens.length; k++) {
    if (!isSuffix(tokens[k + 1])) continue;
    const p = readPhrase(tokens, k);
    if (p && p.next === k + 2) return p;
  }
  return null;
}

/** Every word or adjacent word pair that could name a service, in text order: "search indexer" → search-indexer, search. */
function otherNames(tokens: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const word = tokens[k];
    if (!isOtherName(word)) continue;
    const next = tokens[k + 1];
    if (isSuffix(next)) {
      // "email worker": the suffix is part of the name, not a name of its own.
      out.push(...spokenCandidates([word], next));
      k++;
      continue;
    }
    if (isOtherName(next)) out.push(`${word}-${next}`);
    out.push(...nameCandidates(word));
  }
  return out;
}

function isPunct(token: string | undefined): boolean {
  return token !== undefined && /^[^a-z0-9]+$/.test(token);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
