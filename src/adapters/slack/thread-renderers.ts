import type { DiagnosisOutcome } from '../../domain/engine/types.js';
import { type Redactor, redact, redactDeep } from '../../domain/redaction/redact.js';
import type { PlanRenderers } from './blocks/plan-renderers.js';
import { renderFindingGroup } from './blocks/render-finding-group.js';
import { renderHelp } from './blocks/render-help.js';
import { renderLedger } from './blocks/render-ledger.js';
import { renderNormalFold } from './blocks/render-normal-fold.js';
import { renderNotMeasured } from './blocks/render-not-measured.js';
import { type RootState, renderRoot } from './blocks/render-root.js';
import type { RunRecord } from './run-registry.js';
import type { SlackMessage, ThreadRenderers } from './slack-thread-reporter.js';

/** What the root message shows for a run at this moment. */
export function rootStateOf(record: RunRecord): RootState {
  const result = record.result;
  const top = record.top && record.top.confidence >= 0.5 ? record.top : (result?.hypotheses[0] ?? record.top);
  return {
    runId: record.runId,
    symptom: record.text,
    service: result?.service ?? record.service ?? record.symptom.service,
    playbook: result?.playbook ?? record.playbook ?? '…',
    window: record.symptom.window,
    status: record.status,
    stepsDone: record.stepsDone,
    stepsTotal: record.stepsTotal,
    top: top ? { cause: top.cause, title: top.title, confidence: top.confidence } : null,
    conclusion: result?.conclusion ?? null,
    nextSteps: result?.conclusion.nextSteps ?? top?.mitigations.slice(0, 2) ?? [],
    decision: record.decision ? { userId: record.decision.userId, decision: record.decision.decision } : null,
    ...(record.alert ? { alert: record.alert } : {}),
    ...(record.resumedFrom ? { resumedFrom: record.resumedFrom } : {}),
  };
}

/** The Block Kit renderers the Slack surface uses, redacting with `redactor` first. */
export function createThreadRenderers(
  redactor: Redactor = redact,
): ThreadRenderers & PlanRenderers & { help(): SlackMessage } {
  // Everything is redacted before it is rendered: symptoms typed by people and log lines can hold secrets.
  return {
    root: (record) => renderRoot(redactDeep(rootStateOf(record), redactor)),
    // Without a thread (the bot is not in the channel) the ledger is the whole answer: it says what was not measured.
    ledger: (result: DiagnosisOutcome, record) =>
      renderLedger(redactDeep(result, redactor), { unmeasured: !record.threadTs }),
    findingGroup: (message, charts = []) =>
      renderFindingGroup(redactDeep(message, redactor), redactDeep(charts, redactor)),
    normalFold: (message) => renderNormalFold(redactDeep(message, redactor)),
    notMeasured: (message) => renderNotMeasured(redactDeep(message, redactor)),
    help: renderHelp,
  };
}

/** The renderers with the default redaction. */
export const threadRenderers = createThreadRenderers();
