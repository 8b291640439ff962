import type { DiagnosisOutcome } from '../engine/types.js';
import {
  type HypothesisResult,
  limitedText,
  patternBaselineText,
  type RunEvent,
  type StepResult,
} from '../engine/types.js';
import { type Redactor, redact, redactDeep } from '../redaction/redact.js';

const STATUS_MARK: Record<StepResult['status'], string> = {
  ok: '✓ ok',
  warn: '! warn',
  crit: '✗ crit',
  no_data: '· no data',
  errored: '✗ errored',
  skipped: '- skipped',
};

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line text sparkline of the values (min to max), empty for fewer than two points. */
export function sparkline(values: readonly number[], width = 24): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return '';
  const stride = Math.max(1, finite.length / width);
  const picked: number[] = [];
  for (let i = 0; i < finite.length && picked.length < width; i += stride) picked.push(finite[Math.floor(i)] as number);
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  return picked.map((v) => BARS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]).join('');
}

function fmtTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One finished step as text lines: status, evidence with baseline and thresholds, sparkline, query. */
export interface TextOptions {
  queries?: boolean;
  /** Applied to everything before it is printed; the default catches the known secret formats. */
  redactor?: Redactor;
}

export function renderStep(raw: StepResult, options: TextOptions = {}): string[] {
  const step = redactDeep(raw, options.redactor ?? redact);
  const lines = [`${STATUS_MARK[step.status].padEnd(10)} ${step.title}`];
  for (const e of step.evidence) {
    const spark = sparkline(e.series.map((p) => p.v));
    lines.push(`           ${e.summary}${spark ? `  ${spark}` : ''}`);
    if (e.note) lines.push(`           (${e.note})`);
    if (options.queries) lines.push(`           query: ${e.query}`);
  }
  for (const p of step.patterns ?? []) {
    const against = patternBaselineText(p);
    lines.push(`           ${p.count}× ${p.template}${against ? ` (${against})` : ''}`);
    const sample = p.samples[0]?.split('\n')[0];
    if (sample) lines.push(`             e.g. ${sample.slice(0, 200)}`);
  }
  if (step.reason && step.status !== 'ok') lines.push(`           ${step.reason}`);
  return lines;
}

/** The hypothesis ledger: supported, possible and ruled-out causes, each with why. */
export function renderLedger(raw: readonly HypothesisResult[], redactor: Redactor = redact): string[] {
  const lines: string[] = [];
  for (const h of redactDeep(raw, redactor)) {
    const pct = `${Math.round(h.confidence * 100)}%`.padStart(4);
    lines.push(`${pct}  ${h.cause.padEnd(26)} ${h.verdict}`);
    for (const s of h.supporting) lines.push(`        + ${s}`);
    for (const a of h.against) lines.push(`        - ${a}`);
    if (h.limitedBy.length) lines.push(`        ? ${limitedText(h, 50)}`);
  }
  return lines;
}

/** The whole report as the CLI prints it after a run. */
export function renderReport(raw: DiagnosisOutcome, options: TextOptions = {}): string {
  const result = redactDeep(raw, options.redactor ?? redact);
  const out: string[] = [];
  out.push(`Triage — "${result.symptom}"`);
  out.push(
    `service: ${result.service ?? 'unknown'} · playbook: ${result.playbook} · window: ${fmtTime(result.window.start)} → ${fmtTime(result.window.end)}`,
  );
  for (const n of result.notes) out.push(`note: ${n}`);
  out.push('');
  if (result.steps.length) {
    out.push('Steps');
    for (const s of result.steps) out.push(...renderStep(s, { ...options, redactor: (t) => t }));
    out.push('');
  }
  if (result.hypotheses.length) {
    out.push('Hypotheses');
    out.push(...renderLedger(result.hypotheses, (t) => t));
    out.push('');
  }
  out.push(result.conclusion.summary);
  if (result.suggestions.length) out.push(`Known services like it: ${result.suggestions.join(', ')}`);
  if (result.conclusion.nextSteps.length) {
    out.push('What to do next:');
    for (const n of result.conclusion.nextSteps) out.push(`  • ${n}`);
  }
  out.push('');
  out.push(
    `${result.queries} queries · ${result.finishedAt.getTime() - result.startedAt.getTime()} ms · run ${result.runId}`,
  );
  return out.join('\n');
}

/** A live progress line per event, for terminals (stderr), so a long run is never silent. */
export function renderProgress(event: RunEvent): string | null {
  switch (event.type) {
    case 'run-started':
      return `→ ${event.playbook}: ${event.steps.length} steps for ${event.service ?? 'an unnamed service'}`;
    case 'step-finished':
      return `  ${STATUS_MARK[event.step.status].padEnd(10)} ${event.step.title}`;
    default:
      return null;
  }
}
