import type { KnownBlock } from '@slack/types';
import type { DiagnosisOutcome } from '../../../domain/engine/types.js';
import {
  type HypothesisResult,
  type HypothesisVerdict,
  limitedText,
  type StepResult,
} from '../../../domain/engine/types.js';
import { BLOCKS } from '../ids.js';
import { codeSpan, fitText, joinWithin, mrkdwnText, percent } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import type { SlackMessage } from './slack-message.js';

export const VERDICT: Readonly<Record<HypothesisVerdict, { emoji: string; label: string }>> = {
  supported: { emoji: ':large_green_circle:', label: 'Supported' },
  possible: { emoji: ':large_yellow_circle:', label: 'Possible' },
  'ruled-out': { emoji: ':white_circle:', label: 'Ruled out' },
};

const ORDER: readonly HypothesisVerdict[] = ['supported', 'possible', 'ruled-out'];
/** Hypotheses shown one section each; the rest are counted in one line. */
const MAX_HYPOTHESES = 20;
const MAX_REASONS = 8;
const MAX_MITIGATIONS = 8;
const REASON_CHARS = 300;
/** Characters for all hypothesis sections together, leaving room for the conclusion and mitigations. */
const LEDGER_TEXT_BUDGET = 7000;

/** Supported first, then possible, then ruled out; by confidence within each group. */
export function orderHypotheses(hypotheses: readonly HypothesisResult[]): HypothesisResult[] {
  return [...hypotheses].sort(
    (a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict) || b.confidence - a.confidence,
  );
}

function listWithin(items: readonly string[], max: number, render: (item: string) => string): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(`   _… ${items.length - max} more_`);
  return shown;
}

function hypothesisText(h: HypothesisResult, max: number): string {
  const { emoji, label } = VERDICT[h.verdict];
  const lines = [
    `${emoji} *${label} · ${percent(h.confidence)}* — ${fitText(h.title, 300)} ${codeSpan(h.cause, 60)}`,
    ...listWithin(h.supporting, MAX_REASONS, (s) => `   ✓ ${fitText(s, REASON_CHARS)}`),
    ...listWithin(h.against, MAX_REASONS, (s) => `   ✗ ${fitText(s, REASON_CHARS)}`),
  ];
  if (h.limitedBy.length) lines.push(`   _${fitText(limitedText(h), 400)}_`);
  return joinWithin(lines, max);
}

function conclusionText(result: DiagnosisOutcome): string {
  const lines = [`*Conclusion:* ${fitText(result.conclusion.summary, 1000)}`];
  if (result.error) {
    const source = result.error.source ? `${codeSpan(result.error.source, 80)} failed — ` : '';
    lines.push(`*Run failed:* ${source}${fitText(result.error.message, 800)} (${codeSpan(result.error.code, 80)})`);
  }
  if (result.suggestions.length) {
    lines.push(
      `*Known services like it:* ${result.suggestions
        .slice(0, 10)
        .map((s) => codeSpan(s, 80))
        .join(', ')}`,
    );
  }
  for (const note of result.notes.slice(0, 3)) lines.push(`_Note: ${fitText(note, 400)}_`);
  return joinWithin(lines, LIMITS.sectionText);
}

/** The cause whose mitigations to show: the concluded cause, else the best hypothesis not ruled out. */
function topHypothesis(result: DiagnosisOutcome, ordered: readonly HypothesisResult[]): HypothesisResult | undefined {
  const concluded = result.conclusion.cause;
  return (
    (concluded ? ordered.find((h) => h.cause === concluded) : undefined) ??
    ordered.find((h) => h.verdict !== 'ruled-out')
  );
}

function mitigationsText(result: DiagnosisOutcome, top: HypothesisResult | undefined): string | null {
  const bullet = (s: string) => `• ${fitText(s, 500)}`;
  if (top?.mitigations.length) {
    return joinWithin(
      [`*What to do — ${fitText(top.title, 200)}:*`, ...listWithin(top.mitigations, MAX_MITIGATIONS, bullet)],
      LIMITS.sectionText,
    );
  }
  const next = result.conclusion.nextSteps;
  if (next.length) {
    return joinWithin(['*What to do next:*', ...listWithin(next, MAX_MITIGATIONS, bullet)], LIMITS.sectionText);
  }
  return null;
}

