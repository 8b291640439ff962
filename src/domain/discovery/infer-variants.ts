import { quoteLiteral } from '../promql/quote.js';
import { expandClient, expandServer, type Provided } from '../signals/expand-convention.js';
import type { StatusFormat, TimeUnit } from '../signals/schema.js';
import type { SignalVariant } from '../signals/signal.js';
import type { EntityProfile } from './service-profile.js';

/** Labels that hold an HTTP status in the libraries we know, and in the ones we do not. */
export const STATUS_LABELS = [
  'code',
  'status',
  'status_code',
  'response_code',
  'http_status',
  'http_status_code',
  'http_response_status_code',
  'statuscode',
  'status_class',
];
const ROUTE_LABELS = ['route', 'path', 'handler', 'uri', 'endpoint', 'http_route', 'view', 'operation', 'action'];
const PEER_LABELS = ['server_address', 'peer', 'peer_service', 'host', 'target', 'upstream', 'client_name', 'remote'];
const DURATION_WORDS = /(?:^|_)(?:duration|latency|latencies|time|times|elapsed|response_time|rtt|wait)(?:_|$)/;
const CLIENT_WORDS = /(?:^|_)(?:client|outbound|upstream|egress|calls?|outgoing)(?:_|$)/;

/** The time unit a metric name states, or undefined when it states none. */
export function unitFromName(name: string): TimeUnit | undefined {
  if (/(?:^|_)(?:seconds|secs|sec)(?:_|$)/.test(name)) return 'seconds';
  if (/(?:^|_)(?:milliseconds|millis|ms|msec)(?:_|$)/.test(name)) return 'milliseconds';
  if (/(?:^|_)(?:microseconds|micros|us|usec)(?:_|$)/.test(name)) return 'microseconds';
  if (/(?:^|_)(?:nanoseconds|nanos|ns|nsec)(?:_|$)/.test(name)) return 'nanoseconds';
  return undefined;
}

/** Values hand-rolled client counters use for a call that got no HTTP answer, next to real status codes. */
const NO_ANSWER = new Set([
  '0',
  'error',
  'err',
  'timeout',
  'timedout',
  'exception',
  'failed',
  'failure',
  'unknown',
  'none',
]);

/** The status label of a family and whether it holds codes or classes, when its values look like HTTP statuses. */
function statusOf(
  byLabel: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): { label: string; format: StatusFormat } | undefined {
  if (!byLabel) return undefined;
  for (const label of STATUS_LABELS) {
    const values = [...(byLabel.get(label) ?? [])];
    if (values.length === 0) continue;
    const codes = values.filter((v) => /^[1-5]\d\d$/.test(v));
    if (codes.length > 0 && values.every((v) => codes.includes(v) || NO_ANSWER.has(v.toLowerCase())))
      return { label, format: 'code' };
    if (values.every((v) => /^[1-5]xx$/i.test(v))) return { label, format: 'class' };
  }
  return undefined;
}

function firstPresent(byLabel: ReadonlyMap<string, ReadonlySet<string>> | undefined, wanted: readonly string[]) {
  return wanted.filter((l) => byLabel?.has(l));
}

function toVariants(provided: Provided, what: string, out: Map<string, SignalVariant[]>): void {
  for (const [signal, list] of provided) {
    for (const q of list) {
      if (q.unavailable) continue;
      // Name the series the query really reads (a histogram's `_count` for a request rate, its `_bucket` for p99).
      const from = q.requires[0] ?? '';
      const variant: SignalVariant = {
        convention: 'inferred',
        requires: q.requires,
        query: q.query,
        note: `inferred from ${from}: ${what}${q.note ? `; ${q.note}` : ''}`,
        inferredFrom: from,
        ...(q.statusLabels ? { statusLabels: q.statusLabels } : {}),
        ...(q.statusExact ? { statusExact: true } : {}),
      };
      out.set(signal, [...(out.get(signal) ?? []), variant]);
    }
  }
}

/**
 * Request-ish names first (a service's own request counter before, say, its job counter), and a counter with a
 * status before a histogram, whose errors can only be counted when it also carries the status.
 */
function preference(name: string): number {
  return (/request|http|response|rpc|grpc|api/.test(name) ? 0 : 2) + (name.endsWith('_bucket') ? 1 : 0);
}

