/**
 * What a metric's name says, read the way an engineer reads an unfamiliar dashboard: `billing_jobs_failed_total` counts
 * failures, `worker_pool_busy` is a pool's use, `queue_lag_seconds` a backlog. Used for families no convention maps.
 */

/** What a moved family points at; the `moved:` conditions of playbooks name these. */
export const MOVED_MEANINGS = [
  'errors',
  'peer-errors',
  'latency',
  'peer-latency',
  'backlog',
  'saturated',
  'pool-waits',
  'memory',
  'cpu',
  'throttled',
  'retries',
  'restarts',
  'traffic',
] as const;
export type MovedMeaning = (typeof MOVED_MEANINGS)[number];

/** The words of a name, camel case split too (`node_memory_MemAvailable_bytes` → node, memory, mem, available, bytes). */
function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const has = (t: readonly string[], words: readonly string[]) => t.some((w) => words.includes(w));

const ERROR = [
  'error',
  'errors',
  'err',
  'errs',
  'fail',
  'failed',
  'failure',
  'failures',
  'exception',
  'exceptions',
  'panic',
  'panics',
  '5xx',
  'fault',
  'faults',
  'rejected',
  'aborted',
  'dropped',
  'dead',
  'deadletter',
  'dlq',
];
const LATENCY = [
  'latency',
  'latencies',
  'duration',
  'durations',
  'time',
  'times',
  'elapsed',
  'rtt',
  'seconds',
  'ms',
  'milliseconds',
  'microseconds',
  'us',
];
const BACKLOG = [
  'queue',
  'queued',
  'queues',
  'backlog',
  'lag',
  'pending',
  'waiting',
  'wait',
  'inflight',
  'outstanding',
  'depth',
  'unacked',
  'ready',
  'progress',
  'inprogress',
  'concurrent',
  'concurrency',
];
const POOL = [
  'pool',
  'pools',
  'worker',
  'workers',
  'children',
  'threads',
  'thread',
  'connections',
  'connection',
  'conns',
  'slots',
  'busy',
  'active',
  'processes',
  'capacity',
];
const LIMIT = ['max', 'limit', 'maximum', 'capacity', 'size', 'total_slots'];
const MEMORY = ['memory', 'mem', 'heap', 'rss', 'resident'];
const CPU = ['cpu', 'cpus', 'throttled', 'throttling'];
const THROTTLE = ['ratelimit', 'ratelimited', 'throttled', '429', 'quota'];
const RETRY = ['retry', 'retries', 'retried', 'redelivered', 'requeued'];
const RESTART = [
  'restart',
  'restarts',
  'restarted',
  'crash',
  'crashes',
  'oom',
  'killed',
  'respawn',
  'respawns',
  'respawned',
  'harakiri',
  'segfault',
  'segfaults',
];
/** A pool of connections that callers wait on (a database handle's pool, HikariCP): not any "connections". */
const POOLED = ['pool', 'pools', 'db', 'database', 'connpool', 'datasource', 'hikari', 'hikaricp', 'sql', 'jdbc'];
const WAITING = ['wait', 'waits', 'waiting', 'waited', 'pending', 'acquire', 'blocked', 'starved'];
const PEER = [
  'client',
  'outbound',
  'upstream',
  'downstream',
  'egress',
  'calls',
  'call',
  'external',
  'remote',
  'dependency',
  'peer',
  'backend',
  'api',
  'http_client',
];
const TRAFFIC = [
  'requests',
  'request',
  'req',
  'reqs',
  'rps',
  'qps',
  'hits',
  'messages',
  'jobs',
  'tasks',
  'events',
  'received',
  'handled',
  'processed',
  'served',
  'calls',
];

/** Families that never mean an incident by moving: timestamps, build and version info, creation times. */
export function isBookkeeping(name: string): boolean {
  return /(?:_start_time_seconds|_created|_timestamp(?:_seconds)?|_info|_build_info|_last_[a-z_]*_seconds|_boot_time_seconds)$/.test(
    name,
  );
}

