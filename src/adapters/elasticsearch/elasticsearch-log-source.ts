import { ConfigError, MalformedResponseError } from '../../domain/errors.js';
import type { ErrorTimeline, LogLine, LogQuery, LogSource, QueryOptions } from '../../domain/ports.js';
import { answerDetails, type SourceAt } from '../http/answer-text.js';
import { isHttpUrl, stripUserinfo } from '../http/create-http-client.js';
import { createHttpRequest, type HttpReach, type HttpRequest } from '../http/http-request.js';
import { readAnswer } from './answers.js';
import type { Hit, Search } from './wire.js';

/** A UTF-16 surrogate without its partner: no URL can carry it (encodeURIComponent throws). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Credentials for Elasticsearch: basic auth, or an API key (the base64 `id:api_key` Kibana shows as "encoded"). */
export type ElasticsearchAuth = { username: string; password: string } | { apiKey: string };

/** Document fields Triage reads; ECS names by default. */
export interface ElasticsearchFields {
  timestamp?: string;
  service?: string;
  level?: string;
  message?: string;
}

/** How to reach Elasticsearch or OpenSearch. */
export interface ElasticsearchRequestOptions extends Omit<HttpReach, 'headers'> {
  auth?: ElasticsearchAuth;
}

/** Options for {@link ElasticsearchLogSource}. */
export interface ElasticsearchLogSourceOptions extends ElasticsearchRequestOptions {
  /** Index, alias or pattern searched (`[a-zA-Z0-9._*,-]+`); default `logs-*`. */
  index?: string;
  /** Field names; default `@timestamp`, `service.name`, `log.level`, `message` (ECS). */
  fields?: ElasticsearchFields;
  /** Values of the level field that count as errors; default error/fatal/critical in lower and upper case. */
  errorLevels?: readonly string[];
  /** Kibana base URL for Discover links; without it `linkFor` returns undefined. */
  kibanaUrl?: string;
  /** How requests are sent; default {@link elasticsearchRequest} over these options. */
  request?: HttpRequest;
}

interface ApiCall<T> {
  /** The request body, sent as JSON; also kept (serialized) on errors as the query. */
  body: Record<string, unknown>;
  read: (search: Search) => T;
}

const DEFAULT_INDEX = 'logs-*';
const DEFAULT_FIELDS: Required<ElasticsearchFields> = {
  timestamp: '@timestamp',
  service: 'service.name',
  level: 'log.level',
  message: 'message',
};
/**
 * ECS fields read beside the message when a document has them: the error a structured logger put apart from its
 * message, and the pod and version a line came from (a rollout shows as new errors from new pods only).
 */
const CONTEXT_FIELDS = {
  errorType: 'error.type',
  errorMessage: 'error.message',
  pod: 'kubernetes.pod.name',
  version: 'service.version',
} as const;
const DEFAULT_ERROR_LEVELS = ['error', 'ERROR', 'fatal', 'FATAL', 'critical', 'CRITICAL'] as const;
const INDEX_PATTERN = /^[a-zA-Z0-9._*,-]+$/;
const NAMING = { source: 'elasticsearch', label: 'Elasticsearch', envVar: 'ELASTICSEARCH_URL' } as const;

/** The request function for Elasticsearch: retries 5xx and 429 answers and connection failures, sends the auth. */
export function elasticsearchRequest(options: ElasticsearchRequestOptions): HttpRequest {
  requireUrl(options.url);
  const { headers, secrets } = authHeaders(options.auth);
  return createHttpRequest({
    ...options,
    ...NAMING,
    headers: { ...headers, 'Content-Type': 'application/json' },
    secrets,
    retryRateLimited: true,
    runningName: 'the cluster',
    slowAdvice: 'Narrow the window; if the cluster is just slow, raise the timeout.',
  });
}

/**
 * A `LogSource` over the Elasticsearch / OpenSearch `_search` API. The service name only ever travels as a JSON
 * `term` value (never inside a query string), and errors become typed `DatasourceError`s; the request function it
 * is given sends the searches (timeouts, retries, credentials).
 */
export class ElasticsearchLogSource implements LogSource {
  readonly name = 'elasticsearch' as const;
  readonly #request: HttpRequest;
  readonly #at: SourceAt;
  readonly #path: string;
  readonly #fields: Required<ElasticsearchFields>;
  readonly #errorLevels: readonly string[];
  readonly #kibanaUrl: string | undefined;