/**
 * Variants for the series no convention names, read the way an engineer would: a counter ending in `_total` or
 * `_count` with a status label holding HTTP values is a request counter; a histogram (`_bucket` with `le`) whose
 * name means a duration and states its unit is a latency; names saying client, outbound or upstream are calls the
 * service makes. Each variant says it was inferred, and from which series.
 */
export function inferVariants(
  profile: EntityProfile,
  knownFamilies: ReadonlySet<string>,
): Map<string, SignalVariant[]> {
  const out = new Map<string, SignalVariant[]>();
  const families = [...profile.families.keys()]
    .filter((f) => !knownFamilies.has(f))
    .sort((a, b) => preference(a) - preference(b) || a.localeCompare(b));
  const present = new Set(profile.families.keys());
  for (const family of families) {
    const byLabel = profile.labels?.get(family);
    const client = CLIENT_WORDS.test(family);
    if (family.endsWith('_bucket') && byLabel?.has('le')) {
      const base = family.slice(0, -'_bucket'.length);
      const unit = unitFromName(base);
      // A histogram whose name states a time unit measures durations; without a unit it cannot be read safely.
      if (!unit) continue;
      const status = statusOf(byLabel);
      const hasMean = present.has(`${base}_sum`) && present.has(`${base}_count`);
      if (client) {
        const peer = firstPresent(byLabel, PEER_LABELS);
        if (peer.length === 0) continue;
        const provided = expandClient({
          calls: `${base}_count`,
          peer,
          status: { label: status?.label ?? 'code', format: status?.format ?? 'code' },
          latency: { histogram: base, unit },
        });
        if (!status) {
          provided.delete('dependency_error_ratio');
          provided.delete('dependency_429_ratio');
        }
        toVariants(provided, `a latency histogram of calls, in ${unit}`, out);
        continue;
      }
      const provided = expandServer({
        requests: `${base}_count`,
        status: { label: status?.label ?? 'code', format: status?.format ?? 'code' },
        latency: { histogram: base, unit },
        ...(firstPresent(byLabel, ROUTE_LABELS).length ? { route: firstPresent(byLabel, ROUTE_LABELS) } : {}),
      });
      if (!status || !hasMean) {
        for (const key of [...provided.keys()])
          if (key.startsWith('http_') || key === 'error_route_share' || (!hasMean && key === 'latency_mean'))
            provided.delete(key);
      }
      toVariants(provided, `a latency histogram in ${unit}${status ? `, status label "${status.label}"` : ''}`, out);
      continue;
    }
    if (/_(?:total|count)$/.test(family) && !family.endsWith('_bucket')) {
      const status = statusOf(byLabel);
      if (!status) continue;
      if (client) {
        const peer = firstPresent(byLabel, PEER_LABELS);
        if (peer.length === 0) continue;
        const provided = expandClient({ calls: family, peer, status });
        toVariants(provided, `a counter of calls with status label "${status.label}"`, out);
        continue;
      }
      const route = firstPresent(byLabel, ROUTE_LABELS);
      const provided = expandServer({ requests: family, status, ...(route.length ? { route } : {}) });
      toVariants(provided, `a request counter with status label "${status.label}"`, out);
      continue;
    }
    if (byLabel?.has('quantile') && !client) {
      const unit = unitFromName(family);
      if (!unit && !DURATION_WORDS.test(family)) continue;
      const best = [...(byLabel.get('quantile') ?? [])]
        .filter((v) => Number(v) >= 0.9 && Number(v) < 1)
        .sort((a, b) => Number(b) - Number(a))[0];
      if (best === undefined || !unit) continue;
      const scale = { seconds: '', milliseconds: ' / 1000', microseconds: ' / 1e6', nanoseconds: ' / 1e9' }[unit];
      const quoted = quoteLiteral(best);
      const p = Math.round(Number(best) * 100);
      const variant: SignalVariant = {
        convention: 'inferred',
        requires: [family],
        query: `max(${family}{$service,quantile=${quoted}})${scale}`,
        note: `inferred from ${family}: a summary's ${p}th percentile in ${unit}${p === 99 ? '' : ` (no 99th percentile: p${p} instead)`}`,
        inferredFrom: family,
      };
      out.set('latency_p99', [...(out.get('latency_p99') ?? []), variant]);
    }
  }
  return out;
}
