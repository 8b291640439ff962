import type { z } from 'zod';
import { type DatasourceErrorDetails, MalformedResponseError } from '../../domain/errors.js';
import type { HttpResponse, SourceNaming } from './http-request.js';

/** Reading a data source's answer as text, and describing it in messages without credentials. */

const SNIPPET_CHARS = 120;
const TRUNCATED_JSON = 'truncated or invalid JSON';

export function parseJson(body: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return undefined;
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

/** A short, credential-free description of an answer that is not the API's JSON, for error messages. */
export function describeBody({ body, contentType, redact }: HttpResponse): string {
  const trimmed = body.trim();
  if (trimmed === '') return 'an empty body';
  if (isHtml(trimmed, contentType)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
    const text = shorten(title ?? trimmed.replace(/<[^>]*>/g, ' '), SNIPPET_CHARS);
    return text === '' ? 'an HTML page' : `an HTML page ("${redact(text)}")`;
  }
  if (/^[[{]/.test(trimmed)) return TRUNCATED_JSON;
  return `plain text "${redact(shorten(trimmed, SNIPPET_CHARS))}"`;
}

/** A data source at its (credential-free) URL, as its adapter's messages name it. */
export interface SourceAt extends SourceNaming {
  url: string;
}

/** The details every error about one answer carries. */
export function answerDetails(
  at: SourceAt,
  status: number | undefined,
  query: string | undefined,
): DatasourceErrorDetails {
  return {
    source: at.source,
    url: at.url,
    ...(status === undefined ? {} : { status }),
    ...(query === undefined ? {} : { query }),
  };
}

/** What a 2xx answer must be, and what to say when it is not. */
export interface Documented<T> {
  reader: { safeParse(value: unknown): z.ZodSafeParseResult<T> };
  /** What the URL may point at instead, e.g. `Grafana`. */
  elsewhere: string;
  /** How JSON the reader refuses is described; default `JSON in an undocumented shape`. */
  unlike?: string;
  /** What to check when it is refused, e.g. `Check that LOKI_URL points at Loki.` */
  advice: string;
}

/**
 * A 2xx answer read as the API documents it, or a `MalformedResponseError`: a cut-off body (retry, check the
 * proxy), another service's page, or JSON of another shape.
 */
export function readDocumented<T>(
  response: HttpResponse,
  at: SourceAt,
  request: { path: string; query?: string },
  expected: Documented<T>,
): T {
  const where = `${at.label} at ${at.url}`;
  const details = answerDetails(at, response.status, request.query);
  const json = parseJson(response.body);
  if (json === undefined) {
    const what = describeBody(response);
    throw new MalformedResponseError(
      what === TRUNCATED_JSON
        ? `${where} answered ${request.path} with ${what}: the answer was cut off or garbled on the way. ` +
            `Try again; if it persists, check any proxy between Triage and ${at.label}.`
        : `${where} answered ${request.path} with ${what} instead of JSON. ` +
            `Check that ${at.envVar} points at the ${at.label} API and not at ${expected.elsewhere} or another service.`,
      details,
    );
  }
  const read = expected.reader.safeParse(json.value);
  if (read.success) return read.data;
  const unlike = expected.unlike ?? 'JSON in an undocumented shape';
  throw new MalformedResponseError(
    `${where} answered ${request.path} with ${unlike} (${summarizeIssues(read.error)}). ${expected.advice}`,
    details,
  );
}
