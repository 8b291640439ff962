import type { WebClient } from '@slack/web-api';
import { describe, expect, it, vi } from 'vitest';
import { SlackChat } from '../../../src/adapters/slack/slack-chat.js';
import { ChatError } from '../../../src/application/runs/chat-port.js';

function client(answer: () => Promise<unknown>) {
  const postMessage = vi.fn(answer);
  return { client: { chat: { postMessage } } as unknown as WebClient, postMessage };
}

const slackError = (code: string) =>
  Object.assign(new Error(`An API error occurred: ${code}`), { data: { error: code } });

describe('SlackChat.post', () => {
  it('posts in a thread through the channel’s pacer, urgent when asked, and gives the ts', async () => {
    const { client: c, postMessage } = client(async () => ({ ok: true, ts: '1.5' }));
    const pacer = { run: vi.fn((_channel: string, post: () => Promise<unknown>) => post()) };
    const chat = new SlackChat(c, { pacer: pacer as never });
    const posted = await chat.post(
      'C1',
      { text: 'hi', blocks: [{ type: 'divider' }] },
      { threadTs: '1.1', urgent: true },
    );
    expect(posted).toEqual({ ts: '1.5' });
    expect(postMessage).toHaveBeenCalledWith({
      channel: 'C1',
      text: 'hi',
      blocks: [{ type: 'divider' }],
      thread_ts: '1.1',
    });
    expect(pacer.run).toHaveBeenCalledWith('C1', expect.any(Function), { urgent: true });
  });

  it('says when the app is not in the channel, with the error code only', async () => {
    const notMember = new SlackChat(client(() => Promise.reject(slackError('not_in_channel'))).client);
    const error = await notMember.post('C1', { text: 'hi' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ChatError);
    expect(error).toMatchObject({ message: 'not_in_channel', notMember: true });

    const limited = new SlackChat(client(() => Promise.reject(slackError('ratelimited'))).client);
    await expect(limited.post('C1', { text: 'hi' })).rejects.toMatchObject({
      message: 'ratelimited',
      notMember: false,
    });
  });
});
