import { CachedMetricsSource } from '../adapters/cache/cached-metrics-source.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { type LoadedCatalog, loadCatalog } from '../adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource, prometheusRequest } from '../adapters/prometheus/prometheus-metrics-source.js';
import { BreakerMetricsSource } from '../adapters/resilience/breaker-sources.js';
import { type BreakerOptions, CircuitBreaker } from '../adapters/resilience/circuit-breaker.js';
import { type DiagnoseDeps, type DiagnoseRequest, diagnose } from '../application/diagnose/diagnose.js';
import { explainService, type ServiceExplanation } from '../application/diagnose/explain-service.js';
import type { DiagnosisOutcome, RunEvent } from '../domain/engine/types.js';
import { PlaybookError } from '../domain/errors.js';
import type { Playbook } from '../domain/playbook/schema.js';
import type { Clock, LogSource, MetricsSource } from '../domain/ports.js';
import type { ServiceMapping } from '../domain/signals/schema.js';
import type { SignalCatalog } from '../domain/signals/signal.js';
import type { TimeWindow } from '../domain/time-window.js';
import type { LogSourceConfig } from './create-log-source.js';

export interface DiagnoserConfig {
  prometheus: { url: string; timeoutMs: number; externalUrl?: string };
  /** Loki or Elasticsearch; optional. */
  logs?: Omit<LogSourceConfig, 'timeoutMs'>;
  /** A team's playbooks over the built-ins (none: the built-ins alone). */
  playbooksDir?: string;
  /** A team's signals, conventions, causes and service mappings over the built-ins. */
  signalsDir?: string;
  deadlineMs: number;
  serviceLabels?: readonly string[];
  cache?: { ttlSeconds?: number; maxKeys?: number; maxConcurrent?: number };
  /** Circuit breakers of the data sources (failures in a row, cool-down). */
  breaker?: BreakerOptions;
}

export interface Diagnoser {
  playbooks: readonly Playbook[];
  signals: SignalCatalog;
  /** Problems in a team's files that were left out (logged at start; `triage playbooks validate` lists them). */
  problems: LoadedCatalog['problems'];
  metrics: MetricsSource;
  logs?: LogSource;
  /** The data sources' circuit breakers (for /metrics). */
  breakers: readonly CircuitBreaker[];
  run(request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome>;
  /** What Triage can read for a service: each signal's convention and series, or what it looked for. */
  explain(request: {
    candidates: readonly string[];
    window: TimeWindow;
    signal?: AbortSignal;
  }): Promise<ServiceExplanation>;
}

/** The built-in catalogue with a team's directories over it; throws PlaybookError only when it cannot run. */
export async function loadRunnableCatalog(config: {
  playbooksDir?: string;
  signalsDir?: string;
}): Promise<LoadedCatalog> {
  const loaded = await loadCatalog({
    ...(config.playbooksDir ? { playbooks: [config.playbooksDir] } : {}),
    ...(config.signalsDir ? { signals: [config.signalsDir] } : {}),
  });
  if (loaded.blocking.length > 0)
    throw new PlaybookError([...loaded.blocking, ...loaded.problems.filter((p) => !loaded.blocking.includes(p))]);
  return loaded;
}

export { systemClock };

/** Wires Prometheus (cached, de-duplicated, bounded), the playbooks and the clock into the diagnosis use-case. */
export async function createDiagnoser(
  config: DiagnoserConfig,
  overrides: {
    metrics?: MetricsSource;
    logs?: LogSource;
    /** Replaces parts of the system clock, e.g. a fixed `now` for a replay; the rest stays the machine's. */
    clock?: Partial<Clock>;
    playbooks?: readonly Playbook[];
    mappings?: readonly ServiceMapping[];
  } = {},
): Promise<Diagnoser> {
  const catalog = overrides.playbooks ? undefined : await loadRunnableCatalog(config);
  const playbooks = overrides.playbooks ?? catalog?.playbooks ?? [];
  const signals = catalog?.signals ?? playbooks[0]?.signals;
  if (!signals)
    throw new PlaybookError([{ file: config.playbooksDir ?? 'playbooks', path: '', message: 'no playbooks loaded' }]);
  const mappings = overrides.mappings ?? catalog?.mappings ?? [];
  const breakers: CircuitBreaker[] = [];
  const breaker = (b: CircuitBreaker) => {
    breakers.push(b);
    return b;
  };
  // The breaker sits under the cache: a cached answer is served even while the source is failing.
  const metrics =
    overrides.metrics ??
    new CachedMetricsSource(
      new BreakerMetricsSource(
        new PrometheusMetricsSource({
          url: config.prometheus.url,
          timeoutMs: config.prometheus.timeoutMs,
          ...(config.prometheus.externalUrl ? { externalUrl: config.prometheus.externalUrl } : {}),
          request: prometheusRequest({ url: config.prometheus.url, timeoutMs: config.prometheus.timeoutMs }),
        }),
        breaker(new CircuitBreaker('prometheus', config.prometheus.url, config.breaker)),
      ),
      config.cache ?? {},
    );
  // The Loki and Elasticsearch clients load only when one is configured.
  const createdLogs =
    overrides.logs || !config.logs
      ? undefined
      : (await import('./create-log-source.js')).createLogSource({
          ...config.logs,
          timeoutMs: config.prometheus.timeoutMs,
          ...(config.breaker ? { breaker: config.breaker } : {}),
        });
  const logs = overrides.logs ?? createdLogs?.source;
  if (createdLogs) breakers.push(createdLogs.breaker);
  const deps: DiagnoseDeps = {
    metrics,
    ...(logs ? { logs } : {}),
    playbooks,
    clock: { ...systemClock, ...overrides.clock },
    deadlineMs: config.deadlineMs,
    ...(config.serviceLabels ? { serviceLabels: config.serviceLabels } : {}),
    ...(mappings.length ? { mappings } : {}),
  };
  return {
    playbooks,
    signals,
    problems: catalog?.problems ?? [],
    metrics,
    ...(logs ? { logs } : {}),
    breakers,
    run: (request) => diagnose(deps, request),
    explain: (request) =>
      explainService(
        {
          metrics,
          signals,
          ...(config.serviceLabels ? { serviceLabels: config.serviceLabels } : {}),
          ...(mappings.length ? { mappings } : {}),
        },
        request,
      ),
  };
}

/** Drains a run's events (passing each to `onEvent`) and returns the final result. */
export async function runToEnd(
  run: AsyncGenerator<RunEvent, DiagnosisOutcome>,
  onEvent: (e: RunEvent) => void = () => {},
): Promise<DiagnosisOutcome> {
  while (true) {
    const next = await run.next();
    if (next.done) return next.value;
    onEvent(next.value);
  }
}
