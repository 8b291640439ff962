import type { TimeWindow } from '../time-window.js';

/** What the user says is wrong, as a family of signals. Playbooks are chosen by these. */
export const SYMPTOM_KINDS = [
  'errors', // 5xx, exceptions, "errors", "failing", "broken"
  'latency', // slow, p99/p95 up, latency
  'timeouts', // timing out, 504, deadline exceeded
  'unavailable', // down, unreachable, 503, crash, restarts
  'memory', // memory growing, OOM, heap
  'cpu', // CPU pegged, throttled
  'connections', // too many connections, pool exhausted
  'resource-leak', // file descriptors, threads, goroutines, sockets leaking
  'dependency', // upstream/downstream/third-party failures
  'rate-limit', // 429, throttled by a peer, rate limited
  'traffic', // traffic spike, load, surge
  'deploy', // "since the deploy", "after release"
] as const;
export type SymptomKind = (typeof SYMPTOM_KINDS)[number];

/**
 * How the window was chosen, so surfaces can say it back to the user: `default` (nothing said), `at` (an end time
 * was given: "at 14:00", `options.at`, or a range "between 13:00 and 14:00"), `since` (a start time: "since 14:05"),
 * `last` (a look-back from now: "for the last 2h", "since 2h", `options.sinceSeconds`).
 */
export type WindowSource = 'default' | 'at' | 'since' | 'last';

export interface ParsedSymptom {
  /** The text as typed, trimmed. */
  text: string;
  /** Best guess at the service, or null when the text names none. */
  service: string | null;
  /**
   * Names to try, best first: the grammar's guess ("accounts api" → ["accounts-api", "accounts", "accounts_api"]),
   * then every other word or word pair of the text that could name a service, in text order. Discovery picks the
   * first one Prometheus knows, so a real service named anywhere wins. Empty when `service` is null.
   */
  serviceCandidates: string[];
  /** Signal families named by the text, most specific first; empty when nothing was recognised. */
  kinds: SymptomKind[];
  /** HTTP status codes named by the text ("502", "500s" → 500, "5xx" → none, "gateway errors" → 502). */
  statusCodes: number[];
  /** The window to diagnose. */
  window: TimeWindow;
  windowSource: WindowSource;
  /** Human-readable notes about what was assumed ("no time given: the last 30 minutes"). */
  notes: string[];
}

export interface ParseSymptomOptions {
  /** The current time (injected, never read from the wall clock here). */
  now: Date;
  /** IANA time zone for clock times without a zone ("since 14:05"); default UTC. */
  timeZone?: string;
  /** Service named explicitly (`--service`), wins over the text. */
  service?: string;
  /** Explicit anchor (`--at`), wins over the text. */
  at?: Date;
  /** Explicit look-back in seconds (`--since 2h`), wins over the text. */
  sinceSeconds?: number;
  /** Default look-back in seconds when nothing is said; 1800 (30 minutes). */
  defaultWindowSeconds?: number;
}
