/**
 * In-process fakes of the two log stores on nock, answering what the adapters send the way the real APIs do
 * (grafana/loki docs/sources/reference/loki-http-api.md; Elasticsearch `_search` reference), computed from stored
 * lines rather than canned:
 *
 * - Loki: `GET /loki/api/v1/query` evaluates `count_over_time` (optionally under `sum`) of a log query at `time`;
 *   `GET /loki/api/v1/query_range` returns the stream entries in `[start, end)`, at most `limit`, newest first
 *   for `direction=backward`. The stream selector (`=`, `!=`, `=~`, `!~`) and line filters (`|=`, `!=`, `|~`,
 *   `!~`) are applied to the stored lines; RE2's leading `(?i)` becomes the JavaScript `i` flag. Times follow
 *   Loki's parser: a value with `.` is float seconds, ≤ 10 digits seconds, more digits nanoseconds, else RFC3339.
 *   Errors are plain-text bodies, as Loki sends them.
 * - Elasticsearch: `POST /<index>/_search` with a `bool` of `filter`/`must` clauses (`range`, `term`, `terms`),
 *   `size`, `sort`, `_source` includes and `track_total_hits`; `hits.total` as `{value, relation}`, documents in
 *   `hits.hits[]._source`, and `date_histogram` and `terms` aggregations computed from the matching documents.
 *   Errors use the `{"error":{"root_cause":[…],"type":…,"reason":…},"status":400}` shape.
 */
import nock from 'nock';
import type { LokiStream } from '../fixtures/logs/services.js';

// ---------------------------------------------------------------------------------------------------------------
// Loki

export interface RecordedRequest {
  path: string;
  params: Record<string, string>;
  body?: unknown;
}

export interface LokiFake {
  /** Every request received, in order. */
  requests: RecordedRequest[];
}

interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

interface LineFilter {
  op: '|=' | '!=' | '|~' | '!~';
  value: string;
}

interface LogQuery {
  matchers: Matcher[];
  filters: LineFilter[];
}

class LogQLError extends Error {}

/** Reads one Go string literal (`"…"` with Go escapes, or a raw `` `…` ``) at `pos`. */
function readString(text: string, pos: number): { value: string; end: number } {
  const quote = text[pos];
  if (quote === '`') {
    const close = text.indexOf('`', pos + 1);
    if (close < 0) throw new LogQLError('parse error : unterminated raw string');
    return { value: text.slice(pos + 1, close), end: close + 1 };
  }
  if (quote !== '"') throw new LogQLError(`parse error at position ${pos + 1}: expected a string`);
  let i = pos + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new LogQLError('parse error : unterminated string');
  // JSON's escapes are the subset of Go's that the adapters write.
  return { value: JSON.parse(text.slice(pos, i + 1)) as string, end: i + 1 };
}

/** Parses `{label op "value", …} [| filters]`, returning where it stopped. */
function parseLogQuery(text: string, start = 0): { query: LogQuery; end: number } {
  let i = start;
  const skip = () => {
    while (text[i] === ' ') i++;
  };
  skip();
  if (text[i] !== '{') throw new LogQLError(`parse error at position ${i + 1}: syntax error: unexpected input`);
  i++;
  const matchers: Matcher[] = [];
  for (;;) {
    skip();
    if (text[i] === '}') {
      i++;
      break;
    }
    const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!label) throw new LogQLError(`parse error at position ${i + 1}: syntax error: unexpected input`);
    i += label.length;
    skip();
    const op = /^(=~|!~|!=|=)/.exec(text.slice(i))?.[0] as Matcher['op'] | undefined;
    if (!op) throw new LogQLError(`parse error at position ${i + 1}: syntax error: unexpected input`);
    i += op.length;
    skip();
    const str = readString(text, i);
    i = str.end;
    matchers.push({ label, op, value: str.value });
    skip();
    if (text[i] === ',') i++;
  }
  if (!matchers.some((m) => isNonEmptyMatcher(m))) {
    throw new LogQLError(
      'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    );
  }
  const filters: LineFilter[] = [];
  for (;;) {
    skip();
    const op = /^(\|=|!=|\|~|!~)/.exec(text.slice(i))?.[0] as LineFilter['op'] | undefined;
    if (!op) break;
    i += op.length;
    skip();
    const str = readString(text, i);
    i = str.end;
    filters.push({ op, value: str.value });
  }
  return { query: { matchers, filters }, end: i };
}

