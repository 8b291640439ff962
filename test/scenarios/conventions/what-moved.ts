/**
 * Services instrumented only with metrics no convention in signals/*.yml knows: a Celery exporter, yabeda-sidekiq,
 * php-fpm and nginx stub_status exporters, gunicorn's statsd output through statsd_exporter, uwsgi_exporter,
 * a Go worker's hand-rolled DB and worker-pool gauges, Apache's mod_status, node_exporter on a VM and a team's `acme_*`
 * names. Triage's "what moved" step is all it has: which families moved against the baseline, and what their
 * names mean. Three services live on VMs with no Kubernetes series at all (`hostOnly`, `platform: 'vm'`).
 *
 * Each scenario's `cause` is what an experienced SRE would conclude from these metrics alone ('unknown' when they
 * cannot tell), and `expectMovers` the families such an engineer would see jump first.
 */
import { makePod } from '../model/cluster.js';
import { fineBounds } from '../model/emit-custom.js';
import {
  type ApacheServer,
  acmeDaemon,
  apacheExporter,
  CeleryQueue,
  celeryExporter,
  gunicornStatsd,
  handRolledDbStats,
  handRolledWorkerPool,
  type NodeHost,
  nginxStubStatus,
  nodeExporter,
  type PhpFpmPool,
  phpFpmExporter,
  SIDEKIQ_BUCKETS,
  uwsgiExporter,
  yabedaSidekiq,
} from '../model/emit-exporters.js';
import { clientGolangRuntime } from '../model/emit-runtimes.js';
import { Noise } from '../model/noise.js';
import {
  baseLimits,
  baseResources,
  clamp,
  DAY,
  diurnal,
  GIB,
  HISTORY_PADDING,
  HOUR,
  healthy,
  MIB,
  MINUTE,
  ramp,
  sec,
  slower,
  steadyRoute,
  windows,
  withFailure,
} from '../model/profiles.js';
import { replicaSet, type ScenarioDefinition, scenarioOf, steadyDeployment } from '../model/scenario-kit.js';
import type { ExporterModel, Pod, PodContext, ServiceModel, Window } from '../model/types.js';

/** client_golang's DefBuckets (seconds). */
const GO_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The first instant of a scenario's data (its earliest window, the day-earlier one when there is one). */
function firstInstant(ws: readonly Window[]): number {
  return Math.min(...ws.map((w) => w.start)) - MINUTE;
}

/** Hour of the day (UTC, fractional). */
function hourOf(t: number): number {
  return (((t % DAY) + DAY) % DAY) / HOUR;
}

