import type { Latency } from './stats.js';
import type { Limits, Outcome, PodContext, ResourceModel, RouteModel, Window } from './types.js';

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86400;
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** Unix seconds of an ISO time. */
export function sec(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad time ${iso}`);
  return ms / 1000;
}

/** ISO string (UTC, no milliseconds) of Unix seconds. */
export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** 0 before `start`, 1 after `start + duration`, linear in between. */
export function ramp(t: number, start: number, duration: number): number {
  if (t <= start) return 0;
  if (t >= start + duration) return 1;
  return (t - start) / duration;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** A daily traffic curve: `base` req/s on average, peaking at `peakHourUtc`. */
export function diurnal(base: number, peakHourUtc = 15, amplitude = 0.3): (t: number) => number {
  return (t) => {
    const hour = (((t % DAY) + DAY) % DAY) / HOUR;
    return base * (1 + amplitude * Math.cos((2 * Math.PI * (hour - peakHourUtc)) / 24));
  };
}

/** Padding before the promised history, so a full `hours` of scrapes (whatever their phase) precede `at`. */
export const HISTORY_PADDING = 10 * MINUTE;

/**
 * The history `at − hours − 10 min … at` plus, when asked, the same window one day earlier (`at − 1 d − 75 min …
 * at − 1 d + 15 min`), so `offset 1d` baselines of the last hour exist.
 */
export function windows(at: number, hours: number, dayEarlier: boolean): Window[] {
  const main = { start: at - hours * HOUR - HISTORY_PADDING, end: at };
  if (!dayEarlier) return [main];
  return [{ start: at - DAY - 75 * MINUTE, end: at - DAY + 15 * MINUTE }, main];
}

export interface HealthyOptions {
  sigma?: number;
  /** Status of a success (200, 201, 204). */
  ok?: number;
  /** Share of 4xx answers and their status (404 unknown ids, 401 bad passwords …). */
  clientErrors?: number;
  clientErrorCode?: number;
  /** Share of 500s in normal operation (well under the 0.1 % threshold); default none. */
  serverErrors?: number;
  exception?: string;
}

/** What a healthy route answers: mostly `ok`, a few 4xx, very rare 500s. */
export function healthy(median: number, options: HealthyOptions = {}): Outcome[] {
  const sigma = options.sigma ?? 0.55;
  const e = options.serverErrors ?? 0;
  const c = options.clientErrors ?? 0;
  const out: Outcome[] = [{ code: options.ok ?? 200, frac: 1 - e - c, median, sigma }];
  if (c > 0) {
    out.push({ code: options.clientErrorCode ?? 404, frac: c, median: median * 0.45, sigma: 0.4 });
  }
  if (e > 0)
    out.push({
      code: 500,
      frac: e,
      median: median * 0.7,
      sigma: 0.5,
      exception: options.exception ?? 'IllegalStateException',
    });
  return out;
}

/** A route whose outcomes do not change. */
export function steadyRoute(
  method: string,
  route: string,
  weight: number,
  median: number,
  options?: HealthyOptions,
): RouteModel {
  const outcomes = healthy(median, options);
  return { method, route, weight, outcomes: () => outcomes };
}

/** Replaces a share `frac` of a healthy outcome list with a failure. */
export function withFailure(base: Outcome[], failure: Omit<Outcome, 'frac'>, frac: number): Outcome[] {
  if (frac <= 0) return base;
  const f = clamp(frac, 0, 1);
  return [...base.map((o) => ({ ...o, frac: o.frac * (1 - f) })), { ...failure, frac: f }];
}

/** Multiplies every latency of an outcome list (optionally with a new spread and a timeout cap). */
export function slower(base: Outcome[], factor: number, sigma?: number, cap?: number): Outcome[] {
  if (factor === 1 && sigma === undefined && cap === undefined) return base;
  return base.map((o) => ({
    ...o,
    median: o.median * factor,
    sigma: sigma ?? o.sigma,
    ...(cap === undefined ? {} : { cap }),
  }));
}

export interface ResourceOptions {
  /** Idle CPU (cores) and CPU per request per second. */
  cpuIdle?: number;
  cpuPerRequest?: number;
  rssBytes?: number;
  heapBytes?: number;
  fds?: number;
  threads?: number;
  lagSeconds?: number;
  goroutines?: number;
}

/** Healthy resource use for a runtime, with small deterministic noise. */
export function baseResources(runtime: 'node' | 'jvm' | 'go-otel' | 'python', o: ResourceOptions = {}): ResourceModel {
  const defaults = {
    node: {
      cpuIdle: 0.025,
      cpuPerRequest: 0.004,
      rssBytes: 150 * MIB,
      heapBytes: 78 * MIB,
      fds: 36,
      threads: 11,
      lag: 0.011,
      goroutines: 0,
    },
    jvm: {
      cpuIdle: 0.05,
      cpuPerRequest: 0.006,
      rssBytes: 640 * MIB,
      heapBytes: 330 * MIB,
      fds: 96,
      threads: 58,
      lag: 0,
      goroutines: 0,
    },
    'go-otel': {
      cpuIdle: 0.012,
      cpuPerRequest: 0.0025,
      rssBytes: 78 * MIB,
      heapBytes: 36 * MIB,
      fds: 18,
      threads: 13,
      lag: 0,
      goroutines: 38,
    },
    python: {
      cpuIdle: 0.03,
      cpuPerRequest: 0.009,
      rssBytes: 168 * MIB,
      heapBytes: 0,
      fds: 22,
      threads: 5,
      lag: 0,
      goroutines: 0,
    },
  }[runtime];
  const cpuIdle = o.cpuIdle ?? defaults.cpuIdle;
  const cpuPerRequest = o.cpuPerRequest ?? defaults.cpuPerRequest;
  const rss = o.rssBytes ?? defaults.rssBytes;
  const heap = o.heapBytes ?? defaults.heapBytes;
  const fds = o.fds ?? defaults.fds;
  const threads = o.threads ?? defaults.threads;
  const lag = o.lagSeconds ?? defaults.lag;
  const goroutines = o.goroutines ?? defaults.goroutines;
  const key = (ctx: PodContext, name: string) => `${name}:${ctx.pod.name}`;
  return {
    cpuCores: (ctx) => (cpuIdle + cpuPerRequest * ctx.rps) * ctx.noise.factor(key(ctx, 'cpu'), ctx.t, 0.06),
    rssBytes: (ctx) =>
      rss * (1 + 0.025 * ctx.noise.smooth(key(ctx, 'rss'), ctx.t, 1800)) +
      heap * 0.15 * ctx.noise.uniform(key(ctx, 'rss-gc'), ctx.t) +
      Math.min(1, ctx.uptime / (2 * HOUR)) * 6 * MIB,
    heapUsedBytes: (ctx) => heap * (0.82 + 0.3 * ctx.noise.uniform(key(ctx, 'heap'), ctx.t)),
    openFds: (ctx) => fds + 0.12 * ctx.rps + 3 * ctx.noise.uniform(key(ctx, 'fds'), ctx.t),
    threads: (ctx) =>
      threads +
      (runtime === 'jvm' ? Math.min(40, ctx.rps * 0.05) : 0) +
      (runtime === 'go-otel' ? 2 * ctx.noise.uniform(key(ctx, 'thr'), ctx.t / 600) : 0),
    eventLoopLagSeconds: (ctx) => lag * (1 + 0.25 * ctx.noise.white(key(ctx, 'lag'), ctx.t)) + 0.00004 * ctx.rps,
    goroutines: (ctx) => goroutines + ctx.rps * 0.06 + 3 * ctx.noise.uniform(key(ctx, 'gr'), ctx.t),
    gcPerSecond: (ctx) => (runtime === 'jvm' ? 0.08 : 0.25) + 0.004 * ctx.rps,
    gcPause: (): Latency =>
      runtime === 'jvm'
        ? { median: 0.0065, sigma: 0.55 }
        : runtime === 'go-otel'
          ? { median: 0.00011, sigma: 0.7 }
          : { median: 0.0014, sigma: 0.6 },
  };
}

/** Container limits commonly set for each runtime. */
export function baseLimits(runtime: 'node' | 'jvm' | 'go-otel' | 'python', overrides: Partial<Limits> = {}): Limits {
  const base: Limits =
    runtime === 'jvm'
      ? {
          cpuCores: 2,
          cpuRequestCores: 0.5,
          memoryBytes: 1.5 * GIB,
          memoryRequestBytes: 1 * GIB,
          maxFds: 1048576,
          pidsMax: 4096,
        }
      : runtime === 'go-otel'
        ? {
            cpuCores: 1,
            cpuRequestCores: 0.25,
            memoryBytes: 512 * MIB,
            memoryRequestBytes: 256 * MIB,
            maxFds: 1048576,
            pidsMax: 4096,
          }
        : {
            cpuCores: 1,
            cpuRequestCores: 0.25,
            memoryBytes: 512 * MIB,
            memoryRequestBytes: 384 * MIB,
            maxFds: 1048576,
            pidsMax: 4096,
          };
  return { ...base, ...overrides };
}
