import type { KnownBlock } from '@slack/types';
import { type Evidence, patternBaselineText, type StepResult } from '../../../domain/engine/types.js';
import type { StepStatus } from '../../../domain/playbook/schema.js';
import { sparkline } from '../../../domain/report/render-text.js';
import { BLOCKS } from '../ids.js';
import { codeSpan, fitText, joinWithin, link, mrkdwnText, truncate } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import type { SlackMessage } from './slack-message.js';

export const STEP_STATUS: Readonly<Record<StepStatus, { emoji: string; label: string }>> = {
  ok: { emoji: ':white_check_mark:', label: 'ok' },
  warn: { emoji: ':warning:', label: 'warning' },
  crit: { emoji: ':red_circle:', label: 'critical' },
  no_data: { emoji: ':grey_question:', label: 'no data' },
  errored: { emoji: ':x:', label: 'errored' },
  skipped: { emoji: ':fast_forward:', label: 'skipped' },
};

/** Evidence sections per step; the rest are counted in one line. */
const MAX_EVIDENCE = 20;
const MAX_LABELS = 10;
/** Characters for all evidence sections together, leaving room for the title, reason and context. */
const EVIDENCE_TEXT_BUDGET = 8000;

/** Why a step has no measurement, in words; errored steps name the source that failed and why. */
export function stepReason(step: StepResult): string | null {
  switch (step.status) {
    case 'errored': {
      if (step.error) {
        const source = step.error.source ? codeSpan(step.error.source, 80) : 'a data source';
        return `*Could not run:* ${source} failed — ${fitText(step.error.message, 1000)} (${codeSpan(step.error.code, 80)})`;
      }
      return `*Could not run:* ${fitText(step.reason ?? 'the step failed without a reason', 1000)}`;
    }
    case 'no_data':
      return `*No data:* ${fitText(step.reason ?? 'the query returned no values in the window', 1000)}`;
    case 'skipped':
      return `*Skipped:* ${fitText(step.reason ?? 'its condition was not met', 1000)}`;
    default:
      return step.reason ? `_${fitText(step.reason, 1000)}_` : null;
  }
}

function evidenceText(e: Evidence, max: number): string {
  const spark = e.series.length >= 2 ? sparkline(e.series.map((p) => p.v)) : '';
  const lines = [`• ${fitText(e.summary, 1200)}${spark ? `  ${codeSpan(spark, 60)}` : ''}`];
  const labels = Object.entries(e.labels ?? {});
  if (labels.length) {
    const shown = labels.slice(0, MAX_LABELS).map(([name, value]) => `${fitText(name, 60)}=${codeSpan(value, 200)}`);
    if (labels.length > MAX_LABELS) shown.push(`… ${labels.length - MAX_LABELS} more`);
    lines.push(truncate(`   ${shown.join(', ')}`, 800));
  }
  if (e.note) lines.push(`   _${fitText(e.note, 500)}_`);
  const query = link(e.link, 'query');
  lines.push(`   ${query ?? `query ${codeSpan(e.query, 500)}`}`);
  return joinWithin(lines, max);
}

function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One finished step as a thread reply: status emoji and title, the reason when it could not measure, one section
 * per evidence (summary with value, baseline and thresholds, sparkline, labels, note, link to the query), and a
 * context line (step id, duration, why the step exists).
 */
export function renderStep(step: StepResult): SlackMessage {
  const { emoji, label } = STEP_STATUS[step.status];
  const title = fitText(step.title, 300) || fitText(step.id, 80) || 'step';
  const head = [`${emoji} *${title}* — ${label}`];
  const reason = stepReason(step);
  if (reason) head.push(reason);
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: BLOCKS.stepSummary, text: mrkdwnText(joinWithin(head, LIMITS.sectionText)) },
  ];
  const shown = step.evidence.slice(0, MAX_EVIDENCE);
  // Share the text budget between the evidence, so each is cut at a whole line rather than mid-sentence.
  const each = Math.min(
    LIMITS.sectionText,
    Math.max(400, Math.floor(EVIDENCE_TEXT_BUDGET / Math.max(1, shown.length))),
  );
  for (const e of shown) blocks.push({ type: 'section', text: mrkdwnText(evidenceText(e, each)) });
  if (step.evidence.length > MAX_EVIDENCE) {
    blocks.push({
      type: 'section',
      text: mrkdwnText(`_… ${step.evidence.length - MAX_EVIDENCE} more evidence not shown_`),
    });
  }
  const context = [`step ${codeSpan(step.id, 80)}`, durationText(step.durationMs)].filter(Boolean).join(' · ');
  const elements = [mrkdwnText(context)];
  if (step.explain) elements.push(mrkdwnText(`_Why:_ ${fitText(step.explain, 600)}`));
  // Log pattern steps: up to three sample lines per pattern (first line of each), already redacted upstream.
  for (const p of (step.patterns ?? []).slice(0, 5)) {
    const samples = p.samples
      .slice(0, 3)
      .map((line) => `> ${fitText(line.split('\n')[0] ?? '', 280)}`)
      .join('\n');
    const against = patternBaselineText(p);
    const head = `*${p.count}×* ${fitText(p.template, 400)}${against ? ` _(${against})_` : ''}`;
    if (samples) blocks.push({ type: 'section', text: mrkdwnText(`${head}\n${samples}`) });
  }
  blocks.push({ type: 'context', block_id: BLOCKS.stepContext, elements });

  const first = step.evidence[0];
  const detail = first
    ? fitText(first.summary, 500)
    : reason
      ? fitText(step.reason ?? step.error?.message ?? '', 500)
      : '';
  const text = `${label}: ${title}${detail ? ` — ${detail}` : ''}`;
  return enforceLimits({ text, blocks });
}
