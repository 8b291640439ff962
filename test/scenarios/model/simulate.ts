import type { Labels, OpenMetricsWriter } from '../../support/prometheus/openmetrics-writer.js';
import { CountAccumulator, HandleCache, TimedAccumulator } from './accumulators.js';
import { runAt } from './cluster.js';
import { emitApp } from './emit-app.js';
import { createEdge, type Edge } from './emit-edge.js';
import { emitBlackbox, emitPostgres } from './emit-extras.js';
import { emitCadvisor, emitKubeletAndKsmUp, emitKubeStateMetrics, type PodInfraState } from './emit-k8s.js';
import { Noise } from './noise.js';
import { BUCKETS, type Latency } from './stats.js';
import type { ClientModel, ContainerRun, Outcome, Pod, PodContext, RouteModel, ServiceModel, Window } from './types.js';

/** Simulation step inside the windows (seconds). Scrapes happen on multiples of it. */
export const TICK = 5;
/** Scrape interval of every target (seconds). */
export const SCRAPE_INTERVAL = 60;

/** Per-process accumulators: everything a process counts since it started. */
export class RunState {
  readonly http = new Map<string, { route: RouteModel; outcome: Outcome; acc: TimedAccumulator }>();
  readonly client = new Map<
    string,
    { client: ClientModel; code?: number; errorType?: string; acc: TimedAccumulator }
  >();
  readonly db = new Map<string, { operation: string; collection: string; acc: TimedAccumulator }>();
  readonly poolAcquire: TimedAccumulator = new TimedAccumulator([]);
  poolTimeouts = 0;
  cpuSeconds = 0;
  gc = new TimedAccumulator([]);
  readonly logs = { info: new CountAccumulator(), warn: new CountAccumulator(), error: new CountAccumulator() };
  requests = 0;
  peakThreads = 0;
  /** Series ids written since this process started (their first sample is a counter reset). */
  readonly written = new Set<string>();

  readonly run: ContainerRun;

  constructor(run: ContainerRun) {
    this.run = run;
  }

  /** True the first time `id` is asked for in this run. */
  firstWrite(id: string): boolean {
    if (this.written.has(id)) return false;
    this.written.add(id);
    return true;
  }
}

/** Per-pod state that survives process restarts (the pod cgroup, the CFS counters of the current container). */
export class PodState implements PodInfraState {
  current: RunState | undefined;
  ewmaRps = 0;
  /** cAdvisor container counters of the current container (reset with each new container id). */
  containerCpu = 0;
  cfsPeriods = 0;
  cfsThrottledPeriods = 0;
  cfsThrottledSeconds = 0;
  containerId = '';
  /** Pod-level cgroup CPU (container=""), never reset while the pod lives. */
  podCpu = 0;
  /** The crashed run whose in-flight requests were already failed at the edge. */
  crashHandled: ContainerRun | undefined;
  readonly ctx: PodContext;

  readonly pod: Pod;

  constructor(pod: Pod, noise: Noise) {
    this.pod = pod;
    const first = pod.runs[0];
    if (!first) throw new Error(`pod ${pod.name} has no runs`);
    this.ctx = { t: 0, pod, run: first, uptime: 0, rps: 0, noise };
  }

  runState(run: ContainerRun): RunState {
    if (this.current?.run !== run) {
      this.current = new RunState(run);
      this.containerCpu = 0;
      this.cfsPeriods = 0;
      this.cfsThrottledPeriods = 0;
      this.cfsThrottledSeconds = 0;
      this.containerId = run.containerId;
    }
    return this.current;
  }
}

/** Everything an emitter needs for one scrape of one pod. */
export interface ScrapeContext {
  /** The simulation time of the scrape. */
  t: number;
  /** The timestamp written (t minus the target's sub-second offset). */
  ts: number;
  model: ServiceModel;
  pod: Pod;
  state: PodState;
  handles: HandleCache;
  noise: Noise;
}

interface Tick {
  a: number;
  b: number;
  fine: boolean;
}

function buildTicks(model: ServiceModel): Tick[] {
  const windows = [...model.windows].sort((x, y) => x.start - y.start);
  const first = windows[0];
  if (!first) throw new Error(`${model.service}: no windows`);
  let earliest = first.start - SCRAPE_INTERVAL;
  for (const pod of model.pods) {
    const run = pod.runs[0];
    if (run && run.start < earliest) earliest = run.start;
  }
  const ticks: Tick[] = [];
  let cursor = earliest;
  for (const w of windows) {
    if (w.start % SCRAPE_INTERVAL !== 0 || w.end % SCRAPE_INTERVAL !== 0) {
      throw new Error(`${model.service}: windows must start and end on a minute`);
    }
    const fineStart = w.start - SCRAPE_INTERVAL;
    if (fineStart < cursor) throw new Error(`${model.service}: windows overlap or touch`);
    if (cursor < fineStart) ticks.push({ a: cursor, b: fineStart, fine: false });
    for (let a = fineStart; a < w.end; a += TICK) ticks.push({ a, b: a + TICK, fine: true });
    cursor = w.end;
  }
  return ticks;
}