  constructor(options: ElasticsearchLogSourceOptions) {
    const { url, index = DEFAULT_INDEX, errorLevels = DEFAULT_ERROR_LEVELS } = options;
    requireUrl(url);
    if (!isIndexPattern(index)) {
      throw new ConfigError(
        'The Elasticsearch index must be an index name, alias or pattern made of letters, digits and . _ * , - ' +
          '(e.g. logs-*), with no empty, "." or ".." parts.',
      );
    }
    const fields = { ...DEFAULT_FIELDS, ...options.fields };
    for (const [key, value] of Object.entries(fields)) {
      if (value.trim() === '') throw new ConfigError(`The Elasticsearch ${key} field name must not be empty.`);
    }
    if (errorLevels.length === 0) {
      throw new ConfigError('The Elasticsearch error levels must list at least one level (e.g. error).');
    }
    if (options.kibanaUrl !== undefined && !isHttpUrl(options.kibanaUrl)) {
      throw new ConfigError('The Kibana URL for Elasticsearch links is not a valid http(s) URL.');
    }
    this.#request = options.request ?? elasticsearchRequest(options);
    this.#at = { ...NAMING, url: stripUserinfo(url) };
    this.#path = `/${index}/_search`;
    this.#fields = fields;
    this.#errorLevels = [...errorLevels];
    this.#kibanaUrl = options.kibanaUrl === undefined ? undefined : stripUserinfo(options.kibanaUrl);
  }

