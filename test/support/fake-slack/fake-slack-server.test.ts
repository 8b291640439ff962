import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import {
  type Logger,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  WebClientEvent,
  type WebClientOptions,
  LogLevel as WebLogLevel,
} from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCK_LIMITS,
  countVisibleText,
  FAKE_SLACK_DEFAULTS,
  type FakeSlack,
  startFakeSlack,
  UPLOAD_METHOD,
  validateMessageBlocks,
} from './fake-slack-server.js';
import { type ResponseUrlServer, startResponseUrlServer } from './response-url-server.js';
import {
  appMentionEvent,
  blockActionsBody,
  blockActionsPayload,
  computeSlackSignature,
  eventCallbackBody,
  JSON_CONTENT_TYPE,
  messageEvent,
  SLACK_REQUEST_DEFAULTS,
  signSlackRequest,
  slashCommandBody,
  urlVerificationBody,
} from './sign-request.js';

const TOKEN = FAKE_SLACK_DEFAULTS.token;
const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;

const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => WebLogLevel.ERROR,
  setName: () => {},
};

function client(fake: FakeSlack, options: WebClientOptions = {}, token: string | null = TOKEN): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logger: silentLogger,
    ...options,
  });
}

/** Awaits a call expected to fail with `ok: false` and returns the response body. */
async function platformError(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WebAPIPlatformError)) throw new Error(`expected a WebAPIPlatformError, got ${String(error)}`);
  return error.data as unknown as Record<string, unknown>;
}

function section(text: string, extra: Record<string, unknown> = {}) {
  return { type: 'section', text: { type: 'mrkdwn', text }, ...extra };
}

function button(text: string, action_id = 'act', extra: Record<string, unknown> = {}) {
  return { type: 'button', text: { type: 'plain_text', text }, action_id, ...extra };
}

