import type { LogLine } from '../ports.js';
import { groupPatterns, type LogPattern, type LogSignature } from './group-patterns.js';
import { templateOf } from './line-templates.js';
import { assembleEvents, levelOf, NOT_ERROR_LEVELS } from './read-line.js';
import { classifyLine } from './signature-rules.js';

/**
 * The error patterns of a window against those of its baseline: which are new, which rose beyond chance, what their
 * lines say happened, which service they name, and whether they came with a rollout. Pure: the lines are given.
 */

/** One pattern of the window, with its baseline and what it means. */
export interface ComparedPattern extends LogPattern {
  /** Lines of the same template in the baseline, scaled to the window's length; null without a baseline. */
  baselineCount: number | null;
  /** Absent from the baseline and present now. */
  isNew: boolean;
  /** Poisson z of the count against the baseline's (0 without a baseline). */
  z: number;
  /** New, or risen well beyond chance: evidence on its own. */
  anomalous: boolean;
  /** What its lines say happened (the lines' messages and causes, not their stack frames). */
  signatures: LogSignature[];
  /** The service, host or address its lines say failed, when they name one. */
  callee?: string;
  /** Occurrences further apart than {@link EPISODE_GAP_SECONDS}: "out of memory at 3 separate times". */
  episodes: number;
  /** When every line of it came from pods or versions absent from the baseline, while older ones ran in the window. */
  rollout?: string;
  /**
   * What the pattern shows beside what its lines say, for `log:` rules (signatures.ts PATTERN_FINDINGS): `new-errors`
   * when it is news, `rollout`, `names-callee`, `repeated-out-of-memory`. Only news has findings.
   */
  findings: LogSignature[];
}

export interface PatternComparison {
  patterns: ComparedPattern[];
  /** Error events read in the window (after joining stack traces and dropping lines at info and below). */
  events: number;
  /** The same, in the baseline; null without one. */
  baselineEvents: number | null;
}

export interface CompareOptions {
  /** Most patterns returned (default 5). */
  maxPatterns?: number;
  /** The baseline's length over the window's (1 for the same window a day earlier). */
  baselineScale?: number;
  /** The baseline read was cut at the limit: a pattern missing from it may only have been left out. */
  baselineTruncated?: boolean;
  /** The service itself, never named as its own callee. */
  service?: string;
}

/** Below this, a rise is chance (a Poisson z). */
const SIGNIFICANT_Z = 3;
/** …and it must at least double. */
const SIGNIFICANT_RATIO = 2;
/** Lines of one pattern further apart than this are separate occurrences. */
const EPISODE_GAP_SECONDS = 60;

/** Signatures that name a cause outside the code: they make a pattern the one that explains the incident. */
const SPECIFIC: ReadonlySet<LogSignature> = new Set([
  'pool-timeout',
  'out-of-memory',
  'too-many-open-files',
  'thread-exhaustion',
  'rate-limited',
  'connection-refused',
  'dependency-unavailable',
  'upstream-5xx',
  'timeout',
  'deadlock',
]);

/** Signatures of a failed call to something else, whose lines may name it. */
const CALL_FAILURES: ReadonlySet<LogSignature> = new Set([
  'connection-refused',
  'dependency-unavailable',
  'upstream-5xx',
  'timeout',
]);

/** Error events of the lines: wrappers off, traces joined, lines at info and below left out. */
export function errorEvents(lines: readonly LogLine[]): LogLine[] {
  return assembleEvents(lines).filter((e) => {
    const level = levelOf(e.line) ?? e.labels.level?.toLowerCase();
    return level === undefined || !NOT_ERROR_LEVELS.has(level) || level === 'warn';
  });
}

/**
 * Groups the window's error events into patterns and judges each against the baseline's: a pattern absent from the
 * baseline is news whatever its count; one present in both counts only when it rose beyond chance (6 where 0.5 were
 * expected; not 52 where 47 were). Patterns that explain the incident come first.
 */