/** Loki wants one matcher that cannot match an empty value: `=` with a value, or `=~` whose regex needs a character. */
function isNonEmptyMatcher(m: Matcher): boolean {
  if (m.op === '=') return m.value !== '';
  if (m.op === '=~') return !anchored(m.value).test('');
  return false;
}

function anchored(re2: string): RegExp {
  const re = toJsRegex(re2);
  return new RegExp(`^(?:${re.source})$`, re.flags);
}

/** An RE2 pattern as a JavaScript RegExp: a leading `(?i)` becomes the `i` flag; other inline flags are refused. */
export function toJsRegex(re2: string): RegExp {
  let source = re2;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (inline) {
    const wanted = inline[1] ?? '';
    if (/[^is]/.test(wanted)) throw new LogQLError(`the fake only knows the i and s flags, not (?${wanted})`);
    flags = [...new Set(wanted)].join('');
    source = source.slice(inline[0].length);
  }
  if (/\(\?[a-zA-Z]/.test(source)) throw new LogQLError('inline flags are only understood at the start');
  return new RegExp(source, flags);
}

function matchesStream(labels: Record<string, string>, matchers: readonly Matcher[]): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = labels[label] ?? '';
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return anchored(value).test(actual);
      default:
        return !anchored(value).test(actual);
    }
  });
}

function matchesLine(line: string, filters: readonly LineFilter[]): boolean {
  return filters.every(({ op, value }) => {
    switch (op) {
      case '|=':
        return line.includes(value);
      case '!=':
        return !line.includes(value);
      case '|~':
        return toJsRegex(value).test(line);
      default:
        return !toJsRegex(value).test(line);
    }
  });
}

/** Loki's `parseTimestamp`: float seconds with `.`, ≤ 10 digits seconds, more digits nanoseconds, else RFC3339. */
export function parseLokiTime(value: string | undefined, fallback: bigint): bigint {
  if (value === undefined || value === '') return fallback;
  if (value.includes('.') && /^\d+\.\d+$/.test(value)) {
    const [s = '0', f = ''] = value.split('.');
    return BigInt(s) * 1_000_000_000n + BigInt(f.padEnd(9, '0').slice(0, 9));
  }
  if (/^\d+$/.test(value)) return value.length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value);
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  const ms = Date.parse(value.replace(/\.\d+/, ''));
  if (Number.isNaN(ms)) throw new LogQLError(`invalid parameter: cannot parse "${value}" to a valid timestamp`);
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

const DURATION_UNITS: Record<string, bigint> = {
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** A Prometheus duration (`30m`, `1h30m`, `90s`) in nanoseconds. */
function parseDuration(text: string): bigint {
  if (!/^(?:\d+(?:ms|s|m|h|d|w))+$/.test(text))
    throw new LogQLError(`parse error : not a valid duration string: "${text}"`);
  let total = 0n;
  for (const [, n = '0', unit = 's'] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g))
    total += BigInt(n) * (DURATION_UNITS[unit] ?? 0n);
  return total;
}

/** `sum(count_over_time(<log query> [<range>]))` or `count_over_time(<log query> [<range>])`. */
function parseCountQuery(text: string): { query: LogQuery; range: bigint; summed: boolean } | undefined {
  const trimmed = text.trim();
  const summed = /^sum\s*\(/.test(trimmed);
  const inner = summed ? trimmed.replace(/^sum\s*\(/, '').replace(/\)\s*$/, '') : trimmed;
  const head = /^count_over_time\s*\(/.exec(inner);
  if (!head) return undefined;
  const { query, end } = parseLogQuery(inner, head[0].length);
  const rest = /^\s*\[([0-9a-z]+)\]\s*\)\s*$/.exec(inner.slice(end));
  if (!rest?.[1]) throw new LogQLError(`parse error at position ${end + 1}: syntax error: unexpected input`);
  return { query, range: parseDuration(rest[1]), summed };
}

function isMetricQuery(text: string): boolean {
  return /^\s*(?:sum|count|avg|min|max|topk|bottomk|rate|count_over_time|bytes_over_time|bytes_rate)\b/.test(text);
}

const LOKI_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };
const TEXT_HEADERS = { 'Content-Type': 'text/plain; charset=utf-8' };