function inWindows(windows: readonly Window[], t: number): boolean {
  for (const w of windows) if (t >= w.start && t <= w.end) return true;
  return false;
}

/** True when a target with this phase is scraped at t. */
export function scrapedAt(phase: number, t: number): boolean {
  return (((t - phase) % SCRAPE_INTERVAL) + SCRAPE_INTERVAL) % SCRAPE_INTERVAL === 0;
}

/** Renders one service: runs the simulation over its windows and writes every series it would expose. */
export function renderService(writer: OpenMetricsWriter, model: ServiceModel): void {
  const noise = new Noise(model.seed);
  const handles = new HandleCache(writer);
  const states = model.pods.map((pod) => new PodState(pod, noise));
  const edge: Edge | undefined = model.edge ? createEdge(model, handles, noise) : undefined;
  const totalWeight = model.routes.reduce((s, r) => s + r.weight, 0);
  const getWeight = model.routes.filter((r) => r.method === 'GET').reduce((s, r) => s + r.weight, 0);
  const ticks = buildTicks(model);

  for (const tick of ticks) {
    const dt = tick.b - tick.a;
    if (!tick.fine) {
      coarseTick(model, states, edge, tick, totalWeight);
      continue;
    }
    const mid = (tick.a + tick.b) / 2;
    // Who is alive, ready, or a black hole (crashed but still in the Service endpoints)?
    const ready: PodState[] = [];
    const blackholes: PodState[] = [];
    const alive: Array<[PodState, ContainerRun]> = [];
    for (const state of states) {
      const pod = state.pod;
      if (mid < pod.created || mid >= pod.deleted) continue;
      const run = runAt(pod, mid);
      const previous = state.current;
      if (previous && previous.run !== run && previous.run.end <= mid && isCrash(previous.run)) {
        if (state.crashHandled !== previous.run) {
          // The process died during this tick: requests in flight on it are lost.
          state.crashHandled = previous.run;
          edge?.failed(pod, pickMethod(model, noise, tick.a), 'inflight', state.ewmaRps * 1.5, mid);
        }
      }
      if (run) {
        alive.push([state, run]);
        state.runState(run);
        if (mid >= run.start + pod.readySeconds) ready.push(state);
      } else {
        const last = lastEnded(pod, mid);
        if (last && isCrash(last) && mid < last.end + pod.lingerSeconds) blackholes.push(state);
      }
    }

    const arriving = model.rps(mid) * dt * noise.factor('traffic', tick.a, 0.04);
    const endpoints = ready.length + blackholes.length;
    const served = new Map<PodState, number>();
    if (endpoints === 0) {
      if (edge) edge.failed(undefined, pickMethod(model, noise, tick.a), 'no-endpoints', arriving, mid);
    } else {
      const weights = new Map<PodState, number>();
      let wsum = 0;
      for (const s of [...ready, ...blackholes]) {
        const w = 1 + 0.05 * noise.smooth(`share:${s.pod.name}`, tick.a, 300);
        weights.set(s, w);
        wsum += w;
      }
      let retried = 0;
      for (const s of blackholes) {
        const n = (arriving * (weights.get(s) ?? 1)) / wsum;
        // ingress-nginx retries idempotent requests on the next upstream; POSTs fail with 502.
        const retryable = model.edge === 'ingress-nginx' && ready.length > 0 ? (n * getWeight) / totalWeight : 0;
        retried += retryable;
        if (edge) edge.failed(s.pod, pickNonGetMethod(model, noise, tick.a), 'blackhole', n - retryable, mid);
      }
      let readySum = 0;
      for (const s of ready) readySum += weights.get(s) ?? 1;
      for (const s of ready) {
        const w = weights.get(s) ?? 1;
        served.set(s, (arriving * w) / wsum + (retried * w) / readySum);
      }
    }

    for (const [state, run] of alive) {
      const n = served.get(state) ?? 0;
      const rs = state.runState(run);
      const ctx = state.ctx;
      ctx.t = mid;
      ctx.run = run;
      ctx.uptime = mid - run.start;
      const alpha = 1 - Math.exp(-dt / 60);
      state.ewmaRps += alpha * (n / dt - state.ewmaRps);
      ctx.rps = state.ewmaRps;
      serve(model, state, rs, n, edge, totalWeight, true);
      consume(model, state, rs, dt, true);
    }

    const t = tick.b;
    if (!inWindows(model.windows, t)) continue;
    for (const state of states) {
      const pod = state.pod;
      if (t < pod.created || t >= pod.deleted) continue;
      if (scrapedAt(pod.scrapePhase, t)) {
        emitApp({ t, ts: t - pod.scrapeMs / 1000, model, pod, state, handles, noise });
      }
      const nodePhase = nodeScrapePhase(pod.node.name);
      if (scrapedAt(nodePhase.phase, t)) {
        emitCadvisor({ t, ts: t - nodePhase.ms / 1000, model, pod, state, handles, noise });
      }
    }
    if (model.platform !== 'vm') {
      emitKubeStateMetrics(model, handles, t);
      emitKubeletAndKsmUp(model, handles, t);
    }
    edge?.scrape(t);
    emitPostgres(model, handles, noise, t);
    emitBlackbox(model, handles, noise, t);
    for (const exporter of model.exporters ?? []) exporter.emit(model, handles, noise, t);
  }
}

