import {
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  QueryCanceledError,
  QueryRejectedError,
} from '../../domain/errors.js';
import { answerDetails, describeBody, isHtml, readDocumented, type SourceAt, shorten } from '../http/answer-text.js';
import type { HttpResponse } from '../http/http-request.js';
import { EnvelopeResponse, type QueryData } from './wire.js';

const MESSAGE_CHARS = 300;

/** What one answer was asked for: the endpoint and the LogQL errors name. */
export interface Asked {
  path: string;
  query: string;
}

/**
 * The `data` of a Loki query answer, or the typed error the answer means. Loki's own errors are plain text with a
 * 4xx/5xx status (pkg/util/server/error.go): the body is the message.
 */
export function readAnswer(response: HttpResponse, at: SourceAt, asked: Asked): QueryData {
  const { status, body } = response;
  const where = `${at.label} at ${at.url}`;
  const details = answerDetails(at, status, asked.query);
  if (status >= 200 && status < 300) {
    const expected = { reader: EnvelopeResponse, elsewhere: 'Grafana', advice: 'Check that LOKI_URL points at Loki.' };
    return readDocumented(response, at, asked, expected).data;
  }
  if (isHtml(body, response.contentType) || (status >= 300 && status < 400)) {
    throw new DatasourceHttpError(httpErrorMessage(response, where, asked.path), details);
  }
  const reason = response.redact(shorten(body.trim() === '' ? 'no error message' : body.trim(), MESSAGE_CHARS));
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
      throw new DatasourceHttpError(httpErrorMessage(response, where, asked.path), details);
  }
}

function httpErrorMessage(response: HttpResponse, where: string, path: string): string {
  const { status } = response;
  const what = describeBody(response);
  if (status >= 300 && status < 400) {
    return `${where} redirected ${path} (HTTP ${status}). Set LOKI_URL to the address Loki answers on directly.`;
  }
  if (status === 401 || status === 403) {
    return `${where} refused ${path} with HTTP ${status} (${what}). Check the credentials and tenant configured for Loki.`;
  }
  if (status === 404) {
    return (
      `${where} answered HTTP 404 (${what}) for ${path}. Check that LOKI_URL is the Loki base URL, ` +
      'including any path prefix and without /loki/api/v1.'
    );
  }
  return (
    `${where} answered HTTP ${status} with ${what} instead of Loki's answer. A proxy in front of Loki may be ` +
    'failing: check it, and that Loki is running.'
  );
}
