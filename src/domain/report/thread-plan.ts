import type { DiagnosisOutcome, Evidence, HypothesisResult, StepResult } from '../engine/types.js';
import { groupUnmeasured, type UnmeasuredGroup } from './not-measured.js';

/**
 * The thread of a finished diagnosis, as data: what each reply says and in which order, so that every surface (Slack
 * thread, CLI text) reads top-down the same way. The root message (the summary, edited in place) is not part of the
 * plan; it counts towards the cap.
 *
 *   1. one `finding-group` per hypothesis the abnormal findings bear on, strongest first, each finding with its
 *      value, baseline, threshold and a short-labelled query link; findings no hypothesis cites come last;
 *   2. one `normal-fold`: every check that was measured and normal, in one list;
 *   3. one `not-measured`: what could not be measured, grouped by why, and how to map it;
 *   4. the `ledger` (hypotheses and mitigations) last.
 */

/** Messages of a typical diagnosis, the root message included: the root plus at most 7 thread replies. */
export const MAX_MESSAGES = 8;

/** How many evidence are marked decisive (worth a chart): the top abnormal signals, in thread order. */
export const MAX_DECISIVE = 3;

export type FindingRelation = 'supports' | 'rules-out';

export interface PlannedEvidence {
  evidence: Evidence;
  /** One line naming the query behind the evidence, for the link: "query: 5xx error ratio". */
  queryLabel: string;
  /**
   * One of the top abnormal signals (the first evidence of the first findings that support a hypothesis, at most
   * `MAX_DECISIVE`): a chart is worth drawing for it.
   */
  decisive: boolean;
}

/** One abnormal step (warn or crit), with the hypothesis it was grouped under. */
export interface Finding {
  step: StepResult;
  evidence: PlannedEvidence[];
  /** The strongest hypothesis that cites it, or null when none does. */
  cause: string | null;
  relation: FindingRelation | null;
  /** Other hypotheses that cite it too, strongest first. */
  alsoFor: { cause: string; relation: FindingRelation }[];
}

export interface HypothesisHead {
  cause: string;
  title: string;
  confidence: number;
  verdict: HypothesisResult['verdict'];
}

export interface FindingGroupMessage {
  kind: 'finding-group';
  /** The hypothesis these findings support or rule out; null for findings no hypothesis cites and merged groups. */
  hypothesis: HypothesisHead | null;
  /** How the findings bear on the hypothesis; null when `hypothesis` is null. */
  relation: FindingRelation | null;
  findings: Finding[];
  /** The hypotheses whose groups were merged into this one to keep the thread short, strongest first. */
  merged: HypothesisHead[];
}

export interface NormalFoldMessage {
  kind: 'normal-fold';
  /** Every measured step that stayed normal, in playbook order, with a short name ("request rate", "OOM kills"). */
  checks: { stepId: string; name: string }[];
  /** Hypotheses ruled out without any abnormal finding: what the normal checks ruled out. */
  rulesOut: HypothesisHead[];
}

export interface NotMeasuredMessage {
  kind: 'not-measured';
  /** Grouped by why, errors first. */
  groups: UnmeasuredGroup[];
  /** How many steps measured nothing, and how many steps the run had. */
  count: number;
  of: number;
}

export interface LedgerMessage {
  kind: 'ledger';
}

export type ThreadMessage = FindingGroupMessage | NormalFoldMessage | NotMeasuredMessage | LedgerMessage;

export interface ThreadPlan {
  messages: ThreadMessage[];
  /** Messages the diagnosis posts in all: the root plus the thread replies. */
  total: number;
}

const ABNORMAL: ReadonlySet<StepResult['status']> = new Set(['warn', 'crit']);

export function isAbnormal(step: StepResult): boolean {
  return ABNORMAL.has(step.status);
}

