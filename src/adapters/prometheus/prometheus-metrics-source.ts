import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  AppError,
  ConfigError,
  DatasourceError,
  type DatasourceErrorDetails,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryCanceledError,
  QueryExecutionError,
  QueryRejectedError,
  UnsafeQueryValueError,
} from '../../domain/errors.js';
import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../domain/ports.js';
import { isLabelName } from '../../domain/promql/quote.js';
import { askTwice } from '../../domain/range-pair.js';
import { formatPromDuration, type TimeWindow, windowSeconds } from '../../domain/time-window.js';
import { createHttpClient, stripUserinfo } from '../http/create-http-client.js';
import {
  collectSecrets,
  isHttpUrl,
  isTimeoutReason,
  parseJson,
  summarizeIssues,
  transportError,
} from '../http/response-helpers.js';
import {
  BuildInfoDataResponse,
  type Envelope,
  EnvelopeReader,
  LabelValuesDataResponse,
  type QueryData,
  QueryDataReader,
  type Reader,
  SeriesDataResponse,
} from './wire.js';

/** Options for {@link PrometheusMetricsSource}. */
export interface PrometheusMetricsSourceOptions {
  /** Base URL of the Prometheus HTTP API (`http://prometheus:9090`, or with a path prefix); may hold `user:pass@`. */
  url: string;
  /** Per-attempt timeout, also sent to Prometheus as its `timeout` parameter; default 5000. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure (5xx, timeout, connection error); default 1. */
  retries?: number;
  /** Wait before the first retry, doubled for each later one; default 200. */
  retryBackoffMs?: number;
  /** Headers sent with every request (for example `Authorization` or `X-Scope-OrgID`); never echoed in errors. */
  headers?: Readonly<Record<string, string>>;
  /** Base of the links humans open (`--web.external-url`); default `url` without credentials. */
  externalUrl?: string;
}

interface ApiCall<T> {
  method: 'GET' | 'POST';
  path: string;
  params: URLSearchParams;
  schema: Reader<T>;
  query?: string;
}

type Endpoint = Pick<ApiCall<unknown>, 'path' | 'query'>;

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 1;
const DEFAULT_RETRY_BACKOFF_MS = 200;
const SNIPPET_CHARS = 120;
const TRUNCATED_JSON = 'truncated or invalid JSON';
/** Marks each series of a combined window-and-earlier answer with the window it belongs to. */
const PERIOD_LABEL = 'triage_period';

/**
 * A `MetricsSource` over the Prometheus HTTP API (any compatible server: Thanos, Mimir, VictoriaMetrics), which
 * retries transient failures once and turns every failure into a typed `DatasourceError` without credentials.
 */
export class PrometheusMetricsSource implements MetricsSource {
  readonly #http: AxiosInstance;
  readonly #url: string;
  readonly #externalUrl: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #secrets: readonly string[];

