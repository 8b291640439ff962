import { DEFAULT_SERVICE_LABELS, discoverService } from '../../domain/discovery/discover-service.js';
import type { MetricsSource } from '../../domain/ports.js';
import { explainSignals, type SignalExplanation } from '../../domain/signals/explain-signals.js';
import type { ServiceMapping } from '../../domain/signals/schema.js';
import type { SignalCatalog } from '../../domain/signals/signal.js';
import type { TimeWindow } from '../../domain/time-window.js';

export interface ExplainDeps {
  metrics: MetricsSource;
  signals: SignalCatalog;
  serviceLabels?: readonly string[];
  mappings?: readonly ServiceMapping[];
}

export type ServiceExplanation =
  | {
      found: true;
      service: string;
      /** How Prometheus names it: the selectors of its families, most used first. */
      seenAs: string[];
      dependencies: { name: string; via: string }[];
      callees: string[];
      notes: string[];
      signals: SignalExplanation[];
    }
  | { found: false; tried: string[]; suggestions: string[] };

/**
 * "What can Triage read for this service?": finds the service the way a diagnosis does, then says for every
 * signal which convention matched and the series it reads, or what it looked for.
 */
export async function explainService(
  deps: ExplainDeps,
  request: { candidates: readonly string[]; window: TimeWindow; signal?: AbortSignal },
): Promise<ServiceExplanation> {
  const discovery = await discoverService(deps.metrics, {
    candidates: request.candidates,
    window: request.window,
    labels: deps.serviceLabels ?? DEFAULT_SERVICE_LABELS,
    ...(deps.mappings ? { mappings: deps.mappings } : {}),
    knownFamilies: deps.signals.knownFamilies,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (!discovery.found) return discovery;
  const { profile } = discovery;
  const counts = new Map<string, number>();
  for (const selectors of profile.families.values()) {
    const first = selectors[0];
    if (!first) continue;
    const text = first.map((m) => `${m.label}="${m.value}"`).join(',');
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return {
    found: true,
    service: profile.service,
    seenAs: [...counts].sort((a, b) => b[1] - a[1]).map(([text]) => text),
    dependencies: profile.dependencies.map((d) => ({ name: d.name, via: d.via })),
    callees: [...profile.callees],
    notes: discovery.notes,
    signals: explainSignals(deps.signals, profile),
  };
}