function lokiStats(linesProcessed: number, bytesProcessed: number, returned: number) {
  return {
    summary: {
      bytesProcessedPerSecond: bytesProcessed * 20,
      linesProcessedPerSecond: linesProcessed * 20,
      totalBytesProcessed: bytesProcessed,
      totalLinesProcessed: linesProcessed,
      execTime: 0.05,
      queueTime: 0.0001,
      subqueries: 0,
      totalEntriesReturned: returned,
      splits: 1,
      shards: 1,
    },
  };
}

/** A Loki holding `streams`, answering at `url` until nock is cleaned. `now` is the default query time. */
export function fakeLoki(url: string, streams: readonly LokiStream[], now: Date): LokiFake {
  const fake: LokiFake = { requests: [] };
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  const select = (query: LogQuery) =>
    streams
      .filter((s) => matchesStream(s.labels, query.matchers))
      .map((s) => ({ labels: s.labels, entries: s.entries.filter((e) => matchesLine(e.line, query.filters)) }));

  nock(url)
    .persist()
    .get('/loki/api/v1/query')
    .query(true)
    .reply((uri) => {
      const params = Object.fromEntries(new URL(uri, url).searchParams);
      fake.requests.push({ path: '/loki/api/v1/query', params });
      try {
        const text = params.query ?? '';
        const time = parseLokiTime(params.time, nowNs);
        if (!isMetricQuery(text)) {
          return [
            400,
            'log queries are not supported as an instant query type, please change your query to a range query type',
            TEXT_HEADERS,
          ];
        }
        const count = parseCountQuery(text);
        if (!count) throw new LogQLError('the fake Loki only evaluates count_over_time, optionally under sum()');
        const from = time - count.range;
        const seconds = Number(time / 1_000_000n) / 1000;
        const perStream = select(count.query)
          .map((s) => ({ labels: s.labels, n: s.entries.filter((e) => e.ns > from && e.ns <= time).length }))
          .filter((s) => s.n > 0);
        const total = perStream.reduce((sum, s) => sum + s.n, 0);
        const result = count.summed
          ? perStream.length === 0
            ? []
            : [{ metric: {}, value: [seconds, String(total)] }]
          : perStream.map((s) => ({ metric: s.labels, value: [seconds, String(s.n)] }));
        return [
          200,
          { status: 'success', data: { resultType: 'vector', result, stats: lokiStats(total, total * 200, 0) } },
          LOKI_HEADERS,
        ];
      } catch (err) {
        if (err instanceof LogQLError) return [400, err.message, TEXT_HEADERS];
        throw err;
      }
    })
    .get('/loki/api/v1/query_range')
    .query(true)
    .reply((uri) => {
      const params = Object.fromEntries(new URL(uri, url).searchParams);
      fake.requests.push({ path: '/loki/api/v1/query_range', params });
      try {
        const text = params.query ?? '';
        if (isMetricQuery(text)) throw new LogQLError('the fake Loki answers only log queries on query_range');
        const end = parseLokiTime(params.end, nowNs);
        const start = parseLokiTime(params.start, end - 3_600_000_000_000n);
        const limit = params.limit === undefined ? 100 : Number(params.limit);
        if (!Number.isInteger(limit) || limit <= 0) {
          return [400, 'invalid limit: must be a positive integer', TEXT_HEADERS];
        }
        if (limit > 5000) {
          return [
            400,
            `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > 5000)`,
            TEXT_HEADERS,
          ];
        }
        const backward = (params.direction ?? 'backward') === 'backward';
        const { query, end: stop } = parseLogQuery(text);
        if (text.slice(stop).trim() !== '')
          throw new LogQLError(`parse error at position ${stop + 1}: syntax error: unexpected input`);
        const candidates = select(query).flatMap((s) =>
          s.entries.filter((e) => e.ns >= start && e.ns < end).map((e) => ({ labels: s.labels, entry: e })),
        );
        candidates.sort((a, b) => (a.entry.ns === b.entry.ns ? 0 : a.entry.ns < b.entry.ns === backward ? 1 : -1));
        const kept = candidates.slice(0, limit);
        const byStream = new Map<Record<string, string>, [string, string][]>();
        for (const { labels, entry } of kept) {
          const values = byStream.get(labels) ?? [];
          values.push([String(entry.ns), entry.line]);
          byStream.set(labels, values);
        }
        const result = [...byStream].map(([stream, values]) => ({ stream, values }));
        const bytes = kept.reduce((sum, k) => sum + k.entry.line.length, 0);
        return [
          200,
          {
            status: 'success',
            data: { resultType: 'streams', result, stats: lokiStats(candidates.length, bytes, kept.length) },
          },
          LOKI_HEADERS,
        ];
      } catch (err) {
        if (err instanceof LogQLError) return [400, err.message, TEXT_HEADERS];
        throw err;
      }
    });
  return fake;
}

