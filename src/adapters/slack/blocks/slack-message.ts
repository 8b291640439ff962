import type { KnownBlock } from '@slack/types';

/** A message as `chat.postMessage` / `chat.update` take it: blocks plus the plain-text fallback (notifications). */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
