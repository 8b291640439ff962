import type { DiagnosisOutcome } from '../engine/types.js';
import {
  type HypothesisResult,
  limitedText,
  patternBaselineText,
  type RunEvent,
  type StepResult,
} from '../engine/types.js';
import { type Redactor, redact, redactDeep } from '../redaction/redact.js';
import { UNMEASURED_LABEL } from './not-measured.js';
import {
  type FindingGroupMessage,
  type HypothesisHead,
  type NormalFoldMessage,
  type NotMeasuredMessage,
  planThread,
} from './thread-plan.js';
import { TEXT_WIDTH, wrapText } from './wrap.js';

const STATUS_MARK: Record<StepResult['status'], string> = {
  ok: '✓ ok',
  warn: '! warn',
  crit: '✗ crit',
  no_data: '· no data',
  errored: '✗ errored',
  skipped: '- skipped',
};

const BARS = '▁▂▃▄▅▆▇█';

/** The `query:` lines `--queries` adds under each evidence. */
const QUERY_LINE = /^ {11}query: /;

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

const RELATION_TEXT = { supports: 'Supports', 'rules-out': 'Rules out' } as const;

function headName(h: HypothesisHead): string {
  return `${h.title} (${Math.round(h.confidence * 100)}%, ${h.verdict})`;
}

/** A group of abnormal findings: a head line naming the hypothesis, then each finding as `renderStep` prints it. */
export function renderFindingGroupText(group: FindingGroupMessage, options: TextOptions = {}): string[] {
  const n = `${group.findings.length} finding${group.findings.length === 1 ? '' : 's'}`;
  const head =
    group.hypothesis && group.relation
      ? `${RELATION_TEXT[group.relation]}: ${headName(group.hypothesis)} — ${n}`
      : group.merged.length
        ? `More findings — ${n}, bearing on ${group.merged.map((h) => h.cause).join(', ')} or on no hypothesis`
        : `Other findings — ${n} no hypothesis relies on`;
  const lines = [head];
  for (const f of group.findings) {
    lines.push(...renderStep(f.step, { ...options, redactor: options.redactor ?? ((t) => t) }));
    if (f.alsoFor.length)
      lines.push(
        `           also ${f.alsoFor.map((a) => `${RELATION_TEXT[a.relation].toLowerCase()} ${a.cause}`).join(', ')}`,
      );
  }
  return lines;
}

/** Every normal check in one line, with what they ruled out. */
export function renderNormalFoldText(fold: NormalFoldMessage): string {
  const ruled = fold.rulesOut.length ? `; which rules out ${fold.rulesOut.map((h) => h.cause).join(', ')}` : '';
  return `Checked and normal (${fold.checks.length}): ${fold.checks.map((c) => c.name).join(', ')}${ruled}`;
}

/** Every step that measured nothing in one line, grouped by why, each with how to map it. */
export function renderNotMeasuredText(message: NotMeasuredMessage): string {
  const parts = message.groups.map((g) => {
    const failures = g.failures.length ? ` (${g.failures.map((f) => `${f.source}: ${f.message}`).join('; ')})` : '';
    const how = g.howToMap.command
      ? `${g.howToMap.text}; \`${g.howToMap.command.cli}\` shows what was looked for`
      : g.howToMap.text;
    return `${UNMEASURED_LABEL[g.kind]}: ${g.steps.map((s) => s.id).join(', ')}${failures} → ${how}`;
  });
  return `Not measured (${message.count} of ${message.of} steps): ${parts.join(' · ')}`;
}

/** The whole report as the CLI prints it after a run, in the order of the Slack thread, wrapped to 100 columns. */
export function renderReport(raw: DiagnosisOutcome, options: TextOptions = {}): string {
  const result = redactDeep(raw, options.redactor ?? redact);
  const same: Redactor = (t) => t;
  const out: string[] = [];
  out.push(`Triage — "${result.symptom}"`);
  out.push(
    `service: ${result.service ?? 'unknown'} · playbook: ${result.playbook} · window: ${fmtTime(result.window.start)} → ${fmtTime(result.window.end)}`,
  );
  for (const n of result.notes) out.push(`note: ${n}`);
  out.push('');
  for (const message of planThread(result).messages) {
    if (message.kind === 'finding-group')
      out.push(...renderFindingGroupText(message, { ...options, redactor: same }), '');
    else if (message.kind === 'normal-fold') out.push(renderNormalFoldText(message));
    else if (message.kind === 'not-measured') out.push(renderNotMeasuredText(message));
  }
  if (result.steps.length) out.push('');
  if (result.hypotheses.length) {
    out.push('Hypotheses');
    out.push(...renderLedger(result.hypotheses, same));
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
  // Queries are kept whole, to be copied.
  return wrapText(out.join('\n'), TEXT_WIDTH, (line) => QUERY_LINE.test(line));
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