// ---------------------------------------------------------------------------------------------------------------
// Elasticsearch

export interface ElasticsearchFake {
  requests: RecordedRequest[];
}

type Doc = Record<string, unknown>;

class EsQueryError extends Error {
  readonly type: string;
  constructor(type: string, reason: string) {
    super(reason);
    this.type = type;
  }
}

/** Reads `a.b.c` from a document whether nested, dotted or mixed (as Elasticsearch flattens `_source`). */
function valuesAt(doc: unknown, parts: readonly string[]): unknown[] {
  if (parts.length === 0) return Array.isArray(doc) ? doc : [doc];
  if (doc === null || typeof doc !== 'object') return [];
  if (Array.isArray(doc)) return doc.flatMap((d) => valuesAt(d, parts));
  const out: unknown[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(doc, key)) out.push(...valuesAt((doc as Doc)[key], parts.slice(i)));
  }
  return out;
}

function fieldValues(doc: Doc, field: string): unknown[] {
  return valuesAt(doc, field.split('.')).filter((v) => v !== undefined && v !== null);
}

/** Epoch milliseconds of a date value (ISO string, with up to nanosecond digits, or epoch millis). */
function toMillis(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
    const ms = Date.parse(value.replace(/\.\d+/, ''));
    if (!Number.isNaN(ms)) return ms + Number(`0.${fraction || '0'}`) * 1000;
  }
  throw new EsQueryError('parse_exception', `failed to parse date field [${String(value)}]`);
}

function matchesClause(doc: Doc, clause: unknown): boolean {
  if (clause === null || typeof clause !== 'object') throw new EsQueryError('parsing_exception', 'query malformed');
  const [kind, body] = Object.entries(clause)[0] ?? [];
  switch (kind) {
    case 'range': {
      const [field, bounds] = Object.entries(body as Record<string, Record<string, unknown>>)[0] ?? [];
      if (!field || !bounds) throw new EsQueryError('parsing_exception', '[range] query malformed, no field');
      return fieldValues(doc, field).some((v) => {
        const t = toMillis(v);
        return (
          (bounds.gte === undefined || t >= toMillis(bounds.gte)) &&
          (bounds.gt === undefined || t > toMillis(bounds.gt)) &&
          (bounds.lte === undefined || t <= toMillis(bounds.lte)) &&
          (bounds.lt === undefined || t < toMillis(bounds.lt))
        );
      });
    }
    case 'term': {
      const [field, raw] = Object.entries(body as Record<string, unknown>)[0] ?? [];
      if (!field) throw new EsQueryError('parsing_exception', '[term] query malformed, no field');
      const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
      return fieldValues(doc, field).some((v) => v === value);
    }
    case 'terms': {
      const [field, list] = Object.entries(body as Record<string, unknown>)[0] ?? [];
      if (!field || !Array.isArray(list)) throw new EsQueryError('parsing_exception', '[terms] query malformed');
      return fieldValues(doc, field).some((v) => list.includes(v));
    }
    case 'bool':
      return matchesBool(doc, body);
    case 'match_all':
      return true;
    default:
      throw new EsQueryError('parsing_exception', `unknown query [${String(kind)}]`);
  }
}

