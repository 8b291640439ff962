import type { KnownBlock } from '@slack/types';
import { patternBaselineText } from '../../../domain/engine/types.js';
import { sparkline } from '../../../domain/report/render-text.js';
import type {
  Finding,
  FindingGroupMessage,
  FindingRelation,
  HypothesisHead,
  PlannedEvidence,
} from '../../../domain/report/thread-plan.js';
import { codeSpan, fitText, joinWithin, link, mrkdwnText, oneLine, percent, truncate } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import { VERDICT } from './render-ledger.js';
import { STEP_STATUS } from './render-step.js';
import type { SlackMessage } from './slack-message.js';

/** Block ids of the planned thread replies (each used once per message). */
export const PLAN_BLOCKS = {
  findingHead: 'triage_finding_head',
  normalFold: 'triage_normal_fold',
  notMeasured: 'triage_not_measured',
} as const;

/** Findings shown one section each; the rest are counted in one line. */
const MAX_FINDINGS = 30;
/** Evidence lines per finding (a scan step has several); the rest are counted. */
const MAX_EVIDENCE = 5;
const MAX_LABELS = 6;
const MAX_PATTERNS = 2;
/** Characters for all finding sections together, leaving room for the head. */
const FINDINGS_TEXT_BUDGET = 9000;

const RELATION: Readonly<Record<FindingRelation, string>> = { supports: 'Supports', 'rules-out': 'Rules out' };

function hypothesisName(h: HypothesisHead): string {
  return `${fitText(h.title, 200)} (${percent(h.confidence)}, ${VERDICT[h.verdict].label.toLowerCase()})`;
}

function headText(group: FindingGroupMessage): string {
  const n = group.findings.length;
  const count = `${n} finding${n === 1 ? '' : 's'}`;
  if (group.hypothesis && group.relation) {
    const { emoji } = VERDICT[group.hypothesis.verdict];
    return `${emoji} *${RELATION[group.relation]}: ${hypothesisName(group.hypothesis)}* — ${count}`;
  }
  if (group.merged.length) {
    const names = group.merged.slice(0, 6).map((h) => `${fitText(h.title, 120)} (${percent(h.confidence)})`);
    if (group.merged.length > 6) names.push(`${group.merged.length - 6} more`);
    return `:mag: *More findings* — ${count}, bearing on ${names.join(', ')} or on no hypothesis`;
  }
  return `:mag: *Other findings* — ${count} no hypothesis relies on`;
}

function evidenceLines(p: PlannedEvidence): string[] {
  const e = p.evidence;
  const spark = e.series.length >= 2 ? sparkline(e.series.map((s) => s.v)) : '';
  const lines = [`• ${fitText(e.summary, 1200)}${spark ? `  ${codeSpan(spark, 60)}` : ''}`];
  const labels = Object.entries(e.labels ?? {});
  if (labels.length) {
    const shown = labels.slice(0, MAX_LABELS).map(([k, v]) => `${fitText(k, 60)}=${codeSpan(v, 120)}`);
    if (labels.length > MAX_LABELS) shown.push(`… ${labels.length - MAX_LABELS} more`);
    lines.push(truncate(`   ${shown.join(', ')}`, 600));
  }
  if (e.note) lines.push(`   _${fitText(e.note, 400)}_`);
  lines.push(`   ${link(e.link, p.queryLabel) ?? `${fitText(p.queryLabel, 80)} ${codeSpan(e.query, 400)}`}`);
  return lines;
}

function findingText(f: Finding, max: number): string {
  const { emoji, label } = STEP_STATUS[f.step.status];
  const title = fitText(f.step.title, 300) || fitText(f.step.id, 80) || 'step';
  const lines = [`${emoji} *${title}* — ${label}`];
  const shown = f.evidence.slice(0, MAX_EVIDENCE);
  for (const p of shown) lines.push(...evidenceLines(p));
  if (f.evidence.length > shown.length) lines.push(`   _… ${f.evidence.length - shown.length} more evidence_`);
  for (const p of (f.step.patterns ?? []).filter((x) => x.anomalous !== false).slice(0, MAX_PATTERNS)) {
    const against = patternBaselineText(p);
    lines.push(`• *${p.count}×* ${fitText(p.template, 300)}${against ? ` _(${fitText(against, 80)})_` : ''}`);
    const sample = p.samples[0]?.split('\n')[0];
    if (sample) lines.push(`   > ${fitText(sample, 240)}`);
  }
  if (!shown.length && f.step.reason) lines.push(`   _${fitText(f.step.reason, 500)}_`);
  if (f.alsoFor.length) {
    const also = f.alsoFor.slice(0, 4).map((a) => `${RELATION[a.relation].toLowerCase()} ${codeSpan(a.cause, 60)}`);
    lines.push(`   _also ${also.join(', ')}_`);
  }
  return joinWithin(lines, max);
}

/** A chart already uploaded to Slack (without sharing it in a channel), shown under the finding it belongs to. */
export interface FindingChart {
  stepId: string;
  /** The Slack file id of the uploaded PNG. */
  fileId: string;
  /** What the chart shows, in one sentence (Slack's alt text). */
  alt: string;
}

function chartBlock(chart: FindingChart): KnownBlock | null {
  if (!/^F[A-Z0-9]{2,40}$/.test(chart.fileId)) return null;
  // Plain text, not mrkdwn: Slack shows alt text as is (at most 2000 characters).
  const alt = oneLine(chart.alt).slice(0, 1000) || 'Chart of the finding';
  return { type: 'image', slack_file: { id: chart.fileId }, alt_text: alt };
}

/**
 * One thread reply per hypothesis the abnormal findings bear on: a head naming the hypothesis (verdict, confidence)
 * and whether the findings support or rule it out, then one section per finding: status and title, each evidence
 * with its value, baseline and thresholds, a text sparkline (the picture when no chart is uploaded), its labels, and
 * a link to the query labelled in a few words. A finding's chart, when one was uploaded, is shown under it; the
 * sparkline stays, as the picture when uploads fail or are not allowed.
 */
export function renderFindingGroup(group: FindingGroupMessage, charts: readonly FindingChart[] = []): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: PLAN_BLOCKS.findingHead, text: mrkdwnText(truncate(headText(group), 3000)) },
  ];
  const shown = group.findings.slice(0, MAX_FINDINGS);
  // Share the text budget between the findings, so each is cut at a whole line rather than mid-sentence.
  const each = Math.min(
    LIMITS.sectionText,
    Math.max(400, Math.floor(FINDINGS_TEXT_BUDGET / Math.max(1, shown.length))),
  );
  for (const f of shown) {
    blocks.push({ type: 'section', text: mrkdwnText(findingText(f, each)) });
    for (const chart of charts.filter((c) => c.stepId === f.step.id).slice(0, 3)) {
      const image = chartBlock(chart);
      if (image) blocks.push(image);
    }
  }
  if (group.findings.length > shown.length)
    blocks.push({ type: 'section', text: mrkdwnText(`_… ${group.findings.length - shown.length} more findings_`) });
  const first = group.findings[0];
  const about = group.hypothesis
    ? `${RELATION[group.relation ?? 'supports']} "${fitText(group.hypothesis.title, 200)}"`
    : 'Other findings';
  const detail = first?.evidence[0] ? ` — ${fitText(first.evidence[0].evidence.summary, 400)}` : '';
  return enforceLimits({ text: `${about}: ${group.findings.length} finding(s)${detail}`, blocks });
}
