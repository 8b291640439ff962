import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  AppError,
  ConfigError,
  DatasourceError,
  type DatasourceErrorDetails,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceUnavailableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryRejectedError,
} from '../../domain/errors.js';
import type { ErrorTimeline, LogLine, LogQuery, LogSource, QueryOptions } from '../../domain/ports.js';
import { createHttpClient, stripUserinfo } from '../http/create-http-client.js';
import {
  isHtml,
  isHttpUrl,
  isTimeoutReason,
  parseJson,
  safeDecode,
  shorten,
  summarizeIssues,
  transportError,
} from '../http/response-helpers.js';
import { ErrorResponse, type EsError, type Hit, type Search, SearchResponse } from './wire.js';

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

/** Options for {@link ElasticsearchLogSource}. */
export interface ElasticsearchLogSourceOptions {
  /** Base URL of Elasticsearch or OpenSearch (`http://elasticsearch:9200`); may hold `user:pass@`. */
  url: string;
  /** Index, alias or pattern searched (`[a-zA-Z0-9._*,-]+`); default `logs-*`. */
  index?: string;
  auth?: ElasticsearchAuth;
  /** Field names; default `@timestamp`, `service.name`, `log.level`, `message` (ECS). */
  fields?: ElasticsearchFields;
  /** Values of the level field that count as errors; default error/fatal/critical in lower and upper case. */
  errorLevels?: readonly string[];
  /** Per-attempt timeout; default 5000. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (5xx, 429, timeout, connection error); default 1. */
  retries?: number;
  /** Wait before the first retry, doubled for each later one; default 200. */
  retryBackoffMs?: number;
  /** Kibana base URL for Discover links; without it `linkFor` returns undefined. */
  kibanaUrl?: string;
}

interface ApiCall<T> {
  /** The request body, sent as JSON; also kept (serialized) on errors as the query. */
  body: Record<string, unknown>;
  read: (search: Search) => T;
}

interface Endpoint {
  path: string;
  query: string;
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
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 1;
const DEFAULT_RETRY_BACKOFF_MS = 200;
const INDEX_PATTERN = /^[a-zA-Z0-9._*,-]+$/;
const SNIPPET_CHARS = 120;
const MESSAGE_CHARS = 300;
const TRUNCATED_JSON = 'truncated or invalid JSON';

/**
 * A `LogSource` over the Elasticsearch / OpenSearch `_search` API. The service name only ever travels as a JSON
 * `term` value (never inside a query string), errors become typed `DatasourceError`s without credentials, and
 * transient failures are retried.
 */
export class ElasticsearchLogSource implements LogSource {
  readonly name = 'elasticsearch' as const;
  readonly #http: AxiosInstance;
  readonly #url: string;
  readonly #path: string;
  readonly #fields: Required<ElasticsearchFields>;
  readonly #errorLevels: readonly string[];
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #secrets: readonly string[];
  readonly #kibanaUrl: string | undefined;