  /** The `query` of every search: the window, the service as a `term` value and the error levels. */
  searchQuery(query: LogQuery): Record<string, unknown> {
    const { timestamp, service, level } = this.#fields;
    return {
      bool: {
        filter: [
          {
            range: {
              [timestamp]: { gte: query.window.start.toISOString(), lte: query.window.end.toISOString() },
            },
          },
          { term: { [service]: query.service } },
          { terms: { [level]: [...this.#errorLevels] } },
        ],
      },
    };
  }

  async countErrors(query: LogQuery, options?: QueryOptions): Promise<number> {
    const body = { size: 0, track_total_hits: true, query: this.searchQuery(query) };
    return this.#call(
      {
        body,
        read: ({ hits }) => {
          if (hits.total === undefined) {
            throw new MalformedResponseError(
              `Elasticsearch at ${this.#at.url} answered a count without hits.total. ` +
                'Check that ELASTICSEARCH_URL points at Elasticsearch or OpenSearch.',
              answerDetails(this.#at, 200, JSON.stringify(body)),
            );
          }
          // With relation "gte" the value is a lower bound; track_total_hits: true makes that rare.
          return typeof hits.total === 'number' ? hits.total : hits.total.value;
        },
      },
      options,
    );
  }

  /** Error lines per step (`date_histogram`, empty buckets kept) and the top `error.type` values (`terms`). */
  async errorTimeline(query: LogQuery & { stepSeconds: number }, options?: QueryOptions): Promise<ErrorTimeline> {
    const step = Math.max(1, Math.round(query.stepSeconds));
    const body = {
      size: 0,
      track_total_hits: false,
      query: this.searchQuery(query),
      aggs: {
        per_step: {
          date_histogram: {
            field: this.#fields.timestamp,
            fixed_interval: `${step}s`,
            min_doc_count: 0,
            extended_bounds: { min: query.window.start.getTime(), max: query.window.end.getTime() },
          },
        },
        types: { terms: { field: 'error.type', size: 5 } },
      },
    };
    return this.#call(
      {
        body,
        read: ({ aggregations }) => ({
          points: (aggregations?.per_step?.buckets ?? []).map((b) => ({ t: b.key / 1000, v: b.doc_count })),
          topTypes: (aggregations?.types?.buckets ?? []).map((b) => ({ key: String(b.key), count: b.doc_count })),
        }),
      },
      options,
    );
  }

  async errorLines(query: LogQuery & { limit: number }, options?: QueryOptions): Promise<LogLine[]> {
    const { timestamp, service, level, message } = this.#fields;
    const limit = Math.max(0, Math.floor(query.limit));
    const body = {
      size: limit,
      track_total_hits: false,
      sort: [{ [timestamp]: 'desc' }],
      _source: [...new Set([timestamp, message, level, service, ...Object.values(CONTEXT_FIELDS)])],
      query: this.searchQuery(query),
    };
    return this.#call({ body, read: ({ hits }) => hits.hits.map((hit) => this.#toLogLine(hit, body)) }, options);
  }

  /**
   * A Kibana Discover link over the window with a KQL query for the service's error levels, when configured. A
   * service that cannot be written in a URL (a lone UTF-16 surrogate) gets no link rather than an error.
   */
  linkFor(query: LogQuery): string | undefined {
    if (this.#kibanaUrl === undefined || LONE_SURROGATE.test(query.service)) return undefined;
    const { service, level } = this.#fields;
    const kql =
      `${service}:${kqlQuote(query.service)} and ` + `${level}:(${this.#errorLevels.map(kqlQuote).join(' or ')})`;
    const g = `(time:(from:${rison(query.window.start.toISOString())},to:${rison(query.window.end.toISOString())}))`;
    const a = `(query:(language:kuery,query:${rison(kql)}))`;
    return `${this.#kibanaUrl}/app/discover#/?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`;
  }

  #toLogLine(hit: Hit, body: Record<string, unknown>): LogLine {
    const source = hit._source ?? {};
    const { timestamp, service, level, message } = this.#fields;
    const time = parseTime(lookup(source, timestamp)) ?? parseTime(hit.sort?.[0]);
    if (time === undefined) {
      throw new MalformedResponseError(
        `Elasticsearch at ${this.#at.url} returned a document without a readable ${timestamp}. ` +
          'Set the timestamp field to the one your logs use.',
        answerDetails(this.#at, 200, JSON.stringify(body)),
      );
    }
    const labels: Record<string, string> = {};
    const levelValue = lookup(source, level);
    const serviceValue = lookup(source, service);
    if (levelValue !== undefined) labels.level = asText(levelValue);
    if (serviceValue !== undefined) labels.service = asText(serviceValue);
    if (hit._index !== undefined) labels.index = hit._index;
    const pod = lookup(source, CONTEXT_FIELDS.pod);
    const version = lookup(source, CONTEXT_FIELDS.version);
    if (pod !== undefined) labels.pod = asText(pod);
    if (version !== undefined) labels.version = asText(version);
    const said = lookup(source, message);
    const text = said === undefined ? '' : asText(said);
    return { time, line: withError(text, source), labels };
  }

  /** Sends one search and reads its answer. */
  async #call<T>(call: ApiCall<T>, options: QueryOptions | undefined): Promise<T> {
    const asked = { path: this.#path, query: JSON.stringify(call.body) };
    const signal = options?.signal;
    const response = await this.#request({
      method: 'POST',
      ...asked,
      json: asked.query,
      ...(signal ? { signal } : {}),
    });
    return call.read(readAnswer(response, this.#at, asked));
  }
}

function authHeaders(auth: ElasticsearchAuth | undefined): { headers: Record<string, string>; secrets: string[] } {
  if (auth === undefined) return { headers: {}, secrets: [] };
  if ('apiKey' in auth) {
    if (auth.apiKey.trim() === '') throw new ConfigError('The Elasticsearch API key must not be empty.');
    return { headers: { Authorization: `ApiKey ${auth.apiKey}` }, secrets: [auth.apiKey] };
  }
  if (auth.username.includes(':')) throw new ConfigError('The Elasticsearch user name must not contain ":".');
  const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
  return {
    headers: { Authorization: `Basic ${encoded}` },
    secrets: [auth.password, encoded, `${auth.username}:${auth.password}`],
  };
}

/** Reads `a.b.c` from a document whether it is nested (`{a:{b:{c}}}`), dotted (`{"a.b.c"}`) or mixed. */
function lookup(doc: unknown, path: string): unknown {
  return lookupParts(doc, path.split('.'));
}

function lookupParts(doc: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return doc;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  for (let i = parts.length; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(doc, key)) {
      const found = lookupParts((doc as Record<string, unknown>)[key], parts.slice(i));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Unix seconds from an ISO date (keeping sub-millisecond digits of `date_nanos`) or epoch milliseconds. */
function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value / 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return Number(value) / 1000;
  const fraction = /\.(\d+)/.exec(value);
  const ms = Date.parse(fraction === null ? value : value.replace(fraction[0], ''));
  if (Number.isNaN(ms)) return undefined;
  return ms / 1000 + (fraction === null ? 0 : Number(`0.${fraction[1]}`));
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function kqlQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** A rison string: single-quoted, with `!` and `'` escaped by `!`. */
function rison(value: string): string {
  return `'${value.replace(/[!']/g, '!$&')}'`;
}

function isIndexPattern(index: string): boolean {
  return INDEX_PATTERN.test(index) && index.split(',').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The message, with the error an ECS logger keeps apart (`error.type`, `error.message`) when the message lacks it. */
function withError(text: string, source: Record<string, unknown>): string {
  const type = lookup(source, CONTEXT_FIELDS.errorType);
  const message = lookup(source, CONTEXT_FIELDS.errorMessage);
  const error = message === undefined ? undefined : asText(message);
  if (error === undefined || error === '' || text.includes(error)) return text;
  const typeText = type === undefined ? '' : asText(type);
  const said = typeText && !error.startsWith(typeText) ? `${typeText}: ${error}` : error;
  return text === '' ? said : `${text}: ${said}`;
}

function requireUrl(url: string): void {
  if (!isHttpUrl(url)) {
    throw new ConfigError(
      'The Elasticsearch URL is not a valid http(s) URL. Set ELASTICSEARCH_URL to e.g. http://elasticsearch:9200.',
    );
  }
}
