import type { Button, KnownBlock } from '@slack/types';
import type { Conclusion } from '../../../domain/engine/types.js';
import type { TimeWindow } from '../../../domain/time-window.js';
import { ACTIONS, BLOCKS } from '../ids.js';
import { codeSpan, fitText, joinWithin, mrkdwnText, percent, plainText, userMention } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import { alertLine, type RootAlert } from './render-alert.js';
import type { SlackMessage } from './slack-message.js';

export type RootStatus = 'running' | 'finished' | 'failed' | 'interrupted';

export interface RootHypothesis {
  cause: string;
  title: string;
  /** 0–1. */
  confidence: number;
}

export interface RootDecision {
  /** Slack user id of who pressed the button. */
  userId: string;
  decision: 'confirmed' | 'rejected';
}

/** What the root message shows; the reporter keeps it up to date from the run's events. */
export interface RootState {
  runId: string;
  symptom: string;
  service: string | null;
  playbook: string;
  window: TimeWindow;
  status: RootStatus;
  stepsDone: number;
  stepsTotal: number;
  /** The current top hypothesis, or null when there is none (yet). */
  top: RootHypothesis | null;
  /** The conclusion, once the run has finished (or failed). */
  conclusion: Conclusion | null;
  /** "What to do next" lines. */
  nextSteps: readonly string[];
  /** Who confirmed or rejected the top hypothesis, if anyone. */
  decision: RootDecision | null;
  /** The alert being diagnosed, for runs started by an alert. */
  alert?: RootAlert;
  /** When the command was asked, for a run resumed after a Triage restart. */
  resumedFrom?: Date;
}

const MAX_NEXT_STEPS = 5;
const NEXT_STEP_CHARS = 400;

function time(d: Date): string {
  return d.toISOString().slice(11, 16);
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `2026-11-01 13:30–14:00 UTC`, or both dates when the window spans midnight; `unknown window` for bad dates. */
export function formatWindow(window: TimeWindow): string {
  const { start, end } = window;
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return 'unknown window';
  if (day(start) === day(end)) return `${day(start)} ${time(start)}–${time(end)} UTC`;
  return `${day(start)} ${time(start)} → ${day(end)} ${time(end)} UTC`;
}

/** `2026-11-01 14:02 UTC`, or `at an unknown time`. */
function formatTime(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'at an unknown time' : `${day(d)} ${time(d)} UTC`;
}

function count(n: number): string {
  return Number.isFinite(n) ? String(Math.max(0, Math.floor(n))) : '?';
}

function statusLine(state: RootState): string {
  const done = count(state.stepsDone);
  const total = count(state.stepsTotal);
  switch (state.status) {
    case 'running':
      return `:hourglass_flowing_sand: Running — ${done} of ${total} steps done`;
    case 'finished':
      return `:white_check_mark: Finished — ${total} steps`;
    case 'failed':
      return state.stepsTotal > 0 ? `:x: Failed after ${done} of ${total} steps` : ':x: Failed';
    case 'interrupted':
      return `:double_vertical_bar: Interrupted after ${done} of ${total} steps (Triage stopped mid-run) — partial results; press *Re-run* to diagnose again`;
  }
}

function statusWord(status: RootStatus): string {
  return { running: 'running', finished: 'finished', failed: 'failed', interrupted: 'interrupted' }[status];
}

/** Below this, a hypothesis is not shown while the run goes: too weak to be worth a reader's attention. */
const SHOWN_WHILE_RUNNING = 0.25;
/** Below this, a finished run names no cause in its headline: its finding says what was (not) found instead. */
const SHOWN_WHEN_DONE = 0.5;

/**
 * The hypothesis the headline names, if any: while the run goes, the leader once it is worth reading; once it has
 * ended, only a cause that reached 50%. A 10% "best guess" over a body that found no anomaly would mislead.
 */
function headlineHypothesis(state: RootState): RootHypothesis | null {
  const { top } = state;
  if (!top) return null;
  const running = state.status === 'running' || state.status === 'interrupted';
  return top.confidence >= (running ? SHOWN_WHILE_RUNNING : SHOWN_WHEN_DONE) ? top : null;
}

function hypothesisLabel(state: RootState): string {
  return state.status === 'running' || state.status === 'interrupted' ? 'Leading hypothesis so far' : 'Likely cause';
}

function summaryText(state: RootState): string {
  const lines = [`*Status:* ${statusLine(state)}`];
  const { conclusion } = state;
  const top = headlineHypothesis(state);
  if (top) {
    lines.push(
      `*${hypothesisLabel(state)}:* ${fitText(top.title, 300)} — *${percent(top.confidence)}* confidence ${codeSpan(top.cause, 60)}`,
    );
  } else if (state.status === 'running') {
    lines.push(state.top ? '_No strong hypothesis yet._' : '_No hypothesis yet._');
  }
  if (conclusion && (conclusion.kind !== 'likely-cause' || !top)) {
    lines.push(`*Finding:* ${fitText(conclusion.summary, 800)}`);
  }
  if (state.decision) {
    const who = userMention(state.decision.userId);
    lines.push(
      state.decision.decision === 'confirmed'
        ? `:white_check_mark: Cause confirmed by ${who}`
        : `:no_entry_sign: Cause rejected by ${who}`,
    );
  }
  // While the run goes, next steps are the leader's mitigations: not shown for a hypothesis too weak to name.
  const next = conclusion || top ? state.nextSteps.filter((s) => s.trim() !== '') : [];
  if (next.length) {
    const shown = next.slice(0, MAX_NEXT_STEPS).map((s) => `• ${fitText(s, NEXT_STEP_CHARS)}`);
    if (next.length > MAX_NEXT_STEPS) shown.push(`_… ${next.length - MAX_NEXT_STEPS} more in the thread_`);
    lines.push('*What to do next:*', ...shown);
  }
  return joinWithin(lines, LIMITS.sectionText);
}

function contextText(state: RootState): string {
  const service = state.service === null ? 'service unknown' : `service *${fitText(state.service, 200)}*`;
  return [
    service,
    `playbook ${codeSpan(state.playbook, 100)}`,
    `window ${formatWindow(state.window)}`,
    `run ${codeSpan(state.runId, 100)}`,
    ...(state.resumedFrom ? [`:repeat: resumed after a Triage restart (asked ${formatTime(state.resumedFrom)})`] : []),
  ].join(' · ');
}

function button(text: string, actionId: string, runId: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: plainText(text, LIMITS.buttonText),
    action_id: actionId,
    value: runId,
    ...(style ? { style } : {}),
  };
}

