/**
 * Exporters and libraries whose metric names no convention in signals/*.yml knows: what a team runs next to a
 * worker, a PHP or Python app, or on a plain VM. Triage can only read them by name (the "what moved" step).
 *
 * Every emitter copies what the exporter or library source writes (names, types, labels, units, `_total` or bare
 * counter names); the source is cited on each. Exporters scraped on their own schedule are `ExporterModel`s (VM
 * hosts, a Celery exporter Deployment); exporters and libraries inside the service's pods are `AppEmitter`s.
 */
import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache } from './accumulators.js';
import { runAt } from './cluster.js';
import { Integrator } from './emit-stores.js';
import { hash32, type Noise } from './noise.js';
import { type RunState, type ScrapeContext, scrapedAt } from './simulate.js';
import { type Latency, lognormalCappedMean, lognormalCdf } from './stats.js';
import type { AppEmitter, ExporterModel, Pod, PodContext, ServiceModel } from './types.js';
import { declare, type HistogramData, round6, Scrape, windowQuantile, writeHistogram } from './write.js';

const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Shared machinery.

function phaseOf(text: string): { phase: number; ms: number } {
  const h = hash32(text);
  return { phase: 5 * (h % 12), ms: 1 + ((h >>> 8) % 998) };
}

/** Calls `body` when a target is scraped at t (once a minute at its own phase), after writing its `up`. */
export function onScrape(
  handles: HandleCache,
  target: Labels,
  t: number,
  body: (s: Scrape) => void,
  options: { seed?: string; up?: boolean } = {},
): void {
  const seed = options.seed ?? target.instance ?? JSON.stringify(target);
  const { phase, ms } = phaseOf(seed);
  if (!scrapedAt(phase, t)) return;
  const s = new Scrape(handles, seed, target, t - ms / 1000);
  s.declare('up', 'gauge', 'Whether the last scrape of the target succeeded (written by Prometheus).');
  s.g('up', {}, options.up === false ? 0 : 1);
  body(s);
}

/** Counters of a long-lived process, each integrated from its rate since `origin` (plus an initial value). */
export class Totals {
  readonly #integrators = new Map<string, Integrator>();
  readonly #origin: number;

  constructor(origin: number) {
    this.#origin = origin;
  }

  at(key: string, t: number, rate: (tau: number) => number, initial = 0): number {
    let i = this.#integrators.get(key);
    if (!i) {
      i = new Integrator(this.#origin, initial);
      this.#integrators.set(key, i);
    }
    return i.at(t, rate);
  }

  /** A histogram of observations arriving at `rate`/s with a latency distribution (seconds; `scale` for `_sum`). */
  histogram(
    key: string,
    t: number,
    bounds: readonly number[],
    rate: (tau: number) => number,
    latency: (tau: number) => Latency,
    scale = 1,
  ): HistogramData {
    const count = this.at(`${key}|count`, t, rate);
    const sum = this.at(`${key}|sum`, t, (tau) => rate(tau) * lognormalCappedMean(latency(tau)) * scale);
    const cumulative = bounds.map((b, i) =>
      this.at(`${key}|le${i}`, t, (tau) => rate(tau) * lognormalCdf(latency(tau), b)),
    );
    return { cumulative, count, sum };
  }
}

/**
 * A queue fed at `arrivals(t)`/s and drained at most at `capacity(t)`/s, stepped on a fixed grid from `origin`
 * (deterministic whatever order it is asked in): its length, the rate it is drained at, and how many left it.
 */
export class QueueSim {
  readonly #length: number[];
  readonly #done: number[] = [0];
  readonly #origin: number;
  readonly #step: number;
  readonly #arrivals: (t: number) => number;
  readonly #capacity: (t: number) => number;
  /** Messages beyond it are refused (a full accept backlog). */
  readonly #max: number;

  constructor(
    origin: number,
    arrivals: (t: number) => number,
    capacity: (t: number) => number,
    options: { step?: number; initial?: number; max?: number } = {},
  ) {
    this.#origin = origin;
    this.#max = options.max ?? Number.POSITIVE_INFINITY;
    this.#step = options.step ?? 5;
    this.#arrivals = arrivals;
    this.#capacity = capacity;
    this.#length = [options.initial ?? 0];
  }

