import type { LogLine } from '../ports.js';
import { messageOf, templateOf } from './line-templates.js';
import type { LogSignatureName } from './signatures.js';

/** What an error line says happened; the names are the ones playbooks test (`when: { log: pool-timeout }`). */
export type LogSignature = LogSignatureName;

/** Lines that share a template: how many, a few examples (newest first) and when they were seen. */
export interface LogPattern {
  template: string;
  count: number;
  /** Up to `samplesPerPattern` distinct original lines, newest first, each cut to {@link MAX_SAMPLE_CHARS}. */
  samples: string[];
  /** Unix seconds of the oldest and newest line. */
  firstSeen: number;
  lastSeen: number;
}

export interface GroupOptions {
  /** Most patterns returned (default 10). */
  maxPatterns?: number;
  /** Most samples kept per pattern (default 3). */
  samplesPerPattern?: number;
}

/** Longest sample kept (a full stack trace is cut here). */
export const MAX_SAMPLE_CHARS = 2000;
/**
 * Groups lines by {@link templateOf} of their first line. Patterns are sorted by count (descending), then by the
 * newest line (descending), then by template; at most `maxPatterns` are returned. Blank lines are ignored.
 */
export function groupPatterns(lines: readonly LogLine[], options: GroupOptions = {}): LogPattern[] {
  const maxPatterns = limit(options.maxPatterns, 10);
  const maxSamples = limit(options.samplesPerPattern, 3);
  const groups = new Map<string, { pattern: LogPattern; samples: { text: string; time: number }[] }>();
  for (const { line, time } of lines) {
    if (line.trim() === '') continue;
    const template = templateOf(line);
    let group = groups.get(template);
    if (!group) {
      group = { pattern: { template, count: 0, samples: [], firstSeen: time, lastSeen: time }, samples: [] };
      groups.set(template, group);
    }
    const p = group.pattern;
    p.count++;
    if (time < p.firstSeen) p.firstSeen = time;
    if (time > p.lastSeen) p.lastSeen = time;
    const shown = messageOf(line);
    addSample(
      group.samples,
      shown.length > MAX_SAMPLE_CHARS ? shown.slice(0, MAX_SAMPLE_CHARS) : shown,
      time,
      maxSamples,
    );
  }
  const patterns = [...groups.values()].map(({ pattern, samples }) => ({
    ...pattern,
    samples: samples.map((s) => s.text),
  }));
  patterns.sort(
    (a, b) =>
      b.count - a.count || b.lastSeen - a.lastSeen || (a.template < b.template ? -1 : a.template > b.template ? 1 : 0),
  );
  return patterns.slice(0, maxPatterns);
}

function limit(value: number | undefined, fallback: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  return Math.max(0, Math.floor(value));
}

/** Keeps the `max` newest distinct texts, newest first (ties: the one seen first). */
function addSample(samples: { text: string; time: number }[], text: string, time: number, max: number): void {
  if (max === 0) return;
  const existing = samples.find((s) => s.text === text);
  if (existing) {
    if (time <= existing.time) return;
    existing.time = time;
  } else if (samples.length < max) {
    samples.push({ text, time });
  } else {
    const oldest = samples[samples.length - 1];
    if (!oldest || time <= oldest.time) return;
    samples[samples.length - 1] = { text, time };
  }
  samples.sort((a, b) => b.time - a.time);
}
