import { CachedMetricsSource } from '../adapters/cache/cached-metrics-source.js';
import { loadPlaybooks } from '../adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../adapters/prometheus/prometheus-metrics-source.js';
import type { RunEvent } from '../domain/engine/types.js';
import type { Playbook } from '../domain/playbook/schema.js';
import type { Clock, LogSource, MetricsSource } from '../domain/ports.js';
import { type DiagnoseDeps, type DiagnoseRequest, type DiagnosisOutcome, diagnose } from '../domain/runs/diagnose.js';
import { createLogSource, type LogSourceConfig } from './create-log-source.js';

export interface DiagnoserConfig {
  prometheus: { url: string; timeoutMs: number; externalUrl?: string };
  /** Loki or Elasticsearch; optional. */
  logs?: Omit<LogSourceConfig, 'timeoutMs'>;
  playbooksDir: string;
  deadlineMs: number;
  serviceLabels?: readonly string[];
  cache?: { ttlSeconds?: number; maxKeys?: number; maxConcurrent?: number };
}

export interface Diagnoser {
  playbooks: readonly Playbook[];
  metrics: MetricsSource;
  run(request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome>;
}

export const systemClock: Clock = { now: () => new Date() };

/** Wires Prometheus (cached, de-duplicated, bounded), the playbooks and the clock into the diagnosis use-case. */
export async function createDiagnoser(
  config: DiagnoserConfig,
  overrides: { metrics?: MetricsSource; logs?: LogSource; clock?: Clock; playbooks?: readonly Playbook[] } = {},
): Promise<Diagnoser> {
  const playbooks = overrides.playbooks ?? (await loadPlaybooks(config.playbooksDir));
  const metrics =
    overrides.metrics ??
    new CachedMetricsSource(
      new PrometheusMetricsSource({
        url: config.prometheus.url,
        timeoutMs: config.prometheus.timeoutMs,
        ...(config.prometheus.externalUrl ? { externalUrl: config.prometheus.externalUrl } : {}),
      }),
      config.cache ?? {},
    );
  const logs =
    overrides.logs ??
    (config.logs ? createLogSource({ ...config.logs, timeoutMs: config.prometheus.timeoutMs }) : undefined);
  const deps: DiagnoseDeps = {
    metrics,
    ...(logs ? { logs } : {}),
    playbooks,
    clock: overrides.clock ?? systemClock,
    deadlineMs: config.deadlineMs,
    ...(config.serviceLabels ? { serviceLabels: config.serviceLabels } : {}),
  };
  return { playbooks, metrics, run: (request) => diagnose(deps, request) };
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
