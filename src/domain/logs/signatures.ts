/**
 * What the new error lines say happened, as hypothesis rules test it (`when: { log: pool-timeout }`): only patterns
 * that are new or rose beyond chance against the baseline count, so the errors a service always logs never fire a rule.
 */
export const LINE_SIGNATURES = [
  'connection-refused',
  'pool-timeout',
  'out-of-memory',
  'too-many-open-files',
  'rate-limited',
  'timeout',
  'exception',
  'upstream-5xx',
  'thread-exhaustion',
  'deadlock',
  'db-error',
  'dependency-unavailable',
] as const;

/** What the patterns show beside what their lines say. */
export const PATTERN_FINDINGS = [
  /** An error pattern new against the baseline, or risen well beyond chance. */
  'new-errors',
  /** New errors that came only from the pods (or version) of a rollout inside the window. */
  'rollout',
  /** New failed calls whose lines name the service, host or address called. */
  'names-callee',
  /** Out of memory at two or more separate times in the window. */
  'repeated-out-of-memory',
] as const;

/** Every name a `log:` condition may test: what lines say, then what the patterns show. */
export const LOG_SIGNATURES = [...LINE_SIGNATURES, ...PATTERN_FINDINGS] as const;
export type LogSignatureName = (typeof LOG_SIGNATURES)[number];
