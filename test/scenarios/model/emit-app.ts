import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { runAt } from './cluster.js';
import { goCollectors, goVersionCollector } from './emit-runtimes.js';
import { micrometerOutcome, micrometerServerTags } from './emit-servers.js';
import { appTargetLabels, type RunState, type ScrapeContext } from './simulate.js';
import { lognormalCappedMean } from './stats.js';
import type { AppEmitter, PodContext, ServiceModel } from './types.js';
import { counter, gauge, histogram, processStart, round6, summary } from './write.js';

const MIB = 1024 * 1024;

/** Writes the application's own scrape of one pod: `up`, and when the process listens, its metrics. */
export function emitApp(sc: ScrapeContext): void {
  const { model, pod, t } = sc;
  const run = runAt(pod, t);
  const target = appTargetLabels(model, pod);
  const listening = run !== undefined && t >= run.start + 2;
  gauge(sc, 'up', 'up', () => target, listening ? 1 : 0);
  if (!run || !listening) return;
  const rs = sc.state.runState(run);
  const ctx = sc.state.ctx;
  ctx.t = t;
  ctx.run = run;
  ctx.uptime = t - run.start;
  const emitter = model.runtime;
  switch (emitter) {
    case 'node':
      emitNode(sc, rs, ctx, target);
      break;
    case 'jvm':
      emitJvm(sc, rs, ctx, { ...target, application: model.service });
      break;
    case 'go-otel':
      emitGo(sc, rs, ctx, target);
      break;
    case 'python':
      emitPython(sc, rs, ctx, target);
      break;
    case 'go':
    case 'jvm-otel':
    case 'dotnet':
    case 'ruby':
      // Written by the scenario's appEmitters (emit-runtimes.ts, emit-servers.ts).
      break;
  }
  for (const emit of model.appEmitters ?? []) emit(sc, rs, ctx, target);
}

/** `app_build_info{version}`: a gauge an application defines itself (prometheus-net has no build info of its own). */
export function appBuildInfo(): AppEmitter {
  return (sc, _rs, _ctx, target) => {
    gauge(sc, 'app_build_info', sc.pod.version, () => ({ ...target, version: sc.pod.version }), 1);
  };
}

function meanLatency(model: ServiceModel, ctx: PodContext): number {
  let total = 0;
  let weight = 0;
  for (const route of model.routes) {
    for (const o of route.outcomes(ctx)) {
      total += route.weight * o.frac * lognormalCappedMean(o);
      weight += route.weight * o.frac;
    }
  }
  return weight > 0 ? total / weight : 0;
}

function emitNode(sc: ScrapeContext, rs: RunState, ctx: PodContext, target: Labels): void {
  const { model, pod } = sc;
  const r = model.resources;
  const user = round6(rs.cpuSeconds * 0.82);
  const system = round6(rs.cpuSeconds * 0.18);
  counter(sc, rs, 'process_cpu_user_seconds', '', () => target, user);
  counter(sc, rs, 'process_cpu_system_seconds', '', () => target, system);
  counter(sc, rs, 'process_cpu_seconds', '', () => target, round6(user + system));
  gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start, false));
  const rss = r.rssBytes(ctx);
  const heapUsed = r.heapUsedBytes(ctx);
  const heapTotal = Math.ceil((heapUsed * 1.18) / MIB) * MIB;
  gauge(sc, 'process_resident_memory_bytes', '', () => target, Math.round(rss));
  gauge(
    sc,
    'process_virtual_memory_bytes',
    '',
    () => target,
    Math.round(rss + 1.02e9 + 4096 * Math.floor(ctx.uptime / 3600)),
  );
  gauge(sc, 'process_heap_bytes', '', () => target, Math.round(heapTotal + 41 * MIB));
  gauge(sc, 'process_open_fds', '', () => target, Math.round(r.openFds(ctx)));
  gauge(sc, 'process_max_fds', '', () => target, model.limits.maxFds);
  const lag = r.eventLoopLagSeconds(ctx);
  gauge(
    sc,
    'nodejs_eventloop_lag_seconds',
    '',
    () => target,
    round6(lag * 0.22 * (1 + 0.3 * ctx.noise.white(`lag:${pod.name}`, sc.t))),
  );
  gauge(sc, 'nodejs_eventloop_lag_p99_seconds', '', () => target, round6(lag));
  gauge(sc, 'nodejs_heap_size_total_bytes', '', () => target, heapTotal);
  gauge(sc, 'nodejs_heap_size_used_bytes', '', () => target, Math.round(heapUsed));
  gauge(
    sc,
    'nodejs_external_memory_bytes',
    '',
    () => target,
    2_958_427 + Math.round(2e5 * (1 + ctx.noise.white(`ext:${pod.name}`, sc.t))),
  );
  gauge(
    sc,
    'nodejs_version_info',
    '',
    () => ({ ...target, version: 'v20.17.0', major: '20', minor: '17', patch: '0' }),
    1,
  );
  gauge(sc, 'app_build_info', pod.version, () => ({ ...target, version: pod.version, revision: pod.revision }), 1);
  const status = model.statusLabel ?? 'code';
  for (const [key, { route, outcome, acc }] of model.runtimeHttp === false ? [] : rs.http) {
    if (acc.shownCount < 1) continue;
    const labels = () => ({ ...target, method: route.method, route: route.route, [status]: String(outcome.code) });
    counter(sc, rs, 'http_requests', key, labels, acc.shownCount);
    histogram(sc, rs, 'http_request_duration_seconds', key, labels, acc);
  }
}

