import {
  type DatasourceError,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  MalformedResponseError,
  QueryCanceledError,
  QueryExecutionError,
  QueryRejectedError,
} from '../../domain/errors.js';
import type { Series } from '../../domain/ports.js';
import {
  answerDetails,
  describeBody,
  parseJson,
  readDocumented,
  type SourceAt,
  summarizeIssues,
} from '../http/answer-text.js';
import type { HttpResponse } from '../http/http-request.js';
import { type Envelope, EnvelopeReader, type QueryData, type Reader } from './wire.js';

const COMPATIBLE = 'Check that PROMETHEUS_URL points at a Prometheus-compatible API.';

/** What one answer was asked for: the endpoint and the query errors name. */
export interface Asked {
  path: string;
  query?: string;
}

/**
 * The `data` of a Prometheus API answer read with `reader`, or the typed error the answer means: an API error
 * (`errorType`), a non-JSON or undocumented body, a 503 while starting up, or an HTTP status from a proxy.
 */
export function readAnswer<T>(response: HttpResponse, reader: Reader<T>, at: SourceAt, asked: Asked): T {
  const { status } = response;
  const where = `${at.label} at ${at.url}`;
  const details = answerDetails(at, status, asked.query);
  if (status >= 200 && status < 300) {
    const envelope = readDocumented(response, at, asked, {
      reader: EnvelopeReader,
      elsewhere: 'a UI',
      unlike: 'JSON that is not a Prometheus API answer',
      advice: COMPATIBLE,
    });
    if (envelope.status === 'error') throw apiError(envelope, response, at, asked);
    const data = reader.safeParse(envelope.data);
    if (!data.success) {
      throw new MalformedResponseError(
        `${where} answered ${asked.path} with data in an undocumented shape (${summarizeIssues(data.error)}). ${COMPATIBLE}`,
        details,
      );
    }
    return data.data;
  }
  const json = parseJson(response.body);
  if (json !== undefined) {
    const envelope = EnvelopeReader.safeParse(json.value);
    if (envelope.success && envelope.data.status === 'error') throw apiError(envelope.data, response, at, asked);
  }
  if (status === 503 && response.body.trim() === 'Service Unavailable') {
    throw new DatasourceUnavailableError(
      `${where} is not ready yet (HTTP 503 Service Unavailable): it is probably starting up or replaying its ` +
        'write-ahead log. Wait until /-/ready answers 200, then try again.',
      details,
    );
  }
  throw new DatasourceHttpError(httpErrorMessage(response, where, asked.path), details);
}

function httpErrorMessage(response: HttpResponse, where: string, path: string): string {
  const { status } = response;
  const what = describeBody(response);
  if (status >= 300 && status < 400) {
    const target = response.location === '' ? 'another address' : response.location;
    return (
      `${where} redirected ${path} to ${target} (HTTP ${status}). ` +
      'Set PROMETHEUS_URL to the address Prometheus answers on directly.'
    );
  }
  if (status === 401 || status === 403) {
    return `${where} refused ${path} with HTTP ${status} (${what}). Check the credentials configured for Prometheus.`;
  }
  if (status === 404) {
    return (
      `${where} answered HTTP 404 (${what}) for ${path}. Check that PROMETHEUS_URL is the Prometheus base URL, ` +
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

function apiError(envelope: Envelope, response: HttpResponse, at: SourceAt, asked: Asked): DatasourceError {
  const where = `${at.label} at ${at.url}`;
  const reason = response.redact(envelope.error ?? 'no error message');
  const details = answerDetails(at, response.status, asked.query);
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
        `${where} answered not found for ${asked.path}: ${reason}. Check that PROMETHEUS_URL points at a ` +
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

/** A query answer as series; a string result is rejected (Triage reads numbers only). */
export function toSeries(data: QueryData, at: SourceAt, asked: Asked): Series[] {
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
        answerDetails(at, undefined, asked.query),
      );
  }
}
