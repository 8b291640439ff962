import type {
  ClientConvention,
  Convention,
  PoolConvention,
  ServerConvention,
  StatusFormat,
  TimeUnit,
} from './schema.js';

/** A variant as a convention provides it, before the catalogue orders it among the others. */
export interface ProvidedQuery {
  requires: string[];
  query: string;
  note?: string;
  labels?: readonly string[];
  priority?: number;
  /** Set when the convention cannot tell this signal (e.g. status classes have no 502): no data, with this reason. */
  unavailable?: string;
  /** The status labels the query reads: a family whose series carry none of them cannot answer it. */
  statusLabels?: readonly string[];
  /** True for a query on one status code: when the service's values are classes ("5xx"), it cannot answer. */
  statusExact?: boolean;
  /** Equality matchers the convention always writes (`reporter="destination"`): the series must carry them. */
  fixed?: Readonly<Record<string, string>>;
}

/** The equality matchers of a convention's `matchers` text (`reporter="destination",direction="inbound"`). */
export function fixedMatchers(matchers: string | undefined): Record<string, string> | undefined {
  if (!matchers) return undefined;
  const out: Record<string, string> = {};
  for (const m of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")/g)) {
    const [, label, quoted] = m;
    if (label && quoted) out[label] = JSON.parse(quoted) as string;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Signal id → what the convention offers for it, best first. */
export type Provided = Map<string, ProvidedQuery[]>;

const SECONDS_PER: Record<TimeUnit, number> = {
  seconds: 1,
  milliseconds: 1_000,
  microseconds: 1_000_000,
  nanoseconds: 1_000_000_000,
};

/** Status codes the HTTP signals single out; 5xx is the class. */
const HTTP_CODES = [429, 500, 502, 503, 504] as const;

/**
 * gRPC status codes by HTTP meaning, as grpc-gateway and Envoy map them (names as go-grpc-prometheus writes them,
 * upper-case as grpc-java does, and numbers as OpenTelemetry's `rpc_grpc_status_code` does).
 */
const GRPC_BY_HTTP: Readonly<Record<number | '5xx', readonly (readonly [string, number])[]>> = {
  429: [['resource_?exhausted', 8]],
  500: [
    ['unknown', 2],
    ['internal', 13],
    ['data_?loss', 15],
  ],
  502: [],
  503: [['unavailable', 14]],
  504: [['deadline_?exceeded', 4]],
  '5xx': [
    ['unknown', 2],
    ['deadline_?exceeded', 4],
    ['unimplemented', 12],
    ['internal', 13],
    ['unavailable', 14],
    ['data_?loss', 15],
  ],
};

/** The regex selecting a status (a code or the 5xx class) in a label of this format, or null when it cannot. */
export function statusRegex(format: StatusFormat, status: number | '5xx'): string | null {
  if (format === 'code') return status === '5xx' ? '5..' : String(status);
  if (format === 'class') return status === '5xx' ? '(?i)5(?:xx)?' : null;
  const codes = GRPC_BY_HTTP[status] ?? [];
  if (codes.length === 0) return null;
  return `(?i)${codes.map(([name, n]) => `${name}|${n}`).join('|')}`;
}

function scaled(expr: string, unit: TimeUnit): string {
  const factor = SECONDS_PER[unit];
  return factor === 1 ? expr : `${expr} / ${factor}`;
}

function selector(extra: string | undefined, more = ''): string {
  return `$service${extra ? `,${extra}` : ''}${more ? `,${more}` : ''}`;
}

function labelsOf(label: string | readonly string[]): readonly string[] {
  return typeof label === 'string' ? [label] : label;
}

function add(out: Provided, signal: string, query: ProvidedQuery): void {
  const list = out.get(signal) ?? [];
  list.push(query);
  out.set(signal, list);
}

function cannot(format: StatusFormat, code: number): string {
  return format === 'class'
    ? `the status label holds classes ("5xx"), so ${code} alone cannot be told apart`
    : `gRPC has no status that means ${code}`;
}

/** Request rate, error ratios, errors by route and latency from a server convention (HTTP or gRPC). */
export function expandServer(c: ServerConvention, labels?: readonly string[]): Provided {
  const out: Provided = new Map();
  const fixed = fixedMatchers(c.matchers);
  const base = { ...(labels ? { labels } : {}), ...(fixed ? { fixed } : {}) };
  const req = c.requests;
  const statusLabels = labelsOf(c.status.label);
  const format = c.status.format;
  const rate = (more = '', by = '') => `sum${by}(rate(${req}{${selector(c.matchers, more)}}[$rate]))`;
  const statusRate = (re: string, by = '') =>
    statusLabels.map((l) => rate(`${l}=~${JSON.stringify(re)}`, by)).join(' or ');
  add(out, 'request_rate', { requires: [req], query: rate(), ...base });
  const ratio = (re: string) => `(${statusRate(re)} or vector(0)) / ${rate()}`;
  const fiveXx = statusRegex(format, '5xx');
  if (fiveXx) add(out, 'http_5xx_ratio', { requires: [req], query: ratio(fiveXx), statusLabels, ...base });
  for (const code of HTTP_CODES) {
    const re = statusRegex(format, code);
    add(
      out,
      `http_${code}_ratio`,
      re
        ? {
            requires: [req],
            query: ratio(re),
            statusLabels,
            ...(format === 'code' ? { statusExact: true } : {}),
            ...base,
          }
        : { requires: [req], query: 'vector(0)', unavailable: cannot(format, code), ...base },
    );
  }
  if (c.route && fiveXx) {
    const by = ` by (${labelsOf(c.route).join(', ')})`;
    add(out, 'error_route_share', {
      requires: [req],
      // Only where several routes answer: a service with one route (or none labelled) has all its errors there.
      query: `topk(1, (${statusRate(fiveXx, by)}) / scalar(${statusRate(fiveXx)})) and on () (count(${rate('', by)}) > 1)`,
      statusLabels,
      ...base,
    });
  }
  const lat = c.latency;
  if (lat && 'histogram' in lat) {
    const h = lat.histogram;
    add(out, 'latency_p99', {
      requires: [`${h}_bucket`],
      query: scaled(
        `histogram_quantile(0.99, sum by (le) (rate(${h}_bucket{${selector(c.matchers)}}[$rate])))`,
        lat.unit,
      ),
      ...base,
    });
    add(out, 'latency_mean', {
      requires: [`${h}_sum`, `${h}_count`],
      query: scaled(
        `sum(rate(${h}_sum{${selector(c.matchers)}}[$rate])) / sum(rate(${h}_count{${selector(c.matchers)}}[$rate]))`,
        lat.unit,
      ),
      ...base,
    });
  } else if (lat) {
    if (lat.max) {
      add(out, 'latency_p99', {
        requires: [lat.max],
        query: scaled(`max(${lat.max}{${selector(c.matchers)}})`, lat.unit),
        note: 'maximum latency: the service publishes no histogram buckets, so p99 is not available',
        ...base,
      });
    }
    add(out, 'latency_mean', {
      requires: [`${lat.mean}_sum`, `${lat.mean}_count`],
      query: scaled(
        `sum(rate(${lat.mean}_sum{${selector(c.matchers)}}[$rate])) / sum(rate(${lat.mean}_count{${selector(c.matchers)}}[$rate]))`,
        lat.unit,
      ),
      ...base,
    });
  }
  return out;
}

/** Failing, throttled and slow outbound calls per callee from a client convention. */
export function expandClient(c: ClientConvention, labels?: readonly string[]): Provided {
  const out: Provided = new Map();
  const fixed = fixedMatchers(c.matchers);
  const base = { ...(labels ? { labels } : {}), ...(fixed ? { fixed } : {}) };
  const by = c.peer.join(', ');
  const calls = (more = '') => `sum by (${by}) (rate(${c.calls}{${selector(c.matchers, more)}}[$rate]))`;
  const statusLabels = labelsOf(c.status.label);
  const share = (failed: string) => `max by (${by}) ((${failed} or ${calls()} * 0) / ${calls()})`;
  const byStatus = (re: string) => statusLabels.map((l) => calls(`${l}=~${JSON.stringify(re)}`)).join(' or ');
  const fiveXx = statusRegex(c.status.format, '5xx');
  const failed = c.failures ? calls(c.failures) : fiveXx ? byStatus(fiveXx) : null;
  if (failed)
    add(out, 'dependency_error_ratio', {
      requires: [c.calls],
      query: share(failed),
      ...(c.failures ? {} : { statusLabels }),
      ...base,
    });
  const throttled = statusRegex(c.status.format, 429);
  add(
    out,
    'dependency_429_ratio',
    throttled
      ? {
          requires: [c.calls],
          query: share(byStatus(throttled)),
          statusLabels,
          ...(c.status.format === 'code' ? { statusExact: true } : {}),
          ...base,
        }
      : { requires: [c.calls], query: 'vector(0)', unavailable: cannot(c.status.format, 429), ...base },
  );
  add(out, 'dependency_request_rate', { requires: [c.calls], query: `sum(${calls()})`, ...base });
  const lat = c.latency;
  if (lat && 'histogram' in lat) {
    add(out, 'dependency_latency', {
      requires: [`${lat.histogram}_bucket`],
      query: scaled(
        `histogram_quantile(0.99, sum by (le, ${by}) (rate(${lat.histogram}_bucket{${selector(c.matchers)}}[$rate])))`,
        lat.unit,
      ),
      note: 'p99 per peer',
      ...base,
    });
  } else if (lat) {
    add(out, 'dependency_latency', {
      requires: [`${lat.mean}_sum`, `${lat.mean}_count`],
      query: scaled(
        `sum by (${by}) (rate(${lat.mean}_sum{${selector(c.matchers)}}[$rate])) / sum by (${by}) (rate(${lat.mean}_count{${selector(c.matchers)}}[$rate]))`,
        lat.unit,
      ),
      note: 'mean per peer',
      ...base,
    });
  }
  return out;
}

function gaugeRef(ref: PoolConvention['used']): { metric: string; matchers?: string | undefined } {
  return typeof ref === 'string' ? { metric: ref } : ref;
}

/** Pool use against its maximum, waiting callers and acquisition timeouts from a pool convention. */
export function expandPool(c: PoolConvention, labels?: readonly string[]): Provided {
  const out: Provided = new Map();
  const base = labels ? { labels } : {};
  const used = gaugeRef(c.used);
  const max = gaugeRef(c.max);
  const by = ['instance', ...c.by].join(', ');
  add(out, 'pool_usage_ratio', {
    requires: [used.metric, max.metric],
    query: `max(sum by (${by}) (${used.metric}{${selector(used.matchers)}}) / on (${by}) max by (${by}) (${max.metric}{${selector(max.matchers)}} > 0))`,
    ...base,
  });
  if (c.pending) {
    const pending = gaugeRef(c.pending);
    add(out, 'pool_pending', {
      requires: [pending.metric],
      query: `sum(${pending.metric}{${selector(pending.matchers)}})`,
      ...base,
    });
  }
  if (c.timeouts) {
    add(out, 'pool_timeouts', {
      requires: [c.timeouts],
      query: `sum(rate(${c.timeouts}{$service}[$rate]))`,
      ...base,
    });
  }
  return out;
}

/** Everything one convention provides, typed forms first, then its raw `provides`. */
export function expandConvention(c: Convention): Provided {
  const out: Provided = new Map();
  const merge = (more: Provided) => {
    for (const [signal, list] of more) for (const q of list) add(out, signal, q);
  };
  if (c.server) merge(expandServer(c.server, c.labels));
  if (c.client) merge(expandClient(c.client, c.labels));
  if (c.pool) merge(expandPool(c.pool, c.labels));
  for (const [signal, value] of Object.entries(c.provides ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const labels = v.labels ?? c.labels;
      add(out, signal, {
        requires: [...v.requires],
        query: v.query,
        ...(v.note ? { note: v.note } : {}),
        ...(labels ? { labels } : {}),
        ...(v.priority !== undefined ? { priority: v.priority } : {}),
      });
    }
  }
  return out;
}
