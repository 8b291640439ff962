/**
 * The application's own runtime and HTTP series for the runtimes emit-app.ts does not write itself (`go`,
 * `jvm-otel`, `dotnet`) and for libraries added to a runtime (OpenTelemetry Go runtime metrics, promhttp,
 * prometheus-fastapi-instrumentator). Scenarios list them in `appEmitters`.
 *
 * Names, types, labels and units follow /work/research/runtimes.md and http.md (read from each library's source).
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { counter, gauge, histogram, round6 } from './emit-app.js';
import { cumulative } from './emit-pools.js';
import type { RunState, ScrapeContext } from './simulate.js';
import { lognormalCappedMean, lognormalCdf, lognormalQuantile } from './stats.js';
import type { AppEmitter, PodContext } from './types.js';

const MIB = 1024 * 1024;
/** math.MaxInt64 as Go prints it in the text format (9.223372036854776e+18). */
const MAX_INT64 = 2 ** 63;

function declare(
  sc: ScrapeContext,
  name: string,
  type: 'gauge' | 'counter' | 'summary' | 'histogram',
  help: string,
): void {
  sc.handles.writer.declare({ name, type, help });
}

function processStart(sc: ScrapeContext, start: number): number {
  return start + ((sc.pod.scrapeMs * 7) % 1000) / 1000;
}

/** A histogram whose buckets are integrated from a rate and a latency that change over time (always monotone). */
function integratedHistogram(
  sc: ScrapeContext,
  rs: RunState,
  ctx: PodContext,
  family: string,
  key: string,
  labels: () => Labels,
  bounds: readonly number[],
  rate: (c: PodContext) => number,
  latency: (c: PodContext) => { median: number; sigma: number },
): void {
  const count = Math.round(cumulative(sc, rs, ctx, `${family}|${key}|count`, rate));
  const sum = cumulative(sc, rs, ctx, `${family}|${key}|sum`, (x) => rate(x) * lognormalCappedMean(latency(x)));
  const buckets = bounds.map((b, i) =>
    Math.min(
      count,
      Math.round(cumulative(sc, rs, ctx, `${family}|${key}|${i}`, (x) => rate(x) * lognormalCdf(latency(x), b))),
    ),
  );
  for (let i = 1; i < buckets.length; i++) buckets[i] = Math.max(buckets[i] ?? 0, buckets[i - 1] ?? 0);
  const reset = rs.firstWrite(`${family}|${key}`);
  sc.handles
    .histogram(family, `${sc.pod.name}|${key}`, labels, bounds)
    .add(sc.ts, { cumulative: buckets, sum: round6(sum), count }, reset);
}

// ---------------------------------------------------------------------------------------------------------------
// Go: client_golang default registry (process and Go collectors, v1.20+) and prometheus/common version collector.