describe('fake Slack Web API driven by the real WebClient', () => {
  let fake: FakeSlack;
  let clock = 1_800_000_000_000;

  beforeAll(async () => {
    fake = await startFakeSlack({ now: () => clock });
  });
  afterEach(() => {
    fake.reset();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('listens on 127.0.0.1 under /api/ and answers auth.test with the bot identity', async () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const res = await client(fake).auth.test();
    expect(res).toMatchObject({
      ok: true,
      user_id: FAKE_SLACK_DEFAULTS.botUserId,
      bot_id: FAKE_SLACK_DEFAULTS.botId,
      team_id: FAKE_SLACK_DEFAULTS.teamId,
    });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      seq: 1,
      method: 'auth.test',
      httpMethod: 'POST',
      token: TOKEN,
      status: 200,
      contentType: 'application/x-www-form-urlencoded',
      time: clock,
      error: undefined,
    });
  });

  it('answers not_authed without a token, invalid_auth with a wrong one, and honours a configured token', async () => {
    expect((await platformError(client(fake, {}, null).auth.test())).error).toBe('not_authed');
    expect(
      await platformError(client(fake, {}, 'xoxb-wrong').chat.postMessage({ channel: CHANNEL, text: 'x' })),
    ).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(fake.calls.map((c) => [c.status, c.error])).toEqual([
      [200, 'not_authed'],
      [200, 'invalid_auth'],
    ]);
    fake.setBehaviour({ token: 'xoxb-rotated' });
    expect((await platformError(client(fake).auth.test())).error).toBe('invalid_auth');
    await expect(client(fake, {}, 'xoxb-rotated').auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('answers unknown_method for methods it does not implement', async () => {
    expect((await platformError(client(fake).apiCall('chat.meMessage', { channel: CHANNEL }))).error).toBe(
      'unknown_method',
    );
  });

  it('posts messages with unique increasing ts, threads replies and records broadcast replies', async () => {
    const web = client(fake);
    const root = await web.chat.postMessage({ channel: CHANNEL, text: 'root', blocks: [section('*root*')] });
    expect(root.ts).toBe('1700000000.000100');
    expect(root.channel).toBe(CHANNEL);
    const reply = await web.chat.postMessage({ channel: CHANNEL, text: 'reply', thread_ts: root.ts as string });
    const broadcast = await web.chat.postMessage({
      channel: CHANNEL,
      text: 'also to channel',
      thread_ts: root.ts as string,
      reply_broadcast: true,
    });
    // A reply to a reply lands in the root's thread, as in Slack.
    const nested = await web.chat.postMessage({ channel: CHANNEL, text: 'nested', thread_ts: reply.ts as string });
    const all = [root, reply, broadcast, nested].map((r) => r.ts as string);
    expect(new Set(all).size).toBe(4);
    for (const ts of all) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
    expect([...all].sort()).toEqual(all);

    const messages = fake.channelMessages(CHANNEL);
    expect(messages.map((m) => [m.text, m.thread_ts, m.reply_broadcast])).toEqual([
      ['root', undefined, false],
      ['reply', root.ts, false],
      ['also to channel', root.ts, true],
      ['nested', root.ts, false],
    ]);
    expect(messages[0]?.blocks).toEqual([section('*root*')]);
    expect(messages[0]?.user).toBe(fake.botUserId);
    // Form-encoded blocks are recorded decoded.
    expect(fake.callsTo('chat.postMessage')[0]?.params.blocks).toEqual([section('*root*')]);
    expect(fake.thread(CHANNEL, root.ts as string).map((m) => m.text)).toEqual([
      'root',
      'reply',
      'also to channel',
      'nested',
    ]);
  });

  it('returns a thread with conversations.replies, paginated, and thread_not_found for an unknown ts', async () => {
    const web = client(fake);
    const alertTs = fake.seedMessage(CHANNEL, {
      subtype: 'bot_message',
      bot_id: 'B0ALERTMGR',
      username: 'Alertmanager',
      attachments: [{ title: '[FIRING:1] HighLatency checkout', color: 'danger' }],
    });
    await web.chat.postMessage({ channel: CHANNEL, text: 'diagnosing…', thread_ts: alertTs });
    await web.chat.postMessage({ channel: CHANNEL, text: 'done', thread_ts: alertTs });

    const res = await web.conversations.replies({ channel: CHANNEL, ts: alertTs });
    expect(res.has_more).toBe(false);
    expect(res.messages?.map((m) => [m.text, m.thread_ts])).toEqual([
      ['', alertTs],
      ['diagnosing…', alertTs],
      ['done', alertTs],
    ]);
    expect(res.messages?.[0]).toMatchObject({
      subtype: 'bot_message',
      bot_id: 'B0ALERTMGR',
      reply_count: 2,
      reply_users: [fake.botUserId],
      attachments: [{ title: '[FIRING:1] HighLatency checkout', color: 'danger' }],
    });

    const page1 = await web.conversations.replies({ channel: CHANNEL, ts: alertTs, limit: 2 });
    expect(page1.messages).toHaveLength(2);
    expect(page1.has_more).toBe(true);
    const page2 = await web.conversations.replies({
      channel: CHANNEL,
      ts: alertTs,
      limit: 2,
      cursor: page1.response_metadata?.next_cursor as string,
    });
    expect(page2.messages?.map((m) => m.text)).toEqual(['done']);

    expect((await platformError(web.conversations.replies({ channel: CHANNEL, ts: '1.000000' }))).error).toBe(
      'thread_not_found',
    );
  });

  it('updates messages by channel+ts keeping the edit history, and refuses unknown or foreign messages', async () => {
    const web = client(fake);
    const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'v1', blocks: [section('one')] });
    clock += 1000;
    const updated = await web.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'v2' });
    expect(updated).toMatchObject({ ok: true, channel: CHANNEL, ts: posted.ts, text: 'v2' });
    await web.chat.update({ channel: CHANNEL, ts: posted.ts as string, text: 'v3', blocks: [section('three')] });

    const [message] = fake.channelMessages(CHANNEL);
    expect(message?.text).toBe('v3');
    expect(message?.blocks).toEqual([section('three')]);
    expect(message?.edits.map((e) => [e.text, e.blocks])).toEqual([
      ['v1', [section('one')]],
      ['v2', [section('one')]], // blocks not sent in an update are kept
    ]);
    expect(message?.edits[0]?.replacedAt).toBe(clock);
    expect(message?.edited?.user).toBe(fake.botUserId);

    expect((await platformError(web.chat.update({ channel: CHANNEL, ts: '1700009999.000100', text: 'x' }))).error).toBe(
      'message_not_found',
    );
    const foreign = fake.seedMessage(CHANNEL, { text: 'alert', subtype: 'bot_message', bot_id: 'B0ALERTMGR' });
    expect((await platformError(web.chat.update({ channel: CHANNEL, ts: foreign, text: 'x' }))).error).toBe(
      'cant_update_message',
    );
  });

  it('posts ephemeral messages (not in channel history) and answers message_ts', async () => {
    const res = await client(fake).chat.postEphemeral({ channel: CHANNEL, user: 'U0ONCALL01', text: 'only you' });
    expect(res.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals).toEqual([
      expect.objectContaining({ channel: CHANNEL, user: 'U0ONCALL01', text: 'only you', message_ts: res.message_ts }),
    ]);
    expect(fake.channelMessages(CHANNEL)).toEqual([]);
  });

  it('enforces channel membership: not_in_channel (public), channel_not_found (private or unknown), joins', async () => {
    const web = client(fake);
    fake.setChannelMembership('C0PUBLIC02', false);
    fake.addChannel({ id: 'G0PRIVATE1', name: 'sre-private', isPrivate: true, isMember: false });

    expect((await platformError(web.chat.postMessage({ channel: 'C0PUBLIC02', text: 'x' }))).error).toBe(
      'not_in_channel',
    );
    expect((await platformError(web.conversations.replies({ channel: 'C0PUBLIC02', ts: '1.1' }))).error).toBe(
      'not_in_channel',
    );
    expect((await platformError(web.chat.postMessage({ channel: 'G0PRIVATE1', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    expect((await platformError(web.chat.postMessage({ channel: 'C0NOSUCH99', text: 'x' }))).error).toBe(
      'channel_not_found',
    );
    expect((await platformError(web.conversations.info({ channel: 'C0NOSUCH99' }))).error).toBe('channel_not_found');

    const info = await web.conversations.info({ channel: 'C0PUBLIC02' });
    expect(info.channel).toMatchObject({ id: 'C0PUBLIC02', is_member: false, is_private: false });

    // conversations.join works for public channels only (slack.md §2).
    expect((await platformError(web.conversations.join({ channel: 'G0PRIVATE1' }))).error).toBe('channel_not_found');
    fake.setChannelMembership('G0PRIVATE1', true);
    expect((await platformError(web.conversations.join({ channel: 'G0PRIVATE1' }))).error).toBe(
      'method_not_supported_for_channel_type',
    );
    const joined = await web.conversations.join({ channel: 'C0PUBLIC02' });
    expect(joined.channel?.is_member).toBe(true);
    await expect(web.chat.postMessage({ channel: 'C0PUBLIC02', text: 'now a member' })).resolves.toMatchObject({
      ok: true,
    });
    await expect(web.chat.postMessage({ channel: 'G0PRIVATE1', text: 'invited' })).resolves.toMatchObject({ ok: true });

    // With chat:write.public the bot may post in public channels it has not joined.
    fake.setChannelMembership('C0PUBLIC03', false);
    fake.setBehaviour({ chatWritePublic: true });
    await expect(web.chat.postMessage({ channel: 'C0PUBLIC03', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('resolves a channel given by #name', async () => {
    const res = await client(fake).chat.postMessage({ channel: '#alerts', text: 'by name' });
    expect(res.channel).toBe(CHANNEL);
  });

  it('answers users.info with a simple profile and user_not_found for ids that are not user ids', async () => {
    const web = client(fake);
    const res = await web.users.info({ user: 'U0ONCALL01' });
    expect(res.user).toMatchObject({ id: 'U0ONCALL01', name: 'u0oncall01', is_bot: false, tz: 'Etc/UTC' });
    expect((await web.users.info({ user: fake.botUserId })).user?.is_bot).toBe(true);
    expect((await platformError(web.users.info({ user: 'nobody' }))).error).toBe('user_not_found');
  });

  describe('Block Kit limits', () => {
    const invalid = async (blocks: unknown[], pointer: string) => {
      const data = await platformError(
        client(fake).chat.postMessage({ channel: CHANNEL, text: 'fallback', blocks: blocks as never }),
      );
      expect(data.error).toBe('invalid_blocks');
      expect(data.errors).toEqual(expect.arrayContaining([expect.stringContaining(`[json-pointer:${pointer}]`)]));
      expect((data.response_metadata as { messages: string[] }).messages[0]).toMatch(/^\[ERROR\] /);
    };
    const accepted = async (blocks: unknown[]) => {
      await expect(
        client(fake).chat.postMessage({ channel: CHANNEL, text: 'fallback', blocks: blocks as never }),
      ).resolves.toMatchObject({ ok: true });
    };

    it('accepts every limit exactly at its maximum', async () => {
      fake.setBehaviour({ postMessageLimit: false });
      await accepted(Array.from({ length: 50 }, () => ({ type: 'divider' })));
      await accepted([section('x'.repeat(3000))]);
      await accepted([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } }]);
      await accepted([{ type: 'actions', elements: [button('b'.repeat(75), 'a'.repeat(255))] }]);
      await accepted([section('x', { block_id: 'k'.repeat(255) })]);
    });

    it('answers invalid_blocks for more than 50 blocks', async () => {
      await invalid(
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        '/blocks',
      );
    });

    it('answers invalid_blocks for a section text over 3000 characters', async () => {
      await invalid([{ type: 'divider' }, section('x'.repeat(3001))], '/blocks/1/text/text');
    });

    it('answers invalid_blocks for a header over 150 characters', async () => {
      await invalid([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }], '/blocks/0/text/text');
    });

    it('answers invalid_blocks for a button text over 75 characters (in actions and as an accessory)', async () => {
      await invalid([{ type: 'actions', elements: [button('b'.repeat(76))] }], '/blocks/0/elements/0/text/text');
      await invalid([section('x', { accessory: button('b'.repeat(76)) })], '/blocks/0/accessory/text/text');
    });

    it('answers invalid_blocks for a block_id or action_id over 255 characters', async () => {
      await invalid([section('x', { block_id: 'k'.repeat(256) })], '/blocks/0/block_id');
      await invalid([{ type: 'actions', elements: [button('ok', 'a'.repeat(256))] }], '/blocks/0/elements/0/action_id');
    });

    it('answers invalid_blocks for an unknown block type (and for input blocks, which are modal-only)', async () => {
      await invalid([section('x'), { type: 'sparkline', text: 'x' }], '/blocks/1');
      await invalid(
        [{ type: 'input', label: { type: 'plain_text', text: 'l' }, element: { type: 'plain_text_input' } }],
        '/blocks/0',
      );
    });

    it('answers invalid_blocks for empty texts and duplicate block_ids', async () => {
      await invalid([section('')], '/blocks/0/text/text');
      await invalid([section('a', { block_id: 'same' }), section('b', { block_id: 'same' })], '/blocks/1/block_id');
    });

    it('answers invalid_blocks_format when blocks are not a JSON array, as Slack does', async () => {
      const web = client(fake);
      // WebClient sends strings as-is: a JSON object, and text that is not JSON.
      for (const blocks of ['{"blocks":[]}', 'not json']) {
        const data = await platformError(
          web.chat.postMessage({ channel: CHANNEL, text: 'x', blocks: blocks as never }),
        );
        expect(data.error).toBe('invalid_blocks_format');
      }
      expect(fake.channelMessages(CHANNEL)).toEqual([]);
    });

    it('answers msg_blocks_too_long when the visible text exceeds 12,000 characters', async () => {
      fake.setBehaviour({ postMessageLimit: false });
      const fourThousand = [section('x'.repeat(3000)), section('y'.repeat(1000))];
      // 3 × 4000 = 12,000 visible characters: accepted.
      await accepted([...fourThousand, ...fourThousand, ...fourThousand]);
      // One more character in a button: rejected although every single block is valid.
      const data = await platformError(
        client(fake).chat.postMessage({
          channel: CHANNEL,
          text: 'x',
          blocks: [
            ...fourThousand,
            ...fourThousand,
            ...fourThousand,
            { type: 'actions', elements: [button('z')] },
          ] as never,
        }),
      );
      expect(data).toMatchObject({ ok: false, error: 'msg_blocks_too_long' });
    });

    it('counts visible text as the code points of every `text` string, ignoring ids, values, urls and alt text', () => {
      const blocks = [
        { type: 'header', block_id: 'header-block', text: { type: 'plain_text', text: 'Héllo' } },
        section('ab', { fields: [{ type: 'mrkdwn', text: 'cd' }] }),
        { type: 'context', elements: [{ type: 'image', image_url: 'https://x/y.png', alt_text: 'ignored' }] },
        { type: 'actions', elements: [button('go', 'action-id', { value: 'ignored', url: 'https://ignored' })] },
        { type: 'markdown', text: '**md**' },
        { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: '🚨!' }] }] },
      ];
      // 5 (Héllo) + 2 + 2 + 2 (go) + 6 (**md**) + 2 (🚨 is one code point, ! one)
      expect(countVisibleText(blocks)).toBe(19);
      expect(validateMessageBlocks(blocks)).toEqual({ ok: true });
      expect(BLOCK_LIMITS.visibleText).toBe(12_000);
    });

    it('answers no_text without text, blocks or attachments; attachments alone are a message', async () => {
      const web = client(fake);
      expect((await platformError(web.chat.postMessage({ channel: CHANNEL } as never))).error).toBe('no_text');
      expect((await platformError(web.chat.postMessage({ channel: CHANNEL, text: '' }))).error).toBe('no_text');
      await expect(
        web.chat.postMessage({ channel: CHANNEL, attachments: [{ color: 'danger', title: 'FIRING' }] }),
      ).resolves.toMatchObject({ ok: true });
    });

    it('answers too_many_attachments over 100 attachments', async () => {
      fake.setBehaviour({ postMessageLimit: false });
      const web = client(fake);
      const attachments = Array.from({ length: 100 }, (_, i) => ({ text: `a${i}` }));
      await expect(web.chat.postMessage({ channel: CHANNEL, text: 'x', attachments })).resolves.toMatchObject({
        ok: true,
      });
      expect(
        (await platformError(web.chat.postMessage({ channel: CHANNEL, text: 'x', attachments: [...attachments, {}] })))
          .error,
      ).toBe('too_many_attachments');
    });

    it('validates blocks in chat.update and chat.postEphemeral too', async () => {
      const web = client(fake);
      const posted = await web.chat.postMessage({ channel: CHANNEL, text: 'x' });
      const tooLong = [section('x'.repeat(3001))] as never;
      expect(
        (await platformError(web.chat.update({ channel: CHANNEL, ts: posted.ts as string, blocks: tooLong }))).error,
      ).toBe('invalid_blocks');
      expect(
        (await platformError(web.chat.postEphemeral({ channel: CHANNEL, user: 'U0ONCALL01', blocks: tooLong }))).error,
      ).toBe('invalid_blocks');
      expect(fake.channelMessages(CHANNEL)[0]?.edits).toEqual([]);
    });
  });

  describe('rate limits', () => {
    it('limits chat.postMessage per channel with a burst, answering 429 + Retry-After', async () => {
      fake.setBehaviour({ postMessageLimit: { burst: 3, perSecond: 1 } });
      fake.setChannelMembership('C0OTHER001', true);
      const web = client(fake, { rejectRateLimitedCalls: true });
      for (let i = 0; i < 3; i++) await web.chat.postMessage({ channel: CHANNEL, text: `burst ${i}` });
      const error = await web.chat.postMessage({ channel: CHANNEL, text: 'one too many' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIRateLimitedError);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(1);
      // Another channel has its own bucket.
      await expect(web.chat.postMessage({ channel: 'C0OTHER001', text: 'elsewhere' })).resolves.toMatchObject({
        ok: true,
      });
      // One second later one more message is allowed, and only one.
      clock += 1000;
      await web.chat.postMessage({ channel: CHANNEL, text: 'after a second' });
      await expect(web.chat.postMessage({ channel: CHANNEL, text: 'again too fast' })).rejects.toBeInstanceOf(
        WebAPIRateLimitedError,
      );
      const limited = fake.calls.filter((c) => c.status === 429);
      expect(limited.map((c) => [c.method, c.retryAfter, c.response])).toEqual([
        ['chat.postMessage', 1, { ok: false, error: 'ratelimited' }],
        ['chat.postMessage', 1, { ok: false, error: 'ratelimited' }],
      ]);
      expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual([
        'burst 0',
        'burst 1',
        'burst 2',
        'after a second',
      ]);
    });

    it('sends the 429 exactly as Slack: status, Retry-After header in seconds, ratelimited body', async () => {
      fake.setBehaviour({ postMessageLimit: { burst: 1, perSecond: 0.25 } });
      const post = () =>
        fetch(`${fake.url}chat.postMessage`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: `channel=${CHANNEL}&text=hi`,
        });
      expect((await post()).status).toBe(200);
      const res = await post();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('4');
      expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
    });

    it('applies a configurable per-method tier limit', async () => {
      fake.setBehaviour({ methodLimits: { 'chat.update': { perMinute: 2 } } });
      const web = client(fake, { rejectRateLimitedCalls: true });
      const { ts } = await web.chat.postMessage({ channel: CHANNEL, text: 'v0' });
      await web.chat.update({ channel: CHANNEL, ts: ts as string, text: 'v1' });
      await web.chat.update({ channel: CHANNEL, ts: ts as string, text: 'v2' });
      const error = await web.chat.update({ channel: CHANNEL, ts: ts as string, text: 'v3' }).catch((e: unknown) => e);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(30);
      clock += 30_000;
      await expect(web.chat.update({ channel: CHANNEL, ts: ts as string, text: 'v3' })).resolves.toMatchObject({
        ok: true,
      });
      fake.setBehaviour({ methodLimits: false });
      for (let i = 0; i < 5; i++) await web.chat.update({ channel: CHANNEL, ts: ts as string, text: `free ${i}` });
    });
  });

  describe('fault injection', () => {
    it('fails the next call with HTTP 500 (WebAPIHTTPError), then behaves again', async () => {
      fake.failNext('chat.postMessage', { status: 500 });
      const web = client(fake);
      const error = await web.chat.postMessage({ channel: CHANNEL, text: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIHTTPError);
      expect((error as WebAPIHTTPError).statusCode).toBe(500);
      await expect(web.chat.postMessage({ channel: CHANNEL, text: 'x' })).resolves.toMatchObject({ ok: true });
      expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([500, 200]);
    });

    it('fails with a platform error code', async () => {
      fake.failNext('conversations.replies', { error: 'internal_error' });
      const data = await platformError(client(fake).conversations.replies({ channel: CHANNEL, ts: '1.1' }));
      expect(data).toMatchObject({ ok: false, error: 'internal_error' });
    });

    it('drops the connection (WebAPIRequestError)', async () => {
      fake.failNext('auth.test', { networkDrop: true });
      const error = await client(fake)
        .auth.test()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIRequestError);
      expect(fake.calls[0]).toMatchObject({ method: 'auth.test', status: 0 });
    });

    it('answers 429 with the given Retry-After; any method with "*"', async () => {
      fake.failNext('*', { retryAfter: 7 });
      const error = await client(fake, { rejectRateLimitedCalls: true })
        .users.info({ user: 'U0ONCALL01' })
        .catch((e: unknown) => e);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
    });

    it('lets WebClient with its default retry policy wait out Retry-After and succeed', async () => {
      const web = new WebClient(TOKEN, { slackApiUrl: fake.url, logger: silentLogger });
      const rateLimited: number[] = [];
      web.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
      fake.failNext('chat.postMessage', { retryAfter: 1 });
      const started = Date.now();
      const res = await web.chat.postMessage({ channel: CHANNEL, text: 'patient' });
      expect(res.ok).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(rateLimited).toEqual([1]);
      expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
      expect(fake.channelMessages(CHANNEL).map((m) => m.text)).toEqual(['patient']);
    });

    it('lets WebClient with its default retry policy wait out the per-channel limiter', async () => {
      const realClock = await startFakeSlack({ postMessageLimit: { burst: 1, perSecond: 1 } });
      try {
        const web = new WebClient(TOKEN, { slackApiUrl: realClock.url, logger: silentLogger });
        await web.chat.postMessage({ channel: CHANNEL, text: 'first' });
        await web.chat.postMessage({ channel: CHANNEL, text: 'second' });
        expect(realClock.callsTo('chat.postMessage').map((c) => [c.status, c.retryAfter])).toEqual([
          [200, undefined],
          [429, 1],
          [200, undefined],
        ]);
      } finally {
        await realClock.stop();
      }
    });
  });

  it('stores files uploaded with filesUploadV2 and shares them into the thread', async () => {
    const web = client(fake);
    const root = await web.chat.postMessage({ channel: CHANNEL, text: 'diagnosis' });
    const res = await web.filesUploadV2({
      channel_id: CHANNEL,
      thread_ts: root.ts as string,
      initial_comment: 'full report',
      filename: 'report.md',
      title: 'Report',
      content: '# Report\nAll good.\n',
    });
    expect(res.ok).toBe(true);
    expect(fake.calls.map((c) => c.method)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      UPLOAD_METHOD,
      'files.completeUploadExternal',
    ]);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.params).toMatchObject({
      filename: 'report.md',
      length: '19',
    });
    expect(fake.callsTo('files.completeUploadExternal')[0]?.params).toMatchObject({
      channel_id: CHANNEL,
      thread_ts: root.ts,
      initial_comment: 'full report',
      files: [{ id: fake.files[0]?.id, title: 'Report' }],
    });
    const [file] = fake.files;
    expect(file).toMatchObject({ filename: 'report.md', length: 19, title: 'Report', completed: true });
    expect(file?.content?.toString('utf8')).toBe('# Report\nAll good.\n');
    const share = fake.thread(CHANNEL, root.ts as string)[1];
    expect(share).toMatchObject({ text: 'full report', files: [{ id: file?.id, name: 'report.md', title: 'Report' }] });
  });

  it('refuses to complete an upload whose bytes never arrived, and an upload into a channel the bot is not in', async () => {
    const web = client(fake);
    const { file_id } = await web.files.getUploadURLExternal({ filename: 'a.txt', length: 1 });
    expect(
      (
        await platformError(
          web.files.completeUploadExternal({ files: [{ id: file_id as string }], channel_id: CHANNEL }),
        )
      ).error,
    ).toBe('file_not_found');
    fake.setChannelMembership('C0PUBLIC02', false);
    const error = await web
      .filesUploadV2({ channel_id: 'C0PUBLIC02', filename: 'b.txt', content: 'b' })
      .catch((e: unknown) => e);
    expect((error as WebAPIPlatformError).data.error).toBe('not_in_channel');
  });

  it('accepts JSON bodies with the token in the Authorization header', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: CHANNEL, text: 'json', blocks: [section('json')] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: CHANNEL });
    expect(fake.calls[0]?.params).toEqual({ channel: CHANNEL, text: 'json', blocks: [section('json')] });
  });

  it('resets to the initial state', async () => {
    const web = client(fake);
    fake.setChannelMembership(CHANNEL, false);
    fake.setBehaviour({ token: 'xoxb-other' });
    fake.failNext('auth.test', { status: 503 });
    fake.seedMessage(CHANNEL, { text: 'old' });
    fake.reset();
    expect(fake.calls).toEqual([]);
    expect(fake.channelMessages(CHANNEL)).toEqual([]);
    await expect(web.auth.test()).resolves.toMatchObject({ ok: true });
    await expect(web.chat.postMessage({ channel: CHANNEL, text: 'fresh' })).resolves.toMatchObject({
      ts: '1700000000.000100',
    });
  });
});

