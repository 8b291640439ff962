import { formatValue } from '../engine/format-value.js';
import type { Levels } from '../engine/judge.js';
import type { DiagnosisOutcome, Evidence, HypothesisResult, StepResult } from '../engine/types.js';
import type { Sample } from '../ports.js';
import { type Redactor, redact } from '../redaction/redact.js';
import type { Unit } from '../signals/signal.js';
import { onsetOf, worseDirection } from './onset.js';

/**
 * What one evidence chart shows: a signal's series over the diagnosed window, its baseline, the threshold it was
 * judged against and the moment it first crossed it. Pure data: the adapters draw it (SVG, PNG) and the reports
 * reference it.
 */
export interface ChartSpec {
  /** A file-safe name, unique within a run (e.g. `error-ratio-checkout`). */
  id: string;
  /** The step and signal it comes from, e.g. "Error ratio — checkout". */
  title: string;
  signal: string;
  unit: Unit;
  /** Window diagnosed, unix seconds. */
  from: number;
  to: number;
  series: Sample[];
  /** The baseline value the window was compared with (a day or a week earlier, or the window before). */
  baseline: number | null;
  thresholds: Levels | null;
  /** Unix seconds of the first sample over the threshold (or the change point); null when none was found. */
  onset: number | null;
  verdict: 'warn' | 'crit';
  /** What the chart shows, in one sentence, for screen readers and Slack's alt text. */
  alt: string;
}

interface Candidate {
  step: StepResult;
  evidence: Evidence;
  verdict: 'warn' | 'crit';
  /** Index of the first leading hypothesis (not ruled out) whose supporting reasons name the step. */
  rank: number;
  /** How far past its line (or its baseline, without one) the value is: 1 at the line, 2 at twice it. */
  excess: number;
  order: number;
}

/** Which way is worse for this evidence (the same judgement the onset is found with). */
export function directionOf(
  e: Pick<Evidence, 'value' | 'baseline' | 'thresholds' | 'ratio'> & { verdict?: Evidence['verdict'] },
): 'up' | 'down' {
  return worseDirection(e);
}

/** The level the chart and its alt text name: the worst one the value reached, else the first one it would reach. */
export function lineOf(e: Pick<Evidence, 'value' | 'thresholds'>, direction: 'up' | 'down'): number | undefined {
  const { warn, crit } = e.thresholds ?? {};
  const reached = (line: number | undefined) =>
    line !== undefined && e.value !== null && (direction === 'up' ? e.value >= line : e.value <= line);
  if (reached(crit)) return crit;
  if (reached(warn)) return warn;
  return warn ?? crit;
}

function excessOf(e: Evidence): number {
  const direction = directionOf(e);
  const line = lineOf(e, direction);
  if (line !== undefined && e.value !== null && Number.isFinite(e.value) && line !== 0) {
    if (direction === 'up') return e.value / line;
    return e.value === 0 ? Number.POSITIVE_INFINITY : line / e.value;
  }
  return e.ratio ?? 1;
}

function rankOf(step: StepResult, leading: readonly HypothesisResult[]): number {
  const title = step.title.toLowerCase();
  // The scorer says which steps fired each rule; a ledger read back from an older run has only its sentences.
  const backs = (h: HypothesisResult) =>
    h.cites
      ? h.cites.supporting.includes(step.id)
      : h.supporting.some((reason) => reason.toLowerCase().includes(title));
  const i = leading.findIndex(backs);
  return i === -1 ? Number.POSITIVE_INFINITY : i;
}

function chartable(series: readonly Sample[]): boolean {
  return series.filter((p) => Number.isFinite(p.v)).length >= 2;
}

function candidatesOf(outcome: DiagnosisOutcome): Candidate[] {
  const leading = outcome.hypotheses.filter((h) => h.verdict !== 'ruled-out');
  const out: Candidate[] = [];
  for (const step of outcome.steps) {
    if (step.status !== 'warn' && step.status !== 'crit') continue;
    for (const evidence of step.evidence) {
      const verdict = evidence.verdict;
      if ((verdict !== 'warn' && verdict !== 'crit') || !chartable(evidence.series)) continue;
      out.push({ step, evidence, verdict, rank: rankOf(step, leading), excess: excessOf(evidence), order: out.length });
    }
  }
  return out;
}

