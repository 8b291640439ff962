/**
 * Exporters of the data stores, caches and queues a service uses, each scraped on its own schedule
 * (`ServiceModel.exporters`): postgres_exporter, pgbouncer_exporter, mysqld_exporter, redis_exporter, percona
 * mongodb_exporter, memcached_exporter, kafka_exporter and RabbitMQ's built-in rabbitmq_prometheus plugin.
 *
 * Names, types, labels and units follow /work/research/datastores.md (read from each exporter's source). Counters
 * the exporter exposes without `_total` (pg_stat_database_*, mysql_global_status_* are untyped) keep their bare
 * names. Every exporter writes its scrape's `up`; a store that is down shows as `<x>_up 0` with `up` still 1.
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache } from './accumulators.js';
import { hash32, type Noise } from './noise.js';
import { scrapedAt } from './simulate.js';
import type { ExporterModel } from './types.js';
import { Scrape } from './write.js';

/** Where an exporter is scraped: its target labels (job, instance, namespace, pod, …). */
export interface ExporterTarget {
  target: Labels;
  /** A text that fixes the scrape phase (default: the instance). */
  seed?: string;
}

function phaseOf(text: string): { phase: number; ms: number } {
  const h = hash32(text);
  return { phase: 5 * (h % 12), ms: 1 + ((h >>> 8) % 998) };
}

/**
 * A cumulative counter defined by its rate over time, integrated in steps of at most a minute from `origin`:
 * exporters are only called inside the windows, yet their counters keep counting in the gaps.
 */
export class Integrator {
  #t: number;
  #value: number;

  constructor(origin: number, initial = 0) {
    this.#t = origin;
    this.#value = initial;
  }

