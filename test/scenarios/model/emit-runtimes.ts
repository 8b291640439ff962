/**
 * The application's runtime series for the runtimes emit-app.ts does not write itself (`go`, `jvm-otel`, `dotnet`)
 * and runtime collectors added to an application: client_golang's Go and process collectors (also under the
 * `go-otel` runtime of emit-app.ts) with prometheus/common's build info, OpenTelemetry Go and JVM runtime metrics,
 * prometheus-net's DotNetStats and prometheus-net.DotNetRuntime. Scenarios list them in `appEmitters`; the HTTP and
 * gRPC server libraries are in emit-servers.ts.
 *
 * Names, types, labels and units follow /work/research/runtimes.md (read from each library's source).
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import { cumulative } from './emit-pools.js';
import { type OtelOptions, otelLabels } from './emit-servers.js';
import type { RunState, ScrapeContext } from './simulate.js';
import { lognormalCappedMean, lognormalCdf, lognormalQuantile } from './stats.js';
import type { AppEmitter, PodContext } from './types.js';
import { counter, declare, gauge, processStart, round6 } from './write.js';

const MIB = 1024 * 1024;
/** math.MaxInt64 as Go prints it in the text format (9.223372036854776e+18): no memory limit set. */
const MAX_INT64 = 2 ** 63;