export function comparePatterns(
  now: readonly LogLine[],
  baseline: readonly LogLine[] | null,
  options: CompareOptions = {},
): PatternComparison {
  const events = errorEvents(now);
  const before = baseline === null ? null : errorEvents(baseline);
  const scale = options.baselineScale ?? 1;
  const usual = new Map<string, number>();
  for (const e of before ?? []) {
    const t = templateOf(e.line);
    usual.set(t, (usual.get(t) ?? 0) + 1);
  }
  const oldGroups = new Set((before ?? []).map(deployUnit).filter((x): x is string => x !== undefined));
  const windowGroups = events.map(deployUnit);
  const byTemplate = new Map<string, LogLine[]>();
  for (const e of events) {
    const t = templateOf(e.line);
    const list = byTemplate.get(t);
    if (list) list.push(e);
    else byTemplate.set(t, [e]);
  }
  const grouped = groupPatterns(events, { maxPatterns: Number.POSITIVE_INFINITY, samplesPerPattern: 3 });
  const compared = grouped.map((p): ComparedPattern => {
    const lines = byTemplate.get(p.template) ?? [];
    const seen = before === null ? null : (usual.get(p.template) ?? 0) / scale;
    const isNew = seen === 0 && (!options.baselineTruncated || p.count >= 3);
    const z = seen === null ? 0 : (p.count - seen) / Math.sqrt(seen + 1);
    const rose = seen !== null && z >= SIGNIFICANT_Z && p.count >= SIGNIFICANT_RATIO * seen;
    // Without a baseline, every error pattern is what there is to go on.
    const anomalous = seen === null ? true : isNew || rose;
    const signatures = signaturesOf(lines);
    const callee = signatures.some((s) => CALL_FAILURES.has(s)) ? calleeOf(lines, options.service) : undefined;
    const rollout = before === null ? undefined : rolloutOf(lines, oldGroups, windowGroups);
    const episodes = episodesOf(lines);
    const findings: LogSignature[] = anomalous
      ? [
          'new-errors',
          ...(rollout !== undefined ? (['rollout'] as const) : []),
          ...(callee !== undefined ? (['names-callee'] as const) : []),
          ...(signatures.includes('out-of-memory') && episodes >= 2 ? (['repeated-out-of-memory'] as const) : []),
        ]
      : [];
    return {
      ...p,
      baselineCount: seen === null ? null : round(seen),
      isNew,
      z: round(z),
      anomalous,
      signatures,
      ...(callee !== undefined ? { callee } : {}),
      episodes,
      ...(rollout !== undefined ? { rollout } : {}),
      findings,
    };
  });
  compared.sort((a, b) => rank(b) - rank(a) || b.lastSeen - a.lastSeen || a.template.localeCompare(b.template));
  return {
    patterns: compared.slice(0, options.maxPatterns ?? 5),
    events: events.length,
    baselineEvents: before === null ? null : before.length,
  };
}

/** News first; among news, a pattern whose own message names a cause outside the code weighs double. */
function rank(p: ComparedPattern): number {
  const own = classifyLine(p.template);
  const specific = own.some((s) => SPECIFIC.has(s)) ? 2 : 1;
  return (p.anomalous ? 1e9 : 0) + p.count * specific;
}