export function clientGolangRuntime(program: string, goVersion = 'go1.23.4'): AppEmitter {
  return (sc, rs, ctx, target) => {
    const { model, pod } = sc;
    const r = model.resources;
    declare(sc, 'go_gc_gogc_percent', 'gauge', 'Heap size target percentage configured by the user, otherwise 100.');
    declare(
      sc,
      'go_gc_gomemlimit_bytes',
      'gauge',
      'Go runtime memory limit configured by the user, otherwise math.MaxInt64.',
    );
    declare(sc, 'go_sched_gomaxprocs_threads', 'gauge', 'The current runtime.GOMAXPROCS setting.');
    counter(sc, rs, 'process_cpu_seconds', '', () => target, Math.round(rs.cpuSeconds * 100) / 100);
    gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start));
    const rss = r.rssBytes(ctx);
    gauge(sc, 'process_resident_memory_bytes', '', () => target, Math.round(rss));
    gauge(sc, 'process_virtual_memory_bytes', '', () => target, Math.round(rss + 1.27e9));
    gauge(sc, 'process_open_fds', '', () => target, Math.round(r.openFds(ctx)));
    gauge(sc, 'process_max_fds', '', () => target, model.limits.maxFds);
    const heap = r.heapUsedBytes(ctx);
    gauge(sc, 'go_goroutines', '', () => target, Math.round(r.goroutines(ctx)));
    gauge(sc, 'go_threads', '', () => target, Math.round(r.threads(ctx)));
    gauge(sc, 'go_memstats_heap_inuse_bytes', '', () => target, Math.round(heap));
    gauge(
      sc,
      'go_memstats_heap_alloc_bytes',
      '',
      () => target,
      Math.round(heap * (0.78 + 0.15 * ctx.noise.uniform(`alloc:${pod.name}`, sc.t))),
    );
    gauge(sc, 'go_memstats_sys_bytes', '', () => target, Math.round(rss * 1.08));
    gauge(sc, 'go_gc_gogc_percent', '', () => target, 100);
    gauge(sc, 'go_gc_gomemlimit_bytes', '', () => target, MAX_INT64);
    gauge(sc, 'go_sched_gomaxprocs_threads', '', () => target, Math.max(1, Math.ceil(model.limits.cpuCores)));
    const pause = r.gcPause(ctx);
    const k = `${pod.name}|gc`;
    for (const [q, p] of [
      [0, 0.002],
      [0.25, 0.25],
      [0.5, 0.5],
      [0.75, 0.75],
      [1, 0.998],
    ] as const) {
      sc.handles
        .series('go_gc_duration_seconds', 'go_gc_duration_seconds', `${k}|${q}`, () => ({
          ...target,
          quantile: String(q),
        }))
        .add(sc.ts, round6(lognormalQuantile(pause, p)));
    }
    const gcReset = rs.firstWrite('go_gc_duration_seconds');
    sc.handles
      .series('go_gc_duration_seconds', 'go_gc_duration_seconds_sum', k, () => target)
      .add(sc.ts, round6(rs.gc.sum), gcReset);
    sc.handles
      .series('go_gc_duration_seconds', 'go_gc_duration_seconds_count', k, () => target)
      .add(sc.ts, rs.gc.shownCount, gcReset);
    gauge(sc, 'go_info', '', () => ({ ...target, version: goVersion }), 1);
    const build = `${program.replace(/[^a-zA-Z0-9_]/g, '_')}_build_info`;
    declare(
      sc,
      build,
      'gauge',
      `A metric with a constant '1' value labeled by version, revision, branch, goversion from which ${program} was built, and the goos and goarch for the build.`,
    );
    gauge(
      sc,
      build,
      pod.version,
      () => ({
        ...target,
        branch: 'main',
        goarch: 'amd64',
        goos: 'linux',
        goversion: goVersion,
        revision: pod.revision,
        tags: 'unknown',
        version: pod.version,
      }),
      1,
    );
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Go: OpenTelemetry contrib instrumentation/runtime (≥ v0.62, the go.* semconv names).

