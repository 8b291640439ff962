import { CAUSE_TITLES, type Cause } from '../../domain/causes.js';
import type { Evidence, HypothesisResult, StepResult } from '../../domain/engine/types.js';
import { isChronic, onsetOf, recoveryOf, stillPastAtEnd } from '../../domain/report/onset.js';
import type { RunJournalEvent, StoredRun } from '../ports/run-store.js';

/** One line of the incident's timeline, stamped with the time it happened (not the time the diagnosis ran). */
export interface IncidentEvent {
  at: Date;
  text: string;
  /** Ties between equal times keep this order. */
  order: number;
}

/** When the incident happened, as the run can tell. */
export interface IncidentTimes {
  window: { start: Date; end: Date };
  /** The earliest onset over the abnormal evidence. */
  onset: Date | null;
  alertStart: Date | null;
  alertEnd: Date | null;
  /** When the abnormal signals were all back under their thresholds within the window, when measurable. */
  recovered: Date | null;
  /** True when an abnormal signal was still over its threshold at the window's last sample. */
  ongoingAtWindowEnd: boolean;
}

const abnormal = (e: Evidence) => e.verdict === 'warn' || e.verdict === 'crit';
/** Abnormal and new: worse than its baseline (a value high as usual does not date the incident). */
const news = (e: Evidence) => abnormal(e) && !isChronic(e);

function atSeconds(t: number): Date {
  return new Date(t * 1000);
}

function abnormalEvidence(steps: readonly StepResult[]): { step: StepResult; evidence: Evidence }[] {
  return steps.flatMap((step) => step.evidence.filter(news).map((evidence) => ({ step, evidence })));
}

function alertResolved(run: StoredRun, events: readonly RunJournalEvent[]): Date | null {
  if (run.alert?.resolvedAt) return run.alert.resolvedAt;
  for (const e of events) if (e.type === 'alert-resolved' && e.resolvedAt) return e.resolvedAt;
  return null;
}

export function incidentTimes(
  run: StoredRun,
  steps: readonly StepResult[],
  events: readonly RunJournalEvent[],
): IncidentTimes {
  const window = run.result?.window ?? run.symptom.window;
  const bad = abnormalEvidence(steps);
  const onsets = bad.map(({ evidence }) => onsetOf(evidence)).filter((t): t is number => t !== null);
  const onset = onsets.length ? atSeconds(Math.min(...onsets)) : null;
  const ongoingAtWindowEnd = bad.some(({ evidence }) => stillPastAtEnd(evidence));
  const recoveries = bad.map(({ evidence }) => recoveryOf(evidence));
  const recovered =
    !ongoingAtWindowEnd && recoveries.length > 0 && recoveries.every((t) => t !== null)
      ? atSeconds(Math.max(...(recoveries as number[])))
      : null;
  return {
    window: { start: window.start, end: window.end },
    onset,
    alertStart: run.alert?.startsAt ?? null,
    alertEnd: alertResolved(run, events),
    recovered,
    ongoingAtWindowEnd,
  };
}

export function utc(d: Date): string {
  return Number.isNaN(d.getTime()) ? '?' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function span(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  if (d > 0) return `${d} d ${h} h`;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/**
 * How long the incident lasted, from its onset (or the alert's start) to its resolution (the alert resolved, or the
 * signals back under their thresholds within the window). "Ongoing at <time>" only when a signal was still over at
 * the window's end; otherwise, when neither end is known, says so.
 */
export function durationText(t: IncidentTimes): string {
  const start = t.alertStart ?? t.onset;
  const startWord = t.alertStart ? 'alert fired' : 'onset';
  if (!start) return 'unknown: no onset was found in the evidence';
  if (t.alertEnd)
    return `${span(t.alertEnd.getTime() - start.getTime())} (${startWord} ${utc(start)} → alert resolved ${utc(t.alertEnd)})`;
  if (t.recovered)
    return `${span(t.recovered.getTime() - start.getTime())} (${startWord} ${utc(start)} → back under the threshold ${utc(t.recovered)})`;
  if (t.ongoingAtWindowEnd)
    return `at least ${span(t.window.end.getTime() - start.getTime())} (${startWord} ${utc(start)}; ongoing at ${utc(t.window.end)}, the end of the window diagnosed)`;
  return `unknown end (${startWord} ${utc(start)}; the end was not measured)`;
}

function causeTitle(cause: string): string {
  return CAUSE_TITLES[cause as Cause] ?? cause;
}

const CHANGE_SIGNAL = /deploy|rollout|restart|revision|version|replica|oom|evict/i;
const CHANGE_WORDS = /deploy|rollout|rolled out|restart|new version|revision/i;

/**
 * What happened, in time order: the onset of each abnormal signal (not those high as usual), the changes the steps found (deploys, restarts),
 * the alert firing and resolving, and the people's decisions. `who` names a Slack user; `inline` makes text safe.
 */
export function incidentTimeline(
  run: StoredRun,
  steps: readonly StepResult[],
  events: readonly RunJournalEvent[],
  who: (userId: string) => string,
  inline: (text: string) => string,
): IncidentEvent[] {
  const rows: IncidentEvent[] = [];
  const add = (at: Date, text: string) => rows.push({ at, text, order: rows.length });
  for (const step of steps) {
    for (const e of step.evidence) {
      const isChange = CHANGE_SIGNAL.test(e.signal) || CHANGE_WORDS.test(e.summary);
      if (!news(e) && !isChange) continue;
      const t = onsetOf(e);
      if (t === null) continue;
      add(
        atSeconds(t),
        isChange
          ? `Change found by *${inline(step.title)}*: ${inline(e.summary)}`
          : `Onset of *${inline(step.title)}* (${e.verdict}): ${inline(e.summary)}`,
      );
    }
  }
  if (run.alert?.startsAt) add(run.alert.startsAt, `Alert **${inline(run.alert.alertname)}** fired`);
  let resolved = false;
  for (const e of events) {
    switch (e.type) {
      case 'alert-repeat':
        add(e.at, `The alert fired again: ${inline(e.title)}`);
        break;
      case 'alert-grouped':
        add(e.at, `Another alert for the service joined: ${inline(e.title)}`);
        break;
      case 'alert-resolved':
        resolved = true;
        add(e.resolvedAt ?? e.at, `Alert resolved: ${inline(e.title)}`);
        break;
      case 'human-decision':
        add(e.at, `${who(e.userId)} ${e.decision} the cause *${inline(causeTitle(e.cause))}*`);
        break;
      case 'run-started':
        add(e.at, 'Triage started the diagnosis');
        break;
      case 'run-finished':
        add(e.at, 'Triage finished the diagnosis');
        break;
      default:
        break;
    }
  }
  if (!resolved && run.alert?.resolvedAt)
    add(run.alert.resolvedAt, `Alert **${inline(run.alert.alertname)}** resolved`);
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
}

/** Steps that measured nothing: no data, skipped or errored, with why. */
export function unmeasured(steps: readonly StepResult[]): StepResult[] {
  return steps.filter((s) => s.status === 'no_data' || s.status === 'skipped' || s.status === 'errored');
}

/** Hypotheses the ledger calls supported: the only ones whose fixes a post-mortem suggests. */
export function supportedHypotheses(hypotheses: readonly HypothesisResult[]): HypothesisResult[] {
  return hypotheses.filter((h) => h.verdict === 'supported');
}
