import { SymptomError } from '../errors.js';
import type { ParseSymptomOptions, WindowSource } from './symptom.js';
import type { Extracted, TimeExpr } from './time-phrases.js';
import { addDays, instantOf, UTC, wallOf, type Zone, zoneLabel } from './time-zones.js';

// The time window a symptom's phrases name, resolved against the clock and the zone.

/** The longest window Triage diagnoses. */
export const MAX_WINDOW_SECONDS = 7 * 86_400;
/** The window used when nothing is said: the 30 minutes before now (or before `at`). */
export const DEFAULT_WINDOW_SECONDS = 1_800;

interface Resolved {
  start: number;
  end: number;
  source: WindowSource;
  notes: string[];
}

export function resolveWindow(
  found: Extracted,
  options: ParseSymptomOptions,
  ctx: { now: number; zone: Zone },
): Resolved {
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