function byStrength(a: Candidate, b: Candidate): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.verdict !== b.verdict) return a.verdict === 'crit' ? -1 : 1;
  if (a.excess !== b.excess) return a.excess > b.excess ? -1 : 1;
  const ra = a.evidence.ratio ?? 1;
  const rb = b.evidence.ratio ?? 1;
  if (ra !== rb) return ra > rb ? -1 : 1;
  return a.order - b.order;
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  const values = Object.entries(labels ?? {})
    .filter(([k, v]) => !k.startsWith('__') && v !== '')
    .map(([, v]) => v);
  return values.length ? ` (${values.join(', ')})` : '';
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return s === '' ? 'chart' : s;
}

/** "14:02 UTC", or "2026-11-01 14:02 UTC" when the window spans more than one day. */
function clock(seconds: number, withDate: boolean): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${withDate ? `${iso.slice(0, 10)} ` : ''}${iso.slice(11, 16)} UTC`;
}

/**
 * One sentence saying what the chart shows: "HTTP 5xx ratio of checkout rose from 0.05% (baseline) to 4.2%
 * (threshold 1%) from 13:42 UTC".
 */
export function altTextOf(
  subject: string,
  e: Pick<Evidence, 'value' | 'baseline' | 'thresholds' | 'ratio' | 'unit'>,
  window: { from: number; to: number },
  onset: number | null,
): string {
  const direction = directionOf(e);
  const fmt = (v: number | null) => formatValue(v, e.unit);
  const line = lineOf(e, direction);
  const value = `${fmt(e.value)}${line === undefined ? '' : ` (threshold ${fmt(line)})`}`;
  let moved: string;
  if (e.baseline === null || e.value === null) moved = direction === 'up' ? `reached ${value}` : `fell to ${value}`;
  else if (direction === 'up' ? e.value > e.baseline : e.value < e.baseline)
    moved = `${direction === 'up' ? 'rose' : 'fell'} from ${fmt(e.baseline)} (baseline) to ${value}`;
  else moved = `stayed at ${value}, as in its baseline (${fmt(e.baseline)})`;
  const days = new Date(window.from * 1000).toISOString().slice(0, 10);
  const withDate = days !== new Date(window.to * 1000).toISOString().slice(0, 10);
  const when =
    onset === null
      ? `between ${clock(window.from, withDate)} and ${clock(window.to, withDate)}`
      : `from ${clock(onset, withDate)}`;
  return `${subject} ${moved} ${when}`;
}

/**
 * The charts worth drawing for a diagnosis: the top `max` abnormal (warn or crit) metric evidences with a series,
 * strongest first — those backing the leading hypotheses before the others, crit before warn, then the furthest past
 * its threshold (or its baseline). Titles and alt texts pass the redactor.
 */
export function chartSpecsOf(outcome: DiagnosisOutcome, max = 3, redactor: Redactor = redact): ChartSpec[] {
  const from = Math.floor(outcome.window.start.getTime() / 1000);
  const to = Math.floor(outcome.window.end.getTime() / 1000);
  const ids = new Set<string>();
  return candidatesOf(outcome)
    .sort(byStrength)
    .slice(0, Math.max(0, max))
    .map(({ step, evidence: e, verdict }) => {
      const service = outcome.service ?? '';
      const labels = labelText(e.labels);
      const title = redactor(`${step.title}${service ? ` — ${service}` : ''}${labels}`);
      const subject = `${step.title}${service ? ` of ${service}` : ''}${labels}`;
      const onset = onsetOf(e);
      let id = slug(`${step.id}-${service}${labels}`);
      for (let n = 2; ids.has(id); n++) id = `${slug(`${step.id}-${service}${labels}`)}-${n}`;
      ids.add(id);
      return {
        id,
        title,
        signal: e.signal,
        unit: e.unit,
        from,
        to,
        series: e.series.map((p) => ({ t: p.t, v: p.v })),
        baseline: e.baseline,
        thresholds: e.thresholds ? { ...e.thresholds } : null,
        onset,
        verdict,
        alt: redactor(altTextOf(subject, e, { from, to }, onset)),
      } satisfies ChartSpec;
    });
}