  constructor(options: ElasticsearchLogSourceOptions) {
    const { url, index = DEFAULT_INDEX, timeoutMs = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES } = options;
    const { retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS, errorLevels = DEFAULT_ERROR_LEVELS } = options;
    if (!isHttpUrl(url)) {
      throw new ConfigError(
        'The Elasticsearch URL is not a valid http(s) URL. Set ELASTICSEARCH_URL to e.g. http://elasticsearch:9200.',
      );
    }
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
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigError(`The Elasticsearch timeout must be a positive number of milliseconds, not ${timeoutMs}.`);
    }
    if (!Number.isInteger(retries) || retries < 0) {
      throw new ConfigError(`The Elasticsearch retry count must be a whole number ≥ 0, not ${retries}.`);
    }
    if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
      throw new ConfigError(`The Elasticsearch retry backoff must be ≥ 0 ms, not ${retryBackoffMs}.`);
    }
    if (options.kibanaUrl !== undefined && !isHttpUrl(options.kibanaUrl)) {
      throw new ConfigError('The Kibana URL for Elasticsearch links is not a valid http(s) URL.');
    }
    const { headers, secrets } = authHeaders(options.auth);
    this.#url = stripUserinfo(url);
    this.#path = `/${index}/_search`;
    this.#fields = fields;
    this.#errorLevels = [...errorLevels];
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#retryBackoffMs = retryBackoffMs;
    this.#kibanaUrl = options.kibanaUrl === undefined ? undefined : stripUserinfo(options.kibanaUrl);
    this.#secrets = [...secrets, ...urlSecrets(url)].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
    this.#http = createHttpClient({
      baseURL: url,
      timeoutMs,
      headers: { ...headers, 'Content-Type': 'application/json' },
    });
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
              `Elasticsearch at ${this.#url} answered a count without hits.total. ` +
                'Check that ELASTICSEARCH_URL points at Elasticsearch or OpenSearch.',
              this.#details(body, 200),
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
        `Elasticsearch at ${this.#url} returned a document without a readable ${timestamp}. ` +
          'Set the timestamp field to the one your logs use.',
        this.#details(body, 200),
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

  async #call<T>(call: ApiCall<T>, options: QueryOptions | undefined): Promise<T> {
    const signal = options?.signal;
    const endpoint = this.#endpoint(call.body);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw this.#abortError(signal, endpoint);
      try {
        return await this.#attempt(call, signal);
      } catch (err) {
        if (attempt >= this.#retries || !isRetryable(err)) throw err;
      }
      await this.#sleep(this.#retryBackoffMs * 2 ** attempt, signal, endpoint);
    }
  }

  async #attempt<T>(call: ApiCall<T>, signal: AbortSignal | undefined): Promise<T> {
    const endpoint = this.#endpoint(call.body);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: AxiosResponse<unknown>;
    try {
      response = await this.#http.request<unknown>({
        method: 'POST',
        url: this.#path,
        data: endpoint.query,
        signal: controller.signal,
      });
    } catch (err) {
      if (signal?.aborted) throw this.#abortError(signal, endpoint);
      throw this.#transportError(err, endpoint, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    return this.#interpret(response, call, endpoint);
  }

  #sleep(ms: number, signal: AbortSignal | undefined, call: Endpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        if (signal) reject(this.#abortError(signal, call));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #interpret<T>(response: AxiosResponse<unknown>, call: ApiCall<T>, endpoint: Endpoint): T {
    const { status } = response;
    const body = typeof response.data === 'string' ? response.data : '';
    const contentType = String(response.headers['content-type'] ?? '');
    const where = `Elasticsearch at ${this.#url}`;
    const details = this.#details(call.body, status);
    const json = parseJson(body);
    if (status >= 200 && status < 300) {
      if (json === undefined) {
        const what = this.#describeBody(body, contentType);
        throw new MalformedResponseError(
          what === TRUNCATED_JSON
            ? `${where} answered ${endpoint.path} with ${what}: the answer was cut off or garbled on the way. ` +
                'Try again; if it persists, check any proxy between Triage and Elasticsearch.'
            : `${where} answered ${endpoint.path} with ${what} instead of JSON. ` +
                'Check that ELASTICSEARCH_URL points at the Elasticsearch API and not at Kibana or another service.',
          details,
        );
      }
      const search = SearchResponse.safeParse(json.value);
      if (!search.success) {
        throw new MalformedResponseError(
          `${where} answered ${endpoint.path} with JSON in an undocumented shape (${summarizeIssues(search.error)}). ` +
            'Check that ELASTICSEARCH_URL points at Elasticsearch or OpenSearch.',
          details,
        );
      }
      return call.read(search.data);
    }
    const parsed = json === undefined ? undefined : ErrorResponse.safeParse(json.value);
    const reason = parsed?.success ? this.#redact(shorten(describeEsError(parsed.data), MESSAGE_CHARS)) : undefined;
    const what = reason ?? this.#describeBody(body, contentType);
    if (status === 401 || status === 403) {
      throw new DatasourceHttpError(
        `${where} refused ${endpoint.path} with HTTP ${status} (${what}). Check ELASTICSEARCH credentials ` +
          '(user name and password, or API key) and that they may read the index.',
        details,
      );
    }
    if (reason === undefined && (isHtml(body, contentType) || status < 400 || status >= 600)) {
      throw new DatasourceHttpError(
        `${where} answered HTTP ${status} with ${what} instead of Elasticsearch's JSON. A proxy in front of ` +
          'Elasticsearch may be failing: check it, and ELASTICSEARCH_URL.',
        details,
      );
    }
    if (status === 429 || status === 503) {
      throw new DatasourceUnavailableError(
        `${where} is overloaded or unavailable (HTTP ${status}: ${what}). Wait a moment and try again.`,
        details,
      );
    }
    if (status === 404) {
      throw new DatasourceNotFoundError(
        `${where} answered HTTP 404 (${what}) for ${endpoint.path}. Check the index pattern and ELASTICSEARCH_URL.`,
        details,
      );
    }
    if (status >= 500) {
      throw new DatasourceInternalError(
        `${where} hit an internal error (HTTP ${status}: ${what}). Try again, and check the cluster health if it persists.`,
        details,
      );
    }
    if (reason !== undefined) {
      throw new QueryRejectedError(
        `${where} rejected the search: ${reason}. Check the configured field names and index, then try again.`,
        details,
      );
    }
    throw new DatasourceHttpError(
      `${where} answered HTTP ${status} with ${what} instead of Elasticsearch's JSON. Check ELASTICSEARCH_URL.`,
      details,
    );
  }

  #transportError(err: unknown, call: Endpoint, timedOut: boolean): DatasourceError {
    const cause = this.#sanitizeCause(err);
    return transportError(err, timedOut, {
      code: errorCode(err),
      where: `Elasticsearch at ${this.#url}`,
      path: call.path,
      timeoutMs: this.#timeoutMs,
      slowAdvice: 'Narrow the window; if the cluster is just slow, raise the timeout.',
      envVar: 'ELASTICSEARCH_URL',
      runningName: 'the cluster',
      details: { source: 'elasticsearch', url: this.#url, query: call.query, cause },
    });
  }

  #abortError(signal: AbortSignal, call: Endpoint): unknown {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    if (isTimeoutReason(reason)) {
      return new DeadlineExceededError(
        `The run's deadline passed before Elasticsearch at ${this.#url} answered ${call.path}. ` +
          'Narrow the window or allow the run more time.',
        { cause: reason },
      );
    }
    return reason ?? new DOMException('The operation was aborted.', 'AbortError');
  }

  #endpoint(body: Record<string, unknown>): Endpoint {
    return { path: this.#path, query: JSON.stringify(body) };
  }

  #details(body: Record<string, unknown>, status?: number): DatasourceErrorDetails {
    return {
      source: 'elasticsearch',
      url: this.#url,
      query: JSON.stringify(body),
      ...(status === undefined ? {} : { status }),
    };
  }

  #describeBody(body: string, contentType: string): string {
    const trimmed = body.trim();
    if (trimmed === '') return 'an empty body';
    if (isHtml(trimmed, contentType)) {
      const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
      const text = shorten(title ?? trimmed.replace(/<[^>]*>/g, ' '), SNIPPET_CHARS);
      return text === '' ? 'an HTML page' : `an HTML page ("${this.#redact(text)}")`;
    }
    if (/^[[{]/.test(trimmed)) return TRUNCATED_JSON;
    return `plain text "${this.#redact(shorten(trimmed, SNIPPET_CHARS))}"`;
  }

  #sanitizeCause(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    const cause = new Error(this.#redact(message));
    cause.name = err instanceof Error ? err.name : 'Error';
    const code = errorCode(err);
    if (code !== undefined) Object.assign(cause, { code });
    return cause;
  }

  #redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('***');
    return out;
  }
}

/** `type: reason`, plus the first root cause when it says something else (e.g. under "all shards failed"). */
function describeEsError({ error }: EsError): string {
  if (typeof error === 'string') return error;
  const main = `${error.type}: ${error.reason ?? 'no reason given'}`;
  const root = error.root_cause?.[0] ?? error.caused_by;
  if (root === undefined || (root.type === error.type && root.reason === error.reason)) return main;
  return `${main} (${root.type}: ${root.reason ?? 'no reason given'})`;
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

function urlSecrets(url: string): string[] {
  const { username, password } = new URL(url);
  if (password === '') return [];
  return [password, safeDecode(password), `${username}:${password}`];
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

function isRetryable(err: unknown): boolean {
  if (!(err instanceof DatasourceError) || !err.retryable) return false;
  return err.status === undefined || err.status >= 500 || err.status === 429;
}

function errorCode(err: unknown): string | undefined {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    if ('code' in e && typeof e.code === 'string' && e.code !== '') codes.push(e.code);
    e = 'cause' in e ? e.cause : undefined;
  }
  return codes.find((code) => !code.startsWith('ERR_')) ?? codes[0];
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
