import { ConfigError, MalformedResponseError, UnsafeQueryValueError } from '../../domain/errors.js';
import type { LogLine, LogQuery, LogSource, QueryOptions } from '../../domain/ports.js';
import { isLabelName, quoteLiteral } from '../../domain/promql/quote.js';
import { formatPromDuration, windowSeconds } from '../../domain/time-window.js';
import { answerDetails, type SourceAt } from '../http/answer-text.js';
import { isHttpUrl, stripUserinfo } from '../http/create-http-client.js';
import { createHttpRequest, type HttpReach, type HttpRequest } from '../http/http-request.js';
import { readAnswer } from './answers.js';
import type { QueryData, Stream } from './wire.js';

/** How to reach Loki. */
export interface LokiRequestOptions extends HttpReach {
  /** Tenant sent as `X-Scope-OrgID` (`a|b` for several tenants). */
  tenant?: string;
}

/** Options for {@link LokiLogSource}. */
export interface LokiLogSourceOptions extends LokiRequestOptions {
  /** Stream label holding the service name; a label name, default `service_name`. */
  serviceLabel?: string;
  /** RE2 line filter (`|~`) that marks error lines; default `(?i)(error|exception|fatal|panic|fail|refused|timed out|traceback|unavailable|out of memory|too many)`. */
  errorFilter?: string;
  /** Grafana base URL for Explore links; without it `linkFor` returns undefined. */
  grafanaUrl?: string;
  /** UID of the Loki data source in Grafana; without it Explore opens the default data source. */
  grafanaDatasourceUid?: string;
  /** How requests are sent; default {@link lokiRequest} over these options. */
  request?: HttpRequest;
}

interface ApiCall<T> {
  path: string;
  params: URLSearchParams;
  query: string;
  read: (data: QueryData) => T;
}

const DEFAULT_SERVICE_LABEL = 'service_name';
export const DEFAULT_LOKI_ERROR_FILTER =
  '(?i)(error|exception|fatal|panic|fail|refused|timed out|traceback|unavailable|out of memory|too many)';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NAMING = { source: 'loki', label: 'Loki', envVar: 'LOKI_URL' } as const;

/** The request function for Loki: retries 5xx and 429 answers and connection failures, sends the tenant. */
export function lokiRequest(options: LokiRequestOptions): HttpRequest {
  requireUrl(options.url);
  if (options.tenant !== undefined && !/^[!-~]+$/.test(options.tenant)) {
    throw new ConfigError('The Loki tenant must be non-empty printable ASCII without spaces (X-Scope-OrgID).');
  }
  const tenant = options.tenant === undefined ? {} : { 'X-Scope-OrgID': options.tenant };
  return createHttpRequest({
    ...options,
    ...NAMING,
    headers: { ...options.headers, ...tenant },
    retryRateLimited: true,
    slowAdvice: 'Narrow the window; if Loki is just slow, raise the timeout.',
  });
}

/**
 * A `LogSource` over the Loki HTTP API. Every service name is written into LogQL as one Go string literal, and
 * Loki's plain-text error bodies become typed `DatasourceError`s; the request function it is given sends the
 * queries (timeouts, retries, credentials).
 */
export class LokiLogSource implements LogSource {
  readonly name = 'loki' as const;
  readonly #request: HttpRequest;
  readonly #at: SourceAt;
  readonly #serviceLabel: string;
  readonly #errorFilter: string;
  readonly #grafanaUrl: string | undefined;
  readonly #grafanaDatasourceUid: string | undefined;

  constructor(options: LokiLogSourceOptions) {
    const { url, serviceLabel = DEFAULT_SERVICE_LABEL, errorFilter = DEFAULT_LOKI_ERROR_FILTER } = options;
    requireUrl(url);
    if (!isLabelName(serviceLabel)) {
      throw new ConfigError(
        `The Loki service label ${JSON.stringify(serviceLabel)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*).`,
      );
    }
    if (errorFilter === '' || LONE_SURROGATE.test(errorFilter)) {
      throw new ConfigError('The Loki error filter must be a non-empty regular expression of valid Unicode text.');
    }
    if (options.grafanaUrl !== undefined && !isHttpUrl(options.grafanaUrl)) {
      throw new ConfigError('The Grafana URL for Loki links is not a valid http(s) URL.');
    }
    this.#request = options.request ?? lokiRequest(options);
    this.#at = { ...NAMING, url: stripUserinfo(url) };
    this.#serviceLabel = serviceLabel;
    this.#errorFilter = errorFilter;
    this.#grafanaUrl = options.grafanaUrl === undefined ? undefined : stripUserinfo(options.grafanaUrl);
    this.#grafanaDatasourceUid = options.grafanaDatasourceUid;
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
                `Loki at ${this.#at.url} answered a metric query with log streams. Check that LOKI_URL points at Loki.`,
                answerDetails(this.#at, 200, logql),
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
              `Loki at ${this.#at.url} answered a log query with a ${data.resultType} instead of streams. ` +
                'Check that LOKI_URL points at Loki.',
              answerDetails(this.#at, 200, logql),
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

  /** Sends one query and reads its answer. */
  async #call<T>(call: ApiCall<T>, options: QueryOptions | undefined): Promise<T> {
    const { path, params, query } = call;
    const signal = options?.signal;
    const response = await this.#request({ method: 'GET', path, params, query, ...(signal ? { signal } : {}) });
    return call.read(readAnswer(response, this.#at, call));
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

function requireUrl(url: string): void {
  if (!isHttpUrl(url)) {
    throw new ConfigError('The Loki URL is not a valid http(s) URL. Set LOKI_URL to e.g. http://loki:3100.');
  }
}