function asList(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function matchesBool(doc: Doc, body: unknown): boolean {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['filter', 'must', 'must_not', 'should', 'minimum_should_match'].includes(key)) {
      throw new EsQueryError('x_content_parse_exception', `[bool] query does not support [${key}]`);
    }
  }
  const all = [...asList(b.filter), ...asList(b.must)];
  if (!all.every((c) => matchesClause(doc, c))) return false;
  if (asList(b.must_not).some((c) => matchesClause(doc, c))) return false;
  const should = asList(b.should);
  return should.length === 0 || should.some((c) => matchesClause(doc, c));
}

/** `_source` filtering by include paths, keeping each document's own shape (nested or dotted keys). */
function filterSource(doc: Doc, includes: readonly string[], prefix = ''): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (includes.some((inc) => inc === path || path.startsWith(`${inc}.`))) {
      out[key] = value;
    } else if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      includes.some((inc) => inc.startsWith(`${path}.`))
    ) {
      const inner = filterSource(value as Doc, includes, path);
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}

const INTERVAL_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseInterval(text: unknown): number {
  const m = typeof text === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(text) : null;
  if (!m)
    throw new EsQueryError(
      'illegal_argument_exception',
      `failed to parse setting [date_histogram.fixedInterval] with value [${String(text)}] as a time value`,
    );
  return Number(m[1]) * (INTERVAL_UNITS[m[2] ?? 's'] ?? 1000);
}

