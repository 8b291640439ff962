/**
 * Every error Triage raises on purpose. Each has a stable `code` (documented in the README's error table)
 * and a message that says what to do. Adapters translate library errors into these at the boundary, so the
 * engine and the surfaces never see an AxiosError or a ZodError.
 */
export const ERROR_CODES = [
  'config_invalid',
  'usage_invalid',
  'symptom_invalid',
  'playbook_invalid',
  'query_unsafe',
  'datasource_unreachable',
  'datasource_timeout',
  'datasource_http',
  'datasource_malformed',
  'query_rejected',
  'query_execution',
  'query_canceled',
  'datasource_internal',
  'datasource_not_found',
  'datasource_unavailable',
  'datasource_circuit_open',
  'deadline_exceeded',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends AppError {
  readonly code = 'config_invalid' as const;
}

export class UsageError extends AppError {
  readonly code = 'usage_invalid' as const;
}

export class SymptomError extends AppError {
  readonly code = 'symptom_invalid' as const;
}

/** A problem found in one playbook file; `path` is the dot path inside the file (e.g. `steps.2.query`). */
export interface PlaybookProblem {
  file: string;
  path: string;
  message: string;
}

export class PlaybookError extends AppError {
  readonly code = 'playbook_invalid' as const;
  readonly problems: readonly PlaybookProblem[];
  constructor(problems: readonly PlaybookProblem[]) {
    super(
      `${problems.length} playbook problem(s):\n${problems
        .map((p) => `  ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}

/** A value from user text that cannot be written safely into a query (for example a lone UTF-16 surrogate). */
export class UnsafeQueryValueError extends AppError {
  readonly code = 'query_unsafe' as const;
}

export type DatasourceName = 'prometheus' | 'loki' | 'elasticsearch';

export interface DatasourceErrorDetails {
  source: DatasourceName;
  /** Base URL of the source, never with credentials. */
  url: string;
  status?: number;
  query?: string;
  cause?: unknown;
}

/** Base of every failure talking to a data source. `retryable` says whether one more try may help. */
export abstract class DatasourceError extends AppError {
  readonly source: DatasourceName;
  readonly url: string;
  readonly status: number | undefined;
  readonly query: string | undefined;
  abstract readonly retryable: boolean;
  constructor(message: string, details: DatasourceErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.source = details.source;
    this.url = details.url;
    this.status = details.status;
    this.query = details.query;
  }
}

/** Connection refused, DNS failure, reset: the source could not be reached at all. */
export class DatasourceUnreachableError extends DatasourceError {
  readonly code = 'datasource_unreachable' as const;
  readonly retryable = true;
}

/** The source did not answer within the per-query timeout, or reported `errorType: timeout`. */
export class DatasourceTimeoutError extends DatasourceError {
  readonly code = 'datasource_timeout' as const;
  readonly retryable = true;
}

/** An HTTP status with no documented error body (e.g. an HTML page from a proxy, a plain-text 404). */
export class DatasourceHttpError extends DatasourceError {
  readonly code = 'datasource_http' as const;
  get retryable(): boolean {
    return this.status !== undefined && this.status >= 500;
  }
}

/** A 2xx answer whose body is not what the API documents (truncated JSON, HTML, wrong shape). */
export class MalformedResponseError extends DatasourceError {
  readonly code = 'datasource_malformed' as const;
  readonly retryable = false;
}

/** `errorType: bad_data` — the query or its parameters are invalid. */
export class QueryRejectedError extends DatasourceError {
  readonly code = 'query_rejected' as const;
  readonly retryable = false;
}

/** `errorType: execution` — the query parsed but failed while evaluating (e.g. many-to-many matching). */
export class QueryExecutionError extends DatasourceError {
  readonly code = 'query_execution' as const;
  readonly retryable = false;
}

/** `errorType: canceled`. */
export class QueryCanceledError extends DatasourceError {
  readonly code = 'query_canceled' as const;
  readonly retryable = true;
}

/** `errorType: internal`. */
export class DatasourceInternalError extends DatasourceError {
  readonly code = 'datasource_internal' as const;
  readonly retryable = true;
}

/** `errorType: not_found`. */
export class DatasourceNotFoundError extends DatasourceError {
  readonly code = 'datasource_not_found' as const;
  readonly retryable = false;
}

/** `errorType: unavailable`, or a 503 while the source is starting up. */
export class DatasourceUnavailableError extends DatasourceError {
  readonly code = 'datasource_unavailable' as const;
  readonly retryable = true;
}

/**
 * The source kept failing, so Triage stopped querying it for a while (the circuit breaker is open): the step is not
 * measured, and the source is not hammered while it is down.
 */
export class DatasourceCircuitOpenError extends DatasourceError {
  readonly code = 'datasource_circuit_open' as const;
  readonly retryable = false;
}

/** The whole run's deadline passed before this query could finish. */
export class DeadlineExceededError extends AppError {
  readonly code = 'deadline_exceeded' as const;
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