  #index(t: number): number {
    const i = Math.max(0, Math.floor((t - this.#origin) / this.#step));
    while (this.#length.length <= i + 1) {
      const k = this.#length.length - 1;
      const mid = this.#origin + (k + 0.5) * this.#step;
      const q = this.#length[k] ?? 0;
      const arriving = Math.max(0, this.#arrivals(mid)) * this.#step;
      const served = Math.min(q + arriving, Math.max(0, this.#capacity(mid)) * this.#step);
      this.#length.push(Math.min(this.#max, q + arriving - served));
      this.#done.push((this.#done[k] ?? 0) + served);
    }
    return i;
  }

  /** Messages waiting at t. */
  length(t: number): number {
    const i = this.#index(t);
    const f = (t - this.#origin) / this.#step - i;
    const a = this.#length[i] ?? 0;
    const b = this.#length[i + 1] ?? a;
    return a + (b - a) * Math.min(1, Math.max(0, f));
  }

  /** Messages drained per second around t. */
  rate(t: number): number {
    const i = this.#index(t);
    return ((this.#done[i + 1] ?? 0) - (this.#done[i] ?? 0)) / this.#step;
  }
}

/** Per-process counters integrated from rates (restart with the process). */
const PROCESS_TOTALS = new WeakMap<RunState, Totals>();
function processTotals(rs: RunState): Totals {
  let t = PROCESS_TOTALS.get(rs);
  if (!t) {
    t = new Totals(rs.run.start);
    PROCESS_TOTALS.set(rs, t);
  }
  return t;
}

/** The pod's share of the service's rate at tau (an even split over the ready pods). */
function podShare(model: ServiceModel, tau: number): number {
  let ready = 0;
  for (const p of model.pods) if (tau >= p.created && tau < p.deleted && runAt(p, tau)) ready += 1;
  return ready > 0 ? model.rps(tau) / ready : 0;
}

/** A small self-description of a Go exporter process (client_golang's process collector and go_goroutines). */
function goExporterProcess(s: Scrape, start: number, rssBytes: number, cpuSeconds: number): void {
  s.declare('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.');
  s.declare('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
  s.declare('process_cpu_seconds', 'counter', 'Total user and system CPU time spent in seconds.');
  s.declare('go_goroutines', 'gauge', 'Number of goroutines that currently exist.');
  s.g('process_start_time_seconds', {}, round6(start));
  s.g('process_resident_memory_bytes', {}, Math.round(rssBytes));
  s.c('process_cpu_seconds', {}, Math.round(cpuSeconds * 100) / 100);
  s.g('go_goroutines', {}, 9 + Math.round(s.ts % 3));
}

/** prometheus/common's version collector, `<program>_build_info`. */
function buildInfo(s: Scrape, program: string, version: string, revision: string, goVersion: string): void {
  const name = `${program}_build_info`;
  s.declare(
    name,
    'gauge',
    `A metric with a constant '1' value labeled by version, revision, branch, goversion from which ${program} was built, and the goos and goarch for the build.`,
  );
  s.g(
    name,
    { branch: 'HEAD', goarch: 'amd64', goos: 'linux', goversion: goVersion, revision, tags: 'unknown', version },
    1,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// node_exporter on a VM (prometheus/node_exporter: collector/meminfo_linux.go `node_memory_<field>_bytes`,
// collector/cpu_linux.go `node_cpu_seconds_total{cpu,mode}`, loadavg.go `node_load1/5/15`, vmstat_linux.go (untyped
// `node_vmstat_<field>`, default fields oom_kill, pgpg*, pswp*, pg*fault), pressure_linux.go
// `node_pressure_{cpu,memory}_waiting_seconds_total`, `node_pressure_memory_stalled_seconds_total`,
// filesystem_common.go, netdev_common.go, diskstats_linux.go, boot_time, time.go, uname.go).

export interface NodeHost {
  job: string;
  instance: string;
  nodename: string;
  cpus: number;
  memTotalBytes: number;
  bootTime: number;
  /** Anonymous memory of the processes (bytes) at t. */
  anonBytes(t: number): number;
  /** Busy share of the CPUs (0–1) at t. */
  cpuBusy(t: number): number;
  /** Page cache the workload keeps warm when memory allows (bytes). */
  cacheBytes: number;
  /** Network bytes per second out of the host at t. */
  txBytesPerSecond(t: number): number;
}

const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] as const;

/** node_exporter's default collectors on one host (the families an engineer opens first). */
export function nodeExporter(host: NodeHost, noise: Noise, historyStart: number): ExporterModel {
  const totals = new Totals(historyStart - 3600);
  const since = historyStart - 3600 - host.bootTime;
  const target: Labels = { job: host.job, instance: host.instance };
  return {
    emit: (_model, handles, _noise, t) =>
      onScrape(handles, target, t, (s) => {
        s.declare('node_cpu_seconds', 'counter', 'Seconds the CPUs spent in each mode.');
        s.declare('node_load1', 'gauge', '1m load average.');
        s.declare('node_load5', 'gauge', '5m load average.');
        s.declare('node_load15', 'gauge', '15m load average.');
        s.declare('node_boot_time_seconds', 'gauge', 'Node boot time, in unixtime.');
        s.declare('node_time_seconds', 'gauge', 'System time in seconds since epoch (1970).');
        s.declare('node_uname_info', 'gauge', 'Labeled system information as provided by the uname system call.');
        const busy = (tau: number) =>
          Math.min(0.99, host.cpuBusy(tau) * noise.factor(`cpu:${host.instance}`, tau, 0.08));
        for (let cpu = 0; cpu < host.cpus; cpu++) {
          const share: Record<(typeof CPU_MODES)[number], (tau: number) => number> = {
            user: (tau) => busy(tau) * 0.72,
            system: (tau) => busy(tau) * 0.2,
            softirq: (tau) => busy(tau) * 0.03,
            irq: () => 0,
            nice: () => 0.0004,
            steal: () => 0.002,
            iowait: () => 0.006,
            idle: (tau) => 1 - busy(tau) * 0.95 - 0.0084,
          };
          for (const mode of CPU_MODES) {
            const rate = share[mode];
            const v = totals.at(`cpu${cpu}|${mode}`, t, rate, rate(historyStart) * since);
            s.c('node_cpu_seconds', { cpu: String(cpu), mode }, Math.round(v * 100) / 100);
          }
        }
        const load = busy(t) * host.cpus * 1.1;
        s.g('node_load1', {}, round6(load * (1 + 0.15 * noise.white(`l1:${host.instance}`, t))));
        s.g('node_load5', {}, round6(load * (1 + 0.06 * noise.smooth(`l5:${host.instance}`, t, 300))));
        s.g('node_load15', {}, round6(load));
        // /proc/meminfo: anonymous memory of the processes, the page cache squeezed when it grows.
        const total = host.memTotalBytes;
        const anon = host.anonBytes(t) * (1 + 0.004 * noise.white(`anon:${host.instance}`, t));
        const kernel = 310 * MIB;
        const cache = Math.max(180 * MIB, Math.min(host.cacheBytes, total - anon - kernel - 150 * MIB));
        const free = Math.max(64 * MIB, total - anon - kernel - cache);
        const buffers = 48 * MIB;
        const shmem = 22 * MIB;
        const slab = 190 * MIB;
        const reclaimable = 120 * MIB;
        const available = free + cache * 0.92 + reclaimable - 40 * MIB;
        const memory: Array<readonly [string, number]> = [
          ['MemTotal', total],
          ['MemFree', free],
          ['MemAvailable', available],
          ['Buffers', buffers],
          ['Cached', cache],
          ['Active', anon * 0.97 + cache * 0.55],
          ['Inactive', anon * 0.03 + cache * 0.45],
          ['Active_anon', anon * 0.97],
          ['Inactive_anon', anon * 0.03 + shmem],
          ['Active_file', cache * 0.55],
          ['Inactive_file', cache * 0.45],
          ['AnonPages', anon],
          ['Shmem', shmem],
          ['Slab', slab],
          ['SReclaimable', reclaimable],
          ['SUnreclaim', slab - reclaimable],
          ['Mapped', 160 * MIB],
          ['PageTables', 14 * MIB + anon / 600],
          ['Dirty', 0.4 * MIB * (1 + noise.uniform(`dirty:${host.instance}`, t))],
          ['Committed_AS', anon * 1.35 + 600 * MIB],
          ['CommitLimit', total / 2],
          ['SwapTotal', 0],
          ['SwapFree', 0],
        ];
        for (const [field, value] of memory) {
          const name = `node_memory_${field}_bytes`;
          s.declare(name, 'gauge', `Memory information field ${field}_bytes.`);
          s.g(name, {}, Math.round(value / 4096) * 4096);
        }
        // Reclaim pressure once the page cache is squeezed below what the workload needs.
        const squeeze = (tau: number) => {
          const a = host.anonBytes(tau);
          const c = Math.min(host.cacheBytes, total - a - kernel - 150 * MIB);
          return Math.max(0, Math.min(1, (host.cacheBytes * 0.5 - c) / (host.cacheBytes * 0.5)));
        };
        s.declare(
          'node_pressure_memory_waiting_seconds',
          'counter',
          'Total time in seconds that processes have waited for memory',
        );
        s.declare(
          'node_pressure_memory_stalled_seconds',
          'counter',
          'Total time in seconds no process could make progress due to memory congestion',
        );
        s.declare(
          'node_pressure_cpu_waiting_seconds',
          'counter',
          'Total time in seconds that processes have waited for CPU time',
        );
        const memWait = (tau: number) => 0.0004 + 0.18 * squeeze(tau) ** 2;
        s.c('node_pressure_memory_waiting_seconds', {}, round6(totals.at('psi-mem', t, memWait, 0.0004 * since)));
        s.c(
          'node_pressure_memory_stalled_seconds',
          {},
          round6(totals.at('psi-mem-full', t, (tau) => memWait(tau) * 0.35, 0.00014 * since)),
        );
        s.c(
          'node_pressure_cpu_waiting_seconds',
          {},
          round6(totals.at('psi-cpu', t, (tau) => 0.01 + 0.2 * busy(tau) ** 3, 0.012 * since)),
        );
        for (const [field, rate] of [
          ['pgfault', (tau: number) => 900 + 2500 * busy(tau)],
          ['pgmajfault', (tau: number) => 0.05 + 40 * squeeze(tau) ** 2],
          ['pgpgin', (tau: number) => 30 + 2500 * squeeze(tau) ** 2],
          ['pgpgout', () => 160],
          ['pswpin', () => 0],
          ['pswpout', () => 0],
          ['oom_kill', () => 0],
        ] as const) {
          const name = `node_vmstat_${field}`;
          s.declare(name, 'unknown', `/proc/vmstat information field ${field}.`);
          s.g(name, {}, Math.round(totals.at(`vm-${field}`, t, rate, rate(historyStart) * since)));
        }
        s.declare('node_filesystem_avail_bytes', 'gauge', 'Filesystem space available to non-root users in bytes.');
        s.declare('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.');
        for (const [device, mountpoint, size, used] of [
          ['/dev/nvme0n1p1', '/', 40 * 1024 * MIB, 11.2 * 1024 * MIB],
          ['/dev/nvme1n1', '/srv', 200 * 1024 * MIB, 71 * 1024 * MIB],
        ] as const) {
          const labels = { device, fstype: 'ext4', mountpoint };
          s.g('node_filesystem_size_bytes', labels, size);
          s.g('node_filesystem_avail_bytes', labels, Math.round((size * 0.95 - used) / 4096) * 4096);
        }
        s.declare('node_network_receive_bytes', 'counter', 'Network device statistic receive_bytes.');
        s.declare('node_network_transmit_bytes', 'counter', 'Network device statistic transmit_bytes.');
        const tx = (tau: number) => host.txBytesPerSecond(tau);
        const rx = (tau: number) => 0.2 * host.txBytesPerSecond(tau) + 2000;
        s.c(
          'node_network_receive_bytes',
          { device: 'ens5' },
          Math.round(totals.at('rx', t, rx, rx(historyStart) * since)),
        );
        s.c(
          'node_network_transmit_bytes',
          { device: 'ens5' },
          Math.round(totals.at('tx', t, tx, tx(historyStart) * since)),
        );
        s.declare('node_disk_io_time_seconds', 'counter', 'Total seconds spent doing I/Os.');
        const io = (tau: number) => 0.004 + 0.3 * squeeze(tau) ** 2;
        s.c('node_disk_io_time_seconds', { device: 'nvme1n1' }, round6(totals.at('io', t, io, 0.004 * since)));
        s.g('node_boot_time_seconds', {}, host.bootTime);
        s.g('node_time_seconds', {}, round6(s.ts));
        s.g(
          'node_uname_info',
          {
            domainname: '(none)',
            machine: 'x86_64',
            nodename: host.nodename,
            release: '6.8.0-1015-aws',
            sysname: 'Linux',
            version: '#16-Ubuntu SMP Mon Aug 19 19:38:17 UTC 2024',
          },
          1,
        );
        buildInfo(s, 'node_exporter', '1.8.2', 'f1e0e8360aa60b6cb5e5cc1560bed348fc2c1895', 'go1.22.5');
        goExporterProcess(s, host.bootTime + 31.4, 21 * MIB, (t - host.bootTime) * 0.0011);
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Apache httpd's mod_status through Lusitaniae/apache_exporter (collector/collector.go): apache_up,
// apache_accesses_total, apache_sent_kilobytes_total, apache_duration_ms_total, apache_cpu_time_ms_total{type},
// apache_cpuload, apache_uptime_seconds_total, apache_workers{state="busy|idle"}, apache_processes{state},
// apache_scoreboard{state} (one series per scoreboard character: idle, startup, read, reply, keepalive, dns,
// closing, logging, graceful_stop, idle_cleanup, open_slot), apache_load{interval}, apache_generation{type},
// apache_info{version,mpm}, and apache_exporter_build_info from prometheus/common's version collector.

export interface ApacheServer {
  job: string;
  instance: string;
  /** When httpd (and the exporter) started. */
  started: number;
  /** Requests per second arriving at t. */
  arrivals(t: number): number;
  /** Time to serve a request at t (seconds). */
  service(t: number): Latency;
  /** prefork: MaxRequestWorkers (busy workers never exceed it) and ServerLimit (scoreboard slots). */
  maxRequestWorkers: number;
  serverLimit: number;
  /** Seconds a connection lingers in keep-alive after its last request (KeepAliveTimeout, capped by workers). */
  keepAliveSeconds: number;
  cpus: number;
}

/** apache_exporter scraping a prefork httpd; requests beyond MaxRequestWorkers wait in the listen backlog. */
export function apacheExporter(server: ApacheServer, noise: Noise, historyStart: number): ExporterModel {
  const totals = new Totals(historyStart - 3600);
  const mean = (tau: number) => lognormalCappedMean(server.service(tau));
  // Workers serve at most MaxRequestWorkers / mean service time; the rest wait in the accept backlog.
  const queue = new QueueSim(
    historyStart - 3600,
    (tau) => server.arrivals(tau),
    (tau) => server.maxRequestWorkers / mean(tau),
    { max: 511 },
  );
  const since = historyStart - 3600 - server.started;
  const target: Labels = { job: server.job, instance: server.instance };
  return {
    emit: (_model, handles, _noise, t) =>
      onScrape(handles, target, t, (s) => {
        for (const [name, type, help] of [
          ['apache_up', 'gauge', 'Could the apache server be reached'],
          ['apache_accesses', 'counter', 'Current total apache accesses (*)'],
          ['apache_sent_kilobytes', 'counter', 'Current total kbytes sent (*)'],
          ['apache_duration_ms', 'counter', 'Total duration of all registered requests in ms'],
          ['apache_cpu_time_ms', 'counter', 'Apache CPU time'],
          [
            'apache_cpuload',
            'gauge',
            'The current percentage CPU used by each worker and in total by all workers combined (*)',
          ],
          ['apache_uptime_seconds', 'counter', 'Current uptime in seconds (*)'],
          ['apache_workers', 'gauge', 'Apache worker statuses'],
          ['apache_processes', 'gauge', 'Apache process count'],
          ['apache_scoreboard', 'gauge', 'Apache scoreboard statuses'],
          ['apache_load', 'gauge', 'Apache server load'],
          ['apache_generation', 'gauge', 'Apache restart generation'],
          ['apache_info', 'gauge', 'Apache version information'],
          ['apache_exporter_scrape_failures', 'counter', 'Number of errors while scraping apache.'],
        ] as const) {
          s.declare(name, type, help);
        }
        const served = (tau: number) => queue.rate(tau);
        const n = served(t);
        const working = Math.min(server.maxRequestWorkers, n * mean(t));
        const saturated = queue.length(t) > 1;
        // Keep-alive connections (about one per eight requests) hold a worker on prefork until KeepAliveTimeout; they
        // give way when workers run out.
        const keepalive = saturated
          ? 0
          : Math.min(server.maxRequestWorkers - working, n * server.keepAliveSeconds * 0.12);
        const busy = Math.min(server.maxRequestWorkers, Math.round(working + keepalive + 1));
        // prefork keeps MinSpareServers..MaxSpareServers (5..10) idle children while it can.
        const idle = saturated
          ? 0
          : Math.max(
              0,
              Math.min(
                server.maxRequestWorkers - busy,
                5 + Math.round(4 * noise.uniform(`spare:${server.instance}`, t)),
              ),
            );
        const processes = busy + idle;
        s.g('apache_up', {}, 1);
        const accesses = totals.at('accesses', t, served, server.arrivals(historyStart) * since);
        s.c('apache_accesses', {}, Math.round(accesses));
        s.c(
          'apache_sent_kilobytes',
          {},
          Math.round(totals.at('kb', t, (tau) => served(tau) * 21.5, server.arrivals(historyStart) * since * 21.5)),
        );
        s.c(
          'apache_duration_ms',
          {},
          Math.round(
            totals.at(
              'dur',
              t,
              (tau) => served(tau) * mean(tau) * 1000,
              server.arrivals(historyStart) * since * mean(historyStart) * 1000,
            ),
          ),
        );
        const cpuPerRequest = 0.018;
        const user = totals.at(
          'cpu-user',
          t,
          (tau) => served(tau) * cpuPerRequest * 0.85,
          server.arrivals(historyStart) * since * cpuPerRequest * 0.85,
        );
        const system = totals.at(
          'cpu-sys',
          t,
          (tau) => served(tau) * cpuPerRequest * 0.15,
          server.arrivals(historyStart) * since * cpuPerRequest * 0.15,
        );
        s.c('apache_cpu_time_ms', { type: 'user' }, Math.round(user * 1000));
        s.c('apache_cpu_time_ms', { type: 'system' }, Math.round(system * 1000));
        s.g('apache_cpuload', {}, round6(((user + system) / Math.max(1, t - server.started)) * 100));
        s.c('apache_uptime_seconds', {}, Math.floor(t - server.started));
        s.g('apache_workers', { state: 'busy' }, busy);
        s.g('apache_workers', { state: 'idle' }, idle);
        s.g('apache_processes', { state: 'all' }, processes);
        s.g('apache_processes', { state: 'stopping' }, 0);
        // Scoreboard: busy workers mostly sending replies, some reading, keep-alive ones in K, the rest open.
        const reading = Math.round(Math.min(busy, n * 0.004 + (saturated ? 2 : 0)));
        const logging = Math.round(Math.min(busy - reading, n * 0.0005));
        const ka = Math.round(Math.min(busy - reading - logging, keepalive));
        const closing = busy - reading - logging - ka > 2 ? 1 : 0;
        const reply = Math.max(0, busy - reading - logging - ka - closing);
        const board: Record<string, number> = {
          idle,
          startup: 0,
          read: reading,
          reply,
          keepalive: ka,
          dns: 0,
          closing,
          logging,
          graceful_stop: 0,
          idle_cleanup: 0,
          open_slot: server.serverLimit - processes,
        };
        for (const [state, value] of Object.entries(board)) s.g('apache_scoreboard', { state }, value);
        const load = Math.min(server.cpus * 1.5, n * cpuPerRequest * 1.2 + (saturated ? 0.4 : 0));
        s.g('apache_load', { interval: '1min' }, round6(load * (1 + 0.1 * noise.white(`al:${server.instance}`, t))));
        s.g('apache_load', { interval: '5min' }, round6(load));
        s.g('apache_load', { interval: '15min' }, round6(load * 0.98));
        s.g('apache_generation', { type: 'config' }, 3);
        s.g('apache_generation', { type: 'mpm' }, 3);
        s.g('apache_info', { mpm: 'prefork', version: 'Apache/2.4.62 (Debian)' }, 1);
        s.c('apache_exporter_scrape_failures', {}, 0);
        buildInfo(s, 'apache_exporter', '1.0.9', '4d4ba68e55d25f76a61e3bb2be0b6b57d2f1e1ac', 'go1.23.2');
        goExporterProcess(s, server.started + 3.2, 17 * MIB, (t - server.started) * 0.0004);
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A team's own Go daemon on VMs (client_golang, names invented by the team under an `acme_<service>_` prefix).

export interface AcmeDaemon {
  job: string;
  instances: readonly string[];
  prefix: string;
  started: number;
  version: string;
  revision: string;
  /** Postings per second per instance at t, by result (posted / rejected / error). */
  results(t: number): Readonly<Record<string, number>>;
  /** Time to post one (seconds). */
  duration(t: number): Latency;
  /** Batches being processed (a gauge). */
  batches(t: number): number;
}

/** client_golang DefBuckets. */
const GO_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `<prefix>_postings_total{result}`, `<prefix>_posting_duration_seconds`, `<prefix>_batches_in_progress`, build info, Go runtime. */
export function acmeDaemon(daemon: AcmeDaemon, noise: Noise, historyStart: number): ExporterModel {
  const totals = new Totals(historyStart - 3600);
  const since = historyStart - 3600 - daemon.started;
  return {
    emit: (_model, handles, _noise, t) => {
      daemon.instances.forEach((instance, i) => {
        const share = (tau: number) => 1 + 0.04 * noise.smooth(`share:${instance}`, tau, 900) - 0.02 * i;
        onScrape(handles, { job: daemon.job, instance }, t, (s) => {
          const postings = `${daemon.prefix}_postings`;
          const duration = `${daemon.prefix}_posting_duration_seconds`;
          const batches = `${daemon.prefix}_batches_in_progress`;
          const build = `${daemon.prefix}_build_info`;
          s.declare(postings, 'counter', 'Journal postings processed, by result.');
          s.declare(duration, 'histogram', 'Time to validate and post one journal entry.');
          s.declare(batches, 'gauge', 'Posting batches currently being processed.');
          s.declare(build, 'gauge', 'Build information.');
          for (const result of Object.keys(daemon.results(t))) {
            const rate = (tau: number) => (daemon.results(tau)[result] ?? 0) * share(tau);
            const initial = (daemon.results(historyStart)[result] ?? 0) * since;
            const v = totals.at(`${instance}|${result}`, t, rate, initial);
            if (v >= 1) s.c(postings, { result }, Math.round(v));
          }
          const all = (tau: number) => Object.values(daemon.results(tau)).reduce((a, b) => a + b, 0) * share(tau);
          const hist = totals.histogram(`${instance}|dur`, t, GO_DEFAULT_BUCKETS, all, (tau) => daemon.duration(tau));
          const initial = all(historyStart) * since;
          const initialCum = GO_DEFAULT_BUCKETS.map((b) => initial * lognormalCdf(daemon.duration(historyStart), b));
          s.h(duration, {}, GO_DEFAULT_BUCKETS, {
            count: hist.count + initial,
            sum: hist.sum + initial * lognormalCappedMean(daemon.duration(historyStart)),
            cumulative: hist.cumulative.map((c, k) => c + (initialCum[k] ?? 0)),
          });
          s.g(batches, {}, Math.round(daemon.batches(t) * share(t)));
          s.g(build, { version: daemon.version, revision: daemon.revision, goversion: 'go1.22.7' }, 1);
          goExporterProcess(
            s,
            daemon.started + 0.8 + i * 41.3,
            (88 + 6 * noise.smooth(`rss:${instance}`, t, 1800)) * MIB,
            (t - daemon.started) * 0.06,
          );
        });
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// danihodovic/celery-exporter (src/exporter.py, client_python with its own registry, prefix `celery_`):
// celery_task_{received,started,succeeded,failed,rejected,revoked,retried}_total{name,hostname,queue_name}
// (failed also by `exception`; every counter of a label set is instantiated at 0 on any event; `_created` gauges
// as client_python writes them), celery_task_runtime{name,hostname,queue_name} (histogram, client_python's
// DEFAULT_BUCKETS, succeeded tasks only), celery_task_queue_wait_time (histogram, DEFAULT_QUEUE_WAIT_BUCKETS),
// celery_worker_up{hostname}, celery_worker_tasks_active{hostname}, celery_queue_length{queue_name},
// celery_active_worker_count / celery_active_process_count{queue_name}. `hostname` is the worker's host (the pod
// name: get_hostname strips `celery@`). celery_task_sent_total only exists when producers send task-sent events
// (task_send_sent_event, off by default): not here.

/** client_python's Histogram.DEFAULT_BUCKETS (without +Inf). */
const PYTHON_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** celery-exporter's DEFAULT_QUEUE_WAIT_BUCKETS (without +Inf). */
const CELERY_QUEUE_WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface CeleryTask {
  name: string;
  /** Share of the queue's messages. */
  share: number;
  runtime(t: number): Latency;
  /** Share of executions that fail (by exception class) and that are retried. */
  failed?(t: number): Readonly<Record<string, number>>;
  retried?(t: number): number;
}

export interface CeleryApp {
  queue: string;
  tasks: readonly CeleryTask[];
  /** Pool processes per worker (--concurrency). */
  concurrency: number;
  /** Messages published per second at t. */
  arrivals(t: number): number;
  /** The exporter Deployment's pod (scrape target). */
  exporter: { pod: string; ip: string; started: number };
}

/**
 * The queue shared by the service's worker pods: drained at most at workers × concurrency / mean runtime. Scenarios
 * use `drained` as the model's rate, so the pods' CPU follows the work done.
 */
export class CeleryQueue {
  readonly queue: QueueSim;
  readonly app: CeleryApp;

  constructor(app: CeleryApp, origin: number, workers: number) {
    this.app = app;
    const mean = (t: number) =>
      app.tasks.reduce((s, task) => s + task.share * lognormalCappedMean(task.runtime(t)), 0) /
      app.tasks.reduce((s, task) => s + task.share, 0);
    this.queue = new QueueSim(
      origin,
      (t) => app.arrivals(t),
      (t) => (workers * app.concurrency) / mean(t),
    );
  }

  drained(t: number): number {
    return this.queue.rate(t);
  }
}

export function celeryExporter(celery: CeleryQueue, namespace: string, historyStart: number): ExporterModel {
  const { app } = celery;
  const totals = new Totals(historyStart);
  const totalShare = app.tasks.reduce((s, task) => s + task.share, 0);
  const target: Labels = {
    job: 'celery-exporter',
    instance: `${app.exporter.ip}:9808`,
    namespace,
    pod: app.exporter.pod,
    container: 'celery-exporter',
  };
  const created = new Map<string, number>();
  const createdAt = (key: string, t: number) => {
    let v = created.get(key);
    if (v === undefined) {
      v = Math.max(app.exporter.started + 4.2, t - 3600 * 30) + (hash32(key) % 997) / 1000;
      created.set(key, v);
    }
    return v;
  };
  return {
    emit: (model, handles, noise, t) =>
      onScrape(handles, target, t, (s) => {
        const counters = ['received', 'started', 'succeeded', 'failed', 'rejected', 'revoked', 'retried'] as const;
        const help: Record<(typeof counters)[number], string> = {
          received: 'Sent when the worker receives a task.',
          started: 'Sent just before the worker executes the task.',
          succeeded: 'Sent if the task executed successfully.',
          failed: 'Sent if the execution of the task failed.',
          rejected: 'The task was rejected by the worker, possibly to be re-queued or moved to a dead letter queue.',
          revoked: 'Sent if the task has been revoked.',
          retried: 'Sent if the task failed, but will be retried in the future.',
        };
        for (const c of counters) {
          s.declare(`celery_task_${c}`, 'counter', help[c]);
          s.declare(`celery_task_${c}_created`, 'gauge', help[c]);
        }
        s.declare('celery_task_runtime', 'histogram', 'Histogram of task runtime measurements.');
        s.declare('celery_task_runtime_created', 'gauge', 'Histogram of task runtime measurements.');
        s.declare(
          'celery_task_queue_wait_time',
          'histogram',
          'Histogram of the time tasks spend waiting in the queue before being executed, excluding deliberate ETA/countdown delay.',
        );
        s.declare(
          'celery_task_queue_wait_time_created',
          'gauge',
          'Histogram of the time tasks spend waiting in the queue before being executed, excluding deliberate ETA/countdown delay.',
        );
        s.declare('celery_worker_up', 'gauge', 'Indicates if a worker has recently sent a heartbeat.');
        s.declare('celery_worker_tasks_active', 'gauge', 'The number of tasks the worker is currently processing');
        s.declare('celery_queue_length', 'gauge', 'The number of message in broker queue.');
        s.declare('celery_active_worker_count', 'gauge', 'The number of active workers in broker queue.');
        s.declare('celery_active_process_count', 'gauge', 'The number of active processes in broker queue.');
        const workers = model.pods.filter((p) => t >= p.created && t < p.deleted && runAt(p, t));
        const perWorker = (pod: Pod) => (tau: number) =>
          (celery.drained(tau) / Math.max(1, workers.length)) * (1 + 0.05 * noise.smooth(`w:${pod.name}`, tau, 600));
        const wait = (tau: number): Latency => {
          const rate = Math.max(0.01, celery.drained(tau));
          return { median: Math.max(0.02, celery.queue.length(tau) / rate), sigma: 0.5 };
        };
        for (const pod of workers) {
          const rate = perWorker(pod);
          let active = 0;
          for (const task of app.tasks) {
            const labels = { name: task.name, hostname: pod.name, queue_name: app.queue };
            const executions = (tau: number) => (rate(tau) * task.share) / totalShare;
            const failedShares = (tau: number) => task.failed?.(tau) ?? {};
            const failedShare = (tau: number) => Object.values(failedShares(tau)).reduce((a, b) => a + b, 0);
            const retriedShare = (tau: number) => task.retried?.(tau) ?? 0;
            const ok = (tau: number) => executions(tau) * Math.max(0, 1 - failedShare(tau) - retriedShare(tau));
            const base = `${pod.name}|${task.name}`;
            const received = totals.at(`${base}|received`, t, executions);
            const values: Record<(typeof counters)[number], number> = {
              received,
              started: totals.at(`${base}|started`, t, executions),
              succeeded: totals.at(`${base}|succeeded`, t, ok),
              failed: 0,
              rejected: 0,
              revoked: 0,
              retried: totals.at(`${base}|retried`, t, (tau) => executions(tau) * retriedShare(tau)),
            };
            if (received < 1) continue;
            for (const c of counters) {
              const extra = c === 'failed' ? { ...labels, exception: '' } : labels;
              s.c(`celery_task_${c}`, extra, Math.round(values[c]));
              s.g(`celery_task_${c}_created`, extra, round6(createdAt(`${c}|${base}`, t)));
            }
            const classes = new Set<string>();
            for (const tau of [t, t - 900, t - 3 * 3600])
              for (const k of Object.keys(failedShares(tau))) classes.add(k);
            for (const exception of classes) {
              const v = totals.at(
                `${base}|failed|${exception}`,
                t,
                (tau) => executions(tau) * (failedShares(tau)[exception] ?? 0),
              );
              if (v < 1) continue;
              s.c('celery_task_failed', { ...labels, exception }, Math.round(v));
              s.g(
                'celery_task_failed_created',
                { ...labels, exception },
                round6(createdAt(`failed|${exception}|${base}`, t)),
              );
            }
            const runtime = totals.histogram(`${base}|runtime`, t, PYTHON_DEFAULT_BUCKETS, ok, (tau) =>
              task.runtime(tau),
            );
            s.h('celery_task_runtime', labels, PYTHON_DEFAULT_BUCKETS, runtime);
            s.g('celery_task_runtime_created', labels, round6(createdAt(`runtime|${base}`, t)));
            const waited = totals.histogram(`${base}|wait`, t, CELERY_QUEUE_WAIT_BUCKETS, executions, wait);
            s.h('celery_task_queue_wait_time', labels, CELERY_QUEUE_WAIT_BUCKETS, waited);
            s.g('celery_task_queue_wait_time_created', labels, round6(createdAt(`wait|${base}`, t)));
            active += executions(t) * lognormalCappedMean(task.runtime(t));
          }
          s.g('celery_worker_up', { hostname: pod.name }, 1);
          const busy = Math.min(app.concurrency, Math.round(active * (1 + 0.1 * noise.white(`act:${pod.name}`, t))));
          s.g('celery_worker_tasks_active', { hostname: pod.name }, Math.max(0, busy));
        }
        s.g('celery_queue_length', { queue_name: app.queue }, Math.round(celery.queue.length(t)));
        s.g('celery_active_worker_count', { queue_name: app.queue }, workers.length);
        s.g('celery_active_process_count', { queue_name: app.queue }, workers.length * app.concurrency);
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// yabeda-sidekiq (lib/yabeda/sidekiq.rb) through yabeda-prometheus (`build_name`: group, name, unit joined by `_`):
// per process sidekiq_jobs_executed_total / sidekiq_jobs_success_total / sidekiq_jobs_failed_total{queue,worker},
// sidekiq_job_runtime_seconds and sidekiq_job_latency_seconds (histograms, LONG_RUNNING_JOB_RUNTIME_BUCKETS),
// sidekiq_running_job_runtime_seconds{queue,worker}; and, from every server process, the installation's
// sidekiq_jobs_waiting_count{queue}, sidekiq_active_workers_count, sidekiq_jobs_scheduled_count,
// sidekiq_jobs_retry_count, sidekiq_jobs_dead_count, sidekiq_active_processes, sidekiq_queue_latency{queue}.
// Jobs are the model's routes (route = worker class, method = queue); outcome 200 is a success, ≥ 500 a failure.

export const SIDEKIQ_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 1800, 3600, 21600,
];

export interface SidekiqCluster {
  /** Jobs waiting per queue at t. */
  waiting(t: number): Readonly<Record<string, number>>;
  /** Age of the oldest job per queue at t (seconds). */
  queueLatency(t: number): Readonly<Record<string, number>>;
  scheduled(t: number): number;
  retries(t: number): number;
  dead(t: number): number;
  /** Sidekiq processes (all pods) and busy threads at t. */
  processes(t: number): number;
  busy(t: number): number;
  /** Time a job waited from enqueue to start at t. */
  jobLatency(t: number): Latency;
}

export function yabedaSidekiq(cluster: SidekiqCluster): AppEmitter {
  return (sc, rs, ctx, target) => {
    declare(sc.handles, [
      ['sidekiq_jobs_executed', 'counter', 'A counter of the total number of jobs sidekiq executed.'],
      ['sidekiq_jobs_success', 'counter', 'A counter of the total number of jobs successfully processed by sidekiq.'],
      ['sidekiq_jobs_failed', 'counter', 'A counter of the total number of jobs failed in sidekiq.'],
      ['sidekiq_job_runtime_seconds', 'histogram', 'A histogram of the job execution time.'],
      [
        'sidekiq_job_latency_seconds',
        'histogram',
        'The job latency, the difference in seconds between enqueued and running time',
      ],
      [
        'sidekiq_running_job_runtime_seconds',
        'gauge',
        'How long currently running jobs are running (useful for detection of hung jobs)',
      ],
      ['sidekiq_jobs_waiting_count', 'gauge', 'The number of jobs waiting to process in sidekiq.'],
      ['sidekiq_active_workers_count', 'gauge', 'The number of currently running machines with sidekiq workers.'],
      ['sidekiq_jobs_scheduled_count', 'gauge', 'The number of jobs scheduled for later execution.'],
      ['sidekiq_jobs_retry_count', 'gauge', 'The number of failed jobs waiting to be retried'],
      ['sidekiq_jobs_dead_count', 'gauge', 'The number of jobs exceeded their retry count.'],
      ['sidekiq_active_processes', 'gauge', 'The number of active Sidekiq worker processes.'],
      [
        'sidekiq_queue_latency',
        'gauge',
        'The queue latency, the difference in seconds since the oldest job in the queue was enqueued',
      ],
    ]);
    const byJob = new Map<
      string,
      {
        queue: string;
        worker: string;
        ok: number;
        failed: number;
        accs: RunState['http'] extends Map<string, infer V> ? V[] : never;
      }
    >();
    for (const entry of rs.http.values()) {
      const key = `${entry.route.method}|${entry.route.route}`;
      const job = byJob.get(key) ?? {
        queue: entry.route.method,
        worker: entry.route.route,
        ok: 0,
        failed: 0,
        accs: [],
      };
      if (entry.outcome.code >= 500) job.failed += entry.acc.shownCount;
      else job.ok += entry.acc.shownCount;
      job.accs.push(entry);
      byJob.set(key, job);
    }
    const totals = processTotals(rs);
    for (const [key, job] of byJob) {
      const labels = () => ({ ...target, queue: job.queue, worker: job.worker });
      const write = (family: string, value: number) => {
        const reset = rs.firstWrite(`${family}|${key}`);
        sc.handles.series(family, `${family}_total`, `${sc.pod.name}|${key}`, labels).add(sc.ts, value, reset);
      };
      if (job.ok + job.failed < 1) continue;
      write('sidekiq_jobs_executed', job.ok + job.failed);
      write('sidekiq_jobs_success', job.ok);
      write('sidekiq_jobs_failed', job.failed);
      writeHistogram(
        sc,
        rs,
        'sidekiq_job_runtime_seconds',
        key,
        labels,
        job.accs.map((e) => e.acc),
      );
      const weight = job.accs.reduce((s, e) => s + e.route.weight, 0) / job.accs.length;
      const totalWeight = sc.model.routes.reduce((s, r) => s + r.weight, 0);
      const rate = (tau: number) => (podShare(sc.model, tau) * weight) / totalWeight;
      const latency = totals.histogram(`latency|${key}`, sc.t, SIDEKIQ_BUCKETS, rate, (tau) => cluster.jobLatency(tau));
      if (latency.count >= 1) {
        const reset = rs.firstWrite(`sidekiq_job_latency_seconds|${key}`);
        sc.handles.histogram('sidekiq_job_latency_seconds', `${sc.pod.name}|${key}`, labels, SIDEKIQ_BUCKETS).add(
          sc.ts,
          {
            cumulative: latency.cumulative.map((c) => Math.min(Math.round(latency.count), Math.round(c))),
            sum: round6(latency.sum),
            count: Math.round(latency.count),
          },
          reset,
        );
      }
      // The longest-running job now: a few times the typical runtime of what is running.
      const outcomes = job.accs.map((e) => e.outcome);
      const typical = outcomes.reduce((m, o) => Math.max(m, o.median), 0);
      const running = typical * (1.5 + ctx.noise.uniform(`run:${sc.pod.name}:${key}`, sc.t) * 2);
      sc.handles
        .series(
          'sidekiq_running_job_runtime_seconds',
          'sidekiq_running_job_runtime_seconds',
          `${sc.pod.name}|${key}`,
          labels,
        )
        .add(sc.ts, Math.round(running * 1000) / 1000);
    }
    const g = (family: string, extra: Labels, value: number) =>
      sc.handles
        .series(family, family, `${sc.pod.name}|${JSON.stringify(extra)}`, () => ({ ...target, ...extra }))
        .add(sc.ts, value);
    for (const [queue, n] of Object.entries(cluster.waiting(sc.t)))
      g('sidekiq_jobs_waiting_count', { queue }, Math.round(n));
    for (const [queue, s] of Object.entries(cluster.queueLatency(sc.t))) {
      g('sidekiq_queue_latency', { queue }, Math.round(s * 1000) / 1000);
    }
    g('sidekiq_active_workers_count', {}, Math.round(cluster.busy(sc.t)));
    g('sidekiq_jobs_scheduled_count', {}, Math.round(cluster.scheduled(sc.t)));
    g('sidekiq_jobs_retry_count', {}, Math.round(cluster.retries(sc.t)));
    g('sidekiq_jobs_dead_count', {}, Math.round(cluster.dead(sc.t)));
    g('sidekiq_active_processes', {}, Math.round(cluster.processes(sc.t)));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// php-fpm's status page through hipages/php-fpm_exporter (phpfpm/exporter.go, client_golang const metrics, so
// counters keep their bare names): phpfpm_up, phpfpm_scrape_failures, phpfpm_start_since,
// phpfpm_accepted_connections, phpfpm_listen_queue, phpfpm_max_listen_queue, phpfpm_listen_queue_length,
// phpfpm_idle_processes, phpfpm_active_processes, phpfpm_total_processes, phpfpm_max_active_processes,
// phpfpm_max_children_reached, phpfpm_slow_requests (all {pool,scrape_uri}), and per child (child = index in the
// status page) phpfpm_process_state{state} (six states), phpfpm_process_requests, phpfpm_process_last_request_memory,
// phpfpm_process_last_request_cpu, phpfpm_process_request_duration (µs). The exporter is the pod's scrape target
// (a sidecar); its nginx sidecar is scraped by nginx/nginx-prometheus-exporter (collector/nginx.go, stub_status):
// nginx_connections_{active,accepted,handled,reading,writing,waiting}, nginx_http_requests_total, nginx_up.

export interface PhpFpmPool {
  pool: string;
  maxChildren: number;
  startServers: number;
  minSpare: number;
  maxSpare: number;
  /** listen.backlog */
  backlog: number;
  /** request_slowlog_timeout (seconds). */
  slowlogTimeout: number;
  /** Requests per second arriving at the pod's nginx at t. */
  arrivals(t: number): number;
  /** Time php-fpm spends on a request at t. */
  service(t: number): Latency;
  /** Memory a request peaks at (bytes). */
  requestMemory: number;
}

/** Per pod: the accept queue in front of the pool (drained at most at max_children / mean service time). */
const PHP_QUEUES = new WeakMap<Pod, QueueSim>();
function phpQueue(pool: PhpFpmPool, pod: Pod): QueueSim {
  let q = PHP_QUEUES.get(pod);
  if (!q) {
    q = new QueueSim(
      pod.created,
      (t) => pool.arrivals(t),
      (t) => pool.maxChildren / lognormalCappedMean(pool.service(t)),
      { max: pool.backlog },
    );
    PHP_QUEUES.set(pod, q);
  }
  return q;
}

/** What php-fpm serves per second on one pod at t (the model's rate is three times this). */
export function phpServed(pool: PhpFpmPool, pod: Pod, t: number): number {
  return phpQueue(pool, pod).rate(t);
}

export function phpFpmExporter(pool: PhpFpmPool): AppEmitter {
  const PHP_PEAKS = new Map<string, { queue: number; active: number }>();
  return (sc, rs, ctx, target) => {
    const gauges: Array<readonly [string, string]> = [
      ['phpfpm_up', 'Could PHP-FPM be reached?'],
      ['phpfpm_listen_queue', 'The number of requests in the queue of pending connections.'],
      ['phpfpm_listen_queue_length', 'The size of the socket queue of pending connections.'],
      ['phpfpm_idle_processes', 'The number of idle processes.'],
      ['phpfpm_active_processes', 'The number of active processes.'],
      ['phpfpm_total_processes', 'The number of idle + active processes.'],
      ['phpfpm_process_state', 'The state of the process (Idle, Running, ...).'],
      ['phpfpm_process_last_request_memory', 'The max amount of memory the last request consumed.'],
      ['phpfpm_process_last_request_cpu', 'The %cpu the last request consumed.'],
      ['phpfpm_process_request_duration', 'The duration in microseconds of the requests.'],
    ];
    const counters: Array<readonly [string, string]> = [
      ['phpfpm_scrape_failures', 'The number of failures scraping from PHP-FPM.'],
      ['phpfpm_start_since', 'The number of seconds since FPM has started.'],
      ['phpfpm_accepted_connections', 'The number of requests accepted by the pool.'],
      [
        'phpfpm_max_listen_queue',
        'The maximum number of requests in the queue of pending connections since FPM has started.',
      ],
      ['phpfpm_max_active_processes', 'The maximum number of active processes since FPM has started.'],
      [
        'phpfpm_max_children_reached',
        "The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').",
      ],
      ['phpfpm_slow_requests', "The number of requests that exceeded your 'request_slowlog_timeout' value."],
      ['phpfpm_process_requests', 'The number of requests the process has served.'],
    ];
    declare(sc.handles, [
      ...gauges.map(([n, h]) => [n, 'gauge', h] as const),
      ...counters.map(([n, h]) => [n, 'counter', h] as const),
    ]);
    const pod = sc.pod;
    const queue = phpQueue(pool, pod);
    const base = { ...target, pool: pool.pool, scrape_uri: 'tcp://127.0.0.1:9000/status' };
    const labels = () => base;
    const g = (family: string, key: string, extra: Labels, value: number) =>
      sc.handles.series(family, family, `${pod.name}|${key}`, () => ({ ...base, ...extra })).add(sc.ts, value);
    const c = (family: string, key: string, extra: Labels, value: number) => {
      const reset = rs.firstWrite(`${family}|${key}`);
      sc.handles.series(family, family, `${pod.name}|${key}`, () => ({ ...base, ...extra })).add(sc.ts, value, reset);
    };
    const totals = processTotals(rs);
    const served = (tau: number) => queue.rate(tau);
    const mean = (tau: number) => lognormalCappedMean(pool.service(tau));
    const working = (tau: number) => Math.min(pool.maxChildren, served(tau) * mean(tau));
    const waiting = queue.length(sc.t);
    const inFlight = working(sc.t) * (1 + 0.12 * ctx.noise.white(`fpm:${pod.name}`, sc.t));
    const active = Math.max(
      1,
      Math.min(pool.maxChildren, Math.round(inFlight + (waiting > 0.5 ? pool.maxChildren : 0))),
    );
    const total = Math.min(
      pool.maxChildren,
      Math.max(pool.startServers, active + pool.minSpare + (active > pool.startServers ? 1 : 0)),
    );
    const idle = total - active;
    const listenQueue = Math.min(pool.backlog, Math.round(waiting));
    sc.handles.series('phpfpm_up', 'phpfpm_up', `${pod.name}|up`, labels).add(sc.ts, 1);
    c('phpfpm_scrape_failures', 'sf', {}, 0);
    c('phpfpm_start_since', 'ss', {}, Math.floor(ctx.uptime));
    c('phpfpm_accepted_connections', 'ac', {}, Math.round(totals.at('accepted', sc.t, served)));
    g('phpfpm_listen_queue', 'lq', {}, listenQueue);
    // The highest listen queue since start, and the most active children: kept as the pool reports them.
    const key = `${pod.name}|${ctx.run.containerId}`;
    const peaks = PHP_PEAKS.get(key) ?? { queue: 0, active: Math.min(pool.maxChildren, pool.startServers + 2) };
    peaks.queue = Math.max(peaks.queue, listenQueue);
    peaks.active = Math.max(peaks.active, active);
    PHP_PEAKS.set(key, peaks);
    c('phpfpm_max_listen_queue', 'mlq', {}, peaks.queue);
    g('phpfpm_listen_queue_length', 'lql', {}, pool.backlog);
    g('phpfpm_idle_processes', 'idle', {}, idle);
    g('phpfpm_active_processes', 'active', {}, active);
    g('phpfpm_total_processes', 'total', {}, total);
    c('phpfpm_max_active_processes', 'map', {}, peaks.active);
    // pm's maintenance loop (once a second) counts every time it wanted another child at max_children.
    const reached = totals.at('reached', sc.t, (tau) =>
      queue.length(tau) > 0.5 ? 0.9 : working(tau) > pool.maxChildren - 0.6 ? 0.05 : 0,
    );
    c('phpfpm_max_children_reached', 'mcr', {}, Math.floor(reached));
    const slow = totals.at(
      'slow',
      sc.t,
      (tau) => served(tau) * (1 - lognormalCdf(pool.service(tau), pool.slowlogTimeout)),
    );
    c('phpfpm_slow_requests', 'slow', {}, Math.floor(slow));
    const states = [
      'Idle',
      'Running',
      'Finishing',
      'Reading headers',
      'Getting request informations',
      'Ending',
    ] as const;
    const accepted = totals.at('accepted', sc.t, served);
    for (let child = 0; child < total; child++) {
      const state = child < active ? 'Running' : 'Idle';
      for (const s of states)
        g('phpfpm_process_state', `ps|${child}|${s}`, { child: String(child), state: s }, s === state ? 1 : 0);
      const share =
        child < pool.startServers ? 0.7 / pool.startServers : 0.3 / Math.max(1, pool.maxChildren - pool.startServers);
      c('phpfpm_process_requests', `pr|${child}`, { child: String(child) }, Math.round(accepted * share));
      const lat = pool.service(sc.t);
      const u = ctx.noise.uniform(`pd:${pod.name}:${child}`, sc.t);
      const duration = lat.median * Math.exp(lat.sigma * (u * 2 - 1) * 1.2);
      g('phpfpm_process_request_duration', `pd|${child}`, { child: String(child) }, Math.round(duration * 1e6));
      g(
        'phpfpm_process_last_request_memory',
        `pm|${child}`,
        { child: String(child) },
        Math.round((pool.requestMemory * (0.8 + 0.5 * u)) / 4096) * 4096,
      );
      g(
        'phpfpm_process_last_request_cpu',
        `pc|${child}`,
        { child: String(child) },
        Math.round(4000 * (20 + 40 * u)) / 4000,
      );
    }
    // The exporter's own default registry (client_golang process collector).
    goExporterProcess(
      new Scrape(sc.handles, `${pod.name}|fpm-exporter`, target, sc.ts),
      pod.created + 2.3,
      12 * MIB,
      (sc.t - pod.created) * 0.0002,
    );
  };
}

/** nginx-prometheus-exporter sidecar on the same pod (stub_status), scraped as its own target. */
export function nginxStubStatus(pool: PhpFpmPool, podMonitorJob: string, port = 9113): AppEmitter {
  return (sc, rs, ctx) => {
    const pod = sc.pod;
    // Scraped by its own PodMonitor: job `<namespace>/<podmonitor>`.
    const t0: Labels = {
      job: podMonitorJob,
      instance: `${pod.ip}:${port}`,
      namespace: sc.model.namespace,
      pod: pod.name,
      container: 'nginx-exporter',
      endpoint: 'metrics',
    };
    declare(sc.handles, [
      ['nginx_up', 'gauge', 'Status of the last metric scrape'],
      ['nginx_connections_active', 'gauge', 'Active client connections'],
      ['nginx_connections_accepted', 'counter', 'Accepted client connections'],
      ['nginx_connections_handled', 'counter', 'Handled client connections'],
      ['nginx_connections_reading', 'gauge', 'Connections where NGINX is reading the request header'],
      ['nginx_connections_writing', 'gauge', 'Connections where NGINX is writing the response back to the client'],
      ['nginx_connections_waiting', 'gauge', 'Idle client connections'],
      ['nginx_http_requests', 'counter', 'Total http requests'],
    ]);
    const queue = phpQueue(pool, pod);
    const totals = processTotals(rs);
    const g = (family: string, value: number) =>
      sc.handles.series(family, family, `${pod.name}|nginx`, () => t0).add(sc.ts, value);
    const c = (family: string, sample: string, value: number) => {
      const reset = rs.firstWrite(`nginx|${family}`);
      sc.handles.series(family, sample, `${pod.name}|nginx`, () => t0).add(sc.ts, value, reset);
    };
    gauge2(sc, 'up', `${pod.name}|nginx-up`, t0, 1);
    g('nginx_up', 1);
    const arrivals = (tau: number) => pool.arrivals(tau);
    // Browsers reuse keep-alive connections: about one new connection per 4 requests.
    const conns = totals.at('nginx-conns', sc.t, (tau) => arrivals(tau) / 4);
    c('nginx_connections_accepted', 'nginx_connections_accepted', Math.round(conns));
    c('nginx_connections_handled', 'nginx_connections_handled', Math.round(conns));
    c('nginx_http_requests', 'nginx_http_requests_total', Math.round(totals.at('nginx-req', sc.t, arrivals)));
    const inPhp = Math.min(pool.maxChildren, queue.rate(sc.t) * lognormalCappedMean(pool.service(sc.t)));
    const writing = Math.round(1 + inPhp + queue.length(sc.t));
    const reading = Math.round(arrivals(sc.t) * 0.004 * (1 + ctx.noise.uniform(`rd:${pod.name}`, sc.t)));
    const waiting = Math.round((arrivals(sc.t) / 4) * 8 * (1 + 0.1 * ctx.noise.white(`wt:${pod.name}`, sc.t)));
    g('nginx_connections_reading', reading);
    g('nginx_connections_writing', writing);
    g('nginx_connections_waiting', waiting);
    g('nginx_connections_active', reading + writing + waiting);
  };
}

function gauge2(sc: ScrapeContext, family: string, key: string, labels: Labels, value: number): void {
  sc.handles.series(family, family, key, () => labels).add(sc.ts, value);
}

// ---------------------------------------------------------------------------------------------------------------
// gunicorn's statsd instrumentation (gunicorn/instrument/statsd.py: `gunicorn.requests` and
// `gunicorn.request.status.<code>` counters, `gunicorn.request.duration` timer in ms, `gunicorn.workers` gauge from
// the arbiter, under --statsd-prefix) received by a prometheus/statsd_exporter sidecar WITHOUT a mapping file:
// dots and dashes become `_`, counters keep their names (no `_total`), timers are converted to seconds and
// observed by a summary with quantiles 0.5, 0.9, 0.99 (README: "Statsd timer data is transmitted in milliseconds
// ... The exporter converts all timer observations to seconds"; default observer_type summary). The sidecar's
// own statsd_exporter_* counters and build info come with it.

export interface GunicornStatsd {
  /** --statsd-prefix, e.g. "survey-api" (written as survey_api_…). */
  prefix: string;
  workers: number;
  port: number;
  exporterVersion: string;
}

const SUMMARY_MAX_AGE = 600;

export function gunicornStatsd(spec: GunicornStatsd): AppEmitter {
  const p = spec.prefix.replace(/[^a-zA-Z0-9_]/g, '_');
  const history = new Map<string, Array<{ t: number; count: number; cumulative: number[] }>>();
  return (sc, rs, ctx, target) => {
    const pod = sc.pod;
    const requests = `${p}_gunicorn_requests`;
    const duration = `${p}_gunicorn_request_duration`;
    const workers = `${p}_gunicorn_workers`;
    const help = 'Metric autogenerated by statsd_exporter.';
    declare(sc.handles, [
      [requests, 'counter', help],
      [duration, 'summary', help],
      [workers, 'gauge', help],
      ['statsd_exporter_events', 'counter', 'The total number of StatsD events seen.'],
      ['statsd_exporter_samples', 'counter', 'The total number of StatsD samples received.'],
      ['statsd_exporter_lines', 'counter', 'The total number of StatsD lines received.'],
      ['statsd_exporter_udp_packets', 'counter', 'The total number of StatsD packets received over UDP.'],
      [
        'statsd_exporter_build_info',
        'gauge',
        "A metric with a constant '1' value labeled by version, revision, branch, goversion from which statsd_exporter was built, and the goos and goarch for the build.",
      ],
    ]);
    const series = (family: string, sample: string, key: string, labels: Labels, value: number, reset = false) =>
      sc.handles
        .series(family, sample, `${pod.name}|statsd|${key}`, () => ({ ...target, ...labels }))
        .add(sc.ts, value, reset);
    const byCode = new Map<number, number>();
    let count = 0;
    let sum = 0;
    const bounds = [...(rs.http.values().next().value?.acc.bounds ?? [])];
    const cumulative = new Array<number>(bounds.length).fill(0);
    for (const { outcome, acc } of rs.http.values()) {
      byCode.set(outcome.code, (byCode.get(outcome.code) ?? 0) + acc.count);
      count += acc.count;
      sum += acc.sum;
      for (let i = 0; i < bounds.length; i++) cumulative[i] = (cumulative[i] ?? 0) + (acc.cumulative[i] ?? 0);
    }
    if (count < 1) return;
    const reset = rs.firstWrite('statsd|gunicorn');
    series(requests, requests, 'requests', {}, Math.round(count), reset);
    for (const [code, n] of byCode) {
      const family = `${p}_gunicorn_request_status_${code}`;
      sc.handles.writer.declare({ name: family, type: 'counter', help });
      if (n >= 1) series(family, family, `status${code}`, {}, Math.round(n), rs.firstWrite(`statsd|${code}`));
    }
    const id = `${pod.name}|${ctx.run.containerId}`;
    const snapshots = history.get(id) ?? [];
    const oldest = snapshots.find((s) => s.t >= sc.t - SUMMARY_MAX_AGE);
    snapshots.push({ t: sc.t, count, cumulative: [...cumulative] });
    while ((snapshots[0]?.t ?? sc.t) < sc.t - SUMMARY_MAX_AGE) snapshots.shift();
    history.set(id, snapshots);
    if (oldest && count - oldest.count >= 1) {
      for (const q of [0.5, 0.9, 0.99]) {
        const v = windowQuantile(bounds, oldest, { count, cumulative }, q);
        series(duration, duration, `q${q}`, { quantile: String(q) }, round6(v));
      }
    }
    series(duration, `${duration}_sum`, 'sum', {}, round6(sum), reset);
    series(duration, `${duration}_count`, 'count', {}, Math.round(count), reset);
    series(workers, workers, 'workers', {}, spec.workers);
    const events = count * 3 + 2;
    series(
      'statsd_exporter_events',
      'statsd_exporter_events_total',
      'ev-counter',
      { type: 'counter' },
      Math.round(count * 2),
      reset,
    );
    series(
      'statsd_exporter_events',
      'statsd_exporter_events_total',
      'ev-observer',
      { type: 'observer' },
      Math.round(count),
      reset,
    );
    series('statsd_exporter_events', 'statsd_exporter_events_total', 'ev-gauge', { type: 'gauge' }, 2, reset);
    series('statsd_exporter_samples', 'statsd_exporter_samples_total', 'samples', {}, Math.round(events), reset);
    series('statsd_exporter_lines', 'statsd_exporter_lines_total', 'lines', {}, Math.round(events), reset);
    series('statsd_exporter_udp_packets', 'statsd_exporter_udp_packets_total', 'udp', {}, Math.round(events), reset);
    series(
      'statsd_exporter_build_info',
      'statsd_exporter_build_info',
      'build',
      {
        branch: 'HEAD',
        goarch: 'amd64',
        goos: 'linux',
        goversion: 'go1.23.4',
        revision: 'c0a390a2c43f77863278615b47d46e886bdca726',
        tags: 'unknown',
        version: spec.exporterVersion,
      },
      1,
    );
    series('process_start_time_seconds', 'process_start_time_seconds', 'pst', {}, round6(pod.created + 1.37));
    series(
      'process_resident_memory_bytes',
      'process_resident_memory_bytes',
      'rss',
      {},
      Math.round((19 + 0.5 * ctx.noise.smooth(`sx:${pod.name}`, sc.t, 1800)) * MIB),
    );
  };
}

// ---------------------------------------------------------------------------------------------------------------
// timonwong/uwsgi_exporter (pkg/collector/exporter.go, a sidecar reading the stats socket; client_golang const
// metrics with a `stats_uri` label): uwsgi_listen_queue_length, uwsgi_listen_queue_errors,
// uwsgi_signal_queue_length, uwsgi_workers; uwsgi_socket_{queue_length,max_queue_length,shared,can_offload}
// {name,proto}; per worker (worker_id) uwsgi_worker_{accepting,delta_requests,signal_queue_length,rss_bytes,
// vsz_bytes,running_time_seconds,last_spawn_time_seconds,average_response_time_seconds,apps,cores},
// uwsgi_worker_{busy,idle,cheap}, counters uwsgi_worker_{requests,exceptions,harakiri_count,signals,
// respawn_count,transmitted_bytes}_total; uwsgi_worker_app_{startup_time_seconds,requests_total,exceptions_total}
// {worker_id,app_id,mountpoint,chdir}; uwsgi_up; uwsgi_exporter_build_info (cmd/uwsgi_exporter/main.go). The
// master respawns a dead worker in place (uwsgi_respawn_worker: respawn_count++, last_spawn, rss/vsz and
// delta_requests reset; the worker's request counters are kept).

export interface UwsgiApp {
  workers: number;
  /** Worker deaths per second per worker at t (segfaults, OOM of one worker), respawned by the master. */
  deathsPerSecond(t: number): number;
  /** Listen backlog (uwsgi --listen). */
  listen: number;
  chdir: string;
  statsUri: string;
  /** Worker RSS right after spawn and its growth per request served. */
  rssBase: number;
  rssPerRequest: number;
}

export function uwsgiExporter(app: UwsgiApp): AppEmitter {
  const spawns = new Map<string, { count: number; last: number }>();
  return (sc, rs, ctx, target) => {
    const pod = sc.pod;
    const base = { ...target, stats_uri: app.statsUri };
    const workerGauges = [
      ['accepting', 'Is this worker accepting requests?'],
      ['delta_requests', 'Number of delta requests'],
      ['signal_queue_length', 'Length of signal queue.'],
      ['rss_bytes', 'Worker RSS bytes.'],
      ['vsz_bytes', 'Worker VSZ bytes.'],
      ['running_time_seconds', 'Worker running time in seconds.'],
      ['last_spawn_time_seconds', 'Last spawn time in seconds since epoch.'],
      ['average_response_time_seconds', 'Average response time in seconds.'],
      ['apps', 'Number of apps.'],
      ['cores', 'Number of cores.'],
      ['busy', 'Is core in busy?'],
      ['idle', 'Is core in idle?'],
      ['cheap', 'Is core in cheap mode?'],
    ] as const;
    const workerCounters = [
      ['requests', 'Total number of requests.'],
      ['exceptions', 'Total number of exceptions.'],
      ['harakiri_count', 'Total number of harakiri count.'],
      ['signals', 'Total number of signals.'],
      ['respawn_count', 'Total number of respawn count.'],
      ['transmitted_bytes', 'Worker transmitted bytes.'],
    ] as const;
    declare(sc.handles, [
      ['uwsgi_up', 'gauge', 'Whether the uWSGI server is up.'],
      ['uwsgi_listen_queue_length', 'gauge', 'Length of listen queue.'],
      ['uwsgi_listen_queue_errors', 'gauge', 'Number of listen queue errors.'],
      ['uwsgi_signal_queue_length', 'gauge', 'Length of signal queue.'],
      ['uwsgi_workers', 'gauge', 'Number of workers.'],
      ['uwsgi_socket_queue_length', 'gauge', 'Length of socket queue.'],
      ['uwsgi_socket_max_queue_length', 'gauge', 'Max length of socket queue.'],
      ['uwsgi_socket_shared', 'gauge', 'Is shared socket?'],
      ['uwsgi_socket_can_offload', 'gauge', 'Can socket offload?'],
      ...workerGauges.map(([n, h]) => [`uwsgi_worker_${n}`, 'gauge', h] as const),
      ...workerCounters.map(([n, h]) => [`uwsgi_worker_${n}`, 'counter', h] as const),
      ['uwsgi_worker_app_startup_time_seconds', 'gauge', 'How long this app took to start.'],
      ['uwsgi_worker_app_requests', 'counter', 'Total number of requests.'],
      ['uwsgi_worker_app_exceptions', 'counter', 'Total number of exceptions.'],
    ]);
    const g = (family: string, key: string, extra: Labels, value: number) =>
      sc.handles.series(family, family, `${pod.name}|${key}`, () => ({ ...base, ...extra })).add(sc.ts, value);
    const c = (family: string, key: string, extra: Labels, value: number) => {
      const reset = rs.firstWrite(`${family}|${key}`);
      sc.handles
        .series(family, `${family}_total`, `${pod.name}|${key}`, () => ({ ...base, ...extra }))
        .add(sc.ts, value, reset);
    };
    sc.handles.series('uwsgi_up', 'uwsgi_up', `${pod.name}|uwsgi-up`, () => target).add(sc.ts, 1);
    let requests = 0;
    let busyTime = 0;
    for (const { acc } of rs.http.values()) {
      requests += acc.count;
      busyTime += acc.sum;
    }
    const totals = processTotals(rs);
    const rate = podShare(sc.model, sc.t);
    let meanLatency = 0;
    let weight = 0;
    for (const route of sc.model.routes) {
      for (const o of route.outcomes(ctx)) {
        meanLatency += route.weight * o.frac * lognormalCappedMean(o);
        weight += route.weight * o.frac;
      }
    }
    meanLatency = weight > 0 ? meanLatency / weight : 0;
    const inFlight = rate * meanLatency;
    const queued = Math.max(0, Math.round(inFlight - app.workers));
    g('uwsgi_listen_queue_length', 'lq', {}, Math.min(app.listen, queued));
    g('uwsgi_listen_queue_errors', 'lqe', {}, 0);
    g('uwsgi_signal_queue_length', 'sq', {}, 0);
    g('uwsgi_workers', 'w', {}, app.workers);
    const socket = { name: ':8000', proto: 'uwsgi' };
    g('uwsgi_socket_queue_length', 'sock-q', socket, Math.min(app.listen, queued));
    g('uwsgi_socket_max_queue_length', 'sock-mq', socket, app.listen);
    g('uwsgi_socket_shared', 'sock-sh', socket, 0);
    g('uwsgi_socket_can_offload', 'sock-co', socket, 0);
    for (let w = 1; w <= app.workers; w++) {
      const id = String(w);
      const share = (1 + 0.3 * (app.workers - w)) / (app.workers + (0.3 * app.workers * (app.workers - 1)) / 2);
      const deaths = totals.at(`deaths|${w}`, sc.t, (tau) => app.deathsPerSecond(tau));
      const phase = ctx.noise.uniform(`death-phase:${pod.name}:${w}`, 0);
      const respawns = Math.floor(deaths + phase * Math.min(1, deaths));
      const k = `${pod.name}|${ctx.run.containerId}|${w}`;
      const spawn = spawns.get(k) ?? { count: respawns, last: ctx.run.start + 1.1 + w * 0.02 };
      if (respawns > spawn.count) {
        spawn.count = respawns;
        spawn.last = Math.floor(sc.t - 60 * ctx.noise.uniform(`spawn:${k}`, sc.t));
      }
      spawns.set(k, spawn);
      const workerRequests = requests * share;
      const sinceSpawn = Math.max(
        0,
        totals.at(`since|${w}`, sc.t, (tau) => podShare(sc.model, tau) * share) -
          (spawn.last > ctx.run.start + 5
            ? totals.at(`since|${w}`, spawn.last, (tau) => podShare(sc.model, tau) * share)
            : 0),
      );
      const labels = { worker_id: id };
      g('uwsgi_worker_accepting', `acc|${w}`, labels, 1);
      g('uwsgi_worker_delta_requests', `dr|${w}`, labels, Math.round(sinceSpawn));
      g('uwsgi_worker_signal_queue_length', `sq|${w}`, labels, 0);
      g(
        'uwsgi_worker_rss_bytes',
        `rss|${w}`,
        labels,
        Math.round((app.rssBase + Math.min(sinceSpawn, 40000) * app.rssPerRequest) / 4096) * 4096,
      );
      g('uwsgi_worker_vsz_bytes', `vsz|${w}`, labels, Math.round((app.rssBase * 2.4 + 180 * MIB) / 4096) * 4096);
      g('uwsgi_worker_running_time_seconds', `rt|${w}`, labels, round6(busyTime * share));
      g('uwsgi_worker_last_spawn_time_seconds', `ls|${w}`, labels, Math.floor(spawn.last));
      g(
        'uwsgi_worker_average_response_time_seconds',
        `avg|${w}`,
        labels,
        round6(meanLatency * (1 + 0.08 * ctx.noise.white(`avg:${pod.name}:${w}`, sc.t))),
      );
      g('uwsgi_worker_apps', `apps|${w}`, labels, 1);
      g('uwsgi_worker_cores', `cores|${w}`, labels, 1);
      const busy = ctx.noise.uniform(`busy:${pod.name}:${w}`, sc.t) < Math.min(1, inFlight * share) ? 'busy' : 'idle';
      g('uwsgi_worker_busy', `busy|${w}`, labels, busy === 'busy' ? 1 : 0);
      g('uwsgi_worker_idle', `idle|${w}`, labels, busy === 'idle' ? 1 : 0);
      g('uwsgi_worker_cheap', `cheap|${w}`, labels, 0);
      c('uwsgi_worker_requests', `req|${w}`, labels, Math.round(workerRequests));
      c('uwsgi_worker_exceptions', `exc|${w}`, labels, 0);
      c('uwsgi_worker_harakiri_count', `hk|${w}`, labels, 0);
      c('uwsgi_worker_signals', `sig|${w}`, labels, 0);
      c('uwsgi_worker_respawn_count', `resp|${w}`, labels, spawn.count);
      c('uwsgi_worker_transmitted_bytes', `tx|${w}`, labels, Math.round(workerRequests * 5120));
      const appLabels = { worker_id: id, app_id: '0', mountpoint: '', chdir: app.chdir };
      g('uwsgi_worker_app_startup_time_seconds', `ast|${w}`, appLabels, 1);
      c('uwsgi_worker_app_requests', `areq|${w}`, appLabels, Math.round(workerRequests));
      c('uwsgi_worker_app_exceptions', `aexc|${w}`, appLabels, 0);
    }
    const s = new Scrape(sc.handles, `${pod.name}|uwsgi-build`, target, sc.ts);
    buildInfo(s, 'uwsgi_exporter', '1.3.0', '8e50e1b7a7e0eeca1ebf15f9426a3eb446728aeb', 'go1.21.6');
    goExporterProcess(s, pod.created + 1.9, 14 * MIB, (sc.t - pod.created) * 0.0003);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A Go queue worker's own pool gauges and job metrics (client_golang, names the team chose).

export interface WorkerPoolSpec {
  prefix: string;
  size: number;
  /** Workers busy on one pod at t (waiting for a DB connection counts as busy). */
  busy(ctx: PodContext): number;
}

/**
 * `<prefix>_worker_pool_busy`, `<prefix>_worker_pool_size` (gauges), `<prefix>_jobs_processed_total{type,status}`
 * and `<prefix>_job_duration_seconds{type}` (DefBuckets) from the model's routes (route = job type; ≥ 500 = error).
 */
export function handRolledWorkerPool(spec: WorkerPoolSpec): AppEmitter {
  return (sc, rs, ctx, target) => {
    const busy = `${spec.prefix}_worker_pool_busy`;
    const size = `${spec.prefix}_worker_pool_size`;
    const processed = `${spec.prefix}_jobs_processed`;
    const duration = `${spec.prefix}_job_duration_seconds`;
    declare(sc.handles, [
      [busy, 'gauge', 'Workers currently running a job.'],
      [size, 'gauge', 'Configured number of workers.'],
      [processed, 'counter', 'Jobs processed, by type and status.'],
      [duration, 'histogram', 'Time to process a job.'],
    ]);
    gauge2(sc, busy, `${sc.pod.name}|wp-busy`, target, Math.max(0, Math.min(spec.size, Math.round(spec.busy(ctx)))));
    gauge2(sc, size, `${sc.pod.name}|wp-size`, target, spec.size);
    const byType = new Map<string, RunState['http'] extends Map<string, infer V> ? V[] : never>();
    for (const [key, entry] of rs.http) {
      if (entry.acc.shownCount < 1) continue;
      const status = entry.outcome.code >= 500 ? 'error' : 'ok';
      const reset = rs.firstWrite(`${processed}|${key}`);
      sc.handles
        .series(processed, `${processed}_total`, `${sc.pod.name}|${entry.route.route}|${status}`, () => ({
          ...target,
          type: entry.route.route,
          status,
        }))
        .add(sc.ts, entry.acc.shownCount, reset);
      const list = byType.get(entry.route.route) ?? [];
      list.push(entry);
      byType.set(entry.route.route, list);
    }
    for (const [type, entries] of byType) {
      writeHistogram(
        sc,
        rs,
        duration,
        type,
        () => ({ ...target, type }),
        entries.map((e) => e.acc),
      );
    }
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A Go service's own gauges over database/sql's DBStats (Go stdlib `sql.DB.Stats()`: MaxOpenConnections, InUse,
// Idle, WaitCount, WaitDuration), registered by the team under its own prefix rather than with client_golang's
// collectors.NewDBStatsCollector (whose go_sql_* names signals/pools.yml knows).

export interface DbStatsModel {
  maxOpen: number;
  /** Connections in use and idle on one pod at t. */
  inUse(ctx: PodContext): number;
  idle(ctx: PodContext): number;
  /** Acquisitions per second that had to wait, and how long they waited (seconds). */
  waitsPerSecond(ctx: PodContext): number;
  wait(ctx: PodContext): Latency;
}

/** `<prefix>_db_connections_{in_use,idle,max_open}`, `<prefix>_db_wait_count_total`, `<prefix>_db_wait_duration_seconds_total`. */
export function handRolledDbStats(prefix: string, stats: DbStatsModel): AppEmitter {
  return (sc, rs, ctx, target) => {
    const inUse = `${prefix}_db_connections_in_use`;
    const idle = `${prefix}_db_connections_idle`;
    const maxOpen = `${prefix}_db_connections_max_open`;
    const waits = `${prefix}_db_wait_count`;
    const waited = `${prefix}_db_wait_duration_seconds`;
    declare(sc.handles, [
      [inUse, 'gauge', 'Database connections currently in use (sql.DBStats.InUse).'],
      [idle, 'gauge', 'Idle database connections (sql.DBStats.Idle).'],
      [maxOpen, 'gauge', 'Maximum open database connections (sql.DBStats.MaxOpenConnections).'],
      [waits, 'counter', 'Connections waited for (sql.DBStats.WaitCount).'],
      [waited, 'counter', 'Time spent waiting for a connection (sql.DBStats.WaitDuration).'],
    ]);
    const used = Math.min(stats.maxOpen, Math.round(stats.inUse(ctx)));
    gauge2(sc, inUse, `${sc.pod.name}|db-in-use`, target, used);
    gauge2(
      sc,
      idle,
      `${sc.pod.name}|db-idle`,
      target,
      Math.max(0, Math.min(stats.maxOpen - used, Math.round(stats.idle(ctx)))),
    );
    gauge2(sc, maxOpen, `${sc.pod.name}|db-max`, target, stats.maxOpen);
    const totals = processTotals(rs);
    const at = (tau: number): PodContext => ({
      ...ctx,
      t: tau,
      uptime: tau - ctx.run.start,
      rps: podShare(sc.model, tau),
    });
    const count = totals.at('db-waits', sc.t, (tau) => stats.waitsPerSecond(at(tau)));
    const seconds = totals.at('db-waited', sc.t, (tau) => {
      const c = at(tau);
      return stats.waitsPerSecond(c) * lognormalCappedMean(stats.wait(c));
    });
    for (const [family, value] of [
      [waits, Math.round(count)],
      [waited, round6(seconds)],
    ] as const) {
      const reset = rs.firstWrite(`${family}|db`);
      sc.handles.series(family, `${family}_total`, `${sc.pod.name}|${family}`, () => target).add(sc.ts, value, reset);
    }
  };
}
