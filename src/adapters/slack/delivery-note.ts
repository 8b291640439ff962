import type { SlackMessage } from './blocks/slack-message.js';

/** The root message with a line saying how many thread messages Slack never got. */
export function withDeliveryNote(message: SlackMessage, undelivered: number): SlackMessage {
  if (undelivered <= 0) return message;
  const note = `${undelivered} ${undelivered === 1 ? 'update' : 'updates'} could not be delivered`;
  return {
    ...message,
    text: `${message.text} (${note})`,
    blocks: [...(message.blocks ?? []), { type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${note}` }] }],
  };
}
