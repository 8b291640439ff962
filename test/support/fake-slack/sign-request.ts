/**
 * Builds and signs the requests Slack sends to an app (slack.md §1–§3), for driving Bolt's HTTPReceiver in tests.
 *
 * Signature: `X-Slack-Signature: v0=<hex HMAC-SHA256(signingSecret, "v0:<timestamp>:<raw body>")>` with
 * `X-Slack-Request-Timestamp: <unix seconds>`. Bolt parses the body as a form **only** when the content type is
 * exactly `application/x-www-form-urlencoded` (Node's fetch adds `;charset=UTF-8` to a URLSearchParams body, which
 * Bolt then tries to JSON.parse → 400), so always send the headers returned here and a string body.
 */
import { createHmac } from 'node:crypto';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
export const JSON_CONTENT_TYPE = 'application/json';

export interface SignSlackRequestOptions {
  signingSecret: string;
  /** The exact raw body that will be sent. */
  body: string;
  /** Unix seconds; default now. Bolt rejects timestamps more than 5 minutes old. */
  timestamp?: number | string;
  /** Default the form content type; use {@link JSON_CONTENT_TYPE} for Events API (`event_callback`) bodies. */
  contentType?: typeof FORM_CONTENT_TYPE | typeof JSON_CONTENT_TYPE;
}

export interface SlackSignedHeaders {
  'X-Slack-Request-Timestamp': string;
  'X-Slack-Signature': string;
  'Content-Type': string;
}

/** `v0=` + hex HMAC-SHA256 over `v0:${timestamp}:${body}`. */
export function computeSlackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signSlackRequest(options: SignSlackRequestOptions): SlackSignedHeaders {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'X-Slack-Request-Timestamp': timestamp,
    'X-Slack-Signature': computeSlackSignature(options.signingSecret, timestamp, options.body),
    'Content-Type': options.contentType ?? FORM_CONTENT_TYPE,
  };
}

/** Defaults shared by the builders (match the fake Web API's identity). */
export const SLACK_REQUEST_DEFAULTS = {
  token: 'fake-verification-token',
  teamId: 'T0FAKE0001',
  teamDomain: 'triage-test',
  apiAppId: 'A0TRIAGEAPP',
  botUserId: 'U0TRIAGEBOT',
  userId: 'U0ONCALL01',
  userName: 'oncall',
  channelId: 'C0ALERTS01',
  channelName: 'alerts',
} as const;

let triggerCounter = 0;
function nextTriggerId(): string {
  triggerCounter += 1;
  return `${1_000_000_000 + triggerCounter}.47445629121.${triggerCounter.toString(16).padStart(32, '0')}`;
}

/**
 * Slash command fields (bolt `SlashCommand`). `null` leaves a field out of the body (e.g. to reproduce an exact
 * historical body); `undefined`/absent uses the default.
 */
export interface SlashCommandFields {
  token?: string | null;
  team_id?: string | null;
  team_domain?: string | null;
  enterprise_id?: string | null;
  enterprise_name?: string | null;
  channel_id?: string | null;
  channel_name?: string | null;
  user_id?: string | null;
  user_name?: string | null;
  command?: string | null;
  text?: string | null;
  api_app_id?: string | null;
  is_enterprise_install?: 'true' | 'false' | null;
  /** Required: where `respond()` will POST (e.g. a {@link startResponseUrlServer} URL). */
  response_url: string;
  trigger_id?: string | null;
}

/**
 * Form body of a slash command, fields in Slack's order. Defaults: `/diagnose`, empty text, the default
 * team/channel/user, `is_enterprise_install=false`; `enterprise_id`/`enterprise_name` only when given.
 */
export function slashCommandBody(fields: SlashCommandFields): string {
  const d = SLACK_REQUEST_DEFAULTS;
  const ordered: Array<[keyof SlashCommandFields, string | null | undefined, string | undefined]> = [
    ['token', fields.token, d.token],
    ['team_id', fields.team_id, d.teamId],
    ['team_domain', fields.team_domain, d.teamDomain],
    ['enterprise_id', fields.enterprise_id, undefined],
    ['enterprise_name', fields.enterprise_name, undefined],
    ['channel_id', fields.channel_id, d.channelId],
    ['channel_name', fields.channel_name, d.channelName],
    ['user_id', fields.user_id, d.userId],
    ['user_name', fields.user_name, d.userName],
    ['command', fields.command, '/diagnose'],
    ['text', fields.text, ''],
    ['api_app_id', fields.api_app_id, d.apiAppId],
    ['is_enterprise_install', fields.is_enterprise_install, 'false'],
    ['response_url', fields.response_url, undefined],
    ['trigger_id', fields.trigger_id, nextTriggerId()],
  ];
  const form = new URLSearchParams();
  for (const [key, given, fallback] of ordered) {
    if (given === null) continue;
    const value = given ?? fallback;
    if (value !== undefined) form.append(key, value);
  }
  return form.toString();
}

export interface ButtonAction {
  action_id: string;
  block_id?: string;
  value?: string;
  text?: string;
}

export interface BlockActionsOptions {
  actions: readonly ButtonAction[];
  /** Where `respond()` will POST. */
  response_url: string;
  channel_id?: string;
  channel_name?: string;
  user_id?: string;
  user_name?: string;
  team_id?: string;
  /** ts of the message holding the buttons. */
  message_ts?: string;
  /** Thread of that message, if it is a reply. */
  thread_ts?: string;
  /** The message as Slack would include it (default a minimal bot message with `message_ts`). */
  message?: Record<string, unknown>;
  /** Override / add top-level payload fields. */
  extra?: Record<string, unknown>;
}

