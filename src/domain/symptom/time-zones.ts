import { SymptomError } from '../errors.js';

// Time zones of the symptom's clock times: IANA names through Intl, or fixed offsets (no library needed).

export type Zone = { kind: 'iana'; name: string } | { kind: 'offset'; minutes: number; label: string };

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

export const UTC: Zone = { kind: 'offset', minutes: 0, label: 'UTC' };
const formatters = new Map<string, Intl.DateTimeFormat>();

export function configuredZone(name: string | undefined): Zone {
  if (name === undefined || name.trim() === '') return UTC;
  return ianaZone(name.trim(), undefined);
}

export function ianaZone(name: string, phrase: string | undefined): Zone {
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

export function zoneLabel(zone: Zone): string {
  return zone.kind === 'iana' ? zone.name : zone.label;
}

export function wallOf(instant: number, zone: Zone): Wall {
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
export function instantOf(w: Wall, zone: Zone): number {
  const local = wallAsUtc(w);
  if (zone.kind === 'offset') return local - zone.minutes * 60_000;
  const first = local - offsetMs(local, zone);
  const second = local - offsetMs(first, zone);
  return second;
}

export function addDays(w: Wall, days: number): Wall {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
