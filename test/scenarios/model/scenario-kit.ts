/**
 * What every scenario file shares: the scenario record, its definition, and helpers for pods, deployments and
 * pools. Scenario files build `ScenarioDefinition`s; catalog.ts lists them all.
 */
import type { Cause } from '../../../src/domain/causes.js';
import { makePod } from './cluster.js';
import { clamp, HISTORY_PADDING, HOUR, iso } from './profiles.js';
import type { ExitReason, Pod, PodContext, PoolState, ServiceModel } from './types.js';

/** The convention of the service's HTTP metrics: the original five, or any convention id of signals/*.yml. */
export type Convention = 'prom-client' | 'micrometer' | 'otel' | 'istio' | 'ingress-nginx' | (string & {});

export interface Scenario {
  id: string;
  service: string;
  /** The convention of the service's HTTP metrics (where the symptom is visible). */
  convention: Convention;
  /** The cause to find first; `healthy` for no anomaly; `unknown` where the metrics cannot tell ("anomaly, cause unknown"). */
  cause: Cause | 'healthy' | 'unknown';
  /** Families that must rank among the top three movers of the "what moved" step (`a|b`: either). */
  expectMovers?: string[];
  /**
   * The cause can be read only from metric names no convention maps: it must lead the ledger, above the prior and
   * every other cause, and the conclusion must say what moved; it may stay under 0.5 (name-read evidence weighs less).
   */
  byName?: boolean;
  /** Healthy scenarios: steps that report a real but harmless change (a rollout restart's deployment change). */
  harmless?: string[];
  /** Healthy scenarios: no hypothesis may reach this confidence (default 0.5; a quiet, noisy service: 0.2). */
  ceiling?: number;
  /** What an on-call would type; names the service. */
  symptom: string;
  /** End of the diagnosis window (ISO, UTC); the incident is ongoing then. */
  at: string;
  /** When the incident began (ISO); for healthy services, when the (unfounded) report says trouble began. */
  onset: string;
  description: string;
  namespace: string;
  /** First sample of the diagnosis-window history (ISO). */
  historyStart: string;
  /** True when the same window one day earlier exists too (an `offset 1d` baseline). */
  dayEarlierBaseline: boolean;
  /** Other conventions present besides cAdvisor and kube-state-metrics (a proxy, postgres_exporter, blackbox). */
  extras: string[];
  /** The evidence the data carries, in words. */
  evidence: string[];
  /** The `job` of the application's own scrape when it is not the service name (e.g. `shop/payments`). */
  job?: string;
  /**
   * For healthy services on conventions the data checks do not know: the whole-service 5xx ratio and a latency
   * (p99 or mean, in seconds) as PromQL written by the scenario's author, checked over the history.
   */
  healthChecks?: { errorRatio: string; latency: string };
  /**
   * Series the application truly does not expose (Rails has no process collector, the OTel Java agent no build
   * info); `kubernetes`: a service on VMs, with no cAdvisor or kube-state-metrics series and as many targets as hosts.
   */
  lacks?: ReadonlyArray<'process' | 'build-info' | 'up' | 'kubernetes'>;
}

export interface ScenarioDefinition {
  scenario: Scenario;
  build(): ServiceModel;
}

export function scenarioOf(
  s: Omit<Scenario, 'at' | 'onset' | 'historyStart' | 'dayEarlierBaseline'>,
  at: number,
  onset: number,
  historyHours: number,
  dayEarlier: boolean,
): Scenario {
  return {
    ...s,
    at: iso(at),
    onset: iso(onset),
    historyStart: iso(at - historyHours * HOUR - HISTORY_PADDING),
    dayEarlierBaseline: dayEarlier,
  };
}

/** Three pods of one replica set, created at `created`, with optional per-slot runs. */
export function replicaSet(
  service: string,
  version: string,
  revision: string,
  created: number,
  options: {
    runs?: (slot: number) => Array<[number, number, ExitReason?]> | undefined;
    readySeconds?: number;
    stagger?: number;
    deleted?: (slot: number) => number | undefined;
  } = {},
): Pod[] {
  return [0, 1, 2].map((slot) => {
    const runs = options.runs?.(slot);
    const deleted = options.deleted?.(slot);
    const podCreated = created + slot * (options.stagger ?? 0);
    return makePod({
      service,
      replicaSetSeed: version,
      slot,
      created: podCreated,
      version,
      revision,
      ...(runs === undefined ? {} : { runs }),
      ...(deleted === undefined ? {} : { deleted }),
      ...(options.readySeconds === undefined ? {} : { readySeconds: options.readySeconds }),
    });
  });
}

export function steadyDeployment(generation: number): ServiceModel['deployment'] {
  return { replicas: 3, generations: [[0, generation]] };
}

/** A healthy HikariCP / OTel pool: connections in use follow Little's law (rate × hold time). */
export function steadyPool(max: number, holdSeconds: number): (ctx: PodContext) => PoolState {
  return (ctx) => {
    const used = clamp(0.4 + ctx.rps * holdSeconds * ctx.noise.factor(`pool:${ctx.pod.name}`, ctx.t, 0.15), 0, max);
    return {
      max,
      used,
      idle: Math.max(0, max - Math.round(used)),
      pending: 0,
      timeoutsPerSecond: 0,
      acquire: { median: 0.00035, sigma: 0.6 },
    };
  };
}
