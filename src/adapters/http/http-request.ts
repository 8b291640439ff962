import { isAxiosError } from 'axios';
import {
  AppError,
  ConfigError,
  DatasourceError,
  type DatasourceErrorDetails,
  type DatasourceName,
  DatasourceTimeoutError,
  DatasourceUnreachableError,
  DeadlineExceededError,
} from '../../domain/errors.js';
import { createHttpClient, stripUserinfo } from './create-http-client.js';
import { collectSecrets, redactor } from './redaction.js';

/** One request a data-source adapter sends: the path under the source's base URL and what goes with it. */
export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  path: string;
  /** The query string of a GET, or the form body of a POST. */
  params?: URLSearchParams;
  /** A JSON body, already serialized (POST only; takes the place of `params`). */
  json?: string;
  /** What errors name as the query (the PromQL, LogQL or search body). */
  query?: string;
  /** Aborts the request and any retry (the run's deadline). */
  signal?: AbortSignal;
}

/** An HTTP answer of any status, as text. */
export interface HttpResponse {
  status: number;
  body: string;
  contentType: string;
  /** A redirect's target without credentials (masked), or '' when there is none. */
  location: string;
  /** Masks the source's credentials in text taken from the answer, before it goes into a message. */
  redact(text: string): string;
}

/**
 * Sends one request to a data source and resolves with its answer, whatever the status. It owns the per-attempt
 * timeout, the caller's abort, the retries (connection failures, timeouts and statuses worth asking again) and the
 * credentials: transport failures reject with a typed `DatasourceError` or the run's `DeadlineExceededError`.
 */
export type HttpRequest = (options: HttpRequestOptions) => Promise<HttpResponse>;

/** What crosses the wire for one attempt; the default sends it with axios. */
export type HttpSend = (request: {
  method: 'GET' | 'POST';
  path: string;
  params?: URLSearchParams;
  data?: URLSearchParams | string;
  signal: AbortSignal;
}) => Promise<{ status: number; body: string; headers: Readonly<Record<string, unknown>> }>;

/** How a data source is named in messages. */
export interface SourceNaming {
  source: DatasourceName;
  /** e.g. `Prometheus`. */
  label: string;
  /** The environment variable holding its URL, e.g. `PROMETHEUS_URL`. */
  envVar: string;
}

