import type { KnownBlock } from '@slack/types';
import { BLOCKS } from '../ids.js';
import { codeSpan, escapeMrkdwn, mrkdwnText, plainText } from '../mrkdwn.js';
import { enforceLimits, LIMITS } from './message-limits.js';
import type { SlackMessage } from './slack-message.js';

export const HELP_EXAMPLES: readonly { command: string; what: string }[] = [
  { command: '/diagnose 502 on checkout', what: 'HTTP 502s on `checkout`, over the last 30 minutes' },
  { command: '/diagnose p99 latency up on quotes since 14:05', what: 'slow responses on `quotes` since 14:05 UTC' },
  {
    command: '/diagnose errors for service checkout at 2026-11-01T14:00Z',
    what: 'errors around a given time (UTC)',
  },
  { command: '/diagnose memory keeps growing on mailer for the last 2h', what: 'a memory leak over a wider window' },
  { command: '/diagnose export', what: 'the post-mortem of the last diagnosis in this channel, as Markdown' },
  { command: '/diagnose explain checkout', what: 'what Triage can read for `checkout`, and what it could not find' },
];

/** What `/diagnose help` answers: usage, examples, what to do inside a diagnosis thread. */
export function renderHelp(): SlackMessage {
  const usage = escapeMrkdwn('/diagnose <symptom> [for <service>] [at <time>] [since <duration>]');
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText('How to use /diagnose', LIMITS.headerText) },
    {
      type: 'section',
      block_id: BLOCKS.helpUsage,
      text: mrkdwnText(
        [
          `*Usage:* \`${usage}\``,
          'Describe the symptom in your own words. Triage finds the service, picks a playbook, queries Prometheus ' +
            'and posts each finding in a thread, then ranks the likely causes and says what to do next.',
        ].join('\n'),
      ),
    },
    {
      type: 'section',
      text: mrkdwnText(
        ['*Examples:*', ...HELP_EXAMPLES.map((e) => `• ${codeSpan(e.command, 200)} — ${e.what}`)].join('\n'),
      ),
    },
    {
      type: 'section',
      text: mrkdwnText(
        [
          '*In a diagnosis thread* (slash commands do not work in threads):',
          `• ${codeSpan('@triage why?', 40)} — explains the current top cause and its evidence`,
          `• ${codeSpan('@triage re-run', 40)} — runs the diagnosis again over the latest data`,
          '• Buttons on the first message: *Re-run*, *Confirm cause* / *Reject cause*, *Export post-mortem*',
        ].join('\n'),
      ),
    },
    {
      type: 'context',
      elements: [
        mrkdwnText(
          'Times are UTC. Without a time, the window is the last 30 minutes. In alert channels Triage diagnoses ' +
            'every new alert in its thread on its own.',
        ),
      ],
    },
  ];
  return enforceLimits({ text: `How to use /diagnose: ${usage}`, blocks });
}
