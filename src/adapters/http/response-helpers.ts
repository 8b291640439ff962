import { isAxiosError } from 'axios';
import type { z } from 'zod';
import {
  type DatasourceError,
  type DatasourceErrorDetails,
  DatasourceTimeoutError,
  DatasourceUnreachableError,
} from '../../domain/errors.js';

/** Helpers shared by the HTTP data-source adapters (Prometheus, Loki, Elasticsearch). */

/** Header names whose values are credentials: never echoed in errors. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|api-?key/i;

/** Strings that must never appear in a message: the URL's password and the values of secret-looking headers. */
export function collectSecrets(url: string, headers: Readonly<Record<string, string>>): string[] {
  const secrets = new Set<string>();
  const { username, password } = new URL(url);
  for (const value of [password, safeDecode(password), `${username}:${password}`]) secrets.add(value);
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    secrets.add(value);
    const credentials = /^\S+\s+(\S.*)$/.exec(value)?.[1];
    if (credentials !== undefined) secrets.add(credentials);
  }
  return [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

export function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && 'name' in reason && reason.name === 'TimeoutError';
}

export function parseJson(body: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

export function isHtml(body: string, contentType: string): boolean {
  return /html/i.test(contentType) || /^\s*<(!doctype|html|head|body)\b/i.test(body);
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export interface TransportContext {
  /** e.g. `Prometheus at http://prom:9090` */
  where: string;
  path: string;
  timeoutMs: number;
  /** What to do when the source is slow, e.g. `Narrow the window; if Loki is just slow, raise the timeout.` */
  slowAdvice: string;
  /** The environment variable holding the URL, e.g. `LOKI_URL`. */
  envVar: string;
  /** How the source is named in "and that … is running". */
  runningName: string;
  details: DatasourceErrorDetails;
  /** The most specific error code the adapter found in the error chain (`ECONNREFUSED`, `ENOTFOUND`). */
  code: string | undefined;
}

/** A transport failure (no HTTP answer) as the typed error the engine understands: timeout or unreachable. */
export function transportError(err: unknown, timedOut: boolean, ctx: TransportContext): DatasourceError {
  const { code } = ctx;
  const axiosTimeout = isAxiosError(err) && err.message.startsWith('timeout of ');
  if (timedOut || axiosTimeout) {
    return new DatasourceTimeoutError(
      `${ctx.where} did not answer ${ctx.path} within ${ctx.timeoutMs} ms. ${ctx.slowAdvice}`,
      ctx.details,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new DatasourceUnreachableError(
      `${ctx.where} could not be reached (${code}: the host name does not resolve). Check the host in ${ctx.envVar}.`,
      ctx.details,
    );
  }
  return new DatasourceUnreachableError(
    `${ctx.where} could not be reached (${code ?? 'network error'}). Check ${ctx.envVar} and that ${ctx.runningName} is running.`,
    ctx.details,
  );
}