function fallbackText(state: RootState): string {
  const parts = [`Triage: ${fitText(state.symptom, 500)} — ${statusWord(state.status)}`];
  if (state.alert?.status === 'resolved') parts.push('alert resolved');
  const top = headlineHypothesis(state);
  if (top) parts.push(`${hypothesisLabel(state)}: ${fitText(top.title, 300)} (${percent(top.confidence)})`);
  else if (state.conclusion) parts.push(fitText(state.conclusion.summary, 800));
  return parts.join(' · ');
}

/**
 * The root message of a diagnosis, edited in place as the run goes: header, a summary (status, likely cause with
 * confidence, what to do next, who confirmed or rejected), a context line (service · playbook · window · run) and
 * the buttons (Re-run, Confirm and Reject when there is a top hypothesis, Export post-mortem).
 */
export function renderRoot(state: RootState): SlackMessage {
  const buttons: Button[] = [button('Re-run', ACTIONS.rerun, state.runId)];
  // Confirming or rejecting is offered for a cause the headline names, or one a reader already decided on.
  if (headlineHypothesis(state) || (state.top && state.decision)) {
    buttons.push(button('Confirm cause', ACTIONS.confirm, state.runId, 'primary'));
    buttons.push(button('Reject cause', ACTIONS.reject, state.runId, 'danger'));
  }
  buttons.push(button('Export post-mortem', ACTIONS.exportPostmortem, state.runId));
  const blocks: KnownBlock[] = [
    { type: 'header', block_id: BLOCKS.rootHeader, text: plainText(`Triage: ${state.symptom}`, LIMITS.headerText) },
    ...(state.alert
      ? [{ type: 'context' as const, block_id: BLOCKS.rootAlert, elements: [mrkdwnText(alertLine(state.alert))] }]
      : []),
    { type: 'section', block_id: BLOCKS.rootSummary, text: mrkdwnText(summaryText(state)) },
    { type: 'context', block_id: BLOCKS.rootContext, elements: [mrkdwnText(contextText(state))] },
    { type: 'actions', block_id: BLOCKS.rootActions, elements: buttons },
  ];
  return enforceLimits({ text: fallbackText(state), blocks });
}
