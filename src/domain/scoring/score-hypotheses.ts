import { CAUSE_TITLES, type Cause } from '../causes.js';
import { absenceReferences, evaluateCondition, readsLogs, stepsReferenced } from '../engine/conditions.js';
import { formatValue } from '../engine/format-value.js';
import {
  type HypothesisResult,
  type HypothesisVerdict,
  type LogPatternSummary,
  patternBaselineText,
  type StepResult,
} from '../engine/types.js';
import type { Condition, HypothesisSpec, Strength } from '../playbook/schema.js';

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
    const cites = { supporting: new Set<string>(), against: new Set<string>() };
    const limitedBy = new Set<string>();
    for (const rule of spec.rules) {
      for (const id of stepsReferenced(rule.when)) {
        const status = results.get(id)?.status;
        if (status === 'errored' || status === 'no_data') limitedBy.add(id);
      }
      // A rule on what the logs say cannot fire while the log store fails: the failed log steps limit it.
      if (readsLogs(rule.when)) for (const id of failedLogSteps(results)) limitedBy.add(id);
      if (evaluateCondition(rule.when, results) !== true) continue;
      // A rule that relies on steps having stayed healthy counts only as far as they were measured.
      const coverage = coverageOf(absenceReferences(rule.when), results);
      const weight = coverage.total === 0 ? 1 : coverage.measured / coverage.total;
      const said = `${named(rule.because, rule.when, results)}${backing(rule.when, results)}`;
      const because =
        weight < 1
          ? `${said} (${coverage.total - coverage.measured} of ${coverage.total} of the signals it relies on not measured)`
          : said;
      if (rule.supports) {
        odds *= LIKELIHOOD_RATIO[rule.supports] ** weight;
        supporting.push(because);
        for (const id of firingSteps(rule.when, results)) cites.supporting.add(id);
      } else if (rule.against) {
        odds /= LIKELIHOOD_RATIO[rule.against] ** weight;
        against.push(because);
        for (const id of firingSteps(rule.when, results)) cites.against.add(id);
      }
    }
    const confidence = round(odds / (1 + odds));
    const evidence = coverageOf(
      spec.rules.flatMap((r) => stepsReferenced(r.when)),
      results,
    );
    return {
      cause: spec.cause,
      title: spec.title ?? CAUSE_TITLES[spec.cause as Cause] ?? spec.cause,
      confidence,
      verdict: verdictFor(confidence, prior),
      supporting,
      against,
      mitigations: [...spec.mitigations],
      limitedBy: [...limitedBy],
      coverage: evidence,
      cites: { supporting: [...cites.supporting], against: [...cites.against] },
    } satisfies HypothesisResult;
  });
  return scored.sort(
    (a, b) =>
      b.confidence - a.confidence || b.supporting.length - a.supporting.length || a.cause.localeCompare(b.cause),
  );
}

/**
 * A reason with `{dependency}` replaced by the entity its step's evidence names (the callee that moved), `{peer}`
 * by the label the evidence picked out on it (the peer that callee waits on), `{callee}` by the service the new
 * error lines name and `{rollout}` by the pods or version those lines came from.
 */
function named(because: string, when: Condition, results: ReadonlyMap<string, StepResult>): string {
  if (!because.includes('{')) return because;
  const ids = stepsReferenced(when);
  const labels = ids.map((id) => results.get(id)?.evidence[0]?.labels).find((x) => x?.dependency !== undefined);
  const peer = Object.entries(labels ?? {}).find(([k]) => k !== 'dependency')?.[1];
  const patterns = logPatternsOf(when, results);
  const callee = patterns.find((p) => p.callee !== undefined)?.callee;
  const rollout = patterns.find((p) => p.rollout !== undefined)?.rollout;
  return because
    .replace(/\{dependency\}/g, labels?.dependency ?? 'a service it calls')
    .replace(/\{peer\}/g, peer ?? 'a peer')
    .replace(/\{callee\}/g, callee ?? 'a service it calls')
    .replace(/\{rollout\}/g, rollout ?? 'a rollout');
}

