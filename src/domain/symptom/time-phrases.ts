import { SymptomError } from '../errors.js';
import { isStatusCode } from './detect-kinds.js';
import { unique } from './find-service.js';
import { MAX_WINDOW_SECONDS } from './resolve-window.js';
import {
  AGO_RE,
  AT_RE,
  BARE_DATETIME_RE,
  CLOCK_PARTS,
  COMPONENT_PARTS,
  DAY_PART_RE,
  DAY_PARTS,
  FOR_RE,
  LAST_RE,
  NUM_WORDS,
  RANGE_RE,
  SINCE_DURATION_RE,
  SINCE_TIME_RE,
  TIME_PARTS,
} from './time-patterns.js';
import { ianaZone, UTC, type Zone } from './time-zones.js';

export interface TimeExpr {
  phrase: string;
  date?: { year: number; month: number; day: number };
  clock: { hour: number; minute: number; second: number; ms: number };
  day?: 'today' | 'yesterday';
  zone?: Zone;
  /** The clock time a day part stands for ("08:00" for "since breakfast"), said back in a note. */
  reading?: string;
}

export interface Extracted {
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

export function extractTimes(lower: string, display: string): Extracted {
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
