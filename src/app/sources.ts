import { CachedLogSource } from '../adapters/cache/cached-log-source.js';
import { CachedMetricsSource } from '../adapters/cache/cached-metrics-source.js';
import type { Logger } from '../adapters/log/json-logger.js';
import type { MetricsSources } from '../adapters/metrics/self-metrics.js';
import { parseSymptom } from '../domain/symptom/parse-symptom.js';
import type { Config } from './config.js';
import { createDiagnoser, type Diagnoser } from './create-diagnoser.js';
import type { SourceProbe } from './startup-checks.js';

/** The diagnoser the configuration describes (or the one given), its team files' problems said once, loudly. */
export async function buildDiagnoser(
  config: Readonly<Config>,
  logger: Logger,
  given: Diagnoser | undefined,
): Promise<Diagnoser> {
  const diagnoser =
    given ??
    (await createDiagnoser({
      prometheus: config.prometheus,
      ...(config.logs ? { logs: config.logs } : {}),
      ...(config.playbooksDir ? { playbooksDir: config.playbooksDir } : {}),
      ...(config.signalsDir ? { signalsDir: config.signalsDir } : {}),
      ...(config.serviceLabels ? { serviceLabels: config.serviceLabels } : {}),
      deadlineMs: config.deadlineMs,
    }));
  // A team's broken file is left out; the built-ins still run.
  for (const p of diagnoser.problems)
    logger.warn({ file: p.file, path: p.path, problem: p.message }, 'playbook or signals entry left out');
  return diagnoser;
}

/** The data sources the configuration names, with a cheap URL each answers without a query. */
export function configuredSourceProbes(config: Readonly<Config>): SourceProbe[] {
  const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;
  const probes: SourceProbe[] = [{ name: 'prometheus', url: join(config.prometheus.url, '/api/v1/status/buildinfo') }];
  if (config.logs?.loki)
    probes.push({ name: 'loki', url: join(config.logs.loki.url, '/loki/api/v1/status/buildinfo') });
  if (config.logs?.elasticsearch) probes.push({ name: 'elasticsearch', url: join(config.logs.elasticsearch.url, '/') });
  return probes;
}

/** What /metrics reads from the data sources: the query caches' counters and the circuit breakers' states. */
export function sourceFigures(diagnoser: Diagnoser): Required<Pick<MetricsSources, 'caches' | 'breakers'>> {
  return {
    caches: () => [
      ...(diagnoser.metrics instanceof CachedMetricsSource
        ? [{ source: 'prometheus', ...diagnoser.metrics.stats() }]
        : []),
      ...(diagnoser.logs instanceof CachedLogSource
        ? [{ source: diagnoser.logs.name, ...diagnoser.logs.stats() }]
        : []),
    ],
    breakers: () => diagnoser.breakers.map((b) => ({ source: b.source, state: b.state() })),
  };
}

/** The data source each playbook step queries (`prometheus` or `logs`), for the step-duration metrics. */
export function stepSources(diagnoser: Diagnoser): (playbook: string, stepId: string) => string {
  const sources = new Map(
    diagnoser.playbooks.flatMap((p) =>
      p.steps.map((s) => [`${p.id}/${s.id}`, s.kind === 'logs' ? 'logs' : 'prometheus']),
    ),
  );
  return (playbook, stepId) => sources.get(`${playbook}/${stepId}`) ?? 'prometheus';
}

/** "Explain" for a service: what Triage can read for it over the last two hours. */
export function explainService(diagnoser: Diagnoser, now: () => Date) {
  return async (service: string) => {
    const end = now();
    const candidates = parseSymptom(`errors on ${service}`, { now: end, service }).serviceCandidates;
    const named = parseSymptom(`errors on ${service}`, { now: end }).serviceCandidates;
    return diagnoser.explain({
      candidates: [...new Set([...candidates, ...named])],
      window: { start: new Date(end.getTime() - 2 * 3_600_000), end },
    });
  };
}
