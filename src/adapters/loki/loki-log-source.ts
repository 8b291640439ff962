import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  AppError,
  ConfigError,
  DatasourceError,
  type DatasourceErrorDetails,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryCanceledError,
  QueryRejectedError,
  UnsafeQueryValueError,
} from '../../domain/errors.js';
import type { LogLine, LogQuery, LogSource, QueryOptions } from '../../domain/ports.js';
import { isLabelName, quoteLiteral } from '../../domain/promql/quote.js';
import { formatPromDuration, windowSeconds } from '../../domain/time-window.js';
import { createHttpClient, stripUserinfo } from '../http/create-http-client.js';
import {
  collectSecrets,
  isHtml,
  isHttpUrl,
  isTimeoutReason,
  parseJson,
  shorten,
  summarizeIssues,
  transportError,
} from '../http/response-helpers.js';
import { EnvelopeResponse, type QueryData, type Stream } from './wire.js';

/** Options for {@link LokiLogSource}. */
export interface LokiLogSourceOptions {
  /** Base URL of Loki (`http://loki:3100`, or with a path prefix); may hold `user:pass@`. */
  url: string;
  /** Tenant sent as `X-Scope-OrgID` (`a|b` for several tenants). */
  tenant?: string;
  /** Stream label holding the service name; a label name, default `service_name`. */
  serviceLabel?: string;
  /** RE2 line filter (`|~`) that marks error lines; default `(?i)(error|exception|fatal|panic|fail|refused|timed out|traceback|unavailable|out of memory|too many)`. */
  errorFilter?: string;
  /** Per-attempt timeout; default 5000. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (5xx, 429, timeout, connection error); default 1. */
  retries?: number;
  /** Wait before the first retry, doubled for each later one; default 200. */
  retryBackoffMs?: number;
  /** Headers sent with every request (for example `Authorization`); never echoed in errors. */
  headers?: Readonly<Record<string, string>>;
  /** Grafana base URL for Explore links; without it `linkFor` returns undefined. */
  grafanaUrl?: string;
  /** UID of the Loki data source in Grafana; without it Explore opens the default data source. */
  grafanaDatasourceUid?: string;
}

interface ApiCall<T> {
  path: string;
  params: URLSearchParams;
  query: string;
  read: (data: QueryData) => T;
}

type Endpoint = Pick<ApiCall<unknown>, 'path' | 'query'>;

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 1;
const DEFAULT_RETRY_BACKOFF_MS = 200;
const DEFAULT_SERVICE_LABEL = 'service_name';
export const DEFAULT_LOKI_ERROR_FILTER =
  '(?i)(error|exception|fatal|panic|fail|refused|timed out|traceback|unavailable|out of memory|too many)';
const SNIPPET_CHARS = 120;
const MESSAGE_CHARS = 300;
const TRUNCATED_JSON = 'truncated or invalid JSON';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A `LogSource` over the Loki HTTP API. Every service name is written into LogQL as one Go string literal; Loki's
 * plain-text error bodies become typed `DatasourceError`s without credentials, and transient failures are retried.
 */
export class LokiLogSource implements LogSource {
  readonly name = 'loki' as const;
  readonly #http: AxiosInstance;
  readonly #url: string;
  readonly #serviceLabel: string;
  readonly #errorFilter: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #secrets: readonly string[];
  readonly #grafanaUrl: string | undefined;
  readonly #grafanaDatasourceUid: string | undefined;

