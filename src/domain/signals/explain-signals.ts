import type { EntityProfile, Selector, ServiceProfile } from '../discovery/service-profile.js';
import { resolveVariant } from './resolve-signal.js';
import type { Signal, SignalCatalog, SignalVariant } from './signal.js';

/** For one signal: what Triage reads for a service, or what it looked for and did not find. */
export type SignalExplanation =
  | {
      signal: string;
      title: string;
      status: 'found';
      convention: string;
      /** The entity read: the service, or the dependency for data-store signals. */
      entity: string;
      /** The series it reads, e.g. `http_requests_total{job="checkout"}`. */
      series: string;
      inferredFrom?: string;
      note?: string;
    }
  | { signal: string; title: string; status: 'unavailable'; reason: string }
  | { signal: string; title: string; status: 'missing'; lookedFor: string[] };

function selectorText(selector: Selector): string {
  return selector.map((m) => `${m.label}=${JSON.stringify(m.value)}`).join(',');
}

function explainOne(signal: Signal, variants: readonly SignalVariant[], entity: EntityProfile): SignalExplanation {
  const resolution = resolveVariant(variants, entity);
  if (resolution.ok) {
    const v = resolution.variant;
    return {
      signal: signal.name,
      title: signal.title,
      status: 'found',
      convention: v.convention,
      entity: entity.name,
      series: `${v.requires[0] ?? ''}{${selectorText(resolution.selector)}}`,
      ...(v.inferredFrom ? { inferredFrom: v.inferredFrom } : {}),
      ...(v.note ? { note: v.note } : {}),
    };
  }
  if (resolution.unavailable)
    return { signal: signal.name, title: signal.title, status: 'unavailable', reason: resolution.unavailable };
  return { signal: signal.name, title: signal.title, status: 'missing', lookedFor: resolution.missing };
}

/**
 * Says, signal by signal, which convention matched a service and the series it reads, or what it looked for and
 * did not find: how a team learns what to map. Data-store signals are explained for each dependency found.
 */
export function explainSignals(catalog: SignalCatalog, profile: ServiceProfile): SignalExplanation[] {
  const out: SignalExplanation[] = [];
  for (const signal of catalog.signals.values()) {
    if (signal.scope === 'dependency') {
      if (profile.dependencies.length === 0) {
        out.push({
          signal: signal.name,
          title: signal.title,
          status: 'missing',
          lookedFor: ['a data store, cache or queue tied to the service (a label value such as <service>-redis)'],
        });
        continue;
      }
      const each = profile.dependencies.map((d) => explainOne(signal, signal.variants, d));
      const found = each.filter((e) => e.status === 'found');
      out.push(...(found.length > 0 ? found : each.slice(0, 1)));
      continue;
    }
    out.push(explainOne(signal, [...signal.variants, ...(profile.inferred?.get(signal.name) ?? [])], profile));
  }
  return out;
}