/** A service on VMs: no pods, no cAdvisor, no kube-state-metrics; only its exporters. */
function hostOnly(service: string, seed: string, ws: Window[], exporters: readonly ExporterModel[]): ServiceModel {
  return {
    service,
    namespace: '',
    platform: 'vm',
    runtime: 'go',
    seed,
    windows: ws,
    pods: [],
    deployment: { replicas: 0, generations: [[0, 1]] },
    rps: () => 0,
    routes: [],
    clients: [],
    dbOps: [],
    resources: baseResources('go-otel'),
    limits: baseLimits('go-otel'),
    appHttp: false,
    scrape: { style: 'pods', port: 8081 },
    exporters,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error, VM only, found by name prefix only: acme_journal_postings_total{result="error"} rises.

function journalPostingErrors(): ScenarioDefinition {
  const at = sec('2026-10-06T16:14:00Z');
  const onset = sec('2026-10-06T16:02:00Z');
  const started = sec('2026-10-01T07:12:00Z');
  const error = (t: number) => 0.0002 + 0.22 * ramp(t, onset, 120);
  const scenario = scenarioOf(
    {
      id: 'what-moved-app-error-acme-prefix',
      service: 'journal',
      namespace: 'finance-vms',
      convention: 'acme-prefix',
      cause: 'app-error',
      expectMovers: ['acme_journal_postings_total'],
      byName: true,
      symptom: 'journal postings erroring since 4pm',
      job: 'fin-apps',
      lacks: ['kubernetes'],
      description:
        'journal (the general-ledger posting daemon, Go) runs on three VMs scraped by the job "fin-apps" ' +
        '(instances fin-app-01..03:9400); no label names the service, only its metric prefix: ' +
        'acme_journal_postings_total{result="posted|rejected|error"}, acme_journal_posting_duration_seconds ' +
        '(DefBuckets), acme_journal_batches_in_progress and acme_journal_build_info, plus client_golang’s process ' +
        'and Go collectors. At 16:02 the treasury team adds counterparties whose reference data lacks a currency; ' +
        'the validator panics and recovers on them, and ~22 % of postings end with result="error" on all three ' +
        'hosts. No deploy (same build for 5 days), no restarts, traffic as usual.',
      extras: ['vm'],
      evidence: [
        'acme_journal_postings_total{result="error"} ~22 % of postings since 16:02 on fin-app-01..03 (0.02 % a day earlier)',
        'acme_journal_posting_duration_seconds unchanged (errors fail fast)',
        'acme_journal_build_info and process_start_time_seconds unchanged for 5 days',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => {
      const ws = windows(at, 3, true);
      const historyStart = firstInstant(ws);
      const noise = new Noise(scenario.id);
      const perInstance = diurnal(14, 14);
      return hostOnly(scenario.service, scenario.id, ws, [
        acmeDaemon(
          {
            job: 'fin-apps',
            instances: ['fin-app-01:9400', 'fin-app-02:9400', 'fin-app-03:9400'],
            prefix: 'acme_journal',
            started,
            version: '2.31.4',
            revision: '5be02c1',
            results: (t) => {
              const n = perInstance(t);
              const e = error(t);
              return { posted: n * (1 - e - 0.012), rejected: n * 0.012, error: n * e };
            },
            duration: (t) => ({ median: 0.018 * (1 - 0.15 * ramp(t, onset, 120)), sigma: 0.5 }),
            batches: (t) => 2 + 1.5 * (1 + noise.smooth('batches', t, 900)),
          },
          noise,
          historyStart,
        ),
      ]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// memory-leak, VM only, node_exporter: anonymous memory climbing since last night's upgrade.

function reportsMemoryLeak(): ScenarioDefinition {
  const at = sec('2026-10-09T10:20:00Z');
  const onset = sec('2026-10-09T10:05:00Z');
  const upgrade = sec('2026-10-08T19:10:00Z');
  const scenario = scenarioOf(
    {
      id: 'what-moved-memory-leak-node-exporter',
      service: 'reports',
      namespace: 'reports-vm',
      convention: 'node-exporter',
      cause: 'memory-leak',
      expectMovers: ['node_memory_AnonPages_bytes|node_memory_Active_anon_bytes'],
      byName: true,
      symptom: 'reports-01 memory keeps climbing, reports getting slow',
      job: 'reports-vm',
      lacks: ['kubernetes'],
      description:
        'reports runs on one VM, reports-01, with node_exporter only (job "reports-vm", instance reports-01:9100). ' +
        'The report renderer was upgraded at 19:10 yesterday; since then its in-process template cache never ' +
        'evicts and anonymous memory grows ~285 MiB/h (2.3 GiB → 6.5 GiB of 8 GiB). The page cache is squeezed, ' +
        'MemAvailable falls under 15 %, memory pressure stalls and major faults begin. No swap, no OOM kill yet, CPU ' +
        'and network as usual.',
      extras: ['vm'],
      evidence: [
        'node_memory_AnonPages_bytes / Active_anon_bytes rising linearly since 19:10 yesterday (+4 GiB in 15 h)',
        'node_memory_MemAvailable_bytes 4.9 GiB a day earlier → ~0.9 GiB; Cached_bytes squeezed from 3.4 GiB',
        'node_pressure_memory_waiting_seconds_total and node_vmstat_pgmajfault rising in the last hour',
        'node_cpu_seconds_total, node_load1, network unchanged; node_vmstat_oom_kill 0',
      ],
    },
    at,
    onset,
    9,
    true,
  );
  return {
    scenario,
    build: () => {
      const ws = windows(at, 9, true);
      const historyStart = firstInstant(ws);
      const noise = new Noise(scenario.id);
      const jobs = (t: number) => 0.5 + 0.5 * Math.max(0, Math.sin((2 * Math.PI * (hourOf(t) - 6)) / 24));
      const host: NodeHost = {
        job: 'reports-vm',
        instance: 'reports-01:9100',
        nodename: 'reports-01',
        cpus: 4,
        memTotalBytes: 8 * GIB - 212 * MIB,
        bootTime: sec('2026-09-14T05:41:17Z'),
        anonBytes: (t) =>
          2.3 * GIB +
          120 * MIB * jobs(t) * (1 + 0.3 * noise.smooth('jobmem', t, 600)) +
          Math.max(0, t - upgrade) * ((285 * MIB) / HOUR),
        cpuBusy: (t) => 0.08 + 0.12 * jobs(t),
        cacheBytes: 3.4 * GIB,
        txBytesPerSecond: (t) => 250_000 + 400_000 * jobs(t),
      };
      return hostOnly(scenario.service, scenario.id, ws, [nodeExporter(host, noise, historyStart)]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown, VM only, Apache prefork with apache_exporter: every worker busy, requests take seconds.

function intranetApacheSaturated(): ScenarioDefinition {
  const at = sec('2026-10-12T09:48:00Z');
  const onset = sec('2026-10-12T09:36:00Z');
  const started = sec('2026-10-05T04:00:03Z');
  const slow = (t: number) => ramp(t, onset, 180);
  const scenario = scenarioOf(
    {
      id: 'what-moved-unknown-apache-workers',
      service: 'intranet',
      namespace: 'intranet-vm',
      convention: 'apache',
      cause: 'unknown',
      expectMovers: ['apache_workers', 'apache_scoreboard'],
      symptom: 'intranet is crawling, pages time out',
      job: 'apache',
      lacks: ['kubernetes'],
      description:
        'The intranet (PHP under mod_php, Apache 2.4 prefork, MaxRequestWorkers 150, ServerLimit 256) runs on one ' +
        'VM, intranet-web-01, scraped by apache_exporter (job "apache", instance intranet-web-01:9117) and ' +
        'node_exporter (job "node"). From 09:36 every page takes ~4 s instead of ~0.1 s (the pages wait on ' +
        'something the metrics do not show); the 150 workers are all busy, keep-alive connections are dropped, ' +
        'the accept backlog fills and browsers time out. Traffic, CPU and memory as usual.',
      extras: ['vm', 'node_exporter'],
      evidence: [
        'apache_workers{state="busy"} ~40 → 150 (= MaxRequestWorkers), {state="idle"} → 0',
        'apache_scoreboard{state="reply"} ~5 → ~148, {state="keepalive"} ~30 → 0, open_slot 106',
        'rate(apache_duration_ms_total) / rate(apache_accesses_total) ~100 ms → ~4.5 s; accesses rate flat then capped',
        'node_exporter CPU, load and memory unchanged; no deploy or restart (apache_uptime_seconds_total 7 days)',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => {
      const ws = windows(at, 3, false);
      const historyStart = firstInstant(ws);
      const noise = new Noise(scenario.id);
      const arrivals = (t: number) => diurnal(38, 11, 0.5)(t) * noise.factor('traffic', t, 0.05);
      const server: ApacheServer = {
        job: 'apache',
        instance: 'intranet-web-01:9117',
        started,
        arrivals,
        service: (t) => ({ median: 0.075 + 3.6 * slow(t), sigma: 0.7 - 0.25 * slow(t) }),
        maxRequestWorkers: 150,
        serverLimit: 256,
        keepAliveSeconds: 5,
        cpus: 4,
      };
      const host: NodeHost = {
        job: 'node',
        instance: 'intranet-web-01:9100',
        nodename: 'intranet-web-01',
        cpus: 4,
        memTotalBytes: 16 * GIB - 230 * MIB,
        bootTime: sec('2026-09-02T22:10:41Z'),
        anonBytes: (t) => 3.1 * GIB + 400 * MIB * clamp(arrivals(t) / 60, 0, 1),
        cpuBusy: (t) => 0.05 + (0.02 * arrivals(t) * 0.018 * 4) / 4,
        cacheBytes: 6 * GIB,
        txBytesPerSecond: (t) => arrivals(t) * 22_000,
      };
      return hostOnly(scenario.service, scenario.id, ws, [
        apacheExporter(server, noise, historyStart),
        nodeExporter(host, noise, historyStart),
      ]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown, Celery (danihodovic/celery-exporter): tasks take 10× longer, retries, the queue piles up.

function statementsCeleryBacklog(): ScenarioDefinition {
  const at = sec('2026-10-07T09:40:00Z');
  const onset = sec('2026-10-07T09:27:00Z');
  const created = sec('2026-10-05T14:03:00Z');
  const slow = (t: number) => ramp(t, onset, 120);
  const scenario = scenarioOf(
    {
      id: 'what-moved-unknown-celery-backlog',
      service: 'statements-worker',
      namespace: 'billing-docs',
      convention: 'celery-exporter',
      cause: 'unknown',
      expectMovers: ['celery_queue_length', 'celery_task_queue_wait_time'],
      symptom: 'statements-worker jobs piling up since ~9:30',
      description:
        'statements-worker is a Celery worker Deployment (3 pods, --concurrency 8, Redis broker, queue ' +
        '"statements"); a celery-exporter Deployment (danihodovic/celery-exporter) turns worker events into ' +
        'celery_task_*_total{name,hostname,queue_name}, celery_task_runtime and celery_task_queue_wait_time ' +
        'histograms, celery_worker_tasks_active{hostname} and celery_queue_length{queue_name}; the worker pods ' +
        'expose only client_python’s defaults. From 09:27 render_statement takes ~10 s instead of ~0.7 s (it waits ' +
        'on something the metrics do not name) and ~10 % hit the soft time limit and are retried. All 24 pool ' +
        'processes are busy and the queue grows by ~6 messages/s. No deploy, no restarts, no failures to speak of.',
      extras: ['celery-exporter'],
      evidence: [
        'celery_queue_length{queue_name="statements"} ~0 → thousands since 09:27',
        'celery_task_runtime{name="statements.tasks.render_statement"} p50 ~0.6 s → ~9 s',
        'celery_task_retried_total rising (~10 % of render_statement); celery_task_failed_total flat',
        'celery_worker_tasks_active = 8 (the concurrency) on every worker; succeeded rate down ~3×',
        'CPU, memory, restarts and deployment generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => {
      const historyStart = at - 3 * HOUR - HISTORY_PADDING;
      const arrivals = (t: number) => diurnal(9, 10)(t) * (1 + 0.1 * slow(t));
      const celery = new CeleryQueue(
        {
          queue: 'statements',
          concurrency: 8,
          arrivals,
          exporter: { pod: 'celery-exporter-6f9c7b5d8-kq2zt', ip: '10.42.17.88', started: sec('2026-09-29T11:20:00Z') },
          tasks: [
            {
              name: 'statements.tasks.render_statement',
              share: 0.7,
              runtime: (t) => ({ median: 0.6 + 8.6 * slow(t), sigma: 0.5 + 0.1 * slow(t), cap: 30 }),
              retried: (t) => 0.1 * slow(t),
              failed: () => ({ ConnectionResetError: 0.0002 }),
            },
            {
              name: 'statements.tasks.send_statement_email',
              share: 0.3,
              runtime: () => ({ median: 0.12, sigma: 0.5 }),
            },
          ],
        },
        historyStart - HOUR,
        3,
      );
      return {
        service: 'statements-worker',
        namespace: 'billing-docs',
        runtime: 'python',
        seed: scenario.id,
        windows: windows(at, 3, false),
        pods: replicaSet('statements-worker', '3.4.1', 'a41c9e2', created, { stagger: 20 }),
        deployment: steadyDeployment(27),
        rps: (t) => celery.drained(t),
        routes: [],
        clients: [],
        dbOps: [],
        resources: baseResources('python', { cpuPerRequest: 0.02, rssBytes: 240 * MIB }),
        limits: baseLimits('python', { cpuCores: 2, memoryBytes: 2 * GIB, memoryRequestBytes: 1 * GIB }),
        appHttp: false,
        runtimeHttp: false,
        exporters: [celeryExporter(celery, 'billing-docs', historyStart - HOUR)],
        scrape: { style: 'pods', port: 8000 },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-error, Sidekiq with yabeda-sidekiq: one job class fails, the retry set balloons.

function newsletterSidekiqFailures(): ScenarioDefinition {
  const at = sec('2026-10-14T08:25:00Z');
  const onset = sec('2026-10-14T08:11:00Z');
  const created = sec('2026-10-10T16:45:00Z');
  const failing = (t: number) => 0.38 * ramp(t, onset, 60);
  const rps = diurnal(22, 9, 0.4);
  const scenario = scenarioOf(
    {
      id: 'what-moved-app-error-sidekiq',
      service: 'newsletter',
      namespace: 'campaigns',
      convention: 'yabeda-sidekiq',
      cause: 'app-error',
      expectMovers: ['sidekiq_jobs_failed_total', 'sidekiq_jobs_retry_count'],
      byName: true,
      symptom: 'newsletter jobs failing like crazy in sidekiq',
      lacks: ['process', 'build-info'],
      description:
        'newsletter’s Sidekiq processes (3 pods, Rails) export yabeda-sidekiq through yabeda-prometheus on :9394: ' +
        'sidekiq_jobs_{executed,success,failed}_total{queue,worker}, sidekiq_job_runtime_seconds and ' +
        'sidekiq_job_latency_seconds histograms, and the installation’s gauges (sidekiq_jobs_waiting_count, ' +
        'sidekiq_jobs_retry_count, sidekiq_jobs_dead_count …). At 08:11 an editor publishes a template block that ' +
        'calls a helper removed last month: NewsletterDeliveryJob raises NoMethodError for ~38 % of recipients, ' +
        'the jobs go to the retry set and fail again. No deploy, no restarts; other job classes are fine.',
      extras: [],
      evidence: [
        'sidekiq_jobs_failed_total{worker="NewsletterDeliveryJob"} ~38 % of its executions since 08:11 (≈0 a day earlier)',
        'sidekiq_jobs_retry_count 4 → ~2 200',
        'sidekiq_job_runtime_seconds unchanged; queues short (sidekiq_jobs_waiting_count, sidekiq_queue_latency)',
        'no deploy or restart; CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const delivery = {
    method: 'mailers',
    route: 'NewsletterDeliveryJob',
    weight: 0.7,
    outcomes: (ctx: PodContext) =>
      withFailure(healthy(0.35, { sigma: 0.5 }), { code: 500, median: 0.08, sigma: 0.5 }, failing(ctx.t)),
  };
  return {
    scenario,
    build: () => ({
      service: 'newsletter',
      namespace: 'campaigns',
      runtime: 'ruby',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('newsletter', '7.12.0', 'e8b1f04', created, { stagger: 25 }),
      deployment: steadyDeployment(58),
      rps: (t) => rps(t) * (1 + 0.25 * failing(t)),
      routes: [
        delivery,
        steadyRoute('default', 'NewsletterOpenTrackingJob', 0.25, 0.02),
        steadyRoute('low', 'SubscriberImportJob', 0.05, 2.5, { sigma: 0.6 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.012, rssBytes: 420 * MIB }),
      limits: baseLimits('python', { memoryBytes: 1 * GIB, memoryRequestBytes: 768 * MIB }),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: SIDEKIQ_BUCKETS,
      appEmitters: [
        yabedaSidekiq({
          waiting: (t) => ({
            mailers: 6 + 10 * (1 + Math.sin(t / 97)),
            default: 1 + (Math.floor(t / 60) % 3),
            low: 0,
          }),
          queueLatency: (t) => ({ mailers: 0.4 + 0.3 * (1 + Math.sin(t / 83)), default: 0.05, low: 0 }),
          scheduled: () => 37,
          retries: (t) => 4 + Math.max(0, t - onset) * rps(t) * 0.7 * 0.38 * 0.33,
          dead: () => 12,
          processes: () => 3,
          busy: (t) => rps(t) * (0.7 * 0.4 + 0.05 * 2.8),
          jobLatency: () => ({ median: 0.6, sigma: 0.8 }),
        }),
      ],
      scrape: { style: 'pods', port: 9394 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// traffic-surge, php-fpm + nginx stub_status: a crawler triples the traffic, every child busy, listen queue full.

function shopLegacyPhpSurge(): ScenarioDefinition {
  const at = sec('2026-10-03T20:34:00Z');
  const onset = sec('2026-10-03T20:21:00Z');
  const created = sec('2026-09-30T10:05:00Z');
  const surge = (t: number) => ramp(t, onset - MINUTE, 2 * MINUTE);
  const perPod = (t: number) => (diurnal(60, 19)(t) * (1 + 2.3 * surge(t))) / 3;
  const pool: PhpFpmPool = {
    pool: 'www',
    maxChildren: 8,
    startServers: 3,
    minSpare: 2,
    maxSpare: 4,
    backlog: 511,
    slowlogTimeout: 5,
    arrivals: perPod,
    // CPU contention among the children once they all run.
    service: (t) => ({ median: 0.09 * (1 + 0.3 * surge(t)), sigma: 0.8 }),
    requestMemory: 6 * MIB,
  };
  const scenario = scenarioOf(
    {
      id: 'what-moved-traffic-surge-php-fpm',
      service: 'shop-legacy',
      namespace: 'storefront-legacy',
      convention: 'php-fpm',
      cause: 'traffic-surge',
      expectMovers: ['phpfpm_listen_queue', 'phpfpm_max_children_reached'],
      byName: true,
      symptom: 'php site super slow on shop-legacy, lots of 502s',
      lacks: ['build-info'],
      description:
        'shop-legacy (PHP 8.1 on php-fpm, pm = dynamic, pm.max_children 8, behind nginx in the same pod) is ' +
        'scraped through two sidecars: hipages/php-fpm_exporter (phpfpm_* {pool,scrape_uri}, per-child ' +
        'phpfpm_process_*) and nginx-prometheus-exporter on stub_status (nginx_connections_*, ' +
        'nginx_http_requests_total). At 20:20 an aggressive crawler starts walking the category and search ' +
        'pages: requests ×3.3. Every child is busy, pm hits max_children, the listen queue fills to its backlog ' +
        '(511) and nginx answers 502 for connections php-fpm cannot take (visible only in its logs).',
      extras: ['nginx-prometheus-exporter'],
      evidence: [
        'nginx_http_requests_total rate ×3.3 vs a day earlier and vs the hour before',
        'phpfpm_active_processes 2–3 → 8 (= max_children), phpfpm_idle_processes → 0',
        'phpfpm_listen_queue 0 → 511 (= phpfpm_listen_queue_length); phpfpm_max_children_reached counting',
        'nginx_connections_writing from ~3 to ~500; phpfpm_accepted_connections rate capped',
        'no deploy or restart',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'shop-legacy',
      namespace: 'storefront-legacy',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('shop-legacy', '2019.4.17', '0c9d2e1', created, { stagger: 30 }),
      deployment: steadyDeployment(112),
      rps: (t) => 3 * Math.min(perPod(t), pool.maxChildren / (0.09 * 1.38 * (1 + 0.3 * surge(t)))),
      routes: [],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.011, rssBytes: 310 * MIB }),
      limits: baseLimits('python', { memoryBytes: 1 * GIB, memoryRequestBytes: 768 * MIB }),
      appHttp: false,
      targetLabels: (model, pod) => ({
        job: model.service,
        instance: `${pod.ip}:9253`,
        namespace: model.namespace,
        pod: pod.name,
        service: model.service,
        container: 'php-fpm-exporter',
        endpoint: 'php-fpm-metrics',
      }),
      appEmitters: [phpFpmExporter(pool), nginxStubStatus(pool, 'storefront-legacy/nginx-exporter')],
      scrape: { style: 'service-monitor', port: 9253 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// unknown, gunicorn → statsd_exporter (no mapping): request duration up, nothing else.

function surveyApiGunicornSlow(): ScenarioDefinition {
  const at = sec('2026-10-15T14:32:00Z');
  const onset = sec('2026-10-15T14:18:00Z');
  const created = sec('2026-10-13T09:30:00Z');
  const slow = (t: number) => ramp(t, onset, 150);
  const route = (method: string, path: string, weight: number, median: number): ServiceModel['routes'][number] => ({
    method,
    route: path,
    weight,
    outcomes: (ctx) => slower(healthy(median, { clientErrors: 0.01 }), 1 + 7 * slow(ctx.t), 0.55 + 0.15 * slow(ctx.t)),
  });
  const scenario = scenarioOf(
    {
      id: 'what-moved-unknown-gunicorn-statsd',
      service: 'survey-api',
      namespace: 'research',
      convention: 'statsd-gunicorn',
      cause: 'unknown',
      expectMovers: ['survey_api_gunicorn_request_duration'],
      symptom: 'survey-api slow for the last 15 min',
      description:
        'survey-api (Flask under gunicorn, 5 sync workers per pod) sends gunicorn’s built-in statsd metrics ' +
        '(--statsd-prefix survey-api) to a statsd_exporter sidecar without a mapping file: ' +
        'survey_api_gunicorn_requests and survey_api_gunicorn_request_status_<code> counters (no _total), the ' +
        'survey_api_gunicorn_request_duration summary (seconds, quantiles 0.5/0.9/0.99 over 10 min) and ' +
        'survey_api_gunicorn_workers. From 14:18 every endpoint takes ~8× longer (p99 ~0.3 s → ~2.5 s); no errors, ' +
        'traffic flat, CPU flat. Nothing the metrics carry says why.',
      extras: ['statsd_exporter'],
      evidence: [
        'survey_api_gunicorn_request_duration{quantile="0.99"} ~0.3 s → ~2.5 s; rate(_sum)/rate(_count) ×8',
        'survey_api_gunicorn_requests rate unchanged; survey_api_gunicorn_request_status_500 absent, 404 ~1 %',
        'CPU, memory, restarts and deployment generation unchanged',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => ({
      service: 'survey-api',
      namespace: 'research',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('survey-api', '1.22.0', '77a0c3f', created, { stagger: 15 }),
      deployment: steadyDeployment(19),
      rps: diurnal(4.5, 15),
      routes: [
        route('GET', '/v1/surveys/<id>', 0.55, 0.06),
        route('POST', '/v1/surveys/<id>/responses', 0.35, 0.11),
        route('GET', '/v1/surveys/<id>/results', 0.1, 0.25),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.02 }),
      limits: baseLimits('python'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: fineBounds(),
      targetLabels: (model, pod) => ({
        job: model.service,
        instance: `${pod.ip}:9102`,
        namespace: model.namespace,
        pod: pod.name,
        container: 'statsd-exporter',
      }),
      appEmitters: [gunicornStatsd({ prefix: 'survey-api', workers: 5, port: 9102, exporterVersion: '0.28.0' })],
      scrape: { style: 'pods', port: 9102 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// app-crash, uWSGI (timonwong/uwsgi_exporter): workers segfault and the master respawns them.

function avatarsUwsgiRespawns(): ScenarioDefinition {
  const at = sec('2026-10-17T19:25:00Z');
  const onset = sec('2026-10-17T19:11:00Z');
  const created = sec('2026-10-16T08:40:00Z');
  const crashing = (t: number) => ramp(t, onset, 60);
  const scenario = scenarioOf(
    {
      id: 'what-moved-app-crash-uwsgi',
      service: 'avatars',
      namespace: 'media',
      convention: 'uwsgi',
      cause: 'app-crash',
      expectMovers: ['uwsgi_worker_respawn_count_total'],
      byName: true,
      symptom: 'avatars flaky, random 502s on uploads',
      description:
        'avatars (Django under uWSGI, 4 workers per pod, nginx in front) is scraped through a uwsgi_exporter ' +
        'sidecar reading the stats socket (uwsgi_worker_*{worker_id}, uwsgi_listen_queue_length …). From 19:11 ' +
        'clients upload HEIC images and the image library segfaults on them: each worker dies every ~2.5 min, the ' +
        'uWSGI master respawns it (uwsgi_worker_respawn_count_total, last_spawn_time_seconds, RSS and ' +
        'delta_requests reset); the container never restarts. Requests in flight on a dying worker get 502 from ' +
        'nginx (not in these metrics).',
      extras: [],
      evidence: [
        'uwsgi_worker_respawn_count_total 0 → ~5 per worker in 14 min on every pod (0 for days before)',
        'uwsgi_worker_last_spawn_time_seconds jumping; uwsgi_worker_rss_bytes back to its fresh size',
        'kube_pod_container_status_restarts_total unchanged; no deploy',
        'requests rate and average response time unchanged; uwsgi_worker_exceptions_total 0 (segfaults are not exceptions)',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => ({
      service: 'avatars',
      namespace: 'media',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: replicaSet('avatars', '5.0.3', '3d2c7aa', created, { stagger: 20 }),
      deployment: steadyDeployment(73),
      rps: diurnal(36, 18),
      routes: [
        steadyRoute('GET', '/avatars/<id>/<size>', 0.92, 0.018, { clientErrors: 0.02 }),
        steadyRoute('POST', '/avatars', 0.08, 0.35, { ok: 201, clientErrors: 0.03, clientErrorCode: 415 }),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.006 }),
      limits: baseLimits('python'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: [0.01, 0.1, 1, 10],
      targetLabels: (model, pod) => ({
        job: model.service,
        instance: `${pod.ip}:9117`,
        namespace: model.namespace,
        pod: pod.name,
        container: 'uwsgi-exporter',
      }),
      appEmitters: [
        uwsgiExporter({
          workers: 4,
          deathsPerSecond: (t) => crashing(t) / 150,
          listen: 100,
          chdir: '/srv/avatars',
          statsUri: 'unix:///run/uwsgi/stats.sock',
          rssBase: 58 * MIB,
          rssPerRequest: 900,
        }),
      ],
      scrape: { style: 'pods', port: 9117 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// connection-pool-exhausted, Go queue worker: its own DBStats gauges at the max, waits pile up, workers saturate.

function payoutsPgxpoolExhausted(): ScenarioDefinition {
  const at = sec('2026-10-13T11:06:00Z');
  const onset = sec('2026-10-13T10:52:00Z');
  const created = sec('2026-10-09T13:15:00Z');
  const held = (t: number) => ramp(t, onset - MINUTE, 90);
  const perPod = (t: number) => diurnal(30, 13)(t) / 3;
  const jobSlow = (t: number) => 1 + 6 * held(t);
  const scenario = scenarioOf(
    {
      id: 'what-moved-pool-exhausted-hand-rolled',
      service: 'payouts',
      namespace: 'treasury',
      convention: 'hand-rolled-pools',
      cause: 'connection-pool-exhausted',
      expectMovers: ['payouts_db_wait_count_total', 'payouts_db_connections_in_use'],
      byName: true,
      symptom: 'payouts queue backing up, jobs timing out',
      description:
        'payouts is a Go queue worker (3 pods, 16 workers each, database/sql on pgx’s stdlib driver, ' +
        'SetMaxOpenConns(10)). The team exports its own gauges over sql.DB.Stats() — payouts_db_connections_' +
        '{in_use,idle,max_open}, payouts_db_wait_count_total, payouts_db_wait_duration_seconds_total — and its ' +
        'worker pool: payouts_worker_pool_busy / _size, payouts_jobs_processed_total{type,status}, ' +
        'payouts_job_duration_seconds (DefBuckets); plus client_golang’s defaults. At 10:51 finance starts the ' +
        'month-end reconciliation export, which runs inside the same pods and streams with a cursor: it holds 8 of ' +
        'the 10 connections per pod for its whole run. Payout jobs wait for the remaining two; waits pile up, some ' +
        'hit the 5 s context deadline, jobs take ~7× longer and every worker is busy. The database itself is fast.',
      extras: [],
      evidence: [
        'payouts_db_connections_in_use ~1 → 10 (= payouts_db_connections_max_open) on every pod; idle → 0',
        'rate(payouts_db_wait_count_total) ~0 → most acquisitions; payouts_db_wait_duration_seconds_total climbing',
        'payouts_jobs_processed_total{status="error"} ~8 % (context deadline exceeded)',
        'payouts_worker_pool_busy → 16 (= payouts_worker_pool_size); payouts_job_duration_seconds ×7',
        'no deploy or restart; CPU low',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  const job = (route: string, weight: number, median: number): ServiceModel['routes'][number] => ({
    method: 'JOB',
    route,
    weight,
    outcomes: (ctx) =>
      withFailure(
        slower(healthy(median, { serverErrors: 0.0002 }), jobSlow(ctx.t), 0.5 + 0.2 * held(ctx.t), 5.5),
        { code: 500, median: 5.02, sigma: 0.01 },
        0.08 * held(ctx.t),
      ),
  });
  return {
    scenario,
    build: () => ({
      service: 'payouts',
      namespace: 'treasury',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('payouts', 'v4.7.2', 'c19e0d4', created, { stagger: 15 }),
      deployment: steadyDeployment(88),
      rps: (t) => diurnal(30, 13)(t),
      routes: [job('payout.execute', 0.6, 0.3), job('payout.status_sync', 0.4, 0.06)],
      clients: [],
      dbOps: [],
      resources: baseResources('go-otel', { cpuPerRequest: 0.004 }),
      limits: baseLimits('go-otel'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: GO_DEFAULT_BUCKETS,
      appEmitters: [
        clientGolangRuntime({ program: 'payouts' }),
        handRolledDbStats('payouts', {
          maxOpen: 10,
          // The export holds 8 connections for its whole run; the jobs share what is left.
          inUse: (ctx) => clamp(perPod(ctx.t) * 3 * 0.012 + 10 * held(ctx.t), 0, 10),
          idle: (ctx) => (held(ctx.t) > 0.5 ? 0 : 2),
          waitsPerSecond: (ctx) => perPod(ctx.t) * 3 * (0.001 + 0.85 * held(ctx.t)),
          wait: (ctx) =>
            held(ctx.t) > 0.05 ? { median: 0.9 * held(ctx.t), sigma: 0.9, cap: 5 } : { median: 0.002, sigma: 0.6 },
        }),
        handRolledWorkerPool({
          prefix: 'payouts',
          size: 16,
          busy: (ctx) =>
            perPod(ctx.t) *
            (0.6 * 0.34 + 0.4 * 0.07) *
            jobSlow(ctx.t) *
            (1 + 0.1 * ctx.noise.white(`b:${ctx.pod.name}`, ctx.t)),
        }),
      ],
      scrape: { style: 'pods', port: 9090 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy, uWSGI: the morning commuter ramp, the same as yesterday morning.

function timetableMorningWave(): ScenarioDefinition {
  const at = sec('2026-10-16T07:25:00Z');
  const onset = sec('2026-10-16T07:10:00Z');
  const created = sec('2026-10-12T12:20:00Z');
  const commuters = (t: number) => {
    const h = hourOf(t);
    return 0.3 + 1.7 * Math.exp(-(((h - 7.8) / 0.9) ** 2)) + 0.9 * Math.exp(-(((h - 17.4) / 1.3) ** 2));
  };
  const scenario = scenarioOf(
    {
      id: 'what-moved-healthy-morning-wave',
      service: 'timetable',
      namespace: 'transit',
      convention: 'uwsgi',
      cause: 'healthy',
      symptom: 'timetable feels slower this morning?',
      description:
        'timetable is healthy. Its Django app under uWSGI (4 workers per pod) is scraped through uwsgi_exporter. ' +
        'At 07:10 the commuter peak is ramping up: requests ×3 over the last hours, exactly as the same morning ' +
        'a day earlier; response times, exceptions and workers are normal.',
      healthChecks: {
        errorRatio:
          '(sum(rate(uwsgi_worker_exceptions_total{job="timetable"}[5m])) or vector(0)) / sum(rate(uwsgi_worker_requests_total{job="timetable"}[5m]))',
        latency: 'max(uwsgi_worker_average_response_time_seconds{job="timetable"})',
      },
      extras: [],
      evidence: [
        'uwsgi_worker_requests_total rate rising ~3× since 05:30, the same curve a day earlier',
        'uwsgi_worker_average_response_time_seconds ~40 ms; uwsgi_worker_exceptions_total 0; no respawns',
        'CPU < 30 % of the limit, memory flat',
      ],
    },
    at,
    onset,
    3,
    true,
  );
  return {
    scenario,
    build: () => ({
      service: 'timetable',
      namespace: 'transit',
      runtime: 'go',
      seed: scenario.id,
      windows: windows(at, 3, true),
      pods: replicaSet('timetable', '12.3.0', '1f6ae90', created, { stagger: 25 }),
      deployment: steadyDeployment(41),
      rps: (t) => 24 * commuters(t),
      routes: [
        steadyRoute('GET', '/api/departures/<stop>', 0.7, 0.03, { clientErrors: 0.004 }),
        steadyRoute('GET', '/api/journeys', 0.3, 0.07),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.008 }),
      limits: baseLimits('python'),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: [0.01, 0.1, 1, 10],
      targetLabels: (model, pod) => ({
        job: model.service,
        instance: `${pod.ip}:9117`,
        namespace: model.namespace,
        pod: pod.name,
        container: 'uwsgi-exporter',
      }),
      appEmitters: [
        uwsgiExporter({
          workers: 4,
          deathsPerSecond: () => 0,
          listen: 100,
          chdir: '/srv/timetable',
          statsUri: 'http://127.0.0.1:1717',
          rssBase: 72 * MIB,
          rssPerRequest: 300,
        }),
      ],
      scrape: { style: 'pods', port: 9117 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy, Sidekiq: a `kubectl rollout restart` replaced every pod (counters from zero), nothing else changed.

function receiptsRolloutRestart(): ScenarioDefinition {
  const at = sec('2026-10-19T14:04:00Z');
  const onset = sec('2026-10-19T13:53:00Z');
  const restart = sec('2026-10-19T13:52:10Z');
  const oldCreated = sec('2026-10-15T09:30:00Z');
  const rps = diurnal(14, 14);
  const scenario = scenarioOf(
    {
      id: 'what-moved-healthy-rollout-restart',
      service: 'receipts',
      namespace: 'commerce',
      convention: 'yabeda-sidekiq',
      cause: 'healthy',
      // The rollout restart is a real change (a new deployment generation) and its cold start is a real p99 bump.
      harmless: ['deployment-change', 'latency-p99'],
      symptom: 'receipts sidekiq pods all restarted, is it ok?',
      lacks: ['process', 'build-info'],
      description:
        'receipts is healthy. At 13:52 a scheduled `kubectl rollout restart` (to pick up a rotated SMTP secret) ' +
        'replaced the three Sidekiq pods one by one: same image and version, deployment generation 44 → 45, new ' +
        'pods whose yabeda-sidekiq counters start from zero. Jobs, failures, runtimes and queues are as before.',
      healthChecks: {
        errorRatio:
          '(sum(rate(sidekiq_jobs_failed_total{job="receipts"}[5m])) or vector(0)) / sum(rate(sidekiq_jobs_executed_total{job="receipts"}[5m]))',
        latency: 'histogram_quantile(0.99, sum by (le) (rate(sidekiq_job_runtime_seconds_bucket{job="receipts"}[5m])))',
      },
      extras: [],
      evidence: [
        'three new pods from 13:52 (new names, counters from 0), kube_deployment_metadata_generation 44 → 45, same version',
        'sidekiq_jobs_failed_total ≈ 0; sidekiq_job_runtime_seconds p99 < 1 s; queues short',
        'CPU and memory normal',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  const newPod = (slot: number) =>
    makePod({
      service: 'receipts',
      replicaSetSeed: '2.8.3-restarted-2026-10-19',
      slot,
      created: restart + slot * 35,
      version: '2.8.3',
      revision: 'b7d40e2',
      readySeconds: 15,
    });
  const fresh = [0, 1, 2].map(newPod);
  return {
    scenario,
    build: () => ({
      service: 'receipts',
      namespace: 'commerce',
      runtime: 'ruby',
      seed: scenario.id,
      windows: windows(at, 3, false),
      pods: [
        ...replicaSet('receipts', '2.8.3', 'b7d40e2', oldCreated, {
          stagger: 30,
          deleted: (slot) => restart + slot * 35 + 25,
        }),
        ...fresh,
      ] satisfies Pod[],
      deployment: {
        replicas: 3,
        generations: [
          [0, 44],
          [restart - 2, 45],
        ],
      },
      rps,
      routes: [
        steadyRoute('default', 'ReceiptMailerJob', 0.6, 0.22, { sigma: 0.45, serverErrors: 0.0002 }),
        steadyRoute('default', 'ReceiptPdfJob', 0.3, 0.18, { sigma: 0.45 }),
        steadyRoute('low', 'ReceiptArchiveJob', 0.1, 0.05),
      ],
      clients: [],
      dbOps: [],
      resources: baseResources('python', { cpuPerRequest: 0.012, rssBytes: 380 * MIB }),
      limits: baseLimits('python', { memoryBytes: 1 * GIB, memoryRequestBytes: 768 * MIB }),
      appHttp: true,
      runtimeHttp: false,
      httpBuckets: SIDEKIQ_BUCKETS,
      appEmitters: [
        yabedaSidekiq({
          waiting: (t) => ({ default: 2 + (Math.floor(t / 60) % 4), low: Math.floor(t / 120) % 2 }),
          queueLatency: (t) => ({ default: 0.2 + 0.2 * (1 + Math.sin(t / 71)), low: 0.4 }),
          scheduled: () => 8,
          retries: () => 1,
          dead: () => 3,
          processes: (t) => (t > restart && t < restart + 100 ? 4 : 3),
          busy: (t) => rps(t) * 0.2,
          jobLatency: () => ({ median: 0.3, sigma: 0.7 }),
        }),
      ],
      scrape: { style: 'pods', port: 9394 },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// healthy, Celery: an hourly beat schedule floods the queue, drained within minutes, every hour alike.

function digestCeleryHourly(): ScenarioDefinition {
  const at = sec('2026-10-18T12:09:00Z');
  const onset = sec('2026-10-18T12:00:00Z');
  const created = sec('2026-10-14T10:10:00Z');
  const burst = (t: number) => {
    const m = (((t % HOUR) + HOUR) % HOUR) / MINUTE;
    return m < 1 ? 12000 / 60 : 0;
  };
  const scenario = scenarioOf(
    {
      id: 'what-moved-healthy-hourly-burst',
      service: 'digest-worker',
      namespace: 'notifications-digest',
      convention: 'celery-exporter',
      cause: 'healthy',
      symptom: 'digest-worker queue spiked at noon, should I worry?',
      description:
        'digest-worker is healthy. A Celery beat schedule publishes ~12 000 send_digest tasks at the top of every ' +
        'hour; three workers (--concurrency 4) drain them in ~5 min. The queue and the worker activity jump every ' +
        'hour, exactly as in the hours before; runtimes and failures are normal.',
      healthChecks: {
        errorRatio:
          '(sum(rate(celery_task_failed_total{queue_name="digest"}[5m])) or vector(0)) / sum(rate(celery_task_received_total{queue_name="digest"}[5m]))',
        latency: 'histogram_quantile(0.99, sum by (le) (rate(celery_task_runtime_bucket{queue_name="digest"}[5m])))',
      },
      extras: ['celery-exporter'],
      evidence: [
        'celery_queue_length{queue_name="digest"} ~12 000 at hh:01, 0 by hh:06, every hour of the history',
        'celery_task_runtime p99 ~0.6 s; celery_task_failed_total ≈ 0',
        'CPU < 50 % of the limit, memory flat, no restarts',
      ],
    },
    at,
    onset,
    3,
    false,
  );
  return {
    scenario,
    build: () => {
      const historyStart = at - 3 * HOUR - HISTORY_PADDING;
      const celery = new CeleryQueue(
        {
          queue: 'digest',
          concurrency: 4,
          arrivals: (t) => 1.2 + burst(t),
          exporter: { pod: 'celery-exporter-84d6c9f7b-2wxnp', ip: '10.42.33.61', started: sec('2026-10-02T08:45:00Z') },
          tasks: [
            {
              name: 'digest.tasks.send_digest',
              share: 0.97,
              runtime: () => ({ median: 0.24, sigma: 0.35 }),
              failed: () => ({ SMTPRecipientsRefused: 0.0001 }),
            },
            { name: 'digest.tasks.cleanup_sent', share: 0.03, runtime: () => ({ median: 0.05, sigma: 0.4 }) },
          ],
        },
        historyStart - HOUR,
        3,
      );
      return {
        service: 'digest-worker',
        namespace: 'notifications-digest',
        runtime: 'python',
        seed: scenario.id,
        windows: windows(at, 3, false),
        pods: replicaSet('digest-worker', '1.6.2', '9e3f1b7', created, { stagger: 20 }),
        deployment: steadyDeployment(15),
        rps: (t) => celery.drained(t),
        routes: [],
        clients: [],
        dbOps: [],
        resources: baseResources('python', { cpuPerRequest: 0.01 }),
        limits: baseLimits('python'),
        appHttp: false,
        runtimeHttp: false,
        exporters: [celeryExporter(celery, 'notifications-digest', historyStart - HOUR)],
        scrape: { style: 'pods', port: 8000 },
      };
    },
  };
}

export const DEFINITIONS: readonly ScenarioDefinition[] = [
  journalPostingErrors(),
  reportsMemoryLeak(),
  intranetApacheSaturated(),
  statementsCeleryBacklog(),
  newsletterSidekiqFailures(),
  shopLegacyPhpSurge(),
  surveyApiGunicornSlow(),
  avatarsUwsgiRespawns(),
  payoutsPgxpoolExhausted(),
  timetableMorningWave(),
  receiptsRolloutRestart(),
  digestCeleryHourly(),
];
