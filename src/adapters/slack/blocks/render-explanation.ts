import type { KnownBlock } from '@slack/types';
import type { ServiceExplanation } from '../../../application/diagnose/explain-service.js';
import { BLOCKS } from '../ids.js';
import { codeSpan, escapeMrkdwn, mrkdwnText, plainText } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import type { SlackMessage } from './slack-message.js';

/** Lines of a section, cut so the section stays under Slack's limit with a note of how many were left out. */
function lines(items: readonly string[], max = LIMITS.sectionText - 200): string {
  const out: string[] = [];
  let used = 0;
  for (const [i, item] of items.entries()) {
    if (used + item.length + 1 > max) {
      out.push(`_…and ${items.length - i} more (triage signals explain shows all of them)_`);
      break;
    }
    out.push(item);
    used += item.length + 1;
  }
  return out.join('\n');
}

/** What `/diagnose explain <service>` answers: what Triage reads for the service, and what it could not find. */
export function renderExplanation(explanation: ServiceExplanation, asked: string): SlackMessage {
  if (!explanation.found) {
    const closest = explanation.suggestions.length
      ? ` Closest names: ${explanation.suggestions.map((s) => codeSpan(s, 80)).join(', ')}.`
      : '';
    return enforceLimits({
      text: `No service called "${asked}" in Prometheus.`,
      blocks: [
        {
          type: 'section',
          block_id: BLOCKS.explainService,
          text: mrkdwnText(`Prometheus has no service called ${codeSpan(asked, 80)} in the last 2 hours.${closest}`),
        },
      ],
    });
  }
  const found = explanation.signals.filter((s) => s.status === 'found');
  const other = explanation.signals.filter((s) => s.status !== 'found');
  const read = found.map((s) =>
    s.status === 'found'
      ? `✓ *${escapeMrkdwn(s.title)}* — ${escapeMrkdwn(s.convention)}${s.inferredFrom ? ' (inferred from the name)' : ''}: ${codeSpan(s.series, 200)}`
      : '',
  );
  const missing = other.map((s) =>
    s.status === 'unavailable'
      ? `– *${escapeMrkdwn(s.title)}*: ${escapeMrkdwn(s.reason)}`
      : s.status === 'missing'
        ? `✗ *${escapeMrkdwn(s.title)}*: looked for ${s.lookedFor
            .slice(0, 2)
            .map((l) => codeSpan(l, 120))
            .join(', ')}`
        : '',
  );
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(`What Triage reads for ${explanation.service}`, LIMITS.headerText) },
    {
      type: 'section',
      block_id: BLOCKS.explainService,
      text: mrkdwnText(
        [
          `Found as ${explanation.seenAs
            .slice(0, 3)
            .map((s) => codeSpan(s, 120))
            .join(', ')}.`,
          ...explanation.notes.map((n) => escapeMrkdwn(n)),
        ].join('\n'),
      ),
    },
    { type: 'section', block_id: BLOCKS.explainRead, text: mrkdwnText(`*Read (${found.length})*\n${lines(read)}`) },
    {
      type: 'section',
      block_id: BLOCKS.explainMissing,
      text: mrkdwnText(`*Not measured (${other.length})*\n${lines(missing)}`),
    },
    {
      type: 'context',
      elements: [
        mrkdwnText(
          'Map what is missing in a signals file of your own (TRIAGE_SIGNALS_DIR): a convention with your metric names, or a `services:` entry for aliases and data stores. `triage signals list` shows every signal.',
        ),
      ],
    },
  ];
  return enforceLimits({ text: `What Triage reads for ${explanation.service}`, blocks });
}
