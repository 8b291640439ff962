import type { StepStatus } from '../playbook/schema.js';
import type { Sample } from '../ports.js';
import type { Unit } from '../signals/signal.js';
import type { ParsedSymptom } from '../symptom/symptom.js';
import type { TimeWindow } from '../time-window.js';
import type { Levels } from './judge.js';

export type BaselineSource = 'day-before' | 'preceding';

/** One measured fact, with what it is compared against and the query that produced it. */
export interface Evidence {
  summary: string;
  value: number | null;
  baseline: number | null;
  baselineSource: BaselineSource | null;
  thresholds: Levels | null;
  change: Levels | null;
  /** value ÷ baseline (or the inverse for signals where lower is worse); null without a baseline. */
  ratio: number | null;
  verdict: StepStatus;
  unit: Unit;
  signal: string;
  convention: string;
  note?: string;
  /** The series a convention-less variant was inferred from, when it was (the evidence says so). */
  inferredFrom?: string;
  /** Labels of the worst series, when the query returns several (e.g. the failing peer). */
  labels?: Record<string, string>;
  query: string;
  link: string;
  /** The worst series inside the window, at most 60 points, for sparklines. */
  series: Sample[];
}

export interface StepError {
  code: string;
  source?: string;
  message: string;
}

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  evidence: Evidence[];
  /** Why the step was skipped, had no data or errored. */
  reason?: string;
  error?: StepError;
  explain?: string;
  /** Log pattern steps: the top error patterns, redacted by the surfaces before display. */
  patterns?: LogPatternSummary[];
  /** Log pattern steps: what the error lines say happened (connection refused, pool timeout, …). */
  signatures?: string[];
  /** Scan steps: what the moved families' names mean (errors, backlog, a pool at its limit, …). */
  moved?: string[];
  /** Scan steps: how many families were read, and how many were left out by the cap. */
  scanned?: { families: number; leftOut: number };
  durationMs: number;
}

export interface LogPatternSummary {
  template: string;
  count: number;
  samples: string[];
  signatures: string[];
  /** Lines of the same template in the baseline (a day earlier, else the window before); null without one. */
  baselineCount?: number | null;
  /** Absent from the baseline. */
  isNew?: boolean;
  /** New, or risen beyond chance: evidence on its own. */
  anomalous?: boolean;
  /** The service, host or address its failed calls name. */
  callee?: string;
  /** The pods or version of a rollout inside the window that all its lines came from. */
  rollout?: string;
  /** What the pattern shows beside what its lines say (`new-errors`, `rollout`, `names-callee`, …); news only. */
  findings?: string[];
}

export type HypothesisVerdict = 'supported' | 'possible' | 'ruled-out';

export interface HypothesisResult {
  /** A cause id of the taxonomy (causes.md) or one a team declared. */
  cause: string;
  title: string;
  confidence: number;
  verdict: HypothesisVerdict;
  supporting: string[];
  against: string[];
  mitigations: string[];
  /** Steps this hypothesis relies on that could not be measured (errored or no data). */
  limitedBy: string[];
  /** Of the steps its rules read that ran or tried to, how many were measured. */
  coverage?: { measured: number; total: number };
  /** The steps whose findings fired its rules (not those relied on to stay healthy), for and against it. */
  cites?: { supporting: string[]; against: string[] };
}

/** "limited: 5 of 7 signals not measured (a, b, …)", or '' when everything it reads was measured. */
export function limitedText(h: Pick<HypothesisResult, 'limitedBy' | 'coverage'>, most = 10): string {
  if (h.limitedBy.length === 0) return '';
  const names = h.limitedBy.slice(0, most);
  if (h.limitedBy.length > most) names.push(`${h.limitedBy.length - most} more`);
  const count = h.coverage ? `${h.coverage.total - h.coverage.measured} of ${h.coverage.total} signals` : 'signals';
  return `limited: ${count} not measured (${names.join(', ')})`;
}

/** How a log pattern compares with its baseline: "new: none in the baseline", "14 in the baseline", or "". */
export function patternBaselineText(p: Pick<LogPatternSummary, 'baselineCount' | 'isNew'>): string {
  if (p.baselineCount === null || p.baselineCount === undefined) return '';
  if (p.isNew) return 'new: none in the baseline';
  return `${Number.isInteger(p.baselineCount) ? p.baselineCount : p.baselineCount.toFixed(1)} in the baseline`;
}

export type ConclusionKind = 'likely-cause' | 'no-anomaly' | 'inconclusive' | 'unknown-service' | 'failed';

export interface Conclusion {
  kind: ConclusionKind;
  summary: string;
  /** The cause when `kind` is `likely-cause`. */
  cause?: string;
  confidence?: number;
  nextSteps: string[];
}

export interface DiagnosisResult {
  runId: string;
  symptom: string;
  service: string | null;
  playbook: string;
  window: TimeWindow;
  steps: StepResult[];
  hypotheses: HypothesisResult[];
  conclusion: Conclusion;
  notes: string[];
  /** Suggested service names when the service was not found. */
  suggestions: string[];
  queries: number;
  startedAt: Date;
  finishedAt: Date;
}

export interface StepPlan {
  id: string;
  title: string;
}

export type RunEvent =
  | {
      type: 'run-started';
      runId: string;
      symptom: ParsedSymptom;
      service: string | null;
      playbook: string;
      window: TimeWindow;
      steps: StepPlan[];
      at: Date;
    }
  | { type: 'step-started'; runId: string; stepId: string; title: string; at: Date }
  | { type: 'step-finished'; runId: string; step: StepResult; at: Date }
  | { type: 'hypotheses-updated'; runId: string; hypotheses: HypothesisResult[]; at: Date }
  | { type: 'run-finished'; runId: string; result: DiagnosisResult; at: Date };

/** A diagnosis as its callers see it: the result, and the error that ended it early, if one did. */
export type DiagnosisOutcome = DiagnosisResult & { error?: StepError };