/** kubelet (cAdvisor) scrape phase per node, the same in every scenario. */
export function nodeScrapePhase(node: string): { phase: number; ms: number } {
  let h = 0;
  for (let i = 0; i < node.length; i++) h = (h * 31 + node.charCodeAt(i)) >>> 0;
  return { phase: 5 * (h % 12), ms: 1 + (h % 997) };
}

function isCrash(run: ContainerRun): boolean {
  return run.exit === 'Error' || run.exit === 'OOMKilled';
}

function lastEnded(pod: Pod, t: number): ContainerRun | undefined {
  let found: ContainerRun | undefined;
  for (const run of pod.runs) if (run.end <= t) found = run;
  return found;
}

function pickMethod(model: ServiceModel, noise: Noise, t: number): string {
  const total = model.routes.reduce((s, r) => s + r.weight, 0);
  let x = noise.uniform('method', t) * total;
  for (const r of model.routes) {
    x -= r.weight;
    if (x <= 0) return r.method;
  }
  return model.routes[0]?.method ?? 'GET';
}

function pickNonGetMethod(model: ServiceModel, noise: Noise, t: number): string {
  const others = model.routes.filter((r) => r.method !== 'GET');
  if (others.length === 0) return 'GET';
  return others[Math.floor(noise.uniform('nonget', t) * others.length)]?.method ?? 'POST';
}

/** A long step outside the windows (history before the first window, the gap between windows). */
function coarseTick(
  model: ServiceModel,
  states: PodState[],
  edge: Edge | undefined,
  tick: Tick,
  totalWeight: number,
): void {
  const aliveAtEnd = states.filter((s) => runAt(s.pod, tick.b - 1e-6) !== undefined);
  for (const state of aliveAtEnd) {
    const run = runAt(state.pod, tick.b - 1e-6);
    if (!run) continue;
    const from = Math.max(tick.a, run.start, state.pod.created);
    const duration = tick.b - from;
    if (duration <= 0) continue;
    const mid = (from + tick.b) / 2;
    const rs = state.runState(run);
    const n = (model.rps(mid) * duration) / aliveAtEnd.length;
    const ctx = state.ctx;
    ctx.t = mid;
    ctx.run = run;
    ctx.uptime = mid - run.start;
    state.ewmaRps = n / duration;
    ctx.rps = state.ewmaRps;
    serve(model, state, rs, n, edge, totalWeight, false);
    consume(model, state, rs, duration, false);
  }
}

