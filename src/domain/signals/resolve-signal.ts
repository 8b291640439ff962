import type { ServiceProfile } from '../discovery/service-profile.js';
import { labelFor } from '../discovery/service-profile.js';
import { equalityMatcher } from '../promql/quote.js';
import { formatPromDuration } from '../time-window.js';
import type { SignalVariant } from './signal.js';

export interface TemplateValues {
  serviceLabel: string;
  service: string;
  windowSeconds: number;
  rateSeconds: number;
  trendSeconds: number;
}

/** Expands a query template (see `SignalVariant`); the service value is always written as a quoted literal. */
export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$(windowSeconds|window|service|rate|trend)\b/g, (_, name: string) => {
    switch (name) {
      case 'service':
        return equalityMatcher(values.serviceLabel, values.service);
      case 'windowSeconds':
        return String(Math.round(values.windowSeconds));
      case 'window':
        return formatPromDuration(values.windowSeconds);
      case 'rate':
        return formatPromDuration(values.rateSeconds);
      default:
        return formatPromDuration(values.trendSeconds);
    }
  });
}

export type Resolution = { ok: true; variant: SignalVariant; serviceLabel: string } | { ok: false; missing: string[] };

/** Picks the first variant whose metric families the service has. */
export function resolveVariant(variants: readonly SignalVariant[], profile: ServiceProfile): Resolution {
  const missing: string[] = [];
  for (const variant of variants) {
    const labels = variant.requires.map((f) => labelFor(profile, f));
    const first = labels[0];
    if (first && labels.every((l) => l !== undefined)) return { ok: true, variant, serviceLabel: first };
    missing.push(variant.requires.filter((_, i) => labels[i] === undefined).join(' + '));
  }
  return { ok: false, missing };
}
