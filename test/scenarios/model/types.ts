import type { Labels } from '../../support/prometheus/openmetrics-writer.js';
import type { HandleCache } from './accumulators.js';
import type { Edge } from './emit-edge.js';
import type { Noise } from './noise.js';
import type { RunState, ScrapeContext } from './simulate.js';
import type { Latency } from './stats.js';

/** A span of time in Unix seconds, both ends inclusive, on minute boundaries. */
export interface Window {
  start: number;
  end: number;
}

export type ExitReason = 'Error' | 'OOMKilled' | 'Completed';

/** One run of the service's container inside a pod: a process lifetime. */
export interface ContainerRun {
  /** Process start (Unix seconds). */
  start: number;
  /** When the process exited, or Infinity. */
  end: number;
  /** Why it exited (kube-state-metrics' last_terminated_reason); undefined when it is still running. */
  exit?: ExitReason;
  /** 64 hex characters: the container id cAdvisor puts into the `id` label. */
  containerId: string;
}

export interface ClusterNode {
  name: string;
  ip: string;
}

/** A Kubernetes pod of the service. */
export interface Pod {
  /** 0, 1, 2 — the replica "slot" (stable across a rollout only in our bookkeeping, never in labels). */
  slot: number;
  name: string;
  ip: string;
  uid: string;
  node: ClusterNode;
  /** Pod lifetime; the pod has no series outside it. */
  created: number;
  deleted: number;
  /** The application version this pod runs (`*_build_info{version}`). */
  version: string;
  revision: string;
  runs: ContainerRun[];
  /** Seconds from process start until the readiness probe passes. */
  readySeconds: number;
  /** Seconds a crashed pod stays in the Service endpoints (readiness probe lag); requests sent there fail. */
  lingerSeconds: number;
  /** Scrape phase of this pod's targets within the minute (a multiple of 5 s). */
  scrapePhase: number;
  /** Sub-second part of this target's scrape timestamps (milliseconds, subtracted). */
  scrapeMs: number;
}

/** What the simulation knows about one pod at one instant; scenario functions read it. */
export interface PodContext {
  t: number;
  pod: Pod;
  run: ContainerRun;
  /** Seconds since the process started. */
  uptime: number;
  /** Requests per second this pod served recently (an exponentially weighted average over ~1 min). */
  rps: number;
  noise: Noise;
}

/** A share of a route's requests ending with one status and one latency distribution. */
export interface Outcome extends Latency {
  code: number;
  frac: number;
  /** Micrometer's `exception` tag (default "None"). */
  exception?: string;
}

export interface RouteModel {
  method: string;
  route: string;
  /** Relative share of the service's traffic. */
  weight: number;
  outcomes(ctx: PodContext): Outcome[];
}

/** One outcome of outbound HTTP calls to a peer. */
export interface ClientOutcome extends Latency {
  /** HTTP status, or undefined when no response came back (a timeout, a refused connection). */
  code?: number;
  /** OpenTelemetry `error.type` when the call failed without a response, e.g. "timeout". */
  errorType?: string;
  frac: number;
}

export interface ClientModel {
  /** `server_address` (OTel) or `client_name` (Micrometer). */
  peer: string;
  port: number;
  method: string;
  /** Micrometer `uri` template. */
  uri: string;
  /** Outbound calls per inbound request (may vary, e.g. with retries). */
  callsPerRequest(ctx: PodContext): number;
  outcomes(ctx: PodContext): ClientOutcome[];
}

export interface DbOpModel {
  operation: string;
  collection: string;
  perRequest: number;
  latency(ctx: PodContext): Latency;
}

export interface PoolState {
  max: number;
  /** Connections in use (checked out). */
  used: number;
  idle: number;
  /** Threads or goroutines waiting for a connection. */
  pending: number;
  /** Acquire timeouts per second. */
  timeoutsPerSecond: number;
  /** Typical time to acquire a connection (seconds). */
  acquire: Latency;
}

export interface ResourceModel {
  /** CPU demand in cores (the container gets at most its limit; above it, CFS throttles). */
  cpuCores(ctx: PodContext): number;
  rssBytes(ctx: PodContext): number;
  /** Node.js / JVM / Go heap in use. */
  heapUsedBytes(ctx: PodContext): number;
  openFds(ctx: PodContext): number;
  /** OS threads (JVM live threads for Micrometer). */
  threads(ctx: PodContext): number;
  /** Node.js event-loop lag. */
  eventLoopLagSeconds(ctx: PodContext): number;
  goroutines(ctx: PodContext): number;
  /** Garbage collections per second. */
  gcPerSecond(ctx: PodContext): number;
  /** Typical GC pause. */
  gcPause(ctx: PodContext): Latency;
}