/** Accounts `n` requests served by a pod: HTTP server series, outbound calls, DB operations, logs. */
function serve(
  model: ServiceModel,
  state: PodState,
  rs: RunState,
  n: number,
  edge: Edge | undefined,
  totalWeight: number,
  fine: boolean,
): void {
  if (n <= 0) return;
  const ctx = state.ctx;
  rs.requests += n;
  let errors = 0;
  let warnings = 0;
  for (const route of model.routes) {
    const nr = (n * route.weight) / totalWeight;
    for (const outcome of route.outcomes(ctx)) {
      const no = nr * outcome.frac;
      if (no <= 0) continue;
      const latency = fine ? jitter(ctx, `lat:${route.route}:${outcome.code}`, outcome) : outcome;
      if (model.appHttp) {
        // Only Micrometer has an exception tag; elsewhere outcomes with the same status share one series.
        const key = `${route.method} ${route.route} ${outcome.code} ${model.runtime === 'jvm' ? (outcome.exception ?? '') : ''}`;
        let entry = rs.http.get(key);
        if (!entry) {
          entry = { route, outcome, acc: new TimedAccumulator(httpBuckets(model)) };
          rs.http.set(key, entry);
        }
        entry.acc.observe(no, latency);
      }
      if (edge) edge.served(state.pod, route.method, outcome.code, no, latency, ctx.t);
      if (outcome.code >= 500) errors += no;
      else if (outcome.code >= 400) warnings += no;
    }
  }
  for (const client of model.clients) {
    const calls = n * client.callsPerRequest(ctx);
    for (const o of client.outcomes(ctx)) {
      const nc = calls * o.frac;
      if (nc <= 0) continue;
      const key = `${client.peer} ${client.method} ${client.uri} ${o.code ?? ''} ${o.errorType ?? ''}`;
      let entry = rs.client.get(key);
      if (!entry) {
        entry = {
          client,
          ...(o.code === undefined ? {} : { code: o.code }),
          ...(o.errorType === undefined ? {} : { errorType: o.errorType }),
          acc: new TimedAccumulator(model.clientBuckets ?? (model.runtime === 'go-otel' ? BUCKETS.otel : [])),
        };
        rs.client.set(key, entry);
      }
      entry.acc.observe(nc, fine ? jitter(ctx, `client:${key}`, o) : o);
      if (o.code === undefined || o.code >= 500 || o.code === 429) warnings += nc;
    }
  }
  for (const op of model.dbOps) {
    const key = `${op.operation} ${op.collection}`;
    let entry = rs.db.get(key);
    if (!entry) {
      entry = { operation: op.operation, collection: op.collection, acc: new TimedAccumulator(BUCKETS.otel) };
      rs.db.set(key, entry);
    }
    const latency = op.latency(ctx);
    entry.acc.observe(n * op.perRequest, fine ? jitter(ctx, `db:${key}`, latency) : latency);
  }
  if (model.pool) {
    const pool = model.pool(ctx);
    rs.poolAcquire.observe(n, pool.acquire);
  }
  rs.logs.info.add(n * 0.6);
  rs.logs.warn.add(warnings + n * 0.0005);
  rs.logs.error.add(errors);
}

/** Resource use over dt seconds: CPU (with CFS throttling), GC, pool timeouts. */
function consume(model: ServiceModel, state: PodState, rs: RunState, dt: number, fine: boolean): void {
  const ctx = state.ctx;
  const demand = Math.max(0.001, model.resources.cpuCores(ctx));
  const limit = model.limits.cpuCores;
  const used = Math.min(
    demand,
    limit * (0.97 + (fine ? 0.02 * ctx.noise.white(`cpucap:${state.pod.name}`, ctx.t) : 0)),
  );
  rs.cpuSeconds += used * dt;
  state.containerCpu += used * dt * 1.01;
  state.podCpu += used * dt * 1.01 + (model.edge === 'istio' ? 0.02 * dt : 0.0005 * dt);
  const u = demand / limit;
  const periods = (dt / 0.1) * Math.min(1, 0.45 + 1.2 * u);
  const frac = throttleFraction(u) * (fine ? 1 + 0.15 * ctx.noise.white(`thr:${state.pod.name}`, ctx.t) : 1);
  state.cfsPeriods += periods;
  state.cfsThrottledPeriods += periods * Math.min(0.98, Math.max(0, frac));
  state.cfsThrottledSeconds += periods * Math.min(0.98, Math.max(0, frac)) * 0.1 * Math.min(1, 0.2 + u * 0.5);
  const gc = model.resources.gcPerSecond(ctx) * dt;
  rs.gc.observe(gc, model.resources.gcPause(ctx));
  if (model.pool) rs.poolTimeouts += model.pool(ctx).timeoutsPerSecond * dt;
  if (fine) {
    const threads = model.resources.threads(ctx);
    if (threads > rs.peakThreads) rs.peakThreads = threads;
  }
}

/** Fraction of CFS periods throttled for a CPU demand of u × the limit. */
export function throttleFraction(u: number): number {
  if (u < 0.4) return 0.004 + 0.02 * u;
  if (u < 1) return 0.012 + 0.5 * ((u - 0.4) / 0.6) ** 3;
  return Math.min(0.95, 0.55 + 0.35 * (u - 1));
}

function jitter(ctx: PodContext, key: string, latency: Latency): Latency {
  return { ...latency, median: latency.median * ctx.noise.factor(`${key}:${ctx.pod.slot}`, ctx.t, 0.06) };
}

function httpBuckets(model: ServiceModel): readonly number[] {
  if (model.httpBuckets) return model.httpBuckets;
  switch (model.runtime) {
    case 'node':
      return BUCKETS.promClient;
    case 'go-otel':
      return BUCKETS.otel;
    default:
      return [];
  }
}

/** Target labels of the application's own scrape. */
export function appTargetLabels(model: ServiceModel, pod: Pod): Labels {
  if (model.targetLabels) return model.targetLabels(model, pod);
  const base = {
    job: model.service,
    instance: `${pod.ip}:${model.scrape.port}`,
    namespace: model.namespace,
    pod: pod.name,
  };
  return model.scrape.style === 'service-monitor'
    ? { ...base, service: model.service, container: model.service, endpoint: 'http-metrics' }
    : base;
}