  constructor(options: PrometheusMetricsSourceOptions) {
    const { url, timeoutMs = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES } = options;
    const { retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS, headers = {} } = options;
    if (!isHttpUrl(url)) {
      throw new ConfigError(
        'The Prometheus URL is not a valid http(s) URL. Set PROMETHEUS_URL to e.g. http://prometheus:9090.',
      );
    }
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigError(`The Prometheus timeout must be a positive number of milliseconds, not ${timeoutMs}.`);
    }
    if (!Number.isInteger(retries) || retries < 0) {
      throw new ConfigError(`The Prometheus retry count must be a whole number ≥ 0, not ${retries}.`);
    }
    if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
      throw new ConfigError(`The Prometheus retry backoff must be ≥ 0 ms, not ${retryBackoffMs}.`);
    }
    if (options.externalUrl !== undefined && !isHttpUrl(options.externalUrl)) {
      throw new ConfigError('The Prometheus external URL is not a valid http(s) URL.');
    }
    this.#url = stripUserinfo(url);
    this.#externalUrl = stripUserinfo(options.externalUrl ?? url);
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#retryBackoffMs = retryBackoffMs;
    this.#secrets = collectSecrets(url, headers);
    // Triage asks for aggregates (a few series each, a few kB): uncompressed, a loaded Prometheus gzips nothing.
    this.#http = createHttpClient({ baseURL: url, timeoutMs, headers, compress: false });
  }

  queryRange(query: string, window: TimeWindow, stepSeconds: number, options?: QueryOptions): Promise<Series[]> {
    return this.#queryRange(query, query, window, stepSeconds, options);
  }

  /**
   * One range query for the window and the same window `shiftSeconds` earlier: the query, and a subquery of it
   * with `offset`, told apart by a label the answer is split on. Subquery steps are aligned to multiples of the
   * step, so over a step-aligned window (the cache snaps windows to the step) and a shift that is a multiple of the
   * step, the earlier series equal the query's own answer over the shifted window (otherwise they lag it by less
   * than a step). A query the combination does not suit (a scalar, or one Prometheus rejects) is asked twice
   * instead, so any error names the query itself.
   */
  async queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    const { query, window, stepSeconds, shiftSeconds } = request;
    if (!Number.isInteger(shiftSeconds) || shiftSeconds <= 0) {
      throw new RangeError(`The shift must be a whole number of seconds > 0, not ${shiftSeconds}.`);
    }
    // Line breaks end any `# comment` in the query; label_replace overwrites a `triage_period` of the query's own.
    const step = `${stepSeconds}s`;
    const combined =
      `label_replace(\n${query}\n, "${PERIOD_LABEL}", "current", "", "")\nor\n` +
      `label_replace(last_over_time((\n${query}\n)[${step}:${step}] offset ${shiftSeconds}s), "${PERIOD_LABEL}", "earlier", "", "")`;
    let answer: Series[];
    try {
      answer = await this.#queryRange(combined, query, window, stepSeconds, options);
    } catch (err) {
      if (err instanceof QueryRejectedError) return askTwice(this, request, options);
      throw err;
    }
    const pair: RangePair = { current: [], earlier: [] };
    for (const { labels, samples } of answer) {
      const { [PERIOD_LABEL]: period, ...own } = labels;
      if (period === 'earlier') {
        pair.earlier.push({ labels: own, samples: samples.map(({ t, v }) => ({ t: t - shiftSeconds, v })) });
      } else {
        pair.current.push({ labels: own, samples });
      }
    }
    return pair;
  }

  /** Sends `sent`; errors name `query`, the query the caller asked for. */
  async #queryRange(
    sent: string,
    query: string,
    window: TimeWindow,
    stepSeconds: number,
    options: QueryOptions | undefined,
  ): Promise<Series[]> {
    const params = new URLSearchParams({
      query: sent,
      start: unixSeconds(window.start),
      end: unixSeconds(window.end),
      step: String(stepSeconds),
      timeout: formatTimeoutParam(this.#timeoutMs),
    });
    const call = { method: 'POST', path: '/api/v1/query_range', params, schema: QueryDataReader, query } as const;
    const data = await this.#call(call, options);
    if (data.resultType !== 'matrix') {
      throw new MalformedResponseError(
        `Prometheus at ${this.#url} answered a range query with a ${data.resultType} instead of a matrix. ` +
          'Check that PROMETHEUS_URL points at a Prometheus-compatible API.',
        this.#details(call),
      );
    }
    return this.#toSeries(data, call);
  }

  async queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]> {
    const params = new URLSearchParams({
      query,
      time: unixSeconds(time),
      timeout: formatTimeoutParam(this.#timeoutMs),
    });
    const call = { method: 'POST', path: '/api/v1/query', params, schema: QueryDataReader, query } as const;
    return this.#toSeries(await this.#call(call, options), call);
  }

  async series(
    matchers: readonly string[],
    window: TimeWindow,
    options?: QueryOptions,
  ): Promise<Record<string, string>[]> {
    const params = new URLSearchParams();
    for (const matcher of matchers) params.append('match[]', matcher);
    params.append('start', unixSeconds(window.start));
    params.append('end', unixSeconds(window.end));
    const query = matchers.join(', ');
    const data = await this.#call(
      { method: 'POST', path: '/api/v1/series', params, schema: SeriesDataResponse, query },
      options,
    );
    return data.map((labels) => ({ ...labels }));
  }

  async labelValues(
    label: string,
    window: TimeWindow,
    matchers: readonly string[] = [],
    options?: QueryOptions,
  ): Promise<string[]> {
    if (!isLabelName(label)) {
      throw new UnsafeQueryValueError(`${JSON.stringify(label)} is not a valid label name.`);
    }
    const params = new URLSearchParams({ start: unixSeconds(window.start), end: unixSeconds(window.end) });
    for (const matcher of matchers) params.append('match[]', matcher);
    const path = `/api/v1/label/${label}/values`;
    const query = matchers.length > 0 ? matchers.join(', ') : undefined;
    return this.#call(
      { method: 'GET', path, params, schema: LabelValuesDataResponse, ...(query === undefined ? {} : { query }) },
      options,
    );
  }

  /** The server's version string from `/api/v1/status/buildinfo` (e.g. `2.42.0+ds`), to gate newer parameters. */
  async buildInfo(options?: QueryOptions): Promise<string> {
    const path = '/api/v1/status/buildinfo';
    const data = await this.#call(
      { method: 'GET', path, params: new URLSearchParams(), schema: BuildInfoDataResponse },
      options,
    );
    return data.version;
  }

  /** A Prometheus graph-page link (`/graph?g0.expr=…`) showing `query` over `window`, without credentials. */
  linkFor(query: string, window: TimeWindow): string {
    const endMs = Math.ceil(window.end.getTime() / 1000) * 1000;
    const endInput = new Date(endMs).toISOString().slice(0, 19).replace('T', ' ');
    const range = formatPromDuration(windowSeconds(window));
    return (
      `${this.#externalUrl}/graph?g0.expr=${encodeURIComponent(query)}&g0.tab=0` +
      `&g0.range_input=${range}&g0.end_input=${encodeURIComponent(endInput)}&g0.stacked=0`
    );
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
    // One controller per attempt: the caller's abort and our own total timeout both end the request, and we can
    // tell them apart afterwards (axios's own `timeout` only bounds socket idleness).
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
        method: call.method,
        url: call.path,
        ...(call.method === 'GET' ? { params: call.params } : { data: call.params }),
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
    const json = parseJson(body);
    const where = `Prometheus at ${this.#url}`;
    if (status >= 200 && status < 300) {
      if (json === undefined) {
        const what = this.#describeBody(body, contentType);
        const message =
          what === TRUNCATED_JSON
            ? `${where} answered ${call.path} with ${what}: the answer was cut off or garbled on the way. ` +
              'Try again; if it persists, check any proxy between Triage and Prometheus.'
            : `${where} answered ${call.path} with ${what} instead of JSON. ` +
              'Check that PROMETHEUS_URL points at the Prometheus API and not at a UI or another service.';
        throw new MalformedResponseError(message, this.#details(call, status));
      }
      const envelope = EnvelopeReader.safeParse(json.value);
      if (!envelope.success) {
        throw new MalformedResponseError(
          `${where} answered ${call.path} with JSON that is not a Prometheus API answer (${summarizeIssues(envelope.error)}). ` +
            'Check that PROMETHEUS_URL points at a Prometheus-compatible API.',
          this.#details(call, status),
        );
      }
      if (envelope.data.status === 'error') throw this.#apiError(envelope.data, status, call);
      const data = call.schema.safeParse(envelope.data.data);
      if (!data.success) {
        throw new MalformedResponseError(
          `${where} answered ${call.path} with data in an undocumented shape (${summarizeIssues(data.error)}). ` +
            'Check that PROMETHEUS_URL points at a Prometheus-compatible API.',
          this.#details(call, status),
        );
      }
      return data.data;
    }
    if (json !== undefined) {
      const envelope = EnvelopeReader.safeParse(json.value);
      if (envelope.success && envelope.data.status === 'error') throw this.#apiError(envelope.data, status, call);
    }
    if (status === 503 && body.trim() === 'Service Unavailable') {
      throw new DatasourceUnavailableError(
        `${where} is not ready yet (HTTP 503 Service Unavailable): it is probably starting up or replaying its ` +
          'write-ahead log. Wait until /-/ready answers 200, then try again.',
        this.#details(call, status),
      );
    }
    throw new DatasourceHttpError(
      this.#httpErrorMessage(response, body, contentType, call),
      this.#details(call, status),
    );
  }

  #httpErrorMessage(response: AxiosResponse<unknown>, body: string, contentType: string, call: Endpoint): string {
    const { status } = response;
    const where = `Prometheus at ${this.#url}`;
    const what = this.#describeBody(body, contentType);
    if (status >= 300 && status < 400) {
      const location = String(response.headers.location ?? '');
      const target = location === '' ? 'another address' : this.#redact(safeStripUserinfo(location));
      return (
        `${where} redirected ${call.path} to ${target} (HTTP ${status}). ` +
        'Set PROMETHEUS_URL to the address Prometheus answers on directly.'
      );
    }
    if (status === 401 || status === 403) {
      return `${where} refused ${call.path} with HTTP ${status} (${what}). Check the credentials configured for Prometheus.`;
    }
    if (status === 404) {
      return (
        `${where} answered HTTP 404 (${what}) for ${call.path}. Check that PROMETHEUS_URL is the Prometheus base URL, ` +
        'including any path prefix such as /prometheus and without /api/v1.'
      );
    }
    if (status >= 500) {
      return (
        `${where} answered HTTP ${status} with ${what} instead of the API's JSON. A proxy or load balancer in front ` +
        'of Prometheus may be failing: check it, and that Prometheus is running.'
      );
    }
    return (
      `${where} answered HTTP ${status} with ${what} instead of the API's JSON. ` +
      'Check PROMETHEUS_URL and any proxy in front of Prometheus.'
    );
  }

  #apiError(envelope: Envelope, status: number, call: Endpoint): DatasourceError {
    const where = `Prometheus at ${this.#url}`;
    const reason = this.#redact(envelope.error ?? 'no error message');
    const details = this.#details(call, status);
    switch (envelope.errorType) {
      case 'bad_data':
        return new QueryRejectedError(
          `${where} rejected the query: ${reason}. Fix the query or its parameters (window, step) and try again.`,
          details,
        );
      case 'execution':
        return new QueryExecutionError(
          `${where} could not evaluate the query: ${reason}. Change the query (for example its label matching).`,
          details,
        );
      case 'timeout':
        return new DatasourceTimeoutError(
          `${where} timed out evaluating the query: ${reason}. Narrow the window, raise the step or simplify the query.`,
          details,
        );
      case 'canceled':
        return new QueryCanceledError(
          `${where} canceled the query: ${reason}. Try again; if it keeps happening, check Prometheus's query limits.`,
          details,
        );
      case 'internal':
        return new DatasourceInternalError(
          `${where} hit an internal error: ${reason}. Try again, and check the Prometheus logs if it persists.`,
          details,
        );
      case 'not_found':
        return new DatasourceNotFoundError(
          `${where} answered not found for ${call.path}: ${reason}. Check that PROMETHEUS_URL points at a ` +
            'Prometheus-compatible API that serves this endpoint.',
          details,
        );
      default:
        return new DatasourceUnavailableError(
          `${where} is unavailable (${envelope.errorType ?? 'no errorType'}): ${reason}. ` +
            'Check that Prometheus is healthy, then try again.',
          details,
        );
    }
  }

  #transportError(err: unknown, call: Endpoint, timedOut: boolean): DatasourceError {
    const cause = this.#sanitizeCause(err);
    return transportError(err, timedOut, {
      code: errorCode(err),
      where: `Prometheus at ${this.#url}`,
      path: call.path,
      timeoutMs: this.#timeoutMs,
      slowAdvice:
        'Narrow the window, raise the step or simplify the query; if Prometheus is just slow, raise the timeout.',
      envVar: 'PROMETHEUS_URL',
      runningName: 'Prometheus',
      details: this.#details(call, undefined, cause),
    });
  }

  /** The error a caller's abort becomes: a deadline stays a `DeadlineExceededError`, other reasons are rethrown. */
  #abortError(signal: AbortSignal, call: Endpoint): unknown {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    if (isTimeoutReason(reason)) {
      return new DeadlineExceededError(
        `The run's deadline passed before Prometheus at ${this.#url} answered ${call.path}. ` +
          'Narrow the window or allow the run more time.',
        { cause: reason },
      );
    }
    return reason ?? new DOMException('The operation was aborted.', 'AbortError');
  }

  #details(call: Endpoint, status?: number, cause?: unknown): DatasourceErrorDetails {
    return {
      source: 'prometheus',
      url: this.#url,
      ...(status === undefined ? {} : { status }),
      ...(call.query === undefined ? {} : { query: call.query }),
      ...(cause === undefined ? {} : { cause }),
    };
  }

  #toSeries(data: QueryData, call: Endpoint): Series[] {
    switch (data.resultType) {
      case 'vector':
        // Elements carrying only a native histogram have no float sample to report, so they are left out.
        return data.result.flatMap(({ metric, value }) =>
          value === undefined ? [] : [{ labels: metric, samples: [{ t: value[0], v: value[1] }] }],
        );
      case 'matrix':
        return data.result
          .filter(({ values }) => values !== undefined && values.length > 0)
          .map(({ metric, values = [] }) => ({ labels: metric, samples: values.map(([t, v]) => ({ t, v })) }));
      case 'scalar':
        return [{ labels: {}, samples: [{ t: data.result[0], v: data.result[1] }] }];
      case 'string':
        throw new QueryRejectedError(
          `The query evaluates to a string, which Triage cannot read as a metric. Use a numeric expression.`,
          this.#details(call),
        );
    }
  }

  /** A short, credential-free description of a non-JSON body for error messages. */
  #describeBody(body: string, contentType: string): string {
    const trimmed = body.trim();
    if (trimmed === '') return 'an empty body';
    if (/html/i.test(contentType) || /^<(!doctype|html|head|body)\b/i.test(trimmed)) {
      const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
      const text = snippet(title ?? trimmed.replace(/<[^>]*>/g, ' '));
      return text === '' ? 'an HTML page' : `an HTML page ("${this.#redact(text)}")`;
    }
    if (/^[[{]/.test(trimmed)) return TRUNCATED_JSON;
    return `plain text "${this.#redact(snippet(trimmed))}"`;
  }

  /** A plain copy of a transport error: axios errors carry the request config, including auth headers. */
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

function isRetryable(err: unknown): boolean {
  if (!(err instanceof DatasourceError) || !err.retryable) return false;
  // A 4xx means the request itself is wrong (or, from 2.43, that the query was canceled): asking again won't help.
  return err.status === undefined || err.status >= 500;
}

/** The most specific error code in the chain: a system code (`ECONNREFUSED`) beats axios's own (`ERR_NETWORK`). */
function errorCode(err: unknown): string | undefined {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    if ('code' in e && typeof e.code === 'string' && e.code !== '') codes.push(e.code);
    e = 'cause' in e ? e.cause : undefined;
  }
  return codes.find((code) => !code.startsWith('ERR_')) ?? codes[0];
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}

function unixSeconds(date: Date): string {
  return String(date.getTime() / 1000);
}

/** Prometheus's `timeout` parameter: a duration it accepts (`5s`, `1500ms`). */
function formatTimeoutParam(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

function safeStripUserinfo(url: string): string {
  try {
    return stripUserinfo(url);
  } catch {
    return 'another address';
  }
}
