import { CAUSE_TITLES, type Cause } from '../causes.js';
import { evaluateCondition, readsLogs, stepsReferenced } from '../engine/conditions.js';
import type { HypothesisResult, HypothesisVerdict, StepResult } from '../engine/types.js';
import type { HypothesisSpec, Strength } from '../playbook/schema.js';

/** Likelihood ratio of each strength: how much more likely the evidence is when the cause is real. */
export const LIKELIHOOD_RATIO: Readonly<Record<Strength, number>> = {
  weak: 2,
  moderate: 4,
  strong: 9,
  decisive: 25,
};

export const DEFAULT_PRIOR = 0.1;

/**
 * Bayesian scoring in odds form: start from the prior, multiply by the likelihood ratio of every rule that
 * fires (divide for rules against). One strong sign alone reaches 0.5; a weak one stays under 0.2; only
 * independent signs agreeing push a cause past 0.8. Rules on steps that could not run do not fire, and the
 * hypothesis says its confidence is limited by them.
 */
export function scoreHypotheses(
  specs: readonly HypothesisSpec[],
  results: ReadonlyMap<string, StepResult>,
): HypothesisResult[] {
  const scored = specs.map((spec) => {
    const prior = spec.prior ?? DEFAULT_PRIOR;
    let odds = prior / (1 - prior);
    const supporting: string[] = [];
    const against: string[] = [];
    const limitedBy = new Set<string>();
    for (const rule of spec.rules) {
      for (const id of stepsReferenced(rule.when)) {
        const status = results.get(id)?.status;
        if (status === 'errored' || status === 'no_data') limitedBy.add(id);
      }
      // A rule on what the logs say cannot fire while the log store fails: the failed log steps limit it.
      if (readsLogs(rule.when)) for (const id of failedLogSteps(results)) limitedBy.add(id);
      if (evaluateCondition(rule.when, results) !== true) continue;
      if (rule.supports) {
        odds *= LIKELIHOOD_RATIO[rule.supports];
        supporting.push(rule.because);
      } else if (rule.against) {
        odds /= LIKELIHOOD_RATIO[rule.against];
        against.push(rule.because);
      }
    }
    const confidence = round(odds / (1 + odds));
    return {
      cause: spec.cause,
      title: spec.title ?? CAUSE_TITLES[spec.cause as Cause] ?? spec.cause,
      confidence,
      verdict: verdictFor(confidence, prior),
      supporting,
      against,
      mitigations: [...spec.mitigations],
      limitedBy: [...limitedBy],
    } satisfies HypothesisResult;
  });
  return scored.sort(
    (a, b) =>
      b.confidence - a.confidence || b.supporting.length - a.supporting.length || a.cause.localeCompare(b.cause),
  );
}

const LOG_SOURCES: ReadonlySet<string> = new Set(['loki', 'elasticsearch']);

function failedLogSteps(results: ReadonlyMap<string, StepResult>): string[] {
  return [...results.values()]
    .filter((r) => r.status === 'errored' && r.error?.source !== undefined && LOG_SOURCES.has(r.error.source))
    .map((r) => r.id);
}

function verdictFor(confidence: number, prior: number): HypothesisVerdict {
  if (confidence >= 0.5) return 'supported';
  if (confidence < prior / 2) return 'ruled-out';
  return 'possible';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
