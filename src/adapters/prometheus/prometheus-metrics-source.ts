import { ConfigError, MalformedResponseError, QueryRejectedError, UnsafeQueryValueError } from '../../domain/errors.js';
import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../domain/ports.js';
import { isLabelName } from '../../domain/promql/quote.js';
import { rangePairFromTwoQueries } from '../../domain/range-pair.js';
import { formatPromDuration, type TimeWindow, windowSeconds } from '../../domain/time-window.js';
import { answerDetails, type SourceAt } from '../http/answer-text.js';
import { isHttpUrl, stripUserinfo } from '../http/create-http-client.js';
import { createHttpRequest, DEFAULT_TIMEOUT_MS, type HttpReach, type HttpRequest } from '../http/http-request.js';
import { readAnswer, toSeries } from './answers.js';
import {
  BuildInfoDataResponse,
  LabelValuesDataResponse,
  QueryDataReader,
  type Reader,
  SeriesDataResponse,
} from './wire.js';

/** Options for {@link PrometheusMetricsSource}. */
export interface PrometheusMetricsSourceOptions extends PrometheusRequestOptions {
  /** Base of the links humans open (`--web.external-url`); default `url` without credentials. */
  externalUrl?: string;
  /** How requests are sent; default {@link prometheusRequest} over these options. */
  request?: HttpRequest;
}

/** How to reach Prometheus; the timeout is also sent as Prometheus's own `timeout` parameter. */
export type PrometheusRequestOptions = HttpReach;

interface ApiCall<T> {
  method: 'GET' | 'POST';
  path: string;
  params: URLSearchParams;
  schema: Reader<T>;
  query?: string;
}

const NAMING = { source: 'prometheus', label: 'Prometheus', envVar: 'PROMETHEUS_URL' } as const;
/** Marks each series of a combined window-and-earlier answer with the window it belongs to. */
const PERIOD_LABEL = 'triage_period';

/** The request function for Prometheus: retries 5xx answers and connection failures, never a 4xx. */
export function prometheusRequest(options: PrometheusRequestOptions): HttpRequest {
  requireUrl(options.url);
  return createHttpRequest({
    ...options,
    ...NAMING,
    // Triage asks for aggregates (a few series each, a few kB): uncompressed, a loaded Prometheus gzips nothing.
    compress: false,
    slowAdvice:
      'Narrow the window, raise the step or simplify the query; if Prometheus is just slow, raise the timeout.',
  });
}

/**
 * A `MetricsSource` over the Prometheus HTTP API (any compatible server: Thanos, Mimir, VictoriaMetrics). It builds
 * the API calls and reads their answers; the request function it is given sends them (timeouts, retries,
 * credentials).
 */
export class PrometheusMetricsSource implements MetricsSource {
  readonly #request: HttpRequest;
  readonly #at: SourceAt;
  readonly #externalUrl: string;
  readonly #timeoutMs: number;

  constructor(options: PrometheusMetricsSourceOptions) {
    const { url, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    requireUrl(url);
    if (options.externalUrl !== undefined && !isHttpUrl(options.externalUrl)) {
      throw new ConfigError('The Prometheus external URL is not a valid http(s) URL.');
    }
    this.#request = options.request ?? prometheusRequest(options);
    this.#at = { ...NAMING, url: stripUserinfo(url) };
    this.#externalUrl = stripUserinfo(options.externalUrl ?? url);
    this.#timeoutMs = timeoutMs;
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
      if (err instanceof QueryRejectedError) return rangePairFromTwoQueries(this, request, options);
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
        `Prometheus at ${this.#at.url} answered a range query with a ${data.resultType} instead of a matrix. ` +
          'Check that PROMETHEUS_URL points at a Prometheus-compatible API.',
        answerDetails(this.#at, undefined, query),
      );
    }
    return toSeries(data, this.#at, call);
  }

  async queryInstant(query: string, time: Date, options?: QueryOptions): Promise<Series[]> {
    const params = new URLSearchParams({
      query,
      time: unixSeconds(time),
      timeout: formatTimeoutParam(this.#timeoutMs),
    });
    const call = { method: 'POST', path: '/api/v1/query', params, schema: QueryDataReader, query } as const;
    return toSeries(await this.#call(call, options), this.#at, call);
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

  /** Sends one API call and reads its answer. */
  async #call<T>(call: ApiCall<T>, options: QueryOptions | undefined): Promise<T> {
    const { method, path, params, query } = call;
    const response = await this.#request({
      method,
      path,
      params,
      ...(query === undefined ? {} : { query }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    return readAnswer(response, call.schema, this.#at, call);
  }
}

function unixSeconds(date: Date): string {
  return String(date.getTime() / 1000);
}

/** Prometheus's `timeout` parameter: a duration it accepts (`5s`, `1500ms`). */
function formatTimeoutParam(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

function requireUrl(url: string): void {
  if (!isHttpUrl(url)) {
    throw new ConfigError(
      'The Prometheus URL is not a valid http(s) URL. Set PROMETHEUS_URL to e.g. http://prometheus:9090.',
    );
  }
}