/** The JSON payload of a `block_actions` interaction on button(s) in a channel message. */
export function blockActionsPayload(options: BlockActionsOptions): Record<string, unknown> {
  const d = SLACK_REQUEST_DEFAULTS;
  const teamId = options.team_id ?? d.teamId;
  const channelId = options.channel_id ?? d.channelId;
  const userId = options.user_id ?? d.userId;
  const messageTs = options.message_ts ?? '1700000000.000100';
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: {
      id: userId,
      username: options.user_name ?? d.userName,
      name: options.user_name ?? d.userName,
      team_id: teamId,
    },
    api_app_id: d.apiAppId,
    token: d.token,
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: channelId,
      is_ephemeral: false,
      ...(options.thread_ts === undefined ? {} : { thread_ts: options.thread_ts }),
    },
    trigger_id: nextTriggerId(),
    team: { id: teamId, domain: d.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: options.channel_name ?? d.channelName },
    message: options.message ?? {
      type: 'message',
      user: d.botUserId,
      ts: messageTs,
      text: '',
      ...(options.thread_ts === undefined ? {} : { thread_ts: options.thread_ts }),
    },
    state: { values: {} },
    response_url: options.response_url,
    actions: options.actions.map((a) => ({
      action_id: a.action_id,
      block_id: a.block_id ?? 'actions',
      text: { type: 'plain_text', text: a.text ?? a.action_id, emoji: true },
      ...(a.value === undefined ? {} : { value: a.value }),
      type: 'button',
      action_ts: actionTs,
    })),
    ...options.extra,
  };
}

/** Form body `payload=<url-encoded JSON>` of a `block_actions` interaction. */
export function blockActionsBody(options: BlockActionsOptions): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(options)) }).toString();
}

export interface AppMentionEventInit {
  text: string;
  user?: string;
  channel?: string;
  ts?: string;
  thread_ts?: string;
}

export interface MessageEventInit {
  text?: string;
  user?: string;
  channel?: string;
  channel_type?: 'channel' | 'group' | 'im' | 'mpim';
  ts?: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
  username?: string;
  attachments?: unknown[];
  blocks?: unknown[];
}

let eventTsCounter = 0;
function nextEventTs(): string {
  eventTsCounter += 1;
  return `1700001000.${String(eventTsCounter * 100).padStart(6, '0')}`;
}

export function appMentionEvent(init: AppMentionEventInit): Record<string, unknown> {
  const d = SLACK_REQUEST_DEFAULTS;
  const ts = init.ts ?? nextEventTs();
  return {
    type: 'app_mention',
    user: init.user ?? d.userId,
    text: init.text,
    ts,
    channel: init.channel ?? d.channelId,
    event_ts: ts,
    ...(init.thread_ts === undefined ? {} : { thread_ts: init.thread_ts }),
  };
}

/**
 * A `message` event. A user message has `user` and no subtype; pass `subtype: 'bot_message'` + `bot_id` (and no
 * user) for an incoming-webhook post such as Alertmanager's (slack.md §3).
 */
export function messageEvent(init: MessageEventInit): Record<string, unknown> {
  const d = SLACK_REQUEST_DEFAULTS;
  const ts = init.ts ?? nextEventTs();
  const isBotMessage = init.subtype === 'bot_message';
  const event: Record<string, unknown> = {
    type: 'message',
    channel: init.channel ?? d.channelId,
    channel_type: init.channel_type ?? 'channel',
    ts,
    event_ts: ts,
    text: init.text ?? '',
  };
  const user = init.user ?? (isBotMessage ? undefined : d.userId);
  if (user !== undefined) event.user = user;
  if (init.subtype !== undefined) event.subtype = init.subtype;
  if (init.bot_id !== undefined) event.bot_id = init.bot_id;
  if (init.username !== undefined) event.username = init.username;
  if (init.thread_ts !== undefined) event.thread_ts = init.thread_ts;
  if (init.attachments !== undefined) event.attachments = init.attachments;
  if (init.blocks !== undefined) event.blocks = init.blocks;
  return event;
}

export interface EventCallbackOptions {
  event_id?: string;
  /** Unix seconds; default now. */
  event_time?: number;
  team_id?: string;
  api_app_id?: string;
}

let eventIdCounter = 0;

/** The JSON body of an Events API `event_callback` envelope (send with {@link JSON_CONTENT_TYPE}). */
export function eventCallbackBody(event: Record<string, unknown>, options: EventCallbackOptions = {}): string {
  const d = SLACK_REQUEST_DEFAULTS;
  eventIdCounter += 1;
  const teamId = options.team_id ?? d.teamId;
  return JSON.stringify({
    token: d.token,
    team_id: teamId,
    api_app_id: options.api_app_id ?? d.apiAppId,
    event,
    type: 'event_callback',
    event_id: options.event_id ?? `Ev${String(eventIdCounter).padStart(10, '0')}`,
    event_time: options.event_time ?? Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: teamId, user_id: d.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    context_team_id: teamId,
  });
}

/** The JSON body of Slack's `url_verification` handshake. */
export function urlVerificationBody(challenge: string): string {
  return JSON.stringify({ token: SLACK_REQUEST_DEFAULTS.token, challenge, type: 'url_verification' });
}