export function otelGoRuntime(): AppEmitter {
  return (sc, rs, ctx, target) => {
    const r = sc.model.resources;
    declare(sc, 'go_memory_used_bytes', 'gauge', 'Memory used by the Go runtime.');
    declare(sc, 'go_memory_limit_bytes', 'gauge', 'Go runtime memory limit configured by the user, if a limit exists.');
    declare(sc, 'go_memory_allocated_bytes', 'counter', 'Memory allocated to the heap by the application.');
    declare(sc, 'go_memory_allocations', 'counter', 'Count of allocations to the heap by the application.');
    declare(sc, 'go_memory_gc_goal_bytes', 'gauge', 'Heap size target for the end of the GC cycle.');
    declare(sc, 'go_goroutine_count', 'gauge', 'Count of live goroutines.');
    declare(
      sc,
      'go_processor_limit',
      'gauge',
      'The number of OS threads that can execute user-level Go code simultaneously.',
    );
    declare(
      sc,
      'go_config_gogc_percent',
      'gauge',
      'Heap size target percentage configured by the user, otherwise 100.',
    );
    const heap = r.heapUsedBytes(ctx);
    const rss = r.rssBytes(ctx);
    const stack = Math.round((r.goroutines(ctx) * 8192) / 4096) * 4096 + 655_360;
    gauge(sc, 'go_memory_used_bytes', 'stack', () => ({ ...target, go_memory_type: 'stack' }), stack);
    gauge(
      sc,
      'go_memory_used_bytes',
      'other',
      () => ({ ...target, go_memory_type: 'other' }),
      Math.round(Math.max(heap, rss * 0.9 - stack)),
    );
    gauge(sc, 'go_memory_limit_bytes', '', () => target, MAX_INT64);
    gauge(sc, 'go_memory_gc_goal_bytes', '', () => target, Math.round(heap * 2));
    gauge(sc, 'go_goroutine_count', '', () => target, Math.round(r.goroutines(ctx)));
    gauge(sc, 'go_processor_limit', '', () => target, Math.max(1, Math.ceil(sc.model.limits.cpuCores)));
    gauge(sc, 'go_config_gogc_percent', '', () => target, 100);
    const allocated = cumulative(sc, rs, ctx, 'go.memory.allocated', (x) => 12_000 * 1024 * (0.2 + x.rps * 0.35));
    counter(sc, rs, 'go_memory_allocated_bytes', '', () => target, Math.round(allocated));
    counter(sc, rs, 'go_memory_allocations', '', () => target, Math.round(allocated / 412));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Go promhttp middleware (InstrumentHandlerCounter / InstrumentHandlerDuration, handler curried).

export function promhttpServer(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const labels = () => ({
        ...target,
        code: String(outcome.code),
        handler: route.route,
        method: route.method.toLowerCase(),
      });
      counter(sc, rs, 'http_requests', `promhttp|${key}`, labels, acc.shownCount);
      histogram(sc, rs, 'http_request_duration_seconds', `promhttp|${key}`, labels, acc);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenTelemetry HTTP server metrics (stable, seconds) from an OTel SDK's or agent's Prometheus exporter.

export function otelHttpServer(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const labels = (): Labels => ({
        ...target,
        ...(outcome.code >= 500 ? { error_type: String(outcome.code) } : {}),
        http_request_method: route.method,
        http_response_status_code: String(outcome.code),
        http_route: route.route,
        network_protocol_version: '1.1',
        url_scheme: 'http',
      });
      histogram(sc, rs, 'http_server_request_duration_seconds', `otel|${key}`, labels, acc);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// JVM through the OpenTelemetry Java agent (runtime-telemetry, jvm.* semconv names).

export interface OtelResource {
  serviceName: string;
  serviceNamespace?: string;
  sdkLanguage: string;
  sdkVersion: string;
}

export function otelTargetInfo(resource: OtelResource): AppEmitter {
  return (sc, _rs, _ctx, target) => {
    gauge(
      sc,
      'target_info',
      sc.pod.version,
      () => ({
        ...target,
        host_name: sc.pod.name,
        k8s_namespace_name: sc.model.namespace,
        k8s_pod_name: sc.pod.name,
        service_name: resource.serviceName,
        ...(resource.serviceNamespace ? { service_namespace: resource.serviceNamespace } : {}),
        service_version: sc.pod.version,
        telemetry_sdk_language: resource.sdkLanguage,
        telemetry_sdk_name: 'opentelemetry',
        telemetry_sdk_version: resource.sdkVersion,
      }),
      1,
    );
  };
}

const JVM_GC_BUCKETS = [0.01, 0.1, 1, 10];

export function otelJvmRuntime(): AppEmitter {
  return (sc, rs, ctx, target) => {
    const { model, pod, t } = sc;
    const r = model.resources;
    declare(sc, 'jvm_memory_committed_bytes', 'gauge', 'Measure of memory committed.');
    declare(sc, 'jvm_memory_limit_bytes', 'gauge', 'Measure of max obtainable memory.');
    declare(
      sc,
      'jvm_memory_used_after_last_gc_bytes',
      'gauge',
      'Measure of memory used, as measured after the most recent garbage collection event on this pool.',
    );
    declare(sc, 'jvm_thread_count', 'gauge', 'Number of executing platform threads.');
    declare(sc, 'jvm_gc_duration_seconds', 'histogram', 'Duration of JVM garbage collection actions.');
    declare(sc, 'jvm_cpu_time_seconds', 'counter', 'CPU time used by the process as reported by the JVM.');
    declare(
      sc,
      'jvm_cpu_recent_utilization_ratio',
      'gauge',
      'Recent CPU utilization for the process as reported by the JVM.',
    );
    declare(sc, 'jvm_cpu_count', 'gauge', 'Number of processors available to the Java virtual machine.');
    declare(sc, 'jvm_class_count', 'gauge', 'Number of classes currently loaded.');
    declare(sc, 'jvm_class_loaded', 'counter', 'Number of classes loaded since JVM start.');
    const heapUsed = r.heapUsedBytes(ctx);
    const heapMax = Math.round(model.limits.memoryBytes * 0.75);
    const eden = heapUsed * (0.18 + 0.3 * ctx.noise.uniform(`eden:${pod.name}`, t));
    const survivor = 6 * MIB;
    const old = Math.max(0, heapUsed - eden - survivor);
    const pools: ReadonlyArray<readonly [string, string, number, number, number]> = [
      // type, pool, used, committed, limit (-1: no limit, omitted)
      ['heap', 'G1 Eden Space', eden, eden + 24 * MIB, -1],
      ['heap', 'G1 Old Gen', old, Math.max(old * 1.2, 256 * MIB), heapMax],
      ['heap', 'G1 Survivor Space', survivor, survivor, -1],
      ['non_heap', 'Metaspace', 121 * MIB, 122 * MIB, -1],
      ['non_heap', "CodeHeap 'non-nmethods'", 3.1 * MIB, 3.2 * MIB, 5_836_800],
      ['non_heap', "CodeHeap 'profiled nmethods'", 29 * MIB, 31 * MIB, 122_908_672],
      ['non_heap', "CodeHeap 'non-profiled nmethods'", 18 * MIB, 19 * MIB, 122_912_768],
      ['non_heap', 'Compressed Class Space', 14.6 * MIB, 15.1 * MIB, 1_073_741_824],
    ];
    for (const [type, name, used, committed, limit] of pools) {
      const labels = () => ({ ...target, jvm_memory_pool_name: name, jvm_memory_type: type });
      gauge(sc, 'jvm_memory_used_bytes', name, labels, Math.round(used));
      gauge(sc, 'jvm_memory_committed_bytes', name, labels, Math.round(committed));
      if (limit > 0) gauge(sc, 'jvm_memory_limit_bytes', name, labels, limit);
      if (type === 'heap')
        gauge(
          sc,
          'jvm_memory_used_after_last_gc_bytes',
          name,
          labels,
          Math.round(name === 'G1 Eden Space' ? 0 : used * 0.9),
        );
    }
    const threads = Math.round(r.threads(ctx));
    const daemon = Math.max(0, threads - 11);
    const runnable = Math.min(daemon, Math.round(8 + ctx.rps * 0.02));
    for (const [isDaemon, state, n] of [
      ['true', 'runnable', runnable],
      ['true', 'waiting', Math.round((daemon - runnable) * 0.6)],
      ['true', 'timed_waiting', daemon - runnable - Math.round((daemon - runnable) * 0.6)],
      ['false', 'runnable', 2],
      ['false', 'waiting', threads - daemon - 2],
    ] as const) {
      gauge(
        sc,
        'jvm_thread_count',
        `${isDaemon}|${state}`,
        () => ({ ...target, jvm_thread_daemon: isDaemon, jvm_thread_state: state }),
        Math.max(0, n),
      );
    }
    integratedHistogram(
      sc,
      rs,
      ctx,
      'jvm_gc_duration_seconds',
      'young',
      () => ({ ...target, jvm_gc_action: 'end of minor GC', jvm_gc_name: 'G1 Young Generation' }),
      JVM_GC_BUCKETS,
      (x) => r.gcPerSecond(x),
      (x) => r.gcPause(x),
    );
    counter(sc, rs, 'jvm_cpu_time_seconds', '', () => target, round6(rs.cpuSeconds));
    const cores = Math.max(1, Math.ceil(model.limits.cpuCores));
    const used = Math.min(r.cpuCores(ctx), model.limits.cpuCores * 0.98);
    gauge(sc, 'jvm_cpu_recent_utilization_ratio', '', () => target, round6(used / cores));
    gauge(sc, 'jvm_cpu_count', '', () => target, cores);
    gauge(sc, 'jvm_class_count', '', () => target, 17_412 + Math.min(300, Math.round(ctx.uptime / 600)));
    counter(sc, rs, 'jvm_class_loaded', '', () => target, 17_530 + Math.min(300, Math.round(ctx.uptime / 600)));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// .NET: prometheus-net (UseHttpMetrics, DotNetStats) and prometheus-net.DotNetRuntime.

/** prometheus-net's default request duration buckets: ExponentialBuckets(0.001, 2, 16). */
export const PROMETHEUS_NET_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.001 * 2 ** i);

export function prometheusNetHttp(actions: Readonly<Record<string, readonly [string, string]>>): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(
      sc,
      'http_requests_received',
      'counter',
      'Provides the count of HTTP requests that have been processed by the ASP.NET Core pipeline.',
    );
    declare(
      sc,
      'http_requests_in_progress',
      'gauge',
      'The number of requests currently in progress in the ASP.NET Core pipeline. One series without controller/action label values counts all in-progress requests, with separate series existing for each controller-action pair.',
    );
    for (const [key, { route, outcome, acc }] of rs.http) {
      if (acc.shownCount < 1) continue;
      const [controller, action] = actions[`${route.method} ${route.route}`] ?? ['', ''];
      const labels = () => ({
        ...target,
        action,
        code: String(outcome.code),
        controller,
        endpoint: route.route.replace(/^\//, ''),
        method: route.method,
      });
      counter(sc, rs, 'http_requests_received', `pnet|${key}`, labels, acc.shownCount);
      histogram(sc, rs, 'http_request_duration_seconds', `pnet|${key}`, labels, acc);
    }
    for (const route of sc.model.routes) {
      const [controller, action] = actions[`${route.method} ${route.route}`] ?? ['', ''];
      gauge(
        sc,
        'http_requests_in_progress',
        `${route.method} ${route.route}`,
        () => ({ ...target, action, controller, method: route.method }),
        Math.round(ctx.rps * 0.02 * ctx.noise.uniform(`inprog:${route.route}`, sc.t)),
      );
    }
  };
}

export function dotnetStats(): AppEmitter {
  return (sc, rs, ctx, target) => {
    const { model } = sc;
    const r = model.resources;
    declare(sc, 'dotnet_collection_count', 'counter', 'GC collection count');
    declare(sc, 'dotnet_total_memory_bytes', 'gauge', 'Total known allocated memory');
    declare(sc, 'process_working_set_bytes', 'gauge', 'Process working set');
    declare(sc, 'process_private_memory_bytes', 'gauge', 'Process private memory size');
    declare(sc, 'process_open_handles', 'gauge', 'Number of open handles');
    declare(sc, 'process_num_threads', 'gauge', 'Total number of threads');
    const gcs = cumulative(sc, rs, ctx, 'dotnet.gc', (x) => r.gcPerSecond(x));
    for (const [generation, share] of [
      ['0', 1],
      ['1', 0.21],
      ['2', 0.018],
    ] as const) {
      counter(
        sc,
        rs,
        'dotnet_collection_count',
        generation,
        () => ({ ...target, generation }),
        Math.round(gcs * share),
      );
    }
    const heap = r.heapUsedBytes(ctx);
    const rss = r.rssBytes(ctx);
    gauge(sc, 'dotnet_total_memory_bytes', '', () => target, Math.round(heap));
    gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start));
    counter(sc, rs, 'process_cpu_seconds', '', () => target, round6(rs.cpuSeconds));
    gauge(sc, 'process_virtual_memory_bytes', '', () => target, Math.round(rss + 2.74e11));
    gauge(sc, 'process_working_set_bytes', '', () => target, Math.round(rss));
    gauge(sc, 'process_private_memory_bytes', '', () => target, Math.round(rss * 1.12));
    gauge(sc, 'process_open_handles', '', () => target, Math.round(r.openFds(ctx)));
    gauge(sc, 'process_num_threads', '', () => target, Math.round(r.threads(ctx)));
  };
}

export function dotnetRuntimeStats(framework: string): AppEmitter {
  return (sc, rs, ctx, target) => {
    const r = sc.model.resources;
    declare(
      sc,
      'dotnet_build_info',
      'gauge',
      'Build information about prometheus-net.DotNetRuntime and the environment',
    );
    declare(
      sc,
      'dotnet_gc_heap_size_bytes',
      'gauge',
      'The current size of all heaps (only updated after a garbage collection)',
    );
    declare(
      sc,
      'dotnet_gc_collection_count',
      'counter',
      'Counts the number of garbage collections that have occurred, broken down by generation number.',
    );
    declare(
      sc,
      'dotnet_gc_pause_ratio',
      'gauge',
      'The percentage of time the process spent paused for garbage collection',
    );
    declare(
      sc,
      'dotnet_gc_memory_total_available_bytes',
      'gauge',
      'The upper limit on the amount of physical memory .NET can allocate to',
    );
    declare(sc, 'dotnet_threadpool_num_threads', 'gauge', 'The number of active threads in the thread pool');
    gauge(
      sc,
      'dotnet_build_info',
      '',
      () => ({
        ...target,
        os_version: 'Linux 6.1.0-28-cloud-amd64 #1 SMP',
        process_architecture: 'X64',
        runtime_version: '.NET 8.0.11',
        target_framework: framework,
        version: '4.4.1.0',
      }),
      1,
    );
    const heap = r.heapUsedBytes(ctx);
    for (const [generation, share] of [
      ['0', 0.04],
      ['1', 0.03],
      ['2', 0.81],
      ['loh', 0.12],
    ] as const) {
      gauge(
        sc,
        'dotnet_gc_heap_size_bytes',
        generation,
        () => ({ ...target, gc_generation: generation }),
        Math.round(heap * share),
      );
    }
    const gcs = cumulative(sc, rs, ctx, 'dotnetruntime.gc', (x) => r.gcPerSecond(x));
    for (const [generation, share] of [
      ['0', 1],
      ['1', 0.21],
      ['2', 0.018],
    ] as const) {
      counter(
        sc,
        rs,
        'dotnet_gc_collection_count',
        generation,
        () => ({ ...target, gc_generation: generation }),
        Math.round(gcs * share),
      );
    }
    const pause = lognormalCappedMean(r.gcPause(ctx)) * r.gcPerSecond(ctx);
    gauge(sc, 'dotnet_gc_pause_ratio', '', () => target, round6(Math.min(1, pause)));
    gauge(
      sc,
      'dotnet_gc_memory_total_available_bytes',
      '',
      () => target,
      Math.round(sc.model.limits.memoryBytes * 0.75),
    );
    gauge(sc, 'dotnet_threadpool_num_threads', '', () => target, Math.max(2, Math.round(r.threads(ctx) - 14)));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Python: prometheus-fastapi-instrumentator defaults (status classes, duration without status, buckets 0.1/0.5/1).

export function fastapiInstrumentator(): AppEmitter {
  return (sc, rs, _ctx, target) => {
    const byClass = new Map<string, { method: string; handler: string; status: string; count: number }>();
    const byHandler = new Map<
      string,
      { method: string; handler: string; count: number; sum: number; buckets: number[]; bounds: readonly number[] }
    >();
    for (const { route, outcome, acc } of rs.http.values()) {
      const status = `${String(outcome.code)[0]}xx`;
      const k = `${route.method} ${route.route} ${status}`;
      const e = byClass.get(k) ?? { method: route.method, handler: route.route, status, count: 0 };
      e.count += acc.count;
      byClass.set(k, e);
      const hk = `${route.method} ${route.route}`;
      const h = byHandler.get(hk) ?? {
        method: route.method,
        handler: route.route,
        count: 0,
        sum: 0,
        buckets: acc.bounds.map(() => 0),
        bounds: acc.bounds,
      };
      h.count += acc.count;
      h.sum += acc.sum;
      acc.cumulative.forEach((v, i) => {
        h.buckets[i] = (h.buckets[i] ?? 0) + v;
      });
      byHandler.set(hk, h);
    }
    for (const [k, e] of byClass) {
      if (Math.round(e.count) < 1) continue;
      counter(
        sc,
        rs,
        'http_requests',
        `fastapi|${k}`,
        () => ({ ...target, handler: e.handler, method: e.method, status: e.status }),
        Math.round(e.count),
      );
    }
    for (const [k, h] of byHandler) {
      const count = Math.round(h.count);
      if (count < 1) continue;
      const reset = rs.firstWrite(`http_request_duration_seconds|fastapi|${k}`);
      sc.handles
        .histogram(
          'http_request_duration_seconds',
          `${sc.pod.name}|fastapi|${k}`,
          () => ({ ...target, handler: h.handler, method: h.method }),
          h.bounds,
        )
        .add(
          sc.ts,
          { cumulative: h.buckets.map((b) => Math.min(count, Math.round(b))), sum: round6(h.sum), count },
          reset,
        );
    }
  };
}