function unmeasuredWhy(step: StepResult): string {
  if (step.status === 'errored') {
    const source = step.error?.source ? `${fitText(step.error.source, 40)}: ` : '';
    const why = step.error?.message ?? step.reason;
    return why ? `errored (${source}${fitText(why, 120)})` : 'errored';
  }
  return step.status === 'no_data' ? 'no data' : 'skipped';
}

/** The steps that could not measure anything, in one line. */
export function unmeasuredLine(steps: readonly StepResult[]): string | null {
  const unmeasured = steps.filter((s) => s.status === 'errored' || s.status === 'no_data' || s.status === 'skipped');
  if (!unmeasured.length) return null;
  const parts = unmeasured.map((s) => `${codeSpan(s.id, 64)} ${unmeasuredWhy(s)}`);
  const head = `*Not measured (${unmeasured.length} of ${steps.length} steps):* `;
  return joinWithin([head + parts.join(', ')], LIMITS.contextText);
}

function runStats(result: DiagnosisOutcome): string {
  const ms = result.finishedAt.getTime() - result.startedAt.getTime();
  const took = Number.isFinite(ms) && ms >= 0 ? ` · ${(ms / 1000).toFixed(1)} s` : '';
  return `${result.queries} queries${took} · run ${codeSpan(result.runId, 100)}`;
}

/**
 * The final thread reply of a diagnosis: the conclusion, the hypothesis ledger (supported, possible, ruled out; each
 * with confidence, what supports it, what argues against it and what limited it), the mitigations of the top cause,
 * and, without a thread to say it in, the steps that could not measure anything in one line.
 */
export function renderLedger(result: DiagnosisOutcome, options: { unmeasured?: boolean } = {}): SlackMessage {
  const ordered = orderHypotheses(result.hypotheses);
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.ledgerConclusion, text: mrkdwnText(conclusionText(result)) },
  ];
  if (ordered.length) {
    const counts = ORDER.map((v) => [v, ordered.filter((h) => h.verdict === v).length] as const)
      .filter(([, n]) => n > 0)
      .map(([v, n]) => `${n} ${VERDICT[v].label.toLowerCase()}`);
    blocks.push({ type: 'section', text: mrkdwnText(`*Hypothesis ledger* — ${counts.join(', ')}`) });
    const shown = ordered.slice(0, MAX_HYPOTHESES);
    // Share the text budget between the hypotheses, so each is cut at a whole line rather than mid-sentence.
    const each = Math.min(LIMITS.sectionText, Math.max(400, Math.floor(LEDGER_TEXT_BUDGET / shown.length)));
    for (const h of shown) blocks.push({ type: 'section', text: mrkdwnText(hypothesisText(h, each)) });
    const hidden = ordered.slice(MAX_HYPOTHESES);
    if (hidden.length) {
      const byVerdict = ORDER.map((v) => [v, hidden.filter((h) => h.verdict === v).length] as const)
        .filter(([, n]) => n > 0)
        .map(([v, n]) => `${n} ${VERDICT[v].label.toLowerCase()}`);
      blocks.push({
        type: 'section',
        text: mrkdwnText(`_… ${hidden.length} more hypotheses not shown (${byVerdict.join(', ')})_`),
      });
    }
  }
  const mitigations = mitigationsText(result, topHypothesis(result, ordered));
  if (mitigations) blocks.push({ type: 'section', block_id: BLOCKS.ledgerMitigations, text: mrkdwnText(mitigations) });
  const elements = [mrkdwnText(runStats(result))];
  // In a thread, the reply before the ledger already says what was not measured.
  const unmeasured = options.unmeasured === false ? null : unmeasuredLine(result.steps);
  if (unmeasured) elements.unshift(mrkdwnText(unmeasured));
  blocks.push({ type: 'context', block_id: BLOCKS.ledgerUnmeasured, elements });
  return enforceLimits({ text: `Diagnosis: ${fitText(result.conclusion.summary, 1000)}`, blocks });
}
