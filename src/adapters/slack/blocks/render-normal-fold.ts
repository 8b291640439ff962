import type { KnownBlock } from '@slack/types';
import type { NormalFoldMessage } from '../../../domain/report/thread-plan.js';
import { fitText, joinWithin, mrkdwnText, percent } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import { PLAN_BLOCKS } from './render-finding-group.js';
import type { SlackMessage } from './slack-message.js';

/** Names listed in full; the rest are counted (`… 12 more`). */
const MAX_NAMES = 60;
const MAX_RULED_OUT = 12;

function list(items: readonly string[], max: number): string {
  const shown = items.slice(0, max);
  return items.length > max ? `${shown.join(', ')}, … ${items.length - max} more` : shown.join(', ');
}

/**
 * Every check that was measured and normal, folded into one reply: "Checked and normal (25): request rate, OOM
 * kills, …", and the hypotheses they ruled out.
 */
export function renderNormalFold(fold: NormalFoldMessage): SlackMessage {
  const names = fold.checks.map((c) => fitText(c.name, 80) || fitText(c.stepId, 80));
  const lines = [`:white_check_mark: *Checked and normal (${names.length}):* ${list(names, MAX_NAMES)}`];
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: PLAN_BLOCKS.normalFold,
      text: mrkdwnText(joinWithin(lines, LIMITS.sectionText)),
    },
  ];
  if (fold.rulesOut.length) {
    const ruled = fold.rulesOut.map((h) => `${fitText(h.title, 120)} (${percent(h.confidence)})`);
    blocks.push({
      type: 'context',
      elements: [mrkdwnText(`_Which rules out:_ ${list(ruled, MAX_RULED_OUT)}`)],
    });
  }
  return enforceLimits({ text: `Checked and normal (${names.length}): ${list(names, 20)}`, blocks });
}