/**
 * What a family's movement means, from its name (and a status class it was split by): errors rising on the
 * service itself, a peer's errors or slowness, a backlog, a pool at its limit, memory, CPU, throttling, retries,
 * restarts, or traffic. Undefined when the name says nothing an engineer would act on.
 */
export function meaningOf(
  name: string,
  statusClass?: string,
  up = true,
  level = true,
  service?: string,
): MovedMeaning | undefined {
  // The service's own name says nothing of what moved: survey_api_request_duration is no call to an API.
  const own = new Set(service ? tokens(service) : []);
  const t = tokens(name.replace(/_(?:total|count|sum|bucket)$/, '')).filter((x) => !own.has(x));
  const peer = has(t, PEER) || t.some((x) => /client|outbound|upstream/.test(x));
  if (statusClass === '5xx' || (statusClass === undefined && has(t, ERROR)))
    return up ? (peer ? 'peer-errors' : 'errors') : undefined;
  // CPU throttling (`container_cpu_cfs_throttled_seconds_total`) is CPU, not a peer's rate limit.
  if (has(t, ['cpu', 'cpus', 'cfs']) && statusClass === undefined) return up ? 'cpu' : undefined;
  if (statusClass === '429' || has(t, THROTTLE) || /rate_?limit/.test(name)) return up ? 'throttled' : undefined;
  if (has(t, RETRY)) return up ? 'retries' : undefined;
  if (has(t, RESTART)) return up ? 'restarts' : undefined;
  // Memory left falling (`node_memory_MemAvailable_bytes`) is memory used rising.
  if (has(t, MEMORY) && has(t, ['available', 'free'])) return !up && level ? 'memory' : undefined;
  // Memory is a level: an allocation counter rising is work, not a leak.
  if (has(t, MEMORY) && !has(t, ['available', 'free', 'allocated', 'allocations', 'allocs']))
    return up && level ? 'memory' : undefined;
  if (has(t, CPU)) return up ? 'cpu' : undefined;
  // "max children reached", "pool exhausted": a limit was hit.
  if ((has(t, POOL) || has(t, POOLED)) && has(t, ['reached', 'exhausted', 'exceeded']))
    return up ? 'saturated' : undefined;
  // Callers waiting for a pooled connection (sql.DB's wait count, a pool's pending acquires): the pool is full.
  if (has(t, POOLED) && has(t, WAITING) && !has(t, LIMIT)) return up ? 'pool-waits' : undefined;
  if (has(t, BACKLOG)) return up ? 'backlog' : undefined;
  if (has(t, POOL) && !has(t, LIMIT) && !has(t, ['idle', 'free', 'available'])) return up ? 'saturated' : undefined;
  if (has(t, LATENCY)) return up ? (peer ? 'peer-latency' : 'latency') : undefined;
  // Work arriving is a rate: a level named after jobs (a scheduled set's size) is not traffic.
  if (has(t, TRAFFIC) && !level && (statusClass === undefined || statusClass === '2xx'))
    return up ? 'traffic' : undefined;
  return undefined;
}

/** A family naming a limit for another (`worker_pool_max` for `worker_pool_busy`), by the tokens they share. */
export function limitFor(name: string, names: Iterable<string>): string | undefined {
  const t = tokens(name).filter((x) => !POOL.includes(x) || x === 'pool' || x === 'worker' || x === 'workers');
  let best: { name: string; shared: number } | undefined;
  for (const other of names) {
    if (other === name) continue;
    const o = tokens(other);
    if (!has(o, LIMIT)) continue;
    const shared = t.filter((x) => o.includes(x)).length;
    if (shared >= Math.max(1, t.length - 2) && (!best || shared > best.shared)) best = { name: other, shared };
  }
  return best?.name;
}
