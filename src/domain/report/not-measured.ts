import type { StepResult } from '../engine/types.js';

/**
 * Why a step measured nothing, in the few kinds a user can act on. Read from the step's status, error and the reason
 * the engine gives (evaluate-metric-step, evaluate-log-step); a reason of another shape is `no-values`.
 */
export type UnmeasuredKind =
  /** The service exposes none of the metric names the signal knows. */
  | 'no-metrics'
  /** No service it calls has metrics of its own (nor a mapping). */
  | 'no-callee'
  /** No data store, cache or queue was found for it. */
  | 'no-datastore'
  /** No log store is configured. */
  | 'no-log-source'
  /** A data source failed. */
  | 'errored'
  /** The query ran and returned nothing in the window. */
  | 'no-values';

export interface UnmeasuredGroup {
  kind: UnmeasuredKind;
  /** The steps of this kind, in playbook order. */
  steps: { id: string; title: string }[];
  /** For `errored`: the data sources that failed (`loki`, `prometheus`), with the first message of each. */
  failures: { source: string; message: string }[];
  /** What to do about it. */
  howToMap: HowToMap;
}

/** What to do about a kind: a sentence, and the command that shows what was looked for, when there is one. */
export interface HowToMap {
  text: string;
  /** The same question in the terminal and in Slack. */
  command?: { cli: string; slack: string };
}

function howToMap(kind: UnmeasuredKind, service: string | null): HowToMap {
  switch (kind) {
    case 'no-metrics': {
      const text = 'map your metric names in a signals file';
      if (!service) return { text };
      return {
        text,
        command: { cli: `triage signals explain --service ${service}`, slack: `/diagnose explain ${service}` },
      };
    }
    case 'no-callee':
      return { text: 'name the services it calls under "services:" in a signals file' };
    case 'no-datastore':
      return { text: 'name its data stores, caches and queues under "services:" in a signals file' };
    case 'no-log-source':
      return { text: 'configure a log store (Loki or Elasticsearch) to read error lines' };
    case 'errored':
      return { text: 'check that the data source answers, then re-run' };
    default:
      return { text: 'the series exist but had no values in the window' };
  }
}

const ORDER: readonly UnmeasuredKind[] = [
  'errored',
  'no-metrics',
  'no-callee',
  'no-datastore',
  'no-log-source',
  'no-values',
];

/** The kind of a step that measured nothing, or null when it measured something or was skipped on purpose. */
export function unmeasuredKind(step: StepResult): UnmeasuredKind | null {
  const reason = step.reason ?? '';
  if (step.status === 'errored') return 'errored';
  if (step.status === 'skipped') return /no log source is configured/.test(reason) ? 'no-log-source' : null;
  if (step.status !== 'no_data') return null;
  if (/calls was found with metrics of its own/.test(reason)) return 'no-callee';
  if (/no data store, cache or queue was found/.test(reason)) return 'no-datastore';
  if (/none of the metrics for/.test(reason)) return 'no-metrics';
  return 'no-values';
}

/** The steps that measured nothing, grouped by why, errors first; empty when everything was measured. */
export function groupUnmeasured(steps: readonly StepResult[], service: string | null): UnmeasuredGroup[] {
  const groups = new Map<UnmeasuredKind, UnmeasuredGroup>();
  for (const step of steps) {
    const kind = unmeasuredKind(step);
    if (kind === null) continue;
    let group = groups.get(kind);
    if (!group) {
      group = { kind, steps: [], failures: [], howToMap: howToMap(kind, service) };
      groups.set(kind, group);
    }
    group.steps.push({ id: step.id, title: step.title });
    if (kind === 'errored') {
      const source = step.error?.source ?? 'a data source';
      const message = step.error?.message ?? step.reason ?? 'failed without a reason';
      if (!group.failures.some((f) => f.source === source)) group.failures.push({ source, message });
    }
  }
  return ORDER.flatMap((k) => {
    const g = groups.get(k);
    return g ? [g] : [];
  });
}

/** What a kind is called in the one "not measured" line. */
export const UNMEASURED_LABEL: Readonly<Record<UnmeasuredKind, string>> = {
  'no-metrics': 'no metrics',
  'no-callee': 'no callee found',
  'no-datastore': 'no data store found',
  'no-log-source': 'no log store',
  errored: 'errored',
  'no-values': 'no values in the window',
};
