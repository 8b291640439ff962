import type { EntityProfile, Selector } from '../discovery/service-profile.js';
import { selectorFor } from '../discovery/service-profile.js';
import { equalityMatcher } from '../promql/quote.js';
import { formatPromDuration } from '../time-window.js';
import type { SignalVariant } from './signal.js';

export interface TemplateValues {
  /** The matchers that select the service (or dependency); each value is written as a quoted literal. */
  selector: Selector;
  windowSeconds: number;
  rateSeconds: number;
  trendSeconds: number;
}

/** Expands a query template (see `SignalVariant`); the selector's values are always written as quoted literals. */
/**
 * `$fine`: the shortest rate range that still holds two samples of a once-a-minute scrape. Saturation read through it
 * sees a fault of three minutes that a five-minute rate spreads under the line.
 */
export const FINE_RATE_SECONDS = 120;

export function expandTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\$(windowSeconds|window|service|rate|trend|fine)\b/g, (_, name: string) => {
    switch (name) {
      case 'fine':
        return formatPromDuration(FINE_RATE_SECONDS);
      case 'service':
        return values.selector.map((m) => equalityMatcher(m.label, m.value)).join(',');
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

/** Expands a query with harmless values so its syntax can be checked at load time. */
export function sampleExpansion(query: string): string {
  return expandTemplate(query, {
    selector: [{ label: 'job', value: 'example' }],
    windowSeconds: 1800,
    rateSeconds: 300,
    trendSeconds: 7200,
  });
}

export type Resolution =
  | { ok: true; variant: SignalVariant; selector: Selector }
  | { ok: false; missing: string[]; unavailable?: string };

/**
 * Picks the first variant whose metric families the entity has (and whose service restriction, if any, names
 * it). A variant whose convention cannot tell the signal (status classes have no 502) lets a later convention
 * answer; when none can, its reason is given.
 */
export function resolveVariant(variants: readonly SignalVariant[], profile: EntityProfile): Resolution {
  const missing: string[] = [];
  let unavailable: string | undefined;
  const name = profile.name.toLowerCase();
  for (const variant of variants) {
    if (variant.services && !variant.services.some((s) => s.toLowerCase() === name)) continue;
    const [first = '', ...rest] = variant.requires;
    const selector = selectorFor(profile, first, variant.labels);
    const absent = rest.filter((f) => selectorFor(profile, f) === undefined);
    if (selector && absent.length === 0) {
      const mismatch = seriesMismatch(profile, first, variant);
      if (mismatch) {
        missing.push(mismatch);
        continue;
      }
      const reason =
        variant.unavailable ?? (variant.statusExact ? classesOnly(profile, first, variant.statusLabels) : undefined);
      if (!reason) return { ok: true, variant, selector };
      unavailable ??= reason;
      continue;
    }
    const onOtherLabels = !selector && variant.labels && selectorFor(profile, first) !== undefined;
    const firstPart = selector ? [] : [onOtherLabels ? `${first} on ${variant.labels?.join(' or ')}` : first];
    missing.push([...firstPart, ...absent].join(' + '));
  }
  return unavailable ? { ok: false, missing, unavailable } : { ok: false, missing };
}

/** Most values discovery keeps per label: a set this full may be incomplete, so it proves nothing absent. */
const COMPLETE_BELOW = 20;

/**
 * Why the service's series of this family cannot answer the variant, from the labels discovery saw on them: they
 * never carry the convention's fixed matchers (an Istio `reporter="destination"` on a service with no sidecar), or
 * none of its status labels (a duration histogram with no status). Undefined when they can, or when unknown.
 */
function seriesMismatch(profile: EntityProfile, family: string, variant: SignalVariant): string | undefined {
  const byLabel = profile.labels?.get(family);
  if (!byLabel) return undefined;
  for (const [label, value] of Object.entries(variant.fixed ?? {})) {
    const values = byLabel.get(label);
    if (values && values.size < COMPLETE_BELOW && !values.has(value)) return `${family} with ${label}="${value}"`;
    if (!values) return `${family} with ${label}="${value}"`;
  }
  if (variant.statusLabels && !variant.statusLabels.some((l) => byLabel.has(l)))
    return `${family} with a status label (${variant.statusLabels.join(' or ')})`;
  return undefined;
}

/**
 * Why a code-specific query cannot answer: the service's status label holds classes ("5xx") rather than codes.
 * Undefined when the values are codes, or unknown.
 */
function classesOnly(
  profile: EntityProfile,
  family: string,
  labels: readonly string[] | undefined,
): string | undefined {
  const byLabel = labels && profile.labels?.get(family);
  if (!labels || !byLabel) return undefined;
  for (const label of labels) {
    const values = [...(byLabel.get(label) ?? [])];
    if (values.length === 0) continue;
    if (values.some((v) => /^\d{3}$/.test(v))) return undefined;
    if (values.some((v) => /^\dxx$/i.test(v)))
      return `the status label "${label}" holds classes ("5xx"), so one status code alone cannot be told apart`;
  }
  return undefined;
}
