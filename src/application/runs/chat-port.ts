import type { ThreadMessage } from '../postmortem/postmortem.js';

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
}