  constructor(options: LokiLogSourceOptions) {
    const { url, timeoutMs = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES } = options;
    const { retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS, headers = {} } = options;
    const { serviceLabel = DEFAULT_SERVICE_LABEL, errorFilter = DEFAULT_LOKI_ERROR_FILTER } = options;
    if (!isHttpUrl(url)) {
      throw new ConfigError('The Loki URL is not a valid http(s) URL. Set LOKI_URL to e.g. http://loki:3100.');
    }
    if (!isLabelName(serviceLabel)) {
      throw new ConfigError(
        `The Loki service label ${JSON.stringify(serviceLabel)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*).`,
      );
    }
    if (errorFilter === '' || LONE_SURROGATE.test(errorFilter)) {
      throw new ConfigError('The Loki error filter must be a non-empty regular expression of valid Unicode text.');
    }
    if (options.tenant !== undefined && !/^[!-~]+$/.test(options.tenant)) {
      throw new ConfigError('The Loki tenant must be non-empty printable ASCII without spaces (X-Scope-OrgID).');
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigError(`The Loki timeout must be a positive number of milliseconds, not ${timeoutMs}.`);
    }
    if (!Number.isInteger(retries) || retries < 0) {
      throw new ConfigError(`The Loki retry count must be a whole number ≥ 0, not ${retries}.`);
    }
    if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
      throw new ConfigError(`The Loki retry backoff must be ≥ 0 ms, not ${retryBackoffMs}.`);
    }
    if (options.grafanaUrl !== undefined && !isHttpUrl(options.grafanaUrl)) {
      throw new ConfigError('The Grafana URL for Loki links is not a valid http(s) URL.');
    }
    this.#url = stripUserinfo(url);
    this.#serviceLabel = serviceLabel;
    this.#errorFilter = errorFilter;
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#retryBackoffMs = retryBackoffMs;
    this.#grafanaUrl = options.grafanaUrl === undefined ? undefined : stripUserinfo(options.grafanaUrl);
    this.#grafanaDatasourceUid = options.grafanaDatasourceUid;
    const allHeaders = { ...headers, ...(options.tenant === undefined ? {} : { 'X-Scope-OrgID': options.tenant }) };
    this.#secrets = collectSecrets(url, headers);
    this.#http = createHttpClient({ baseURL: url, timeoutMs, headers: allHeaders });
  }

  /**
   * The LogQL log query selecting the service's error lines: `{<label>="<service>"} |~ "<errorFilter>"`.
   * Throws `UnsafeQueryValueError` for an empty service (Loki needs a matcher that cannot match empty) or one
   * holding a lone surrogate.
   */
  logQuery(service: string): string {
    if (service === '') {
      throw new UnsafeQueryValueError(
        'The service name is empty; Loki needs a stream selector that cannot match an empty label value.',
      );
    }
    return `{${this.#serviceLabel}=${quoteLiteral(service)}} |~ ${quoteLiteral(this.#errorFilter)}`;
  }

  /** The LogQL metric query counting those lines over the whole window, evaluated at its end. */
  countQuery(query: LogQuery): string {
    return `sum(count_over_time(${this.logQuery(query.service)} [${formatPromDuration(windowSeconds(query.window))}]))`;
  }

  async countErrors(query: LogQuery, options?: QueryOptions): Promise<number> {
    const logql = this.countQuery(query);
    const params = new URLSearchParams({ query: logql, time: nanos(query.window.end) });
    return this.#call(
      {
        path: '/loki/api/v1/query',
        params,
        query: logql,
        read: (data) => {
          switch (data.resultType) {
            case 'vector':
              return data.result.reduce((sum, { value }) => sum + value[1], 0);
            case 'matrix':
              return data.result.reduce((sum, { values }) => sum + (values.at(-1)?.[1] ?? 0), 0);
            case 'streams':
              throw new MalformedResponseError(
                `Loki at ${this.#url} answered a metric query with log streams. Check that LOKI_URL points at Loki.`,
                this.#details({ path: '/loki/api/v1/query', query: logql }, 200),
              );
          }
        },
      },
      options,
    );
  }

  async errorLines(query: LogQuery & { limit: number }, options?: QueryOptions): Promise<LogLine[]> {
    const logql = this.logQuery(query.service);
    const limit = Math.max(1, Math.floor(query.limit));
    const params = new URLSearchParams({
      query: logql,
      start: nanos(query.window.start),
      end: nanos(query.window.end),
      limit: String(limit),
      direction: 'backward',
    });
    const path = '/loki/api/v1/query_range';
    return this.#call(
      {
        path,
        params,
        query: logql,
        read: (data) => {
          if (data.resultType !== 'streams') {
            throw new MalformedResponseError(
              `Loki at ${this.#url} answered a log query with a ${data.resultType} instead of streams. ` +
                'Check that LOKI_URL points at Loki.',
              this.#details({ path, query: logql }, 200),
            );
          }
          return flattenStreams(data.result).slice(0, limit);
        },
      },
      options,
    );
  }

  /** A Grafana Explore link (`panes` format, Grafana ≥ 10.2) showing the error lines, when `grafanaUrl` is set. */
  linkFor(query: LogQuery): string | undefined {
    if (this.#grafanaUrl === undefined) return undefined;
    let expr: string;
    try {
      expr = this.logQuery(query.service);
    } catch (err) {
      if (err instanceof UnsafeQueryValueError) return undefined;
      throw err;
    }
    const uid = this.#grafanaDatasourceUid;
    const panes = {
      a1b: {
        ...(uid === undefined ? {} : { datasource: uid }),
        queries: [
          {
            refId: 'A',
            expr,
            queryType: 'range',
            ...(uid === undefined ? {} : { datasource: { type: 'loki', uid } }),
          },
        ],
        range: { from: String(query.window.start.getTime()), to: String(query.window.end.getTime()) },
      },
    };
    return `${this.#grafanaUrl}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
  }

  /** Runs one API call with retries on transient failures, stopping as soon as the caller's signal aborts. */
  async #call<T>(call: ApiCall<T>, options: QueryOptions | undefined): Promise<T> {
    const signal = options?.signal;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw this.#abortError(signal, call);
      try {
        return await this.#attempt(call, signal);
      } catch (err) {
        if (attempt >= this.#retries || !isRetryable(err)) throw err;
      }
      await this.#sleep(this.#retryBackoffMs * 2 ** attempt, signal, call);
    }
  }

  async #attempt<T>(call: ApiCall<T>, signal: AbortSignal | undefined): Promise<T> {
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
        method: 'GET',
        url: call.path,
        params: call.params,
        signal: controller.signal,
      });
    } catch (err) {
      if (signal?.aborted) throw this.#abortError(signal, call);
      throw this.#transportError(err, call, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    return this.#interpret(response, call);
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

  #interpret<T>(response: AxiosResponse<unknown>, call: ApiCall<T>): T {
    const { status } = response;
    const body = typeof response.data === 'string' ? response.data : '';
    const contentType = String(response.headers['content-type'] ?? '');
    const where = `Loki at ${this.#url}`;
    const details = this.#details(call, status);
    if (status >= 200 && status < 300) {
      const json = parseJson(body);
      if (json === undefined) {
        const what = this.#describeBody(body, contentType);
        throw new MalformedResponseError(
          what === TRUNCATED_JSON
            ? `${where} answered ${call.path} with ${what}: the answer was cut off or garbled on the way. ` +
                'Try again; if it persists, check any proxy between Triage and Loki.'
            : `${where} answered ${call.path} with ${what} instead of JSON. ` +
                'Check that LOKI_URL points at the Loki API and not at Grafana or another service.',
          details,
        );
      }
      const envelope = EnvelopeResponse.safeParse(json.value);
      if (!envelope.success) {
        throw new MalformedResponseError(
          `${where} answered ${call.path} with JSON in an undocumented shape (${summarizeIssues(envelope.error)}). ` +
            'Check that LOKI_URL points at Loki.',
          details,
        );
      }
      return call.read(envelope.data.data);
    }
    if (isHtml(body, contentType) || (status >= 300 && status < 400)) {
      throw new DatasourceHttpError(this.#httpErrorMessage(response, body, contentType, call), details);
    }
    // Loki's own errors are plain text (pkg/util/server/error.go): the body is the message.
    const reason = this.#redact(shorten(body.trim() === '' ? 'no error message' : body.trim(), MESSAGE_CHARS));
    switch (status) {
      case 400:
        throw new QueryRejectedError(
          `${where} rejected the query: ${reason}. Fix the query or narrow its window or limit, and try again.`,
          details,
        );
      case 429:
        throw new DatasourceUnavailableError(
          `${where} is rate limiting queries (HTTP 429: ${reason}). Wait a moment and try again.`,
          details,
        );
      case 499:
        throw new QueryCanceledError(`${where} canceled the query (HTTP 499: ${reason}).`, details);
      case 503:
        throw new DatasourceUnavailableError(
          `${where} is unavailable (HTTP 503: ${reason}). Check that Loki is ready (/ready), then try again.`,
          details,
        );
      case 504:
        throw new DatasourceTimeoutError(
          `${where} timed out running the query (HTTP 504: ${reason}). Narrow the window or raise Loki's query_timeout.`,
          details,
        );
      case 500:
        throw new DatasourceInternalError(
          `${where} hit an internal error: ${reason}. Try again, and check the Loki logs if it persists.`,
          details,
        );
      default:
        throw new DatasourceHttpError(this.#httpErrorMessage(response, body, contentType, call), details);
    }
  }

  #httpErrorMessage(response: AxiosResponse<unknown>, body: string, contentType: string, call: Endpoint): string {
    const { status } = response;
    const where = `Loki at ${this.#url}`;
    const what = this.#describeBody(body, contentType);
    if (status >= 300 && status < 400) {
      return `${where} redirected ${call.path} (HTTP ${status}). Set LOKI_URL to the address Loki answers on directly.`;
    }
    if (status === 401 || status === 403) {
      return `${where} refused ${call.path} with HTTP ${status} (${what}). Check the credentials and tenant configured for Loki.`;
    }
    if (status === 404) {
      return (
        `${where} answered HTTP 404 (${what}) for ${call.path}. Check that LOKI_URL is the Loki base URL, ` +
        'including any path prefix and without /loki/api/v1.'
      );
    }
    return (
      `${where} answered HTTP ${status} with ${what} instead of Loki's answer. A proxy in front of Loki may be ` +
      'failing: check it, and that Loki is running.'
    );
  }

  #transportError(err: unknown, call: Endpoint, timedOut: boolean): DatasourceError {
    const cause = this.#sanitizeCause(err);
    return transportError(err, timedOut, {
      code: errorCode(err),
      where: `Loki at ${this.#url}`,
      path: call.path,
      timeoutMs: this.#timeoutMs,
      slowAdvice: 'Narrow the window; if Loki is just slow, raise the timeout.',
      envVar: 'LOKI_URL',
      runningName: 'Loki',
      details: this.#details(call, undefined, cause),
    });
  }

  #abortError(signal: AbortSignal, call: Endpoint): unknown {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    if (isTimeoutReason(reason)) {
      return new DeadlineExceededError(
        `The run's deadline passed before Loki at ${this.#url} answered ${call.path}. ` +
          'Narrow the window or allow the run more time.',
        { cause: reason },
      );
    }
    return reason ?? new DOMException('The operation was aborted.', 'AbortError');
  }

  #details(call: Endpoint, status?: number, cause?: unknown): DatasourceErrorDetails {
    return {
      source: 'loki',
      url: this.#url,
      query: call.query,
      ...(status === undefined ? {} : { status }),
      ...(cause === undefined ? {} : { cause }),
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

/** All entries of all streams, newest first (ties keep Loki's order). */
function flattenStreams(streams: readonly Stream[]): LogLine[] {
  const entries = streams.flatMap(({ stream, values }) =>
    values.map(([ns, line]) => ({ ns: BigInt(ns), line: { time: nanosToSeconds(ns), line, labels: { ...stream } } })),
  );
  entries.sort((a, b) => (a.ns === b.ns ? 0 : a.ns > b.ns ? -1 : 1));
  return entries.map((e) => e.line);
}

/** `"1795341600123456789"` → 1795341600.1234567 (as close as a double gets), without going through a huge integer. */
function nanosToSeconds(ns: string): number {
  const padded = ns.padStart(10, '0');
  return Number(`${padded.slice(0, -9)}.${padded.slice(-9)}`);
}

function nanos(date: Date): string {
  return (BigInt(date.getTime()) * 1_000_000n).toString();
}

function isRetryable(err: unknown): boolean {
  if (!(err instanceof DatasourceError) || !err.retryable) return false;
  // 429 means "later", so one more try may help; any other 4xx means the request itself is wrong.
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