/** What the events say, read from their messages and causes: stack frames name classes, not what happened. */
function signaturesOf(lines: readonly LogLine[]): LogSignature[] {
  const found = new Set<LogSignature>();
  for (const e of lines.slice(0, 50)) {
    const said = e.line
      .split('\n')
      .filter((l) => !/^\s/.test(l))
      .join('\n');
    for (const s of classifyLine(said)) found.add(s);
    if (/\n\s+at [\w$.<>/[\] ]+\(|\n\s+File "/.test(e.line)) found.add('exception');
  }
  return [...found];
}

/** Occurrences of a pattern: runs of lines with no gap over a minute between them. */
function episodesOf(lines: readonly LogLine[]): number {
  const times = lines.map((l) => l.time).sort((a, b) => a - b);
  let episodes = times.length ? 1 : 0;
  for (let i = 1; i < times.length; i++) if ((times[i] ?? 0) - (times[i - 1] ?? 0) > EPISODE_GAP_SECONDS) episodes++;
  return episodes;
}

// ---------------------------------------------------------------------------------------------------------------
// The callee a line names

const CALLEE_PATTERNS: readonly RegExp[] = [
  // Spring Cloud LoadBalancer, Eureka, Consul, gRPC: "No instances available for inventory-service"
  /\bno (?:instances?|servers?|hosts?|endpoints?|healthy upstreams?|live upstreams?) (?:are )?available (?:for|to) (?:service:? ?)?["']?([A-Za-z0-9][\w.-]*)/i,
  // Go: `Post "http://tax-service.finance.svc.cluster.local:8080/…"`; nginx: `upstream: "http://10.0.3.7:8080/…"`
  /\bupstream: "?(?:https?|grpc|tcp):\/\/([\w.-]+(?::\d+)?)/i,
  /\b(?:https?|grpc|tcp|redis|amqp|postgres(?:ql)?|mysql|mongodb):\/\/(?:[^@\s/"']+@)?([\w.-]+(?::\d+)?)/i,
  // "Connect to rates-api:8080 failed", "dial tcp 10.0.0.7:5432: connect: connection refused", "connect ECONNREFUSED 10.0.0.1:6379"
  /\b(?:connect to|dial tcp|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|connecting to) \[?([\w.-]+(?::\d+)?)/i,
  // "503 Service Unavailable from payments-api", "timed out calling tax-service"
  // (a hyphenated name only: "failed to re-index" names nothing)
  /\b(?:from|calling) ([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\b/,
];

const CLUSTER_SUFFIX = /\.(?:[\w-]+\.)?svc(?:\.cluster\.local)?(?::\d+)?$|\.cluster\.local(?::\d+)?$/;

/** The host a failed call names, the commonest one among the lines; a cluster-local name is its service's. */
export function calleeOf(lines: readonly LogLine[], self?: string): string | undefined {
  const counts = new Map<string, number>();
  for (const e of lines.slice(0, 50)) {
    const said = e.line
      .split('\n')
      .filter((l) => !/^\s/.test(l))
      .join('\n');
    for (const pattern of CALLEE_PATTERNS) {
      const m = pattern.exec(said);
      const raw = m?.[1];
      if (!raw) continue;
      const name = hostName(raw);
      if (name === undefined || name === self || (self !== undefined && name.startsWith(`${self}.`))) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      break;
    }
  }
  let best: string | undefined;
  let most = 0;
  for (const [name, n] of counts) if (n > most) [best, most] = [name, n];
  return best;
}

function hostName(raw: string): string | undefined {
  const host = raw.replace(/[.,;:]+$/, '');
  if (/^(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?$/.test(host)) return undefined;
  // An address says which instance; its port, which service on it.
  if (/^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$/.test(host)) return host;
  if (CLUSTER_SUFFIX.test(host)) return host.split('.')[0];
  return host.replace(/:\d+$/, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Rollouts

/** The unit a line came from that a deploy replaces: its version, else its pod's ReplicaSet (the pod less its suffix). */
function deployUnit(line: LogLine): string | undefined {
  const version = line.labels.version ?? line.labels['service.version'];
  if (version) return `version ${version}`;
  const pod = line.labels.pod ?? line.labels.pod_name ?? line.labels['kubernetes.pod.name'];
  if (!pod) return undefined;
  const m = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  return m ? `pods ${m[1]}-*` : undefined;
}

/**
 * When every line of a pattern came from pods (or versions) no baseline line came from, while pods seen in the
 * baseline also logged in the window (so the change happened inside it): the pods of that rollout.
 */
function rolloutOf(
  lines: readonly LogLine[],
  oldGroups: ReadonlySet<string>,
  windowGroups: readonly (string | undefined)[],
): string | undefined {
  if (oldGroups.size === 0 || lines.length < 3) return undefined;
  const units = new Set<string>();
  for (const l of lines) {
    const unit = deployUnit(l);
    if (unit === undefined || oldGroups.has(unit)) return undefined;
    units.add(unit);
  }
  if (!windowGroups.some((g) => g !== undefined && oldGroups.has(g))) return undefined;
  return [...units].sort().join(', ');
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
