import {
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceUnavailableError,
  QueryRejectedError,
} from '../../domain/errors.js';
import {
  answerDetails,
  describeBody,
  isHtml,
  parseJson,
  readDocumented,
  type SourceAt,
  shorten,
} from '../http/answer-text.js';
import type { HttpResponse } from '../http/http-request.js';
import { ErrorResponse, type EsError, type Search, SearchResponse } from './wire.js';

const MESSAGE_CHARS = 300;

/** What one answer was asked for: the `_search` path and the serialized body errors name. */
export interface Asked {
  path: string;
  query: string;
}

/** A `_search` answer, or the typed error the answer means (Elasticsearch's error object when there is one). */
export function readAnswer(response: HttpResponse, at: SourceAt, asked: Asked): Search {
  const { status, body, contentType } = response;
  const where = `${at.label} at ${at.url}`;
  const details = answerDetails(at, status, asked.query);
  if (status >= 200 && status < 300) {
    return readDocumented(response, at, asked, {
      reader: SearchResponse,
      elsewhere: 'Kibana',
      advice: 'Check that ELASTICSEARCH_URL points at Elasticsearch or OpenSearch.',
    });
  }
  const json = parseJson(body);
  const parsed = json === undefined ? undefined : ErrorResponse.safeParse(json.value);
  const reason = parsed?.success ? response.redact(shorten(describeEsError(parsed.data), MESSAGE_CHARS)) : undefined;
  const what = reason ?? describeBody(response);
  if (status === 401 || status === 403) {
    throw new DatasourceHttpError(
      `${where} refused ${asked.path} with HTTP ${status} (${what}). Check ELASTICSEARCH credentials ` +
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
      `${where} answered HTTP 404 (${what}) for ${asked.path}. Check the index pattern and ELASTICSEARCH_URL.`,
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

/** `type: reason`, plus the first root cause when it says something else (e.g. under "all shards failed"). */
function describeEsError({ error }: EsError): string {
  if (typeof error === 'string') return error;
  const main = `${error.type}: ${error.reason ?? 'no reason given'}`;
  const root = error.root_cause?.[0] ?? error.caused_by;
  if (root === undefined || (root.type === error.type && root.reason === error.reason)) return main;
  return `${main} (${root.type}: ${root.reason ?? 'no reason given'})`;
}
