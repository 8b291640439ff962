import type { ThreadMessage } from '../postmortem/postmortem.js';

/** A message as the chat takes it: the plain text (notifications, fallbacks) and the platform's own layout. */
export interface ChatMessage {
  text: string;
  /** The platform's rich layout (Slack's blocks), passed through as it is. */
  blocks?: readonly unknown[];
}

export interface PostOptions {
  /** Post in this thread instead of at the top of the channel. */
  threadTs?: string;
  /** Before other posts waiting for the channel (an alert's first answer). */
  urgent?: boolean;
}

/** A post the chat refused. Its message is short and safe to show; `notMember` when the app is not in the channel. */
export class ChatError extends Error {
  readonly notMember: boolean;

  constructor(message: string, options: { notMember?: boolean } = {}) {
    super(message);
    this.name = 'ChatError';
    this.notMember = options.notMember ?? false;
  }
}

/** A file to share in a channel (or one of its threads). */
export interface ChatFile {
  channel: string;
  threadTs?: string;
  filename: string;
  title: string;
  content: string;
  comment: string;
}

/**
 * What the run use-cases need from the chat platform. A failed call rejects with an Error whose message is short
 * and safe to show (an API error code, never a token).
 */
export interface ChatPort {
  /** The messages of a thread, oldest first. */
  threadMessages(channel: string, threadTs: string): Promise<ThreadMessage[]>;
  /** A person's display name, undefined when they cannot be looked up. */
  displayName(userId: string): Promise<string | undefined>;
  /** Uploads a file; its id when the platform says. */
  upload(file: ChatFile): Promise<{ fileId?: string }>;
  /** A link to a message that the platform's clients open. */
  link(channel: string, ts: string): string;
  /** Posts a message, paced with the channel's other posts; its ts. Rejects with a {@link ChatError}. */
  post(channel: string, message: ChatMessage, options?: PostOptions): Promise<{ ts: string }>;
}