/** "Request rate" → "request rate"; "OOM kills", "CPU throttling" and "p99 latency" stay as they are. */
export function shortName(title: string): string {
  const t = title.trim();
  if (t.length < 2) return t;
  const [a, b] = [t[0] as string, t[1] as string];
  const acronym = b.toUpperCase() === b && b.toLowerCase() !== b;
  return acronym ? t : a.toLowerCase() + t.slice(1);
}

const LABEL_MAX = 60;

function cap(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The one-line label of an evidence's query link: the step's name ("query: 5xx error ratio"), or, for a step with
 * several evidence (what moved, per-peer signals), what the evidence is about ("query: hikaricp_connections_pending").
 */
export function queryLabel(step: Pick<StepResult, 'title' | 'evidence'>, e: Evidence): string {
  const about =
    step.evidence.length > 1
      ? (e.summary.split(': ')[0] || e.labels?.family || step.title).replace(/\s+/g, ' ').trim()
      : step.title;
  return `query: ${cap(shortName(about || step.title), LABEL_MAX)}`;
}

/** The part of a ledger sentence naming what fired its rule: "… [503 Service Unavailable: 14.6%; Pool: 100%]". */
function backedBy(sentence: string): string[] {
  const parts: string[] = [];
  for (const m of sentence.matchAll(/\[([^[\]]*)\]/g)) parts.push(...(m[1] ?? '').split('; '));
  return parts.map((p) => p.trim().toLowerCase());
}

/** Whether a ledger sentence cites the step: its bracketed backing names the step's title, or its log pattern. */
function cites(sentence: string, step: StepResult): boolean {
  const title = step.title.trim().toLowerCase();
  return backedBy(sentence).some(
    (part) =>
      part.startsWith(`${title}: `) ||
      (part.startsWith('log: ') && (step.patterns ?? []).some((p) => p.anomalous !== false)),
  );
}

function headOf(h: HypothesisResult): HypothesisHead {
  return { cause: h.cause, title: h.title, confidence: h.confidence, verdict: h.verdict };
}

const SEVERITY: Readonly<Record<string, number>> = { crit: 0, warn: 1 };

/** Strongest first: by confidence, then by how much supports it; the ledger's own order breaks ties. */
function strongestFirst(hypotheses: readonly HypothesisResult[]): HypothesisResult[] {
  return hypotheses
    .map((h, i) => ({ h, i }))
    .sort((x, y) => y.h.confidence - x.h.confidence || y.h.supporting.length - x.h.supporting.length || x.i - y.i)
    .map(({ h }) => h);
}

function relationTo(h: HypothesisResult, step: StepResult): FindingRelation | null {
  // The scorer says which steps fired each rule; a ledger read back from an older run has only its sentences.
  if (h.cites) {
    if (h.cites.supporting.includes(step.id)) return 'supports';
    if (h.cites.against.includes(step.id)) return 'rules-out';
    return null;
  }
  if (h.supporting.some((s) => cites(s, step))) return 'supports';
  if (h.against.some((s) => cites(s, step))) return 'rules-out';
  return null;
}

/** Groups the abnormal findings under the strongest hypothesis citing each; uncited ones in a last group. */
function findingGroups(outcome: DiagnosisOutcome): FindingGroupMessage[] {
  const ranked = strongestFirst(outcome.hypotheses);
  const byKey = new Map<string, FindingGroupMessage>();
  const order: string[] = [];
  const abnormal = outcome.steps
    .map((step, i) => ({ step, i }))
    .filter(({ step }) => isAbnormal(step))
    .sort((a, b) => (SEVERITY[a.step.status] ?? 2) - (SEVERITY[b.step.status] ?? 2) || a.i - b.i)
    .map(({ step }) => step);
  for (const step of abnormal) {
    const cited = ranked.flatMap((h) => {
      const relation = relationTo(h, step);
      return relation ? [{ h, relation }] : [];
    });
    const first = cited[0];
    const finding: Finding = {
      step,
      evidence: step.evidence.map((e) => ({ evidence: e, queryLabel: queryLabel(step, e), decisive: false })),
      cause: first?.h.cause ?? null,
      relation: first?.relation ?? null,
      alsoFor: cited.slice(1).map(({ h, relation }) => ({ cause: h.cause, relation })),
    };
    const key = first ? `${first.relation}:${first.h.cause}` : '';
    let group = byKey.get(key);
    if (!group) {
      group = {
        kind: 'finding-group',
        hypothesis: first ? headOf(first.h) : null,
        relation: first?.relation ?? null,
        findings: [],
        merged: [],
      };
      byKey.set(key, group);
      order.push(key);
    }
    group.findings.push(finding);
  }
  const rank = (key: string) => {
    if (key === '') return Number.POSITIVE_INFINITY;
    const cause = key.slice(key.indexOf(':') + 1);
    const i = ranked.findIndex((h) => h.cause === cause);
    // Within a hypothesis, what supports it comes before what rules it out.
    return i * 2 + (key.startsWith('rules-out:') ? 1 : 0);
  };
  return order.sort((a, b) => rank(a) - rank(b)).map((k) => byKey.get(k) as FindingGroupMessage);
}

/** Keeps the first `room - 1` groups and merges the rest into one last group, so the thread stays short. */
function capGroups(groups: FindingGroupMessage[], room: number): FindingGroupMessage[] {
  if (groups.length <= room) return groups;
  const keep = groups.slice(0, Math.max(0, room - 1));
  const rest = groups.slice(keep.length);
  const merged: FindingGroupMessage = {
    kind: 'finding-group',
    hypothesis: null,
    relation: null,
    findings: rest.flatMap((g) => g.findings),
    merged: rest.flatMap((g) => [...(g.hypothesis ? [g.hypothesis] : []), ...g.merged]),
  };
  return [...keep, merged];
}

/** The first evidence of the first findings that support a hypothesis, one per finding, up to `MAX_DECISIVE`. */
function markDecisive(groups: readonly FindingGroupMessage[]): void {
  let left = MAX_DECISIVE;
  for (const f of groups.flatMap((g) => g.findings)) {
    if (left === 0) return;
    if (f.relation !== 'supports') continue;
    const e = f.evidence.find((x) => x.evidence.series.length >= 2 && x.evidence.value !== null);
    if (!e) continue;
    e.decisive = true;
    left--;
  }
}

/** The thread replies of a finished diagnosis, in order; see the module comment. Pure: reads the outcome only. */
export interface PlanOptions {
  /** Messages in all, the root included (default `MAX_MESSAGES`); at least 5, so each kind keeps its own reply. */
  maxMessages?: number;
}

export function planThread(outcome: DiagnosisOutcome, options: PlanOptions = {}): ThreadPlan {
  const tail: ThreadMessage[] = [];
  const normal = outcome.steps.filter((s) => s.status === 'ok');
  const groupsRaw = findingGroups(outcome);
  const grouped = new Set(groupsRaw.flatMap((g) => (g.hypothesis ? [g.hypothesis.cause] : [])));
  const rulesOut = strongestFirst(outcome.hypotheses)
    .filter((h) => h.verdict === 'ruled-out' && !grouped.has(h.cause))
    .map(headOf);
  if (normal.length) {
    tail.push({
      kind: 'normal-fold',
      checks: normal.map((s) => ({ stepId: s.id, name: shortName(s.title) })),
      rulesOut,
    });
  }
  const unmeasured = groupUnmeasured(outcome.steps, outcome.service);
  if (unmeasured.length) {
    tail.push({
      kind: 'not-measured',
      groups: unmeasured,
      count: unmeasured.reduce((n, g) => n + g.steps.length, 0),
      of: outcome.steps.length,
    });
  }
  tail.push({ kind: 'ledger' });
  const room = Math.max(5, options.maxMessages ?? MAX_MESSAGES) - 1 - tail.length;
  const groups = capGroups(groupsRaw, room);
  markDecisive(groups);
  const messages: ThreadMessage[] = [...groups, ...tail];
  return { messages, total: messages.length + 1 };
}