/** How to reach a data source over HTTP. */
export interface HttpReach {
  /** Base URL (with any path prefix); credentials in it (`http://user:pass@host`) go as basic auth, never shown. */
  url: string;
  /** Per-attempt timeout in milliseconds; default 5000. */
  timeoutMs?: number | undefined;
  /** Extra attempts after a retryable failure (5xx, timeout, connection error); default 1. */
  retries?: number | undefined;
  /** Wait before the first retry, doubled for each later one; default 200. */
  retryBackoffMs?: number | undefined;
  /** Headers sent with every request (for example `Authorization`); secret-looking values are never shown. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Options for {@link createHttpRequest}. */
export interface HttpRequestConfig extends SourceNaming, HttpReach {
  /** Further strings never to show (for example a password sent inside a header). */
  secrets?: readonly string[];
  /** Whether to ask for compressed answers; default true. */
  compress?: boolean;
  /** Whether a 429 is asked again like a 5xx (the source says "later"); default false. */
  retryRateLimited?: boolean;
  /** How "check that … is running" names it; default `label`. */
  runningName?: string;
  /** What to do when it is slow, e.g. `Narrow the window; if Loki is just slow, raise the timeout.` */
  slowAdvice: string;
  /** The wire; replaced in tests. */
  send?: HttpSend;
}

/** The per-attempt timeout when none is configured. */
export const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 1;
const DEFAULT_RETRY_BACKOFF_MS = 200;

/** The request function of one data source. Throws `ConfigError` for a timeout, retry count or backoff out of range. */
export function createHttpRequest(config: HttpRequestConfig): HttpRequest {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, retries = DEFAULT_RETRIES, label } = config;
  const { retryBackoffMs = DEFAULT_RETRY_BACKOFF_MS } = config;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ConfigError(`The ${label} timeout must be a positive number of milliseconds, not ${timeoutMs}.`);
  }
  if (!Number.isInteger(retries) || retries < 0) {
    throw new ConfigError(`The ${label} retry count must be a whole number ≥ 0, not ${retries}.`);
  }
  if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) {
    throw new ConfigError(`The ${label} retry backoff must be ≥ 0 ms, not ${retryBackoffMs}.`);
  }
  const url = stripUserinfo(config.url);
  const where = `${label} at ${url}`;
  const redact = redactor([...collectSecrets(config.url, config.headers ?? {}), ...(config.secrets ?? [])]);
  const send = config.send ?? axiosSend(config, timeoutMs);
  const retryStatus = (status: number): boolean =>
    status >= 500 || (config.retryRateLimited === true && status === 429);

  const abortError = (signal: AbortSignal, path: string): unknown => {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) return reason;
    if (isTimeoutReason(reason)) {
      return new DeadlineExceededError(
        `The run's deadline passed before ${where} answered ${path}. Narrow the window or allow the run more time.`,
        { cause: reason },
      );
    }
    return reason ?? new DOMException('The operation was aborted.', 'AbortError');
  };

  const failure = (err: unknown, options: HttpRequestOptions, timedOut: boolean): DatasourceError => {
    const code = errorCode(err);
    const details: DatasourceErrorDetails = {
      source: config.source,
      url,
      ...(options.query === undefined ? {} : { query: options.query }),
      cause: sanitizedCause(err, code, redact),
    };
    if (timedOut || (isAxiosError(err) && err.message.startsWith('timeout of '))) {
      return new DatasourceTimeoutError(
        `${where} did not answer ${options.path} within ${timeoutMs} ms. ${config.slowAdvice}`,
        details,
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new DatasourceUnreachableError(
        `${where} could not be reached (${code}: the host name does not resolve). Check the host in ${config.envVar}.`,
        details,
      );
    }
    return new DatasourceUnreachableError(
      `${where} could not be reached (${code ?? 'network error'}). Check ${config.envVar} and that ` +
        `${config.runningName ?? label} is running.`,
      details,
    );
  };

  const attempt = async (options: HttpRequestOptions): Promise<HttpResponse> => {
    // One controller per attempt: the caller's abort and the total timeout both end the request, and they can be
    // told apart afterwards (axios's own timeout only bounds socket idleness).
    const { signal, path } = options;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const data = options.json ?? (options.method === 'POST' ? options.params : undefined);
      const answer = await send({
        method: options.method,
        path,
        ...(options.method === 'GET' && options.params ? { params: options.params } : {}),
        ...(data === undefined ? {} : { data }),
        signal: controller.signal,
      });
      return {
        status: answer.status,
        body: answer.body,
        contentType: String(answer.headers['content-type'] ?? ''),
        location: redirectTarget(answer.headers.location, redact),
        redact,
      };
    } catch (err) {
      if (signal?.aborted) throw abortError(signal, path);
      throw failure(err, options, timedOut);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const sleep = (ms: number, signal: AbortSignal | undefined, path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        if (signal) reject(abortError(signal, path));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  return async (options) => {
    const { signal, path } = options;
    for (let n = 0; ; n++) {
      if (signal?.aborted) throw abortError(signal, path);
      try {
        const response = await attempt(options);
        if (n >= retries || !retryStatus(response.status)) return response;
      } catch (err) {
        // A 4xx means the request itself is wrong; a caller's abort or a deadline ends the call at once.
        if (n >= retries || !(err instanceof DatasourceError) || !err.retryable) throw err;
      }
      await sleep(retryBackoffMs * 2 ** n, signal, path);
    }
  };
}

function axiosSend(config: HttpRequestConfig, timeoutMs: number): HttpSend {
  const http = createHttpClient({
    baseURL: config.url,
    timeoutMs,
    ...(config.headers ? { headers: config.headers } : {}),
    ...(config.compress === undefined ? {} : { compress: config.compress }),
  });
  return async ({ method, path, params, data, signal }) => {
    const response = await http.request<unknown>({
      method,
      url: path,
      ...(params ? { params } : {}),
      ...(data === undefined ? {} : { data }),
      signal,
    });
    const body = typeof response.data === 'string' ? response.data : '';
    return { status: response.status, body, headers: response.headers as Record<string, unknown> };
  };
}

function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && 'name' in reason && reason.name === 'TimeoutError';
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

/** A plain copy of a transport error: axios errors carry the request config, including auth headers. */
function sanitizedCause(err: unknown, code: string | undefined, redact: (text: string) => string): Error {
  const cause = new Error(redact(err instanceof Error ? err.message : String(err)));
  cause.name = err instanceof Error ? err.name : 'Error';
  if (code !== undefined) Object.assign(cause, { code });
  return cause;
}

function redirectTarget(location: unknown, redact: (text: string) => string): string {
  const text = typeof location === 'string' ? location : '';
  if (text === '') return '';
  try {
    return redact(stripUserinfo(text));
  } catch {
    return 'another address';
  }
}
