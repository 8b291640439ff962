/** What an error line says happened, as hypothesis rules test it (`when: { log: pool-timeout }`). */
export const LOG_SIGNATURES = [
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
] as const;
export type LogSignatureName = (typeof LOG_SIGNATURES)[number];