describe('signSlackRequest and request bodies', () => {
  const vector = {
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    timestamp: 1531420618,
    body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };

  it("matches Slack's official test vector", () => {
    expect(signSlackRequest({ signingSecret: vector.secret, body: vector.body, timestamp: vector.timestamp })).toEqual({
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': vector.signature,
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(computeSlackSignature(vector.secret, '1531420618', `${vector.body} `)).not.toBe(vector.signature);
  });

  it("rebuilds the vector's slash-command body field for field", () => {
    const body = slashCommandBody({
      token: 'xyzz0WbapA4vBCDEFasx0q6G',
      team_id: 'T1DC2JH3J',
      team_domain: 'testteamnow',
      channel_id: 'G8PSS9T3V',
      channel_name: 'foobar',
      user_id: 'U2CERLKJA',
      user_name: 'roadrunner',
      command: '/webhook-collect',
      text: '',
      api_app_id: null,
      is_enterprise_install: null,
      response_url: 'https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN',
      trigger_id: '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    });
    expect(body).toBe(vector.body);
  });

  it('defaults the timestamp to now and builds every slash-command field', () => {
    const headers = signSlackRequest({ signingSecret: 's', body: 'a=b' });
    expect(Math.abs(Number(headers['X-Slack-Request-Timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const fields = Object.fromEntries(
      new URLSearchParams(slashCommandBody({ text: 'latency for checkout', response_url: 'http://127.0.0.1:1/r' })),
    );
    expect(Object.keys(fields)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(fields).toMatchObject({
      command: '/diagnose',
      text: 'latency for checkout',
      is_enterprise_install: 'false',
    });
  });

  it('builds block_actions (payload=…), event_callback and url_verification bodies', () => {
    const form = new URLSearchParams(
      blockActionsBody({
        actions: [{ action_id: 'rerun', value: 'run-1' }],
        response_url: 'http://r',
        message_ts: '1.2',
      }),
    );
    expect([...form.keys()]).toEqual(['payload']);
    const payload = JSON.parse(form.get('payload') ?? '');
    expect(payload).toMatchObject({
      type: 'block_actions',
      response_url: 'http://r',
      container: { type: 'message', message_ts: '1.2', channel_id: SLACK_REQUEST_DEFAULTS.channelId },
      actions: [{ action_id: 'rerun', value: 'run-1', type: 'button' }],
    });
    const envelope = JSON.parse(eventCallbackBody(appMentionEvent({ text: '<@U0TRIAGEBOT> diagnose' })));
    expect(envelope).toMatchObject({ type: 'event_callback', event: { type: 'app_mention' } });
    expect(envelope.event_id).toMatch(/^Ev/);
    expect(typeof envelope.event_time).toBe('number');
    const webhookPost = messageEvent({ subtype: 'bot_message', bot_id: 'B0AM', attachments: [{ title: 'x' }] });
    expect(webhookPost).not.toHaveProperty('user');
    expect(JSON.parse(urlVerificationBody('abc'))).toEqual({
      token: SLACK_REQUEST_DEFAULTS.token,
      challenge: 'abc',
      type: 'url_verification',
    });
  });
});

describe('Bolt end to end: signed requests in, fake Web API and response_url out', () => {
  const signingSecret = 'test-signing-secret';
  let fake: FakeSlack;
  let responses: ResponseUrlServer;
  let app: App;
  let appUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    responses = await startResponseUrlServer();
    app = new App({
      token: TOKEN,
      signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: silentLogger },
    });
    app.command('/diagnose', async ({ ack, respond, say, command }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: `working on ${command.text}` });
      await say({ text: `diagnosis of ${command.text}` });
    });
    app.action('rerun', async ({ ack, respond }) => {
      await ack();
      try {
        await respond({ replace_original: false, text: 'rerunning' });
      } catch (e) {
        seen.push(`respond failed: ${(e as { code?: string }).code} ${(e as { statusCode?: number }).statusCode}`);
      }
    });
    app.event('app_mention', async ({ event, client }) => {
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'on it' });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterEach(() => {
    fake.reset();
    responses.reset();
  });
  afterAll(async () => {
    await app.stop();
    await responses.stop();
    await fake.stop();
  });

  const post = (body: string, contentType?: typeof JSON_CONTENT_TYPE) =>
    fetch(appUrl, {
      method: 'POST',
      headers: { ...signSlackRequest({ signingSecret, body, ...(contentType ? { contentType } : {}) }) },
      body,
    });

  it('acks a signed /diagnose, respond()s to the response_url and says in the channel', async () => {
    const responseUrl = responses.newUrl();
    const res = await post(slashCommandBody({ text: 'latency for checkout', response_url: responseUrl }));
    expect(res.status).toBe(200);
    const [reply] = await responses.waitForRequests({ url: responseUrl });
    expect(reply?.body).toEqual({ response_type: 'ephemeral', text: 'working on latency for checkout' });
    const call = await fake.waitForCall('chat.postMessage');
    expect(call.params).toMatchObject({
      channel: SLACK_REQUEST_DEFAULTS.channelId,
      text: 'diagnosis of latency for checkout',
    });
  });

  it('rejects a bad signature with 401', async () => {
    const body = slashCommandBody({ response_url: responses.newUrl() });
    const res = await fetch(appUrl, {
      method: 'POST',
      headers: { ...signSlackRequest({ signingSecret: 'wrong', body }) },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('handles an app_mention event_callback by replying in its thread', async () => {
    const event = appMentionEvent({ text: '<@U0TRIAGEBOT> why is checkout slow?' });
    const res = await post(eventCallbackBody(event), JSON_CONTENT_TYPE);
    expect(res.status).toBe(200);
    const call = await fake.waitForCall('chat.postMessage');
    expect(call.params).toMatchObject({ thread_ts: event.ts, text: 'on it' });
    expect(fake.channelMessages(SLACK_REQUEST_DEFAULTS.channelId)[0]?.thread_ts).toBe(event.ts);
  });

  it('acks a block_actions button and respond()s; a failing response_url surfaces as RespondError', async () => {
    const responseUrl = responses.newUrl();
    const body = blockActionsBody({ actions: [{ action_id: 'rerun', value: 'run-1' }], response_url: responseUrl });
    expect((await post(body)).status).toBe(200);
    const [reply] = await responses.waitForRequests({ url: responseUrl });
    expect(reply?.body).toEqual({ replace_original: false, text: 'rerunning' });
    expect(reply?.headers['content-type']).toContain('application/json');

    responses.failNext(500);
    const failing = responses.newUrl();
    const payload = blockActionsPayload({ actions: [{ action_id: 'rerun' }], response_url: failing });
    expect((await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
    await responses.waitForRequests({ url: failing });
    await expect.poll(() => seen).toContain('respond failed: slack_bolt_respond_error 500');
  });
});
