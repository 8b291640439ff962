import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { ThreadMessage } from '../../application/postmortem/postmortem.js';
import {
  ChatError,
  type ChatFile,
  type ChatMessage,
  type ChatPort,
  type PostOptions,
} from '../../application/runs/chat-port.js';
import type { ChannelPacer } from './channel-pacer.js';
import { messageLink } from './run-registry.js';
import { describeSlackError } from './slack-error.js';

/** The errors that say the app is not in the channel (it must be invited first). */
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);

function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Thread messages read at most (conversations.replies pages of 200). */
const MAX_THREAD_MESSAGES = 1000;

interface Reply {
  ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  user_profile?: { display_name?: string; real_name?: string };
}

/** Runs `call`, turning a Slack error into an Error whose message is the short, token-free description. */
async function safely<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Error(describeSlackError(err));
  }
}

/** The chat port over the Slack Web API. Posts are paced per channel when given the pacer. */
export class SlackChat implements ChatPort {
  private readonly client: WebClient;
  private readonly pacer: Pick<ChannelPacer, 'run'> | undefined;

  constructor(client: WebClient, options: { pacer?: Pick<ChannelPacer, 'run'> } = {}) {
    this.client = client;
    this.pacer = options.pacer;
  }

  async post(channel: string, message: ChatMessage, options: PostOptions = {}): Promise<{ ts: string }> {
    const send = () =>
      this.client.chat.postMessage({
        channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks as KnownBlock[] } : {}),
        ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
      });
    try {
      const posted = await (this.pacer ? this.pacer.run(channel, send, { urgent: options.urgent === true }) : send());
      return { ts: String(posted.ts) };
    } catch (err) {
      const code = slackErrorCode(err);
      throw new ChatError(describeSlackError(err), { notMember: code !== undefined && NOT_A_MEMBER.has(code) });
    }
  }

  threadMessages(channel: string, ts: string): Promise<ThreadMessage[]> {
    return safely(async () => {
      const messages: ThreadMessage[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.client.conversations.replies({
          channel,
          ts,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of (page.messages ?? []) as Reply[]) {
          if (!m.ts) continue;
          const name = m.user_profile?.display_name || m.user_profile?.real_name;
          messages.push({
            userId: m.user ?? null,
            ...(name ? { userName: name } : {}),
            text: m.text ?? '',
            ts: m.ts,
            at: new Date(Number(m.ts) * 1000),
            bot: Boolean(m.bot_id) || m.subtype === 'bot_message',
          });
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor && messages.length < MAX_THREAD_MESSAGES);
      return messages;
    });
  }

  async displayName(userId: string): Promise<string | undefined> {
    try {
      const { user } = await this.client.users.info({ user: userId });
      return user?.profile?.display_name || user?.real_name || user?.name || undefined;
    } catch {
      // Not found, or no users:read.
      return undefined;
    }
  }

  upload(file: ChatFile): Promise<{ fileId?: string }> {
    return safely(async () => {
      const upload = {
        filename: file.filename,
        title: file.title,
        content: file.content,
        initial_comment: file.comment,
      };
      const uploaded = await (file.threadTs
        ? this.client.filesUploadV2({ ...upload, channel_id: file.channel, thread_ts: file.threadTs })
        : this.client.filesUploadV2({ ...upload, channel_id: file.channel }));
      const files = (uploaded as { files?: { files?: { id?: string }[] }[] }).files;
      const fileId = files?.[0]?.files?.[0]?.id;
      return fileId ? { fileId } : {};
    });
  }

  link(channel: string, ts: string): string {
    return messageLink(channel, ts);
  }
}