const JVM_NON_HEAP: ReadonlyArray<readonly [string, number, number]> = [
  // id, used bytes, max bytes (-1 = undefined, as the JVM reports)
  ['Metaspace', 118 * MIB, -1],
  ["CodeHeap 'profiled nmethods'", 31 * MIB, 122_908_672],
  ["CodeHeap 'non-profiled nmethods'", 19 * MIB, 122_912_768],
  ["CodeHeap 'non-nmethods'", 3.1 * MIB, 5_836_800],
  ['Compressed Class Space', 14.6 * MIB, 1_073_741_824],
];

function emitJvm(sc: ScrapeContext, rs: RunState, ctx: PodContext, target: Labels): void {
  const { model, pod, t } = sc;
  const r = model.resources;
  const cores = Math.max(1, Math.ceil(model.limits.cpuCores));
  const demand = r.cpuCores(ctx);
  const used = Math.min(demand, model.limits.cpuCores * 0.98);
  gauge(
    sc,
    'process_cpu_usage',
    '',
    () => target,
    round6((used / cores) * (1 + 0.04 * ctx.noise.white(`pcpu:${pod.name}`, t))),
  );
  gauge(
    sc,
    'system_cpu_usage',
    '',
    () => target,
    round6(0.32 + 0.08 * ctx.noise.smooth(`node:${pod.node.name}`, t, 900) + (0.5 * used) / 8),
  );
  gauge(sc, 'system_cpu_count', '', () => target, cores);
  gauge(sc, 'process_uptime_seconds', '', () => target, round6(ctx.uptime));
  gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start, true));
  gauge(sc, 'process_files_open_files', '', () => target, Math.round(r.openFds(ctx)));
  gauge(sc, 'process_files_max_files', '', () => target, model.limits.maxFds);
  const heapUsed = r.heapUsedBytes(ctx);
  const heapMax = Math.round(model.limits.memoryBytes * 0.75);
  const eden = heapUsed * (0.18 + 0.3 * ctx.noise.uniform(`eden:${pod.name}`, t));
  const survivor = 6 * MIB;
  const old = Math.max(0, heapUsed - eden - survivor);
  const heap: ReadonlyArray<readonly [string, number, number]> = [
    ['G1 Eden Space', eden, -1],
    ['G1 Old Gen', old, heapMax],
    ['G1 Survivor Space', survivor, -1],
  ];
  const threads = Math.round(r.threads(ctx));
  for (const [id, usedBytes, max] of heap) {
    gauge(sc, 'jvm_memory_used_bytes', id, () => ({ ...target, area: 'heap', id }), Math.round(usedBytes));
    gauge(sc, 'jvm_memory_max_bytes', id, () => ({ ...target, area: 'heap', id }), max);
  }
  for (const [id, base, max] of JVM_NON_HEAP) {
    const grow = id === 'Metaspace' ? 1 + Math.min(0.05, ctx.uptime / 3.6e6) : 1;
    gauge(sc, 'jvm_memory_used_bytes', id, () => ({ ...target, area: 'nonheap', id }), Math.round(base * grow));
    gauge(sc, 'jvm_memory_max_bytes', id, () => ({ ...target, area: 'nonheap', id }), max);
  }
  gauge(sc, 'jvm_threads_live_threads', '', () => target, threads);
  gauge(sc, 'jvm_threads_daemon_threads', '', () => target, Math.max(0, threads - 11));
  gauge(sc, 'jvm_threads_peak_threads', '', () => target, Math.max(threads, Math.round(rs.peakThreads)));
  const busy = Math.min(200, ctx.rps * meanLatency(model, ctx));
  const runnable = Math.round(9 + busy * 0.3);
  const blocked = Math.round(busy * 0.05);
  const waiting = Math.round((threads - runnable - blocked) * 0.62);
  const timedWaiting = Math.max(0, threads - runnable - blocked - waiting);
  for (const [state, n] of [
    ['new', 0],
    ['runnable', runnable],
    ['blocked', blocked],
    ['waiting', waiting],
    ['timed-waiting', timedWaiting],
    ['terminated', 0],
  ] as const) {
    gauge(sc, 'jvm_threads_states_threads', state, () => ({ ...target, state }), n);
  }
  const gcLabels = () => ({
    ...target,
    action: 'end of minor GC',
    cause: 'G1 Evacuation Pause',
    gc: 'G1 Young Generation',
  });
  summary(sc, rs, 'jvm_gc_pause_seconds', 'minor', gcLabels, rs.gc);
  gauge(sc, 'jvm_gc_pause_seconds_max', 'minor', gcLabels, round6(rs.gc.windowMax));
  rs.gc.windowMax = 0;
  gauge(
    sc,
    'jvm_info',
    '',
    () => ({ ...target, runtime: 'OpenJDK Runtime Environment', vendor: 'Eclipse Adoptium', version: '17.0.12+7' }),
    1,
  );
  for (const level of ['info', 'warn', 'error'] as const) {
    counter(sc, rs, 'logback_events', level, () => ({ ...target, level }), Math.round(rs.logs[level].value));
  }
  const tomcat = () => ({ ...target, name: 'http-nio-8080' });
  const busyThreads = Math.min(200, Math.round(busy + 1 + ctx.noise.uniform(`busy:${pod.name}`, t) * 2));
  gauge(sc, 'tomcat_threads_busy_threads', '', tomcat, busyThreads);
  gauge(sc, 'tomcat_threads_current_threads', '', tomcat, Math.max(10, Math.min(200, busyThreads + 8)));
  gauge(sc, 'tomcat_threads_config_max_threads', '', tomcat, 200);
  if (model.pool) {
    const pool = model.pool(ctx);
    const poolLabels = () => ({ ...target, pool: model.poolName ?? 'HikariPool-1' });
    gauge(sc, 'hikaricp_connections_active', '', poolLabels, Math.round(pool.used));
    gauge(sc, 'hikaricp_connections_idle', '', poolLabels, Math.round(pool.idle));
    gauge(sc, 'hikaricp_connections_pending', '', poolLabels, Math.round(pool.pending));
    gauge(sc, 'hikaricp_connections_max', '', poolLabels, pool.max);
    gauge(sc, 'hikaricp_connections_min', '', poolLabels, pool.max);
    gauge(sc, 'hikaricp_connections', '', poolLabels, Math.round(pool.used) + Math.round(pool.idle));
    counter(sc, rs, 'hikaricp_connections_timeout', '', poolLabels, Math.round(rs.poolTimeouts));
    summary(sc, rs, 'hikaricp_connections_acquire_seconds', '', poolLabels, rs.poolAcquire);
    gauge(sc, 'hikaricp_connections_acquire_seconds_max', '', poolLabels, round6(rs.poolAcquire.windowMax));
    rs.poolAcquire.windowMax = 0;
  }
  gauge(sc, 'application_build_info', pod.version, () => ({ ...target, version: pod.version }), 1);
  for (const [key, { route, outcome, acc }] of model.runtimeHttp === false ? [] : rs.http) {
    if (acc.shownCount < 1) continue;
    const labels = () => ({ ...target, ...micrometerServerTags(route, outcome) });
    summary(sc, rs, 'http_server_requests_seconds', key, labels, acc);
    gauge(sc, 'http_server_requests_seconds_max', key, labels, round6(acc.windowMax));
    acc.windowMax = 0;
  }
  for (const [key, entry] of model.runtimeHttp === false ? [] : rs.client) {
    if (entry.acc.shownCount < 1) continue;
    const labels = () => ({
      ...target,
      client_name: entry.client.peer,
      method: entry.client.method,
      outcome: entry.code === undefined ? 'UNKNOWN' : micrometerOutcome(entry.code),
      status: entry.code === undefined ? 'CLIENT_ERROR' : String(entry.code),
      uri: entry.client.uri,
    });
    summary(sc, rs, 'http_client_requests_seconds', key, labels, entry.acc);
    gauge(sc, 'http_client_requests_seconds_max', key, labels, round6(entry.acc.windowMax));
    entry.acc.windowMax = 0;
  }
}

