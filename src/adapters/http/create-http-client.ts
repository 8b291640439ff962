import axios, { type AxiosInstance } from 'axios';

/** Options for {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Base URL of the API. Credentials in it (`http://user:pass@host`) are moved into basic auth. */
  baseURL: string;
  /** Per-request timeout in milliseconds; 0 means none. */
  timeoutMs: number;
  /** Extra headers sent with every request (for example `Authorization` or `X-Scope-OrgID`). */
  headers?: Readonly<Record<string, string>>;
  /** Redirects to follow; default 0, so the adapter reports a redirect instead of re-sending a POST as a GET. */
  maxRedirects?: number;
  /**
   * Whether to ask for compressed answers (default true). Off, the server is asked for `identity`: small answers
   * cost both ends more CPU to gzip and gunzip than they save on the wire (a compressed answer is still read).
   */
  compress?: boolean;
}

/**
 * Creates an axios instance that returns every answer as raw text and never throws on an HTTP status, so the
 * adapter maps statuses and malformed bodies itself; it ignores proxy environment variables.
 */
export function createHttpClient(options: HttpClientOptions): AxiosInstance {
  const { url, username, password } = splitCredentials(options.baseURL);
  return axios.create({
    baseURL: url,
    timeout: options.timeoutMs,
    headers: {
      Accept: 'application/json',
      ...(options.compress === false ? { 'Accept-Encoding': 'identity' } : {}),
      ...options.headers,
    },
    ...(username === undefined && password === undefined
      ? {}
      : { auth: { username: username ?? '', password: password ?? '' } }),
    proxy: false,
    maxRedirects: options.maxRedirects ?? 0,
    responseType: 'text',
    responseEncoding: 'utf8',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });
}

/** Whether `url` parses as an http(s) URL. */
export function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Returns `url` without its user name and password, and without a trailing slash, so it can appear in messages. */
export function stripUserinfo(url: string): string {
  return splitCredentials(url).url;
}

interface SplitUrl {
  url: string;
  username?: string;
  password?: string;
}

function splitCredentials(raw: string): SplitUrl {
  const parsed = new URL(raw);
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString().replace(/\/+$/, '');
  return {
    url,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}