/** The values the `log:` (or `moved:`) conditions of a rule read, outside a `not`. */
function leaves(when: Condition, key: 'log' | 'moved'): Set<string> {
  const wanted = new Set<string>();
  const walk = (c: Condition) => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if (key === 'log' && 'log' in c) for (const s of Array.isArray(c.log) ? c.log : [c.log]) wanted.add(s);
    else if (key === 'moved' && 'moved' in c)
      for (const m of Array.isArray(c.moved) ? c.moved : [c.moved]) wanted.add(m);
  };
  walk(when);
  return wanted;
}

/** The new error patterns that made a rule's `log:` conditions true, the most telling first. */
function logPatternsOf(when: Condition, results: ReadonlyMap<string, StepResult>): LogPatternSummary[] {
  const wanted = leaves(when, 'log');
  if (wanted.size === 0) return [];
  const out: LogPatternSummary[] = [];
  for (const r of results.values()) {
    for (const p of r.patterns ?? []) {
      if (p.anomalous === false) continue;
      const shows = [...wanted].some((w) => p.signatures.includes(w) || (p.findings ?? []).includes(w));
      if (shows) out.push(p);
    }
  }
  return out;
}

/** The steps whose findings fired a rule: those it reads, less those it relies on to stay healthy, not normal. */
function firingSteps(when: Condition, results: ReadonlyMap<string, StepResult>): string[] {
  const healthy = new Set(absenceReferences(when));
  return [...new Set(stepsReferenced(when))].filter((id) => {
    const status = results.get(id)?.status;
    return !healthy.has(id) && (status === 'warn' || status === 'crit');
  });
}

/**
 * What fired a rule, named with its value: " [CPU against its quota: 97%]", " [what moved: billing_jobs_failed_total]".
 * The steps a rule relies on having stayed healthy are counted in its coverage instead.
 */
function backing(when: Condition, results: ReadonlyMap<string, StepResult>): string {
  const healthy = new Set(absenceReferences(when));
  const parts: string[] = [];
  for (const id of new Set(stepsReferenced(when))) {
    if (healthy.has(id)) continue;
    const step = results.get(id);
    const e = step?.evidence[0];
    if (!step || !e || e.value === null || step.status === 'ok') continue;
    parts.push(`${step.title}: ${formatValue(e.value, e.unit)}`);
  }
  const moved = movedFamilies(when, results);
  if (moved.length) parts.push(`what moved: ${moved.slice(0, 2).join(', ')}`);
  const pattern = logPatternsOf(when, results)[0];
  if (pattern)
    parts.push(
      `log: ${pattern.count}× "${shortTemplate(pattern.template)}" (${patternBaselineText(pattern) || 'no baseline'})`,
    );
  return parts.length ? ` [${parts.slice(0, 3).join('; ')}]` : '';
}

function shortTemplate(template: string): string {
  return template.length > 160 ? `${template.slice(0, 159)}…` : template;
}

/** The families whose names the `moved:` conditions of a rule read. */
function movedFamilies(when: Condition, results: ReadonlyMap<string, StepResult>): string[] {
  const wanted = leaves(when, 'moved');
  if (wanted.size === 0) return [];
  const out: string[] = [];
  for (const r of results.values()) {
    if (r.moved === undefined) continue;
    for (const e of r.evidence) {
      const meaning = e.note?.split(': ').at(-1);
      const family = e.labels?.family;
      if (meaning && family && wanted.has(meaning) && !out.includes(family)) out.push(family);
    }
  }
  return out;
}

const MEASURED: ReadonlySet<string> = new Set(['ok', 'warn', 'crit']);
const UNMEASURED: ReadonlySet<string> = new Set(['no_data', 'errored']);

/** How many of these steps were measured, among those that ran or tried to (a skipped step is left out). */
function coverageOf(ids: readonly string[], results: ReadonlyMap<string, StepResult>) {
  let measured = 0;
  let total = 0;
  for (const id of new Set(ids)) {
    const status = results.get(id)?.status;
    if (status === undefined) continue;
    if (MEASURED.has(status)) {
      measured++;
      total++;
    } else if (UNMEASURED.has(status)) total++;
  }
  return { measured, total };
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
