import type { KnownBlock } from '@slack/types';
import { UNMEASURED_LABEL, type UnmeasuredGroup } from '../../../domain/report/not-measured.js';
import type { NotMeasuredMessage } from '../../../domain/report/thread-plan.js';
import { codeSpan, fitText, joinWithin, mrkdwnText } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import { PLAN_BLOCKS } from './render-finding-group.js';
import type { SlackMessage } from './slack-message.js';

const MAX_NAMES = 16;

function groupLine(g: UnmeasuredGroup): string {
  const names = g.steps.slice(0, MAX_NAMES).map((s) => codeSpan(s.id, 64));
  if (g.steps.length > MAX_NAMES) names.push(`… ${g.steps.length - MAX_NAMES} more`);
  const failures = g.failures
    .slice(0, 3)
    .map((f) => `${codeSpan(f.source, 40)}: ${fitText(f.message, 160)}`)
    .join('; ');
  const how = g.howToMap.command
    ? `${fitText(g.howToMap.text, 200)} (${codeSpan(g.howToMap.command.slack, 120)} shows what was looked for)`
    : fitText(g.howToMap.text, 200);
  return `• _${UNMEASURED_LABEL[g.kind]}_ — ${names.join(', ')}${failures ? ` (${failures})` : ''} → ${how}`;
}

/** What could not be measured, in one reply: one line per reason, each with how to map it. */
export function renderNotMeasured(message: NotMeasuredMessage): SlackMessage {
  const head = `:grey_question: *Not measured (${message.count} of ${message.of} steps)*`;
  const lines = [head, ...message.groups.map(groupLine)];
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: PLAN_BLOCKS.notMeasured, text: mrkdwnText(joinWithin(lines, LIMITS.sectionText)) },
  ];
  const kinds = message.groups.map((g) => `${UNMEASURED_LABEL[g.kind]} (${g.steps.length})`).join(', ');
  return enforceLimits({ text: `Not measured (${message.count} of ${message.of} steps): ${kinds}`, blocks });
}