const GO_OTEL_VERSION = 'go1.22.5';

// The exporter runs WithoutScopeInfo(), so there are no otel_scope_* labels (they would double the line length).

function emitGo(sc: ScrapeContext, rs: RunState, ctx: PodContext, target: Labels): void {
  const { model, pod } = sc;
  gauge(
    sc,
    'target_info',
    pod.version,
    () => ({
      ...target,
      service_name: model.service,
      service_namespace: model.namespace,
      service_version: pod.version,
      service_instance_id: pod.name,
      telemetry_sdk_language: 'go',
      telemetry_sdk_name: 'opentelemetry',
      telemetry_sdk_version: '1.28.0',
    }),
    1,
  );
  // The OpenTelemetry exporter registers with client_golang's default registry (before v1.20: no GOGC,
  // GOMEMLIMIT or GOMAXPROCS gauges), and the service adds client_golang's build info and prometheus/common's.
  goCollectors(sc, rs, ctx, target, { goVersion: GO_OTEL_VERSION });
  gauge(
    sc,
    'go_build_info',
    '',
    () => ({ ...target, checksum: '', path: `github.com/acme/${model.service}`, version: '(devel)' }),
    1,
  );
  goVersionCollector(sc, target, { program: model.service, goVersion: GO_OTEL_VERSION, goosGoarch: false });
  for (const [key, { route, outcome, acc }] of model.runtimeHttp === false ? [] : rs.http) {
    if (acc.shownCount < 1) continue;
    const labels = () => ({
      ...target,
      http_request_method: route.method,
      http_response_status_code: String(outcome.code),
      http_route: route.route,
    });
    histogram(sc, rs, 'http_server_request_duration_seconds', key, labels, acc);
  }
  for (const [key, entry] of model.runtimeHttp === false ? [] : rs.client) {
    if (entry.acc.shownCount < 1) continue;
    const labels = (): Labels => ({
      ...target,
      http_request_method: entry.client.method,
      ...(entry.code === undefined ? {} : { http_response_status_code: String(entry.code) }),
      ...(entry.errorType === undefined ? {} : { error_type: entry.errorType }),
      server_address: entry.client.peer,
      server_port: String(entry.client.port),
    });
    histogram(sc, rs, 'http_client_request_duration_seconds', key, labels, entry.acc);
  }
  const db = model.database;
  if (db) {
    for (const [key, entry] of rs.db) {
      if (entry.acc.shownCount < 1) continue;
      const labels = () => ({
        ...target,
        db_system: 'postgresql',
        db_namespace: db.name,
        db_operation_name: entry.operation,
        db_collection_name: entry.collection,
      });
      histogram(sc, rs, 'db_client_operation_duration_seconds', key, labels, entry.acc);
    }
  }
  if (model.pool) {
    const pool = model.pool(ctx);
    const poolName = model.poolName ?? `${db?.host ?? model.service}/${db?.name ?? model.service}`;
    const base = { ...target, pool_name: poolName };
    gauge(sc, 'db_client_connections_usage', 'used', () => ({ ...base, state: 'used' }), Math.round(pool.used));
    gauge(sc, 'db_client_connections_usage', 'idle', () => ({ ...base, state: 'idle' }), Math.round(pool.idle));
    gauge(sc, 'db_client_connections_max', '', () => base, pool.max);
    gauge(sc, 'db_client_connections_pending_requests', '', () => base, Math.round(pool.pending));
    counter(sc, rs, 'db_client_connections_timeouts', '', () => base, Math.round(rs.poolTimeouts));
  }
}

