/** The cause taxonomy (causes.md). Every hypothesis names exactly one of these. */
export const CAUSES = [
  'app-crash',
  'bad-deploy',
  'app-error',
  'db-slow',
  'connection-pool-exhausted',
  'memory-leak',
  'resource-leak',
  'cpu-saturation',
  'traffic-surge',
  'dependency-failure',
  'rate-limited',
] as const;
export type Cause = (typeof CAUSES)[number];

export const CAUSE_TITLES: Readonly<Record<Cause, string>> = {
  'app-crash': 'The process crashed or is crash-looping',
  'bad-deploy': 'A recent deploy or config change introduced the fault',
  'app-error': 'A code bug raises errors on some paths',
  'db-slow': 'Slow database queries',
  'connection-pool-exhausted': 'The connection pool is exhausted',
  'memory-leak': 'Memory grows without being released',
  'resource-leak': 'Threads, file descriptors or connections leak',
  'cpu-saturation': 'CPU-bound or throttled',
  'traffic-surge': 'Load above capacity',
  'dependency-failure': 'A dependency fails or is slow',
  'rate-limited': 'A dependency (or our edge) is throttling us',
};