function aggregate(docs: readonly Doc[], aggs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(aggs)) {
    const [kind, body] = Object.entries(spec as Record<string, Record<string, unknown>>)[0] ?? [];
    if (kind === 'date_histogram' && body) {
      if (body.interval !== undefined) {
        throw new EsQueryError(
          'illegal_argument_exception',
          '[interval] on [date_histogram] is deprecated and removed; use [fixed_interval] or [calendar_interval]',
        );
      }
      const interval = parseInterval(body.fixed_interval);
      const field = String(body.field);
      const minDocCount = typeof body.min_doc_count === 'number' ? body.min_doc_count : 0;
      const counts = new Map<number, number>();
      for (const doc of docs) {
        for (const v of fieldValues(doc, field).slice(0, 1)) {
          const key = Math.floor(toMillis(v) / interval) * interval;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      const keys = [...counts.keys()];
      const bounds = body.extended_bounds as { min?: unknown; max?: unknown } | undefined;
      if (bounds?.min !== undefined) keys.push(Math.floor(toMillis(bounds.min) / interval) * interval);
      if (bounds?.max !== undefined) keys.push(Math.floor(toMillis(bounds.max) / interval) * interval);
      const buckets: { key_as_string: string; key: number; doc_count: number }[] = [];
      if (keys.length > 0) {
        const first = Math.min(...keys);
        const last = Math.max(...keys);
        if ((last - first) / interval > 10_000) {
          throw new EsQueryError(
            'too_many_buckets_exception',
            'Trying to create too many buckets. Must be less than or equal to: [10000].',
          );
        }
        for (let key = first; key <= last; key += interval) {
          const count = counts.get(key) ?? 0;
          if (count >= minDocCount) buckets.push({ key_as_string: new Date(key).toISOString(), key, doc_count: count });
        }
      }
      out[name] = { buckets };
    } else if (kind === 'terms' && body) {
      const field = String(body.field);
      const size = typeof body.size === 'number' ? body.size : 10;
      const counts = new Map<unknown, number>();
      for (const doc of docs) {
        for (const v of new Set(fieldValues(doc, field))) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const sorted = [...counts].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
      const kept = sorted.slice(0, size);
      out[name] = {
        doc_count_error_upper_bound: 0,
        sum_other_doc_count: sorted.slice(size).reduce((sum, [, n]) => sum + n, 0),
        buckets: kept.map(([key, doc_count]) => ({ key, doc_count })),
      };
    } else {
      throw new EsQueryError(
        'unknown_named_object_exception',
        `Unknown aggregation type [${String(kind)}] for [${name}]`,
      );
    }
  }
  return out;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`).test(name);
}

function esError(status: number, type: string, reason: string) {
  return [status, { error: { root_cause: [{ type, reason }], type, reason }, status }] as const;
}

/**
 * An Elasticsearch holding `docs` in the data stream `dataStream` (backing index `.ds-<dataStream>-…`), answering
 * `POST /<index pattern>/_search` at `url` until nock is cleaned.
 */
export function fakeElasticsearch(
  url: string,
  docs: readonly Doc[],
  options: { dataStream?: string; timestampField?: string } = {},
): ElasticsearchFake {
  const dataStream = options.dataStream ?? 'logs-kubernetes.container_logs-default';
  const timestamp = options.timestampField ?? '@timestamp';
  const backing = `.ds-${dataStream}-2026.10.05-000001`;
  const stored = docs.map((source, i) => ({
    _index: backing,
    _id: Buffer.from(`${dataStream}:${i}`).toString('base64url').slice(-20).padStart(20, 'A'),
    source,
  }));
  const fake: ElasticsearchFake = { requests: [] };
  nock(url)
    .persist()
    .post(/^\/[^/]+\/_search$/)
    .query(true)
    .reply((uri, requestBody) => {
      const { pathname, searchParams } = new URL(uri, url);
      const body = (typeof requestBody === 'string' ? JSON.parse(requestBody) : requestBody) as Record<string, unknown>;
      fake.requests.push({ path: pathname, params: Object.fromEntries(searchParams), body });
      const index = decodeURIComponent(pathname.split('/')[1] ?? '');
      const patterns = index.split(',');
      if (!patterns.some((p) => wildcardMatch(p, dataStream) || wildcardMatch(p, backing))) {
        if (patterns.every((p) => p.includes('*'))) {
          // A wildcard matching nothing is not an error: an empty answer.
        } else {
          return esError(404, 'index_not_found_exception', `no such index [${index}]`);
        }
      }
      try {
        const matching = patterns.some((p) => wildcardMatch(p, dataStream) || wildcardMatch(p, backing))
          ? stored.filter((d) => (body.query === undefined ? true : matchesClause(d.source, body.query)))
          : [];
        const size = typeof body.size === 'number' ? body.size : 10;
        if (size > 10_000) {
          return esError(
            400,
            'illegal_argument_exception',
            `Result window is too large, from + size must be less than or equal to: [10000] but was [${size}].`,
          );
        }
        const sort = asList(body.sort).map((s) => {
          const [field, spec] = Object.entries(s as Record<string, unknown>)[0] ?? [];
          const order = typeof spec === 'string' ? spec : ((spec as { order?: string } | undefined)?.order ?? 'asc');
          return { field: field ?? timestamp, desc: order === 'desc' };
        });
        const ordered = [...matching];
        for (const { field, desc } of [...sort].reverse()) {
          ordered.sort((a, b) => {
            const va = toMillis(fieldValues(a.source, field)[0] ?? 0);
            const vb = toMillis(fieldValues(b.source, field)[0] ?? 0);
            return desc ? vb - va : va - vb;
          });
        }
        const includes = Array.isArray(body._source) ? (body._source as string[]) : undefined;
        const hits = ordered.slice(0, size).map((d) => ({
          _index: d._index,
          _id: d._id,
          _score: sort.length > 0 ? null : 0.0,
          _source: includes ? filterSource(d.source, includes) : d.source,
          ...(sort.length > 0
            ? { sort: sort.map(({ field }) => Math.floor(toMillis(fieldValues(d.source, field)[0] ?? 0))) }
            : {}),
        }));
        const track = body.track_total_hits;
        const limit = track === true ? Number.POSITIVE_INFINITY : typeof track === 'number' ? track : 10_000;
        const total =
          track === false
            ? undefined
            : matching.length > limit
              ? { value: limit, relation: 'gte' }
              : { value: matching.length, relation: 'eq' };
        const aggs = (body.aggs ?? body.aggregations) as Record<string, unknown> | undefined;
        return [
          200,
          {
            took: 4,
            timed_out: false,
            _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
            hits: { ...(total ? { total } : {}), max_score: sort.length > 0 || hits.length === 0 ? null : 0.0, hits },
            ...(aggs
              ? {
                  aggregations: aggregate(
                    matching.map((d) => d.source),
                    aggs,
                  ),
                }
              : {}),
          },
          { 'Content-Type': 'application/json', 'X-elastic-product': 'Elasticsearch' },
        ];
      } catch (err) {
        if (err instanceof EsQueryError) return esError(400, err.type, err.message);
        throw err;
      }
    });
  return fake;
}