export interface Limits {
  cpuCores: number;
  cpuRequestCores: number;
  memoryBytes: number;
  memoryRequestBytes: number;
  maxFds: number;
  /** The pod's pids limit (cAdvisor container_threads_max). */
  pidsMax: number;
}

export interface PostgresModel {
  datname: string;
  usename: string;
  applicationName: string;
  pod: string;
  ip: string;
  maxConnections: number;
  /** Connections of the service's database by state at time t. */
  connections(t: number): { active: number; idle: number; idleInTransaction: number };
  /** Longest running transaction among active connections (seconds). */
  maxTxDurationSeconds(t: number): number;
  /** Longest transaction among connections idle in transaction (default: a few milliseconds). */
  maxIdleInTxDurationSeconds?(t: number): number;
}

export interface BlackboxModel {
  target: string;
  /** Probability that a probe at time t fails. */
  failureProbability(t: number): number;
  okStatus: number;
  failStatus: number;
  duration(t: number, ok: boolean): number;
}

/**
 * The application's own runtime metrics. `go`, `jvm-otel`, `dotnet` and `ruby` write nothing by themselves: their
 * scenarios list the runtime's emitters (emit-runtimes.ts) and HTTP libraries (emit-servers.ts) in `appEmitters`.
 */
export type Runtime = 'node' | 'jvm' | 'go-otel' | 'python' | 'go' | 'jvm-otel' | 'dotnet' | 'ruby';

/** How Prometheus scrapes the application pods. */
export interface ScrapeStyle {
  /** `pods`: kubernetes_sd pod role with namespace/pod labels; `service-monitor`: prometheus-operator adds service, container, endpoint. */
  style: 'pods' | 'service-monitor';
  port: number;
}

export interface DeploymentModel {
  replicas: number;
  /** Deployment generation changes: [time, generation], sorted; the first entry is the generation at history start. */
  generations: Array<readonly [number, number]>;
}

/**
 * An extra emitter on the application's own scrape, after the runtime's: another HTTP or gRPC library, a pool
 * collector, a runtime collector. `target` is the scrape's target labels.
 */
export type AppEmitter = (sc: ScrapeContext, rs: RunState, ctx: PodContext, target: Labels) => void;

/** A proxy in front of the service, built once per rendering (see `Edge`). */
export type EdgeFactory = (model: ServiceModel, handles: HandleCache, noise: Noise) => Edge;

/** Something scraped on its own schedule (a database or queue exporter): called at every tick inside the windows. */
export interface ExporterModel {
  emit(model: ServiceModel, handles: HandleCache, noise: Noise, t: number): void;
}

/** Everything needed to render one service's series. */
export interface ServiceModel {
  service: string;
  /** `vm`: hosts outside Kubernetes (no pods; no cAdvisor, kube-state-metrics or kubelet series); default kubernetes. */
  platform?: 'kubernetes' | 'vm';
  namespace: string;
  runtime: Runtime;
  seed: string;
  windows: Window[];
  pods: Pod[];
  deployment: DeploymentModel;
  /** Total request rate arriving at the service (req/s) at time t. */
  rps(t: number): number;
  routes: RouteModel[];
  clients: ClientModel[];
  dbOps: DbOpModel[];
  /** DB connection pool per pod (HikariCP for the JVM, OTel db.client.connections.* for Go). */
  pool?: ((ctx: PodContext) => PoolState) | undefined;
  poolName?: string;
  resources: ResourceModel;
  limits: Limits;
  /** A proxy in front of the service that also reports HTTP metrics. */
  edge?: 'ingress-nginx' | 'istio' | EdgeFactory | undefined;
  /** Extra emitters on the application's scrape (after the runtime's own). */
  appEmitters?: readonly AppEmitter[];
  /** False when the runtime's default HTTP series (prom-client, Micrometer, OTel) are replaced by `appEmitters`. */
  runtimeHttp?: boolean;
  /** Bucket bounds of the server (and client) latency accumulators, when not the runtime's default. */
  httpBuckets?: readonly number[];
  clientBuckets?: readonly number[];
  /** Exporters scraped on their own (databases, caches, queues). */
  exporters?: readonly ExporterModel[];
  /** Target labels of the application's scrape, when not the ServiceMonitor / pod defaults. */
  targetLabels?: (model: ServiceModel, pod: Pod) => Labels;
  /** False when the application exposes no HTTP server metrics of its own. */
  appHttp: boolean;
  scrape: ScrapeStyle;
  /** prom-client only: the status label's name. */
  statusLabel?: 'code' | 'status';
  postgres?: PostgresModel | undefined;
  blackbox?: BlackboxModel[] | undefined;
  /** The DB the service talks to (OTel `db_namespace`, `server_address`). */
  database?: { name: string; host: string } | undefined;
}