/** GOMAXPROCS: `gomaxprocs` when given (the node's CPUs, Go < 1.25 without automaxprocs), else the CPU limit rounded up. */
function maxProcs(sc: ScrapeContext, gomaxprocs: number | undefined): number {
  return gomaxprocs ?? Math.max(1, Math.ceil(sc.model.limits.cpuCores));
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
// Go: client_golang's default registry (process and Go collectors), promhttp's handler metrics and prometheus/common's
// version collector.

export interface GoCollectorOptions {
  /** `go_info{version}`. */
  goVersion: string;
  /**
   * client_golang ≥ v1.20: also go_gc_gogc_percent, go_gc_gomemlimit_bytes and go_sched_gomaxprocs_threads, with
   * this GOMAXPROCS (undefined: the CPU limit rounded up).
   */
  v120?: { gomaxprocs: number | undefined };
}

/** client_golang's process collector and default Go collector (the series the scenarios need of them). */
export function goCollectors(
  sc: ScrapeContext,
  rs: RunState,
  ctx: PodContext,
  target: Labels,
  options: GoCollectorOptions,
): void {
  const { model, pod } = sc;
  const r = model.resources;
  declare(sc.handles, [
    ['go_memstats_alloc_bytes', 'gauge', 'Number of bytes allocated in heap and currently in use.'],
  ]);
  counter(sc, rs, 'process_cpu_seconds', '', () => target, Math.round(rs.cpuSeconds * 100) / 100);
  gauge(sc, 'process_start_time_seconds', '', () => target, processStart(sc, ctx.run.start));
  const rss = r.rssBytes(ctx);
  gauge(sc, 'process_resident_memory_bytes', '', () => target, Math.round(rss));
  gauge(sc, 'process_virtual_memory_bytes', '', () => target, Math.round(rss + 1.31e9));
  gauge(sc, 'process_open_fds', '', () => target, Math.round(r.openFds(ctx)));
  gauge(sc, 'process_max_fds', '', () => target, model.limits.maxFds);
  const heap = r.heapUsedBytes(ctx);
  gauge(sc, 'go_goroutines', '', () => target, Math.round(r.goroutines(ctx)));
  gauge(sc, 'go_threads', '', () => target, Math.round(r.threads(ctx)));
  gauge(sc, 'go_memstats_heap_inuse_bytes', '', () => target, Math.round(heap));
  const alloc = Math.round(heap * (0.78 + 0.15 * ctx.noise.uniform(`alloc:${pod.name}`, sc.t)));
  gauge(sc, 'go_memstats_heap_alloc_bytes', '', () => target, alloc);
  gauge(sc, 'go_memstats_alloc_bytes', '', () => target, alloc);
  gauge(sc, 'go_memstats_sys_bytes', '', () => target, Math.round(rss * 1.08));
  if (options.v120) {
    declare(sc.handles, [
      ['go_gc_gogc_percent', 'gauge', 'Heap size target percentage configured by the user, otherwise 100.'],
      ['go_gc_gomemlimit_bytes', 'gauge', 'Go runtime memory limit configured by the user, otherwise math.MaxInt64.'],
      ['go_sched_gomaxprocs_threads', 'gauge', 'The current runtime.GOMAXPROCS setting.'],
    ]);
    gauge(sc, 'go_gc_gogc_percent', '', () => target, 100);
    gauge(sc, 'go_gc_gomemlimit_bytes', '', () => target, MAX_INT64);
    gauge(sc, 'go_sched_gomaxprocs_threads', '', () => target, maxProcs(sc, options.v120.gomaxprocs));
  }
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
  const reset = rs.firstWrite('go_gc_duration_seconds');
  sc.handles
    .series('go_gc_duration_seconds', 'go_gc_duration_seconds_sum', k, () => target)
    .add(sc.ts, round6(rs.gc.sum), reset);
  sc.handles
    .series('go_gc_duration_seconds', 'go_gc_duration_seconds_count', k, () => target)
    .add(sc.ts, rs.gc.shownCount, reset);
  gauge(sc, 'go_info', '', () => ({ ...target, version: options.goVersion }), 1);
}

/**
 * prometheus/common's version collector, `<program>_build_info{version,revision,branch,goversion,tags}`; since
 * common v0.40 (`goosGoarch`) also `goos` and `goarch`, with a HELP that says so.
 */
export function goVersionCollector(
  sc: ScrapeContext,
  target: Labels,
  options: { program: string; goVersion: string; goosGoarch: boolean },
): void {
  const { program, goVersion, goosGoarch } = options;
  const build = `${program.replace(/[^a-zA-Z0-9_]/g, '_')}_build_info`;
  declare(sc.handles, [
    [
      build,
      'gauge',
      goosGoarch
        ? `A metric with a constant '1' value labeled by version, revision, branch, goversion from which ${program} was built, and the goos and goarch for the build.`
        : `A metric with a constant '1' value labeled by version, revision, branch, and goversion from which ${program} was built.`,
    ],
  ]);
  gauge(
    sc,
    build,
    sc.pod.version,
    () => ({
      ...target,
      branch: 'main',
      ...(goosGoarch ? { goarch: 'amd64', goos: 'linux' } : {}),
      goversion: goVersion,
      revision: sc.pod.revision,
      tags: 'netgo',
      version: sc.pod.version,
    }),
    1,
  );
}

export interface ClientGolangOptions {
  /** The program prometheus/common's version collector names (`<program>_build_info`); default: the service. */
  program?: string;
  goVersion?: string;
  /** GOMAXPROCS, when not the CPU limit rounded up (Go < 1.25 without automaxprocs sees the node's CPUs). */
  gomaxprocs?: number;
  /**
   * promhttp.Handler()'s own `promhttp_metric_handler_requests_total{code}` and `_in_flight` (default true; false
   * when /metrics is served by promhttp.HandlerFor, which does not instrument itself).
   */
  handlerMetrics?: boolean;
}

/**
 * A Go service on client_golang ≥ v1.20 without OpenTelemetry: the default registry's process and Go collectors,
 * promhttp's handler metrics and prometheus/common's build info (goos and goarch included).
 */
export function clientGolangRuntime(options: ClientGolangOptions = {}): AppEmitter {
  const goVersion = options.goVersion ?? 'go1.23.4';
  return (sc, rs, ctx, target) => {
    goCollectors(sc, rs, ctx, target, { goVersion, v120: { gomaxprocs: options.gomaxprocs } });
    goVersionCollector(sc, target, { program: options.program ?? sc.model.service, goVersion, goosGoarch: true });
    if (options.handlerMetrics === false) return;
    declare(sc.handles, [
      ['promhttp_metric_handler_requests', 'counter', 'Total number of scrapes by HTTP status code.'],
      ['promhttp_metric_handler_requests_in_flight', 'gauge', 'Current number of scrapes being served.'],
    ]);
    counter(
      sc,
      rs,
      'promhttp_metric_handler_requests',
      '200',
      () => ({ ...target, code: '200' }),
      Math.max(1, Math.floor(ctx.uptime / 60)),
    );
    gauge(sc, 'promhttp_metric_handler_requests_in_flight', '', () => target, 1);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Go: OpenTelemetry contrib instrumentation/runtime (≥ v0.62, the go.* semconv names).

/**
 * go.opentelemetry.io/contrib/instrumentation/runtime with the current go.* names, in process or through the
 * collector (`promoted` resource attributes and `scope` labels as in emit-servers.ts).
 */
export function otelGoRuntime(options: OtelOptions & { gomaxprocs?: number } = {}): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      ['go_memory_used_bytes', 'gauge', 'Memory used by the Go runtime.'],
      ['go_memory_limit_bytes', 'gauge', 'Go runtime memory limit configured by the user, if a limit exists.'],
      ['go_memory_allocated_bytes', 'counter', 'Memory allocated to the heap by the application.'],
      ['go_memory_allocations', 'counter', 'Count of allocations to the heap by the application.'],
      ['go_memory_gc_goal_bytes', 'gauge', 'Heap size target for the end of the GC cycle.'],
      ['go_goroutine_count', 'gauge', 'Count of live goroutines.'],
      ['go_processor_limit', 'gauge', 'The number of OS threads that can execute user-level Go code simultaneously.'],
      ['go_config_gogc_percent', 'gauge', 'Heap size target percentage configured by the user, otherwise 100.'],
    ]);
    const r = sc.model.resources;
    const base = { ...target, ...otelLabels(sc, options) };
    const labels =
      (more: Labels = {}) =>
      () => ({ ...base, ...more });
    const heap = r.heapUsedBytes(ctx);
    const rss = r.rssBytes(ctx);
    const stack = Math.round((r.goroutines(ctx) * 8192) / 4096) * 4096 + 655_360;
    gauge(sc, 'go_memory_used_bytes', 'stack', labels({ go_memory_type: 'stack' }), stack);
    gauge(
      sc,
      'go_memory_used_bytes',
      'other',
      labels({ go_memory_type: 'other' }),
      Math.round(Math.max(heap, rss * 0.9 - stack)),
    );
    gauge(sc, 'go_memory_limit_bytes', '', labels(), MAX_INT64);
    gauge(sc, 'go_memory_gc_goal_bytes', '', labels(), Math.round(heap * 2));
    gauge(sc, 'go_goroutine_count', '', labels(), Math.round(r.goroutines(ctx)));
    gauge(sc, 'go_processor_limit', '', labels(), maxProcs(sc, options.gomaxprocs));
    gauge(sc, 'go_config_gogc_percent', '', labels(), 100);
    const allocated = cumulative(sc, rs, ctx, 'go.memory.allocated', (x) => 12_000 * 1024 * (0.2 + x.rps * 0.35));
    counter(sc, rs, 'go_memory_allocated_bytes', '', labels(), Math.round(allocated));
    counter(sc, rs, 'go_memory_allocations', '', labels(), Math.round(allocated / 412));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// JVM through the OpenTelemetry Java agent (runtime-telemetry, jvm.* semconv names).

const JVM_GC_BUCKETS = [0.01, 0.1, 1, 10];

export function otelJvmRuntime(): AppEmitter {
  return (sc, rs, ctx, target) => {
    const { model, pod, t } = sc;
    const r = model.resources;
    declare(sc.handles, [
      ['jvm_memory_committed_bytes', 'gauge', 'Measure of memory committed.'],
      ['jvm_memory_limit_bytes', 'gauge', 'Measure of max obtainable memory.'],
      [
        'jvm_memory_used_after_last_gc_bytes',
        'gauge',
        'Measure of memory used, as measured after the most recent garbage collection event on this pool.',
      ],
      ['jvm_thread_count', 'gauge', 'Number of executing platform threads.'],
      ['jvm_gc_duration_seconds', 'histogram', 'Duration of JVM garbage collection actions.'],
      ['jvm_cpu_time_seconds', 'counter', 'CPU time used by the process as reported by the JVM.'],
      ['jvm_cpu_recent_utilization_ratio', 'gauge', 'Recent CPU utilization for the process as reported by the JVM.'],
      ['jvm_cpu_count', 'gauge', 'Number of processors available to the Java virtual machine.'],
      ['jvm_class_count', 'gauge', 'Number of classes currently loaded.'],
      ['jvm_class_loaded', 'counter', 'Number of classes loaded since JVM start.'],
    ]);
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
// .NET: prometheus-net's DotNetStats (default registry) and prometheus-net.DotNetRuntime. prometheus-net's HTTP
// metrics are in emit-servers.ts.

/** Garbage collections since the process started, by generation (each gen-1 or gen-2 GC also counts in gen 0). */
function gcCollections(
  sc: ScrapeContext,
  rs: RunState,
  ctx: PodContext,
  name: string,
  write: (generation: string, collections: number) => void,
): void {
  const gcs = cumulative(sc, rs, ctx, name, (x) => sc.model.resources.gcPerSecond(x));
  for (const [generation, share] of [
    ['0', 1],
    ['1', 0.21],
    ['2', 0.018],
  ] as const)
    write(generation, Math.round(gcs * share));
}

/** prometheus-net's DotNetStats (default registry). */
export function dotnetStats(): AppEmitter {
  return (sc, rs, ctx, target) => {
    const { model } = sc;
    const r = model.resources;
    declare(sc.handles, [
      ['dotnet_collection_count', 'counter', 'GC collection count'],
      ['dotnet_total_memory_bytes', 'gauge', 'Total known allocated memory'],
      ['process_working_set_bytes', 'gauge', 'Process working set'],
      ['process_private_memory_bytes', 'gauge', 'Process private memory size'],
      ['process_open_handles', 'gauge', 'Number of open handles'],
      ['process_num_threads', 'gauge', 'Total number of threads'],
    ]);
    gcCollections(sc, rs, ctx, 'dotnet.gc', (generation, gcs) =>
      counter(sc, rs, 'dotnet_collection_count', generation, () => ({ ...target, generation }), gcs),
    );
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
    declare(sc.handles, [
      ['dotnet_build_info', 'gauge', 'Build information about prometheus-net.DotNetRuntime and the environment'],
      ['dotnet_gc_heap_size_bytes', 'gauge', 'The current size of all heaps (only updated after a garbage collection)'],
      [
        'dotnet_gc_collection_count',
        'counter',
        'Counts the number of garbage collections that have occurred, broken down by generation number.',
      ],
      ['dotnet_gc_pause_ratio', 'gauge', 'The percentage of time the process spent paused for garbage collection'],
      [
        'dotnet_gc_memory_total_available_bytes',
        'gauge',
        'The upper limit on the amount of physical memory .NET can allocate to',
      ],
      ['dotnet_threadpool_num_threads', 'gauge', 'The number of active threads in the thread pool'],
    ]);
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
    gcCollections(sc, rs, ctx, 'dotnetruntime.gc', (generation, gcs) =>
      counter(sc, rs, 'dotnet_gc_collection_count', generation, () => ({ ...target, gc_generation: generation }), gcs),
    );
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