  /** The counter at t for a rate function (per second); t never goes back. */
  at(t: number, rate: (tau: number) => number): number {
    while (this.#t < t) {
      const step = Math.min(60, t - this.#t);
      this.#value += Math.max(0, rate(this.#t + step / 2)) * step;
      this.#t += step;
    }
    return this.#value;
  }
}

/** Calls `body` when the exporter is scraped at t (once a minute, at its own phase). */
function scrapeOf(handles: HandleCache, where: ExporterTarget, t: number, body: (s: Scrape, t: number) => void): void {
  const seed = where.seed ?? where.target.instance ?? JSON.stringify(where.target);
  const { phase, ms } = phaseOf(seed);
  if (!scrapedAt(phase, t)) return;
  const s = new Scrape(handles, seed, where.target, t - ms / 1000);
  s.declare('up', 'gauge', 'Whether the last scrape of the target succeeded (written by Prometheus).');
  s.g('up', {}, 1);
  body(s, t);
}

// ---------------------------------------------------------------------------------------------------------------
// postgres_exporter (≥ 0.20: pg_stat_activity and pg_settings from standalone collectors, no `server` label).

export interface PgDatabase {
  datname: string;
  usename: string;
  applicationName: string;
  connections(t: number): { active: number; idle: number; idleInTransaction: number };
  /** Longest running transaction among active connections (seconds). */
  maxTxSeconds(t: number): number;
  /** Longest transaction idle in transaction (seconds). */
  maxIdleInTxSeconds?(t: number): number;
  /** Locks held or awaited, by lower-case mode (accesssharelock, rowexclusivelock, …). */
  locks(t: number): Readonly<Record<string, number>>;
  /** Commits and rollbacks per second. */
  commitsPerSecond(t: number): number;
  rollbacksPerSecond?(t: number): number;
  datid: string;
}

const PG_LOCK_MODES = [
  'accessexclusivelock',
  'accesssharelock',
  'exclusivelock',
  'rowexclusivelock',
  'rowsharelock',
  'sharelock',
  'sharerowexclusivelock',
  'shareupdateexclusivelock',
  'sireadlock',
];

export function postgresExporter(
  where: ExporterTarget,
  db: PgDatabase,
  options: { maxConnections: number; up?: (t: number) => boolean; origin: number },
): ExporterModel {
  const commits = new Integrator(options.origin, 1.8e7);
  const rollbacks = new Integrator(options.origin, 4.1e3);
  return {
    emit(_model, handles, noise: Noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare(
          'pg_up',
          'gauge',
          'Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).',
        );
        const up = options.up?.(t) ?? true;
        s.g('pg_up', {}, up ? 1 : 0);
        if (!up) return;
        s.declare('pg_settings_max_connections', 'gauge', 'Sets the maximum number of concurrent connections.');
        s.g('pg_settings_max_connections', {}, options.maxConnections);
        s.declare('pg_stat_activity_count', 'gauge', 'number of connections in this state');
        s.declare(
          'pg_stat_activity_max_tx_duration',
          'gauge',
          'max duration in seconds any active transaction has been running',
        );
        const c = db.connections(t);
        const app = {
          datname: db.datname,
          usename: db.usename,
          application_name: db.applicationName,
          backend_type: 'client backend',
        };
        const states: ReadonlyArray<readonly [string, number]> = [
          ['active', c.active],
          ['idle', c.idle],
          ['idle in transaction', c.idleInTransaction],
        ];
        for (const [state, n] of states) s.g('pg_stat_activity_count', { ...app, state }, Math.max(0, Math.round(n)));
        const exporter = {
          datname: 'postgres',
          usename: 'postgres_exporter',
          application_name: '',
          backend_type: 'client backend',
        };
        s.g('pg_stat_activity_count', { ...exporter, state: 'active' }, 1);
        const maxTx = Math.max(0, db.maxTxSeconds(t) * (1 + 0.08 * noise.white(`pg-tx:${db.datname}`, t)));
        s.g('pg_stat_activity_max_tx_duration', { ...app, state: 'active' }, round6(maxTx));
        const iit = c.idleInTransaction >= 0.5 ? (db.maxIdleInTxSeconds?.(t) ?? 0.004) : 0;
        s.g('pg_stat_activity_max_tx_duration', { ...app, state: 'idle in transaction' }, round6(iit));
        s.g('pg_stat_activity_max_tx_duration', { ...app, state: 'idle' }, 0);
        s.g('pg_stat_activity_max_tx_duration', { ...exporter, state: 'active' }, 0.001);
        s.declare('pg_locks_count', 'gauge', 'Number of locks');
        const locks = db.locks(t);
        for (const mode of PG_LOCK_MODES) {
          s.g('pg_locks_count', { datname: db.datname, mode }, Math.max(0, Math.round(locks[mode] ?? 0)));
          s.g('pg_locks_count', { datname: 'postgres', mode }, mode === 'accesssharelock' ? 1 : 0);
        }
        s.declare('pg_stat_database_numbackends', 'gauge', 'Number of backends currently connected to this database.');
        const total = Math.round(c.active) + Math.round(c.idle) + Math.round(c.idleInTransaction);
        s.g('pg_stat_database_numbackends', { datid: db.datid, datname: db.datname }, total);
        s.declare(
          'pg_stat_database_xact_commit',
          'counter',
          'Number of transactions in this database that have been committed',
        );
        s.declare(
          'pg_stat_database_xact_rollback',
          'counter',
          'Number of transactions in this database that have been rolled back',
        );
        const ids = { datid: db.datid, datname: db.datname };
        s.g('pg_stat_database_xact_commit', ids, Math.round(commits.at(t, db.commitsPerSecond)));
        s.g(
          'pg_stat_database_xact_rollback',
          ids,
          Math.round(rollbacks.at(t, (x) => db.rollbacksPerSecond?.(x) ?? 0.01)),
        );
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// pgbouncer_exporter (≥ 0.11: pgbouncer_stats_totals_*).

export interface PgBouncerPool {
  /** The PgBouncer alias (`pgbouncer_databases_*{name}`) and real database (`database`). */
  database: string;
  user: string;
  host: string;
  poolSize: number;
  maxClientConnections: number;
  clients(t: number): { active: number; waiting: number; maxWaitSeconds: number };
  serversActive(t: number): number;
  queriesPerSecond(t: number): number;
  /** Mean query time (seconds). */
  queryTime(t: number): number;
}

export function pgbouncerExporter(where: ExporterTarget, pool: PgBouncerPool, origin: number): ExporterModel {
  const queries = new Integrator(origin, 3.2e8);
  const queryTime = new Integrator(origin, 9.1e5);
  const wait = new Integrator(origin, 40);
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('pgbouncer_up', 'gauge', 'The pgbouncer scrape was successful');
        s.g('pgbouncer_up', {}, 1);
        const c = pool.clients(t);
        const ids = { database: pool.database, user: pool.user };
        const pools: ReadonlyArray<readonly [string, string, number]> = [
          [
            'pgbouncer_pools_client_active_connections',
            'Client connections linked to server connection and able to process queries, shown as connection',
            c.active,
          ],
          [
            'pgbouncer_pools_client_waiting_connections',
            'Client connections waiting on a server connection, shown as connection',
            c.waiting,
          ],
          [
            'pgbouncer_pools_server_active_connections',
            'Server connections linked to a client connection, shown as connection',
            pool.serversActive(t),
          ],
          [
            'pgbouncer_pools_server_idle_connections',
            'Server connections idle and ready for a client query, shown as connection',
            Math.max(0, pool.poolSize - Math.round(pool.serversActive(t)) - 2),
          ],
          [
            'pgbouncer_pools_server_used_connections',
            'Server connections idle more than server_check_delay, needing server_check_query, shown as connection',
            0,
          ],
        ];
        for (const [name, help, value] of pools) {
          s.declare(name, 'gauge', help);
          s.g(name, ids, Math.max(0, Math.round(value)));
        }
        s.declare(
          'pgbouncer_pools_client_maxwait_seconds',
          'gauge',
          'Age of oldest unserved client connection, shown as second',
        );
        s.g('pgbouncer_pools_client_maxwait_seconds', ids, round6(c.maxWaitSeconds));
        s.declare('pgbouncer_databases_pool_size', 'gauge', 'Maximum number of server connections');
        s.g(
          'pgbouncer_databases_pool_size',
          {
            name: pool.database,
            host: pool.host,
            port: '5432',
            database: pool.database,
            force_user: '',
            pool_mode: 'transaction',
          },
          pool.poolSize,
        );
        s.declare('pgbouncer_config_max_client_connections', 'gauge', 'Config maximum number of client connections');
        s.g('pgbouncer_config_max_client_connections', {}, pool.maxClientConnections);
        s.declare('pgbouncer_stats_totals_queries_pooled', 'counter', 'Total number of SQL queries pooled');
        s.declare(
          'pgbouncer_stats_totals_queries_duration_seconds',
          'counter',
          'Total number of seconds spent by pgbouncer when actively connected to PostgreSQL, executing queries',
        );
        s.declare(
          'pgbouncer_stats_totals_client_wait_seconds',
          'counter',
          'Time spent by clients waiting for a server in seconds',
        );
        const db = { database: pool.database };
        const qps = (x: number) => pool.queriesPerSecond(x) * (1 + 0.03 * noise.white('pgb-q', x));
        s.c('pgbouncer_stats_totals_queries_pooled', db, Math.round(queries.at(t, qps)));
        s.c(
          'pgbouncer_stats_totals_queries_duration_seconds',
          db,
          round6(queryTime.at(t, (x) => qps(x) * pool.queryTime(x))),
        );
        s.c('pgbouncer_stats_totals_client_wait_seconds', db, round6(wait.at(t, (x) => pool.clients(x).waiting * 0.5)));
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// mysqld_exporter (global_status untyped, connection_errors_total a counter, global_variables gauges).

export interface MysqlServer {
  maxConnections: number;
  threadsConnected(t: number): number;
  threadsRunning(t: number): number;
  questionsPerSecond(t: number): number;
  slowQueriesPerSecond(t: number): number;
  /** Connections refused at max_connections per second. */
  maxConnectionErrorsPerSecond(t: number): number;
  uptimeOrigin: number;
}

export function mysqldExporter(where: ExporterTarget, server: MysqlServer, origin: number): ExporterModel {
  const questions = new Integrator(origin, 5.6e9);
  const slow = new Integrator(origin, 1214);
  const maxErrors = new Integrator(origin, 0);
  const aborted = new Integrator(origin, 311);
  let maxUsed = 0;
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('mysql_up', 'gauge', 'Whether the MySQL server is up.');
        s.g('mysql_up', {}, 1);
        const status: ReadonlyArray<readonly [string, string, number]> = [
          [
            'mysql_global_status_threads_connected',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.round(server.threadsConnected(t)),
          ],
          [
            'mysql_global_status_threads_running',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.max(1, Math.round(server.threadsRunning(t) * (1 + 0.2 * noise.white('my-run', t)))),
          ],
          [
            'mysql_global_status_questions',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.round(questions.at(t, server.questionsPerSecond)),
          ],
          [
            'mysql_global_status_slow_queries',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.round(slow.at(t, server.slowQueriesPerSecond)),
          ],
          [
            'mysql_global_status_aborted_connects',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.round(aborted.at(t, () => 0.0004)),
          ],
          [
            'mysql_global_status_uptime',
            'Generic metric from SHOW GLOBAL STATUS.',
            Math.round(t - server.uptimeOrigin),
          ],
        ];
        for (const [name, help, value] of status) {
          s.declare(name, 'unknown', help);
          s.g(name, {}, value);
        }
        maxUsed = Math.max(maxUsed, Math.round(server.threadsConnected(t)));
        s.declare('mysql_global_status_max_used_connections', 'unknown', 'Generic metric from SHOW GLOBAL STATUS.');
        s.g('mysql_global_status_max_used_connections', {}, maxUsed);
        s.declare('mysql_global_status_connection_errors', 'counter', 'Total number of MySQL connection errors.');
        const errors = Math.round(maxErrors.at(t, server.maxConnectionErrorsPerSecond));
        for (const error of ['accept', 'internal', 'max_connections', 'peer_address', 'select', 'tcpwrap']) {
          s.c('mysql_global_status_connection_errors', { error }, error === 'max_connections' ? errors : 0);
        }
        s.declare(
          'mysql_global_variables_max_connections',
          'gauge',
          'Generic gauge metric from SHOW GLOBAL VARIABLES.',
        );
        s.g('mysql_global_variables_max_connections', {}, server.maxConnections);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// redis_exporter (v1.x: no addr label; the target is in `instance`).

export interface RedisServer {
  up(t: number): boolean;
  connectedClients(t: number): number;
  maxClients: number;
  commandsPerSecond(t: number): number;
  /** Mean command time (seconds). */
  commandTime(t: number): number;
  rejectedPerSecond?(t: number): number;
  usedMemoryBytes(t: number): number;
  maxMemoryBytes: number;
  /** Unix seconds the Redis process started (its counters restart with it). */
  starts: readonly number[];
  version: string;
}

export function redisExporter(where: ExporterTarget, redis: RedisServer): ExporterModel {
  const cmds: Array<readonly [string, number]> = [
    ['get', 0.62],
    ['set', 0.18],
    ['expire', 0.12],
    ['del', 0.08],
  ];
  let run = -1;
  let counters:
    | { commands: Integrator; duration: Integrator; rejected: Integrator; hits: Integrator; misses: Integrator }
    | undefined;
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('redis_up', 'gauge', 'Information about the Redis instance');
        const up = redis.up(t);
        s.g('redis_up', {}, up ? 1 : 0);
        s.declare('redis_exporter_last_scrape_error', 'gauge', 'The last scrape error status.');
        s.g('redis_exporter_last_scrape_error', { err: up ? '' : 'dial redis: unknown network redis' }, up ? 0 : 1);
        if (!up) return;
        let start = redis.starts[0] ?? 0;
        let index = 0;
        redis.starts.forEach((x, i) => {
          if (x <= t) {
            start = x;
            index = i;
          }
        });
        const restarted = index !== run && run >= 0;
        if (index !== run || !counters) {
          run = index;
          counters = {
            commands: new Integrator(start),
            duration: new Integrator(start),
            rejected: new Integrator(start),
            hits: new Integrator(start),
            misses: new Integrator(start),
          };
        }
        s.declare('redis_connected_clients', 'gauge', 'connected_clients metric');
        s.g('redis_connected_clients', {}, Math.round(redis.connectedClients(t)));
        s.declare('redis_blocked_clients', 'gauge', 'blocked_clients metric');
        s.g('redis_blocked_clients', {}, 0);
        s.declare('redis_config_maxclients', 'gauge', 'config_maxclients metric');
        s.g('redis_config_maxclients', {}, redis.maxClients);
        s.declare('redis_memory_used_bytes', 'gauge', 'memory_used_bytes metric');
        s.g('redis_memory_used_bytes', {}, Math.round(redis.usedMemoryBytes(t)));
        s.declare('redis_memory_max_bytes', 'gauge', 'memory_max_bytes metric');
        s.g('redis_memory_max_bytes', {}, redis.maxMemoryBytes);
        s.declare('redis_uptime_in_seconds', 'gauge', 'uptime_in_seconds metric');
        s.g('redis_uptime_in_seconds', {}, Math.round(t - start));
        const c = counters;
        const rate = (x: number) => redis.commandsPerSecond(x) * (1 + 0.03 * noise.white('redis-cmd', x));
        s.declare('redis_commands_processed', 'counter', 'commands_processed metric');
        s.c('redis_commands_processed', {}, Math.round(c.commands.at(t, rate)), { reset: restarted });
        s.declare('redis_rejected_connections', 'counter', 'rejected_connections metric');
        s.c('redis_rejected_connections', {}, Math.round(c.rejected.at(t, (x) => redis.rejectedPerSecond?.(x) ?? 0)), {
          reset: restarted,
        });
        s.declare('redis_keyspace_hits', 'counter', 'keyspace_hits metric');
        s.declare('redis_keyspace_misses', 'counter', 'keyspace_misses metric');
        s.c('redis_keyspace_hits', {}, Math.round(c.hits.at(t, (x) => rate(x) * 0.62 * 0.93)), { reset: restarted });
        s.c('redis_keyspace_misses', {}, Math.round(c.misses.at(t, (x) => rate(x) * 0.62 * 0.07)), {
          reset: restarted,
        });
        // Per-command counters: shares of one total, so they stay consistent with commands_processed.
        s.declare('redis_commands', 'counter', 'Total number of calls per command');
        s.declare('redis_commands_duration_seconds', 'counter', 'Total amount of time in seconds spent per command');
        const total = c.commands.at(t, rate);
        const duration = c.duration.at(t, (x) => rate(x) * redis.commandTime(x));
        for (const [cmd, share] of cmds) {
          s.c('redis_commands', { cmd }, Math.round(total * share), { reset: restarted });
          s.c('redis_commands_duration_seconds', { cmd }, round6(duration * share), { reset: restarted });
        }
        s.declare('redis_instance_info', 'gauge', 'Information about the Redis instance');
        s.g(
          'redis_instance_info',
          {
            role: 'master',
            redis_version: redis.version,
            redis_mode: 'standalone',
            os: 'Linux 6.1.0 x86_64',
            maxmemory_policy: 'allkeys-lru',
            tcp_port: '6379',
          },
          1,
        );
        s.declare('redis_db_keys', 'gauge', 'Total number of keys by DB');
        s.g('redis_db_keys', { db: 'db0' }, Math.round(41_000 + 3000 * noise.smooth('redis-keys', t, 3600)));
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// percona mongodb_exporter (--collect-all: serverStatus as mongodb_ss_*, untyped).

export interface MongoServer {
  replicaSet: string;
  current(t: number): number;
  available(t: number): number;
  /** Operations per second and mean latency (seconds) by op_type (reads, writes, commands). */
  ops(t: number): Readonly<Record<'reads' | 'writes' | 'commands', { rate: number; latency: number }>>;
  origin: number;
}

export function mongodbExporter(where: ExporterTarget, mongo: MongoServer): ExporterModel {
  const types = ['reads', 'writes', 'commands'] as const;
  const ops = Object.fromEntries(types.map((x) => [x, new Integrator(mongo.origin, 1e6)])) as Record<
    string,
    Integrator
  >;
  const lat = Object.fromEntries(types.map((x) => [x, new Integrator(mongo.origin, 4e8)])) as Record<
    string,
    Integrator
  >;
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        const topo = { cl_id: '', cl_role: 'shardsvr', rs_nm: mongo.replicaSet, rs_state: '1' };
        s.declare('mongodb_up', 'gauge', 'Whether MongoDB is up.');
        s.g('mongodb_up', { cluster_role: 'mongod' }, 1);
        s.declare('mongodb_ss_connections', 'unknown', 'serverStatus.connections.');
        const current = Math.round(mongo.current(t));
        s.g('mongodb_ss_connections', { ...topo, conn_type: 'current' }, current);
        s.g('mongodb_ss_connections', { ...topo, conn_type: 'available' }, Math.round(mongo.available(t)));
        s.g('mongodb_ss_connections', { ...topo, conn_type: 'active' }, Math.max(1, Math.round(current * 0.2)));
        s.declare('mongodb_ss_opLatencies_latency', 'unknown', 'serverStatus.opLatencies.latency.');
        s.declare('mongodb_ss_opLatencies_ops', 'unknown', 'serverStatus.opLatencies.ops.');
        for (const op of types) {
          const rate = (x: number) => mongo.ops(x)[op].rate * (1 + 0.03 * noise.white(`mongo-${op}`, x));
          // Cumulative microseconds, as serverStatus reports them.
          const micros = lat[op]?.at(t, (x) => rate(x) * mongo.ops(x)[op].latency * 1e6) ?? 0;
          s.g('mongodb_ss_opLatencies_latency', { ...topo, op_type: op }, Math.round(micros));
          s.g('mongodb_ss_opLatencies_ops', { ...topo, op_type: op }, Math.round(ops[op]?.at(t, rate) ?? 0));
        }
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// memcached_exporter.

export interface MemcachedServer {
  currentConnections(t: number): number;
  maxConnections: number;
  getsPerSecond(t: number): number;
  hitRatio(t: number): number;
  setsPerSecond(t: number): number;
  limitBytes: number;
  usedBytes(t: number): number;
  evictionsPerSecond(t: number): number;
  origin: number;
}

export function memcachedExporter(where: ExporterTarget, mc: MemcachedServer): ExporterModel {
  const hits = new Integrator(mc.origin, 2.1e8);
  const misses = new Integrator(mc.origin, 1.4e7);
  const sets = new Integrator(mc.origin, 1.6e7);
  const evictions = new Integrator(mc.origin, 9100);
  const conns = new Integrator(mc.origin, 51_000);
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('memcached_up', 'gauge', 'Could the memcached server be reached.');
        s.g('memcached_up', {}, 1);
        s.declare('memcached_current_connections', 'gauge', 'Current number of open connections.');
        s.g('memcached_current_connections', {}, Math.round(mc.currentConnections(t)));
        s.declare('memcached_max_connections', 'gauge', 'Maximum number of clients allowed.');
        s.g('memcached_max_connections', {}, mc.maxConnections);
        s.declare(
          'memcached_connections',
          'counter',
          'Total number of connections opened since the server started running.',
        );
        s.c('memcached_connections', {}, Math.round(conns.at(t, () => 0.05)));
        s.declare(
          'memcached_connections_rejected',
          'counter',
          "Total number of connections rejected due to hitting the memcached's -c limit in maxconns_fast mode.",
        );
        s.c('memcached_connections_rejected', {}, 0);
        s.declare(
          'memcached_connections_listener_disabled',
          'counter',
          'Number of times that memcached has hit its connections limit and disabled its listener.',
        );
        s.c('memcached_connections_listener_disabled', {}, 0);
        s.declare(
          'memcached_commands',
          'counter',
          'Total number of all requests broken down by command (get, set, etc.) and status.',
        );
        const gets = (x: number) => mc.getsPerSecond(x) * (1 + 0.03 * noise.white('mc-get', x));
        s.c(
          'memcached_commands',
          { command: 'get', status: 'hit' },
          Math.round(hits.at(t, (x) => gets(x) * mc.hitRatio(x))),
        );
        s.c(
          'memcached_commands',
          { command: 'get', status: 'miss' },
          Math.round(misses.at(t, (x) => gets(x) * (1 - mc.hitRatio(x)))),
        );
        s.c('memcached_commands', { command: 'set', status: 'hit' }, Math.round(sets.at(t, mc.setsPerSecond)));
        s.declare('memcached_current_bytes', 'gauge', 'Current number of bytes used to store items.');
        s.g('memcached_current_bytes', {}, Math.round(mc.usedBytes(t)));
        s.declare('memcached_limit_bytes', 'gauge', 'Number of bytes this server is allowed to use for storage.');
        s.g('memcached_limit_bytes', {}, mc.limitBytes);
        s.declare(
          'memcached_items_evicted',
          'counter',
          'Total number of valid items removed from cache to free memory for new items.',
        );
        s.c('memcached_items_evicted', {}, Math.round(evictions.at(t, mc.evictionsPerSecond)));
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// kafka_exporter (danielqsj): lag per partition and its sum per topic.

export interface KafkaGroup {
  consumergroup: string;
  topic: string;
  partitions: number;
  members(t: number): number;
  /** Total lag of the group on the topic at t (messages). */
  lag(t: number): number;
  /** Messages produced per second to the topic. */
  producedPerSecond(t: number): number;
  origin: number;
}

export function kafkaExporter(where: ExporterTarget, groups: readonly KafkaGroup[]): ExporterModel {
  const produced = groups.map((g) => new Integrator(g.origin, 7.3e8));
  return {
    emit(_model, handles, noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('kafka_brokers', 'gauge', 'Number of Brokers in the Kafka Cluster.');
        s.g('kafka_brokers', {}, 3);
        s.declare('kafka_consumergroup_lag', 'gauge', 'Current Approximate Lag of a ConsumerGroup at Topic/Partition');
        s.declare(
          'kafka_consumergroup_lag_sum',
          'gauge',
          'Current Approximate Lag of a ConsumerGroup at Topic for all partitions',
        );
        s.declare(
          'kafka_consumergroup_current_offset',
          'gauge',
          'Current Offset of a ConsumerGroup at Topic/Partition',
        );
        s.declare('kafka_consumergroup_members', 'gauge', 'Amount of members in a consumer group');
        s.declare('kafka_topic_partition_current_offset', 'gauge', 'Current Offset of a Broker at Topic/Partition');
        groups.forEach((g, gi) => {
          const head = produced[gi]?.at(t, g.producedPerSecond) ?? 0;
          const total = Math.max(0, g.lag(t));
          let sum = 0;
          for (let p = 0; p < g.partitions; p++) {
            const share = (1 + 0.25 * noise.white(`kafka:${g.consumergroup}:${p}`, t)) / g.partitions;
            const lag = Math.max(0, Math.round(total * share));
            sum += lag;
            const end = Math.round(head / g.partitions);
            const partition = String(p);
            s.g('kafka_consumergroup_lag', { consumergroup: g.consumergroup, topic: g.topic, partition }, lag);
            s.g(
              'kafka_consumergroup_current_offset',
              { consumergroup: g.consumergroup, topic: g.topic, partition },
              Math.max(0, end - lag),
            );
            s.g('kafka_topic_partition_current_offset', { topic: g.topic, partition }, end);
          }
          s.g('kafka_consumergroup_lag_sum', { consumergroup: g.consumergroup, topic: g.topic }, sum);
          s.g('kafka_consumergroup_members', { consumergroup: g.consumergroup }, g.members(t));
        });
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// RabbitMQ's built-in rabbitmq_prometheus plugin with per-object metrics (vhost, queue labels).

export interface RabbitQueue {
  vhost: string;
  queue: string;
  ready(t: number): number;
  unacked(t: number): number;
  consumers(t: number): number;
}

export function rabbitmqExporter(where: ExporterTarget, node: string, queues: readonly RabbitQueue[]): ExporterModel {
  return {
    emit(_model, handles, _noise, t) {
      scrapeOf(handles, where, t, (s) => {
        s.declare('rabbitmq_identity_info', 'gauge', 'RabbitMQ node & cluster identity info');
        s.g(
          'rabbitmq_identity_info',
          { rabbitmq_node: node, rabbitmq_cluster: 'rabbitmq', rabbitmq_endpoint: 'per-object' },
          1,
        );
        s.declare('rabbitmq_queue_messages_ready', 'gauge', 'Messages ready to be delivered to consumers');
        s.declare(
          'rabbitmq_queue_messages_unacked',
          'gauge',
          'Messages delivered to consumers but not yet acknowledged',
        );
        s.declare('rabbitmq_queue_messages', 'gauge', 'Sum of ready and unacknowledged messages - total queue depth');
        s.declare('rabbitmq_queue_consumers', 'gauge', 'Consumers on a queue');
        for (const q of queues) {
          const ids = { vhost: q.vhost, queue: q.queue };
          const ready = Math.max(0, Math.round(q.ready(t)));
          const unacked = Math.max(0, Math.round(q.unacked(t)));
          s.g('rabbitmq_queue_messages_ready', ids, ready);
          s.g('rabbitmq_queue_messages_unacked', ids, unacked);
          s.g('rabbitmq_queue_messages', ids, ready + unacked);
          s.g('rabbitmq_queue_consumers', ids, q.consumers(t));
        }
      });
    },
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