function emitPython(sc: ScrapeContext, rs: RunState, ctx: PodContext, target: Labels): void {
  const { model, pod } = sc;
  const r = model.resources;
  counter(sc, rs, 'process_cpu_seconds', '', () => target, Math.round(rs.cpuSeconds * 100) / 100);
  gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start, true));
  const rss = r.rssBytes(ctx);
  gauge(sc, 'process_resident_memory_bytes', '', () => target, Math.round(rss));
  gauge(sc, 'process_virtual_memory_bytes', '', () => target, Math.round(rss * 2.6 + 180 * MIB));
  gauge(sc, 'process_open_fds', '', () => target, Math.round(r.openFds(ctx)));
  gauge(sc, 'process_max_fds', '', () => target, model.limits.maxFds);
  gauge(
    sc,
    'python_info',
    '',
    () => ({ ...target, implementation: 'CPython', major: '3', minor: '11', patchlevel: '9', version: '3.11.9' }),
    1,
  );
  for (const [generation, perRequest] of [
    ['0', 31],
    ['1', 2.7],
    ['2', 0.18],
  ] as const) {
    counter(
      sc,
      rs,
      'python_gc_objects_collected',
      generation,
      () => ({ ...target, generation }),
      Math.round(rs.requests * perRequest),
    );
  }
  gauge(sc, 'app_build_info', pod.version, () => ({ ...target, version: pod.version, revision: pod.revision }), 1);
}
