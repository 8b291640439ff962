/**
 * A local fake of the Slack Web API for tests, speaking the wire format `@slack/web-api` v8 uses (slack.md §1, §4):
 * `POST ${slackApiUrl}${method}` with an `application/x-www-form-urlencoded` body whose non-scalar values
 * (`blocks`, `attachments`, `files`) are JSON strings, or a JSON body; the token in `Authorization: Bearer …` (a form
 * `token` field is accepted too, as Slack does). Pass `fake.url` as Bolt's `clientOptions.slackApiUrl` or as
 * `new WebClient(token, { slackApiUrl: fake.url, retryConfig: { retries: 0 } })`.
 *
 * Answers follow Slack: HTTP 200 with `{ ok: false, error: "<code>" }` for every platform error; HTTP 429 with a
 * `Retry-After` header (seconds) and `{ ok: false, error: "ratelimited" }` for rate limits. Error codes are Slack's;
 * the human-readable `errors` / `response_metadata.messages` strings of `invalid_blocks` imitate Slack's style
 * (`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`) but are not guaranteed verbatim.
 *
 * Visible text (`msg_blocks_too_long`): see {@link countVisibleText}. Every string stored under a key named `text`
 * anywhere inside the blocks (text objects in sections, fields, headers, context elements, buttons, options, confirm
 * dialogs; `markdown` block text; rich-text leaves) counts, in Unicode code points. Ids, URLs, `value`s and
 * `alt_text` do not count. More than 12,000 → `msg_blocks_too_long` (Slack's maintainers quote "12,000 text
 * characters with a buffer for block containers"; Slack has been seen to accept ~13k, so the fake is the stricter).
 *
 * Order of checks for an API call: injected fault → unknown method (`unknown_method`) → token (`not_authed` /
 * `invalid_auth`) → per-method tier limit (429) → the method: channel (`channel_not_found`, `not_in_channel`,
 * `is_archived`) → content (`invalid_blocks_format`, `invalid_blocks`, `msg_blocks_too_long`, `invalid_attachments`,
 * `too_many_attachments`, `no_text`) → per-channel `chat.postMessage` limit (429; only calls that would succeed use
 * up the burst). A `thread_ts` naming a reply is moved to its root, as Slack does; an unknown `thread_ts` is stored
 * as given (Slack does not reject it either).
 *
 * Listens on 127.0.0.1 only. Nothing here talks to the real Slack.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------

/** Token bucket for `chat.postMessage`, per channel: `burst` messages at once, refilled at `perSecond`. */
export interface PostMessageRateLimit {
  burst: number;
  perSecond: number;
}

/** Token bucket for one Web API method (workspace-wide): `burst` calls at once (default `perMinute`), refilled at `perMinute`. */
export interface MethodRateLimit {
  perMinute: number;
  burst?: number;
}

/** Knobs that can be changed while the fake runs ({@link FakeSlack.setBehaviour}). */
export interface FakeSlackBehaviour {
  /** Bot token(s) accepted; anything else → `invalid_auth`, none at all → `not_authed`. Default `xoxb-fake-bot-token`. */
  token: string | readonly string[];
  /** Per-channel `chat.postMessage` limit (Slack: "one message per second per channel", short bursts allowed). `false` disables. Default `{ burst: 5, perSecond: 1 }`. */
  postMessageLimit: PostMessageRateLimit | false;
  /** Per-method limits merged over {@link DEFAULT_METHOD_LIMITS} (Slack tiers); a method set to `false` is unlimited; `false` disables them all. */
  methodLimits: Readonly<Record<string, MethodRateLimit | false>> | false;
  /** Behave as if the app has `chat:write.public`: posting to a public channel works without membership. Default `false`. */
  chatWritePublic: boolean;
  /** Delay every answer by this many milliseconds (to test timeouts / the 3-second ack). Default 0. */
  delayMs: number;
}

export interface FakeChannelInit {
  id: string;
  name?: string;
  /** Private channel (group): non-members get `channel_not_found` instead of `not_in_channel`, and cannot join. */
  isPrivate?: boolean;
  /** Is the bot a member? Default true. */
  isMember?: boolean;
  isArchived?: boolean;
}

export interface FakeUserInit {
  name?: string;
  real_name?: string;
  tz?: string;
  tz_offset?: number;
  is_bot?: boolean;
}

export interface FakeSlackOptions extends Partial<FakeSlackBehaviour> {
  /** Listen port; default 0 (ephemeral). */
  port?: number;
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  appId?: string;
  /** Channels that exist; default one public channel {@link FAKE_SLACK_DEFAULTS}.channelId (`#alerts`) with the bot in it. */
  channels?: readonly FakeChannelInit[];
  /** Users known to `users.info` (any other `U…`/`W…` id gets a synthesised profile; other ids → `user_not_found`). */
  users?: Readonly<Record<string, FakeUserInit>>;
  /** User groups (`S…` id → member user ids) for `usergroups.users.list`; any other id → `no_such_subteam`. */
  userGroups?: Readonly<Record<string, readonly string[]>>;
  /** Clock (ms since epoch) for rate limits and recorded times; default `Date.now`. */
  now?: () => number;
  /** Seconds part of the first message `ts`; default 1700000000 (→ `1700000000.000100`, `1700000000.000200`, …). */
  tsBaseSeconds?: number;
}

/** One request the fake received. */
export interface RecordedCall {
  /** 1-based arrival order. */
  seq: number;
  /** Web API method (`chat.postMessage`), or {@link UPLOAD_METHOD} for the file upload URL. */
  method: string;
  httpMethod: string;
  path: string;
  /** Parameters, with `blocks`, `attachments`, `files` and `metadata` JSON-decoded when they were JSON strings. */
  params: Record<string, unknown>;
  /** Token from `Authorization: Bearer` or the form `token` field. */
  token: string | undefined;
  contentType: string | undefined;
  /** When the request arrived (fake clock, ms). */
  time: number;
  /** HTTP status answered; 0 when the connection was dropped on purpose. */
  status: number;
  /** Retry-After (seconds) sent with a 429. */
  retryAfter: number | undefined;
  /** The JSON body answered (for the upload URL: the text body). Undefined when dropped. */
  response: unknown;
  /** Slack error code when the answer was `ok: false`. */
  error: string | undefined;
}

/** A previous version of a message, kept when `chat.update` replaces it. */
export interface MessageVersion {
  text: string | undefined;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  /** Fake-clock ms at which this version was replaced. */
  replacedAt: number;
}

export interface FakeFileRef {
  id: string;
  name: string;
  title: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  /** The thread root's ts for replies; undefined for top-level messages. */
  thread_ts: string | undefined;
  text: string | undefined;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: unknown;
  user: string | undefined;
  bot_id: string | undefined;
  username: string | undefined;
  subtype: string | undefined;
  reply_broadcast: boolean;
  files: FakeFileRef[] | undefined;
  /** `api` when posted through the fake's Web API (by the app), `seed` when created with {@link FakeSlack.seedMessage}. */
  source: 'api' | 'seed';
  /** Earlier versions, oldest first (empty if never updated). */
  edits: MessageVersion[];
  edited: { user: string; ts: string } | undefined;
}

/** All text of a message (fallback and blocks), for content assertions. */
export function textOf(m: FakeMessage | undefined): string {
  return `${m?.text ?? ''}\n${JSON.stringify(m?.blocks ?? [])}`;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts: string | undefined;
  text: string | undefined;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
}

export interface FakeFile {
  id: string;
  filename: string;
  /** Declared with files.getUploadURLExternal. */
  length: number;
  alt_text: string | undefined;
  snippet_type: string | undefined;
  title: string | undefined;
  /** Bytes received at the upload URL (undefined until uploaded). */
  content: Buffer | undefined;
  completed: boolean;
  channel: string | undefined;
  thread_ts: string | undefined;
  initial_comment: string | undefined;
}

export interface SeedMessageInit {
  text?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  subtype?: string;
  thread_ts?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export type Fault =
  | { status: number; body?: string }
  | { error: string; extra?: Record<string, unknown> }
  | { retryAfter: number }
  | { networkDrop: true };

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: Bolt's `clientOptions.slackApiUrl` / WebClient's `slackApiUrl`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  /** Every request, in arrival order (live array; cleared by `reset()`). */
  calls: RecordedCall[];
  /** Messages per channel id, in ts order, including seeded ones (live map). */
  messages: ReadonlyMap<string, FakeMessage[]>;
  ephemerals: FakeEphemeral[];
  files: FakeFile[];
  /** `calls` for one method. */
  callsTo(method: string): RecordedCall[];
  /** Messages of one channel (empty array if none). */
  channelMessages(channelId: string): FakeMessage[];
  /** `[root, ...replies]` of a thread, or empty if `ts` is unknown. */
  thread(channelId: string, ts: string): FakeMessage[];
  /** Resolves once `method` has been called `count` (default 1) times in total; rejects after `timeoutMs` (default 5000). */
  waitForCall(method: string, options?: { count?: number; timeoutMs?: number }): Promise<RecordedCall>;
  /** Sets whether the bot is in `channelId`, creating the channel (public unless the id starts with `G`) if unknown. */
  setChannelMembership(channelId: string, isMember: boolean): void;
  addChannel(channel: FakeChannelInit): void;
  /** Adds a message as if someone else (a user, Alertmanager, Grafana) posted it; returns its ts. */
  seedMessage(channelId: string, message: SeedMessageInit): string;
  setBehaviour(behaviour: Partial<FakeSlackBehaviour>): void;
  /** The next call(s) of `method` (or `*` for any method; {@link UPLOAD_METHOD} for the upload URL) fail as described. */
  failNext(method: string, fault: Fault, times?: number): void;
  /** Back to the state right after start: no calls, messages, files or faults; channels, behaviour and ts counter reset. */
  reset(): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

export const FAKE_SLACK_DEFAULTS = {
  token: 'xoxb-fake-bot-token',
  teamId: 'T0FAKE0001',
  teamName: 'Triage Test',
  teamDomain: 'triage-test',
  botUserId: 'U0TRIAGEBOT',
  botId: 'B0TRIAGEBOT',
  botName: 'triage',
  appId: 'A0TRIAGEAPP',
  channelId: 'C0ALERTS01',
  channelName: 'alerts',
  tsBaseSeconds: 1_700_000_000,
} as const;

/** Recorded method name for POSTs to a file upload URL. */
export const UPLOAD_METHOD = 'upload';

/** Slack's tiers, per minute (https://api.slack.com/docs/rate-limits): 1 → 1+, 2 → 20+, 3 → 50+, 4 → 100+. */
export const SLACK_TIERS = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

/** Tier limits of the methods the fake serves (slack.md §4; MethodsRateLimits.java). `auth.test` is "special" and not limited here. */
export const DEFAULT_METHOD_LIMITS: Readonly<Record<string, MethodRateLimit>> = {
  'chat.update': { perMinute: SLACK_TIERS[3] },
  'chat.postEphemeral': { perMinute: SLACK_TIERS[4] },
  'conversations.info': { perMinute: SLACK_TIERS[3] },
  'conversations.replies': { perMinute: SLACK_TIERS[3] },
  'conversations.history': { perMinute: SLACK_TIERS[3] },
  'conversations.join': { perMinute: SLACK_TIERS[3] },
  'users.info': { perMinute: SLACK_TIERS[4] },
  'usergroups.users.list': { perMinute: SLACK_TIERS[2] },
  'files.getUploadURLExternal': { perMinute: SLACK_TIERS[4] },
  'files.completeUploadExternal': { perMinute: SLACK_TIERS[4] },
};

export const DEFAULT_POST_MESSAGE_LIMIT: PostMessageRateLimit = { burst: 5, perSecond: 1 };

/** Block Kit limits enforced (slack.md §5). */
export const BLOCK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  markdownText: 12_000,
  imageAltText: 2000,
  visibleText: 12_000,
  attachments: 100,
} as const;

/** Block types Slack accepts in messages (`input` is modal-only: chat.postMessage answers invalid_blocks). */
const MESSAGE_BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

const TEXT_OBJECT_TYPES = new Set(['plain_text', 'mrkdwn']);

const JSON_PARAMS = ['blocks', 'attachments', 'files', 'metadata'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Block Kit validation (exported so app code can be unit-tested against the same rules)
// ---------------------------------------------------------------------------------------------------------------

/** Length as Slack counts it for limits here: Unicode code points. */
export function visibleLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Total visible text of a blocks array: the sum of {@link visibleLength} of every string stored under a key named
 * `text`, at any depth (text objects `{type, text}`, markdown blocks, rich-text leaves). Not counted: `block_id`,
 * `action_id`, `value`, URLs, `alt_text`, `type`, emoji names, user/channel ids.
 */
export function countVisibleText(blocks: unknown): number {
  let total = 0;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'text' && typeof value === 'string') total += visibleLength(value);
      else walk(value);
    }
  };
  walk(blocks);
  return total;
}

export type BlocksVerdict =
  | { ok: true }
  | { ok: false; error: 'invalid_blocks_format' }
  | { ok: false; error: 'invalid_blocks'; errors: string[] }
  | { ok: false; error: 'msg_blocks_too_long' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Validates a message's `blocks` as chat.postMessage / chat.update / chat.postEphemeral would:
 * not an array → `invalid_blocks_format`; schema or length violations → `invalid_blocks` with Slack-style `errors`;
 * otherwise total visible text over 12,000 → `msg_blocks_too_long`.
 */
export function validateMessageBlocks(blocks: unknown): BlocksVerdict {
  if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
  const errors: string[] = [];
  const err = (message: string, pointer: string) => errors.push(`${message} [json-pointer:${pointer}]`);
  const tooLong = (max: number) => `must be less than ${max + 1} characters`;

  const checkText = (
    obj: unknown,
    pointer: string,
    opts: { max?: number; plainOnly?: boolean; required?: boolean } = {},
  ): void => {
    if (obj === undefined) {
      if (opts.required) err('missing required field: text', pointer);
      return;
    }
    if (!isRecord(obj) || typeof obj.type !== 'string' || !TEXT_OBJECT_TYPES.has(obj.type)) {
      err('failed to match all allowed schemas', pointer);
      return;
    }
    if (opts.plainOnly && obj.type !== 'plain_text') {
      err('must be a plain_text text object', `${pointer}/type`);
      return;
    }
    if (typeof obj.text !== 'string') {
      err('missing required field: text', `${pointer}/text`);
      return;
    }
    const len = visibleLength(obj.text);
    if (len === 0) err('must be more than 0 characters', `${pointer}/text`);
    if (opts.max !== undefined && len > opts.max) err(tooLong(opts.max), `${pointer}/text`);
  };

  const checkId = (value: unknown, pointer: string): void => {
    if (value === undefined) return;
    if (typeof value !== 'string' || value.length === 0) err('must be a non-empty string', pointer);
    else if (visibleLength(value) > BLOCK_LIMITS.id) err(tooLong(BLOCK_LIMITS.id), pointer);
  };

  const checkMaxString = (value: unknown, max: number, pointer: string): void => {
    if (value === undefined) return;
    if (typeof value !== 'string') err('must be a string', pointer);
    else if (visibleLength(value) > max) err(tooLong(max), pointer);
  };

  const checkElement = (el: unknown, pointer: string, actionIds: Set<string> | undefined): void => {
    if (!isRecord(el) || typeof el.type !== 'string') {
      err('failed to match all allowed schemas', pointer);
      return;
    }
    checkId(el.action_id, `${pointer}/action_id`);
    if (typeof el.action_id === 'string' && actionIds) {
      if (actionIds.has(el.action_id)) err(`duplicate action_id: ${el.action_id}`, `${pointer}/action_id`);
      actionIds.add(el.action_id);
    }
    if (el.type === 'button') {
      checkText(el.text, `${pointer}/text`, { max: BLOCK_LIMITS.buttonText, plainOnly: true, required: true });
      checkMaxString(el.value, BLOCK_LIMITS.buttonValue, `${pointer}/value`);
      checkMaxString(el.url, BLOCK_LIMITS.buttonUrl, `${pointer}/url`);
      if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
        err('must be one of: primary, danger', `${pointer}/style`);
      }
    }
  };

  if (blocks.length > BLOCK_LIMITS.blocksPerMessage) {
    err(`no more than ${BLOCK_LIMITS.blocksPerMessage} items allowed`, '/blocks');
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const p = `/blocks/${i}`;
    if (!isRecord(block) || typeof block.type !== 'string' || !MESSAGE_BLOCK_TYPES.has(block.type)) {
      err('failed to match all allowed schemas', p);
      return;
    }
    checkId(block.block_id, `${p}/block_id`);
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) err(`duplicate block_id: ${block.block_id}`, `${p}/block_id`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          err('must define either `text` or `fields`', p);
        }
        checkText(block.text, `${p}/text`, { max: BLOCK_LIMITS.sectionText });
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields)) err('must be an array', `${p}/fields`);
          else {
            if (block.fields.length > BLOCK_LIMITS.sectionFields) {
              err(`no more than ${BLOCK_LIMITS.sectionFields} items allowed`, `${p}/fields`);
            }
            block.fields.forEach((f, j) => {
              checkText(f, `${p}/fields/${j}`, { max: BLOCK_LIMITS.sectionFieldText });
            });
          }
        }
        if (block.accessory !== undefined) checkElement(block.accessory, `${p}/accessory`, new Set());
        break;
      }
      case 'header':
        checkText(block.text, `${p}/text`, { max: BLOCK_LIMITS.headerText, plainOnly: true, required: true });
        break;
      case 'context': {
        if (!Array.isArray(block.elements) || block.elements.length === 0) {
          err('must provide at least 1 item', `${p}/elements`);
          break;
        }
        if (block.elements.length > BLOCK_LIMITS.contextElements) {
          err(`no more than ${BLOCK_LIMITS.contextElements} items allowed`, `${p}/elements`);
        }
        block.elements.forEach((el, j) => {
          if (isRecord(el) && el.type === 'image') {
            checkMaxString(el.alt_text, BLOCK_LIMITS.imageAltText, `${p}/elements/${j}/alt_text`);
          } else checkText(el, `${p}/elements/${j}`);
        });
        break;
      }
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0) {
          err('must provide at least 1 item', `${p}/elements`);
          break;
        }
        if (block.elements.length > BLOCK_LIMITS.actionsElements) {
          err(`no more than ${BLOCK_LIMITS.actionsElements} items allowed`, `${p}/elements`);
        }
        const actionIds = new Set<string>();
        block.elements.forEach((el, j) => {
          checkElement(el, `${p}/elements/${j}`, actionIds);
        });
        break;
      }
      case 'image':
        if (typeof block.image_url !== 'string' && !isRecord(block.slack_file)) {
          err('missing required field: image_url', p);
        }
        if (typeof block.alt_text !== 'string') err('missing required field: alt_text', `${p}/alt_text`);
        else checkMaxString(block.alt_text, BLOCK_LIMITS.imageAltText, `${p}/alt_text`);
        if (block.title !== undefined) checkText(block.title, `${p}/title`, { plainOnly: true });
        break;
      case 'markdown':
        if (typeof block.text !== 'string' || block.text.length === 0) err('missing required field: text', `${p}/text`);
        else checkMaxString(block.text, BLOCK_LIMITS.markdownText, `${p}/text`);
        break;
      case 'rich_text':
        if (!Array.isArray(block.elements)) err('missing required field: elements', `${p}/elements`);
        break;
      default:
        break;
    }
  });
  if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors };
  if (countVisibleText(blocks) > BLOCK_LIMITS.visibleText) return { ok: false, error: 'msg_blocks_too_long' };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------------------------

interface ChannelState {
  id: string;
  name: string;
  isPrivate: boolean;
  isMember: boolean;
  isArchived: boolean;
  created: number;
}

class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perMs: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = Math.max(1, capacity);
    this.perMs = perSecond / 1000;
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Takes a token, or returns the whole seconds to wait (≥ 1) for the next one. */
  take(now: number): { ok: true } | { ok: false; retryAfter: number } {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perMs);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const waitMs = this.perMs > 0 ? (1 - this.tokens) / this.perMs : 60_000;
    return { ok: false, retryAfter: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

interface Reply {
  status: number;
  body: unknown;
  retryAfter?: number;
  text?: string;
}

type Params = Record<string, unknown>;

class SlackError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(code: string, extra: Record<string, unknown> = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
  }
}

class RateLimited extends Error {
  readonly retryAfter: number;
  constructor(retryAfter: number) {
    super('ratelimited');
    this.retryAfter = retryAfter;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function nonEmpty(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined || s === '' ? undefined : s;
}

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === '1' || v === 1;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeJsonParams(params: Params): Params {
  for (const key of JSON_PARAMS) {
    const v = params[key];
    if (typeof v === 'string') {
      try {
        params[key] = JSON.parse(v);
      } catch {
        // Left as a string: the method answers invalid_*_format for it.
      }
    }
  }
  return params;
}

function parseParams(contentType: string | undefined, raw: Buffer, query: URLSearchParams): Params | 'invalid_json' {
  const params: Params = Object.fromEntries(query.entries());
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  if (ct === 'application/json') {
    if (text.trim() === '') return params;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isRecord(parsed)) return 'invalid_json';
      Object.assign(params, parsed);
    } catch {
      return 'invalid_json';
    }
  } else if (text !== '') {
    for (const [k, v] of new URLSearchParams(text)) params[k] = v;
  }
  return decodeJsonParams(params);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------------

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const now = options.now ?? Date.now;
  const identity = {
    teamId: options.teamId ?? FAKE_SLACK_DEFAULTS.teamId,
    teamName: options.teamName ?? FAKE_SLACK_DEFAULTS.teamName,
    teamDomain: options.teamDomain ?? FAKE_SLACK_DEFAULTS.teamDomain,
    botUserId: options.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId,
    botId: options.botId ?? FAKE_SLACK_DEFAULTS.botId,
    botName: options.botName ?? FAKE_SLACK_DEFAULTS.botName,
    appId: options.appId ?? FAKE_SLACK_DEFAULTS.appId,
  };
  const initialBehaviour: FakeSlackBehaviour = {
    token: options.token ?? FAKE_SLACK_DEFAULTS.token,
    postMessageLimit: options.postMessageLimit ?? DEFAULT_POST_MESSAGE_LIMIT,
    methodLimits: options.methodLimits ?? {},
    chatWritePublic: options.chatWritePublic ?? false,
    delayMs: options.delayMs ?? 0,
  };
  const initialChannels: readonly FakeChannelInit[] = options.channels ?? [
    { id: FAKE_SLACK_DEFAULTS.channelId, name: FAKE_SLACK_DEFAULTS.channelName, isMember: true },
  ];
  const tsBase = options.tsBaseSeconds ?? FAKE_SLACK_DEFAULTS.tsBaseSeconds;

  let behaviour: FakeSlackBehaviour = { ...initialBehaviour };
  const channels = new Map<string, ChannelState>();
  const messages = new Map<string, FakeMessage[]>();
  const calls: RecordedCall[] = [];
  const ephemerals: FakeEphemeral[] = [];
  const files: FakeFile[] = [];
  const faults = new Map<string, Fault[]>();
  const channelBuckets = new Map<string, TokenBucket>();
  const methodBuckets = new Map<string, TokenBucket>();
  let tsCounter = 0;
  let fileCounter = 0;
  let seq = 0;

  const toChannelState = (c: FakeChannelInit): ChannelState => ({
    id: c.id,
    name: c.name ?? c.id.toLowerCase(),
    isPrivate: c.isPrivate ?? c.id.startsWith('G'),
    isMember: c.isMember ?? true,
    isArchived: c.isArchived ?? false,
    created: Math.floor(now() / 1000),
  });
  const resetChannels = () => {
    channels.clear();
    for (const c of initialChannels) channels.set(c.id, toChannelState(c));
  };
  resetChannels();

  const nextTs = (): string => {
    tsCounter += 1;
    const micros = tsCounter * 100;
    const sec = tsBase + Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };

  const validTokens = (): readonly string[] =>
    typeof behaviour.token === 'string' ? [behaviour.token] : behaviour.token;

  const channelList = (id: string): FakeMessage[] => {
    let list = messages.get(id);
    if (!list) {
      list = [];
      messages.set(id, list);
    }
    return list;
  };

  const findMessage = (channelId: string, ts: string): FakeMessage | undefined =>
    messages.get(channelId)?.find((m) => m.ts === ts);

  const threadOf = (channelId: string, ts: string): FakeMessage[] => {
    const root = findMessage(channelId, ts);
    if (!root) return [];
    if (root.thread_ts !== undefined) return [root];
    const replies = (messages.get(channelId) ?? []).filter((m) => m.thread_ts === ts);
    return [root, ...replies];
  };

  /** Resolves `C…` ids, `#name` and `name`; throws channel_not_found. */
  const resolveChannel = (raw: unknown): ChannelState => {
    const value = nonEmpty(raw);
    if (value === undefined) throw new SlackError('channel_not_found');
    const byId = channels.get(value);
    if (byId) return byId;
    const name = value.replace(/^#/, '');
    for (const c of channels.values()) if (c.name === name) return c;
    throw new SlackError('channel_not_found');
  };

  /** Membership rules (slack.md §2): a private non-member channel is invisible (channel_not_found). */
  const requireMember = (channel: ChannelState, allowPublicWrite = false): void => {
    if (channel.isMember) return;
    if (channel.isPrivate) throw new SlackError('channel_not_found');
    if (allowPublicWrite && behaviour.chatWritePublic) return;
    throw new SlackError('not_in_channel');
  };

  const requireContent = (
    params: Params,
  ): {
    text: string | undefined;
    blocks: unknown[] | undefined;
    attachments: unknown[] | undefined;
  } => {
    const text = str(params.text);
    let blocks: unknown[] | undefined;
    let attachments: unknown[] | undefined;
    if (params.blocks !== undefined && params.blocks !== '') {
      const verdict = validateMessageBlocks(params.blocks);
      if (!verdict.ok) {
        if (verdict.error === 'invalid_blocks') {
          throw new SlackError('invalid_blocks', {
            errors: verdict.errors,
            response_metadata: { messages: verdict.errors.map((e) => `[ERROR] ${e}`) },
          });
        }
        throw new SlackError(verdict.error);
      }
      blocks = params.blocks as unknown[];
    }
    if (params.attachments !== undefined && params.attachments !== '') {
      if (!Array.isArray(params.attachments)) throw new SlackError('invalid_attachments');
      if (params.attachments.length > BLOCK_LIMITS.attachments) throw new SlackError('too_many_attachments');
      attachments = params.attachments;
    }
    return { text, blocks, attachments };
  };

  const hasContent = (c: {
    text: string | undefined;
    blocks: unknown[] | undefined;
    attachments: unknown[] | undefined;
  }) => (c.text !== undefined && c.text !== '') || (c.blocks?.length ?? 0) > 0 || (c.attachments?.length ?? 0) > 0;

  const apiMessage = (m: FakeMessage): Record<string, unknown> => {
    const out: Record<string, unknown> = { type: 'message', ts: m.ts, text: m.text ?? '' };
    if (m.subtype !== undefined) out.subtype = m.subtype;
    if (m.user !== undefined) out.user = m.user;
    if (m.bot_id !== undefined) out.bot_id = m.bot_id;
    if (m.username !== undefined) out.username = m.username;
    if (m.source === 'api') {
      out.app_id = identity.appId;
      out.team = identity.teamId;
    }
    if (m.blocks !== undefined) out.blocks = m.blocks;
    if (m.attachments !== undefined) out.attachments = m.attachments;
    if (m.files !== undefined) {
      out.files = m.files;
      out.upload = true;
    }
    if (m.metadata !== undefined) out.metadata = m.metadata;
    if (m.edited !== undefined) out.edited = m.edited;
    if (m.thread_ts !== undefined) {
      out.thread_ts = m.thread_ts;
      const parent = findMessage(m.channel, m.thread_ts);
      if (parent?.user !== undefined) out.parent_user_id = parent.user;
      if (m.reply_broadcast) out.subtype = 'thread_broadcast';
    } else {
      const replies = (messages.get(m.channel) ?? []).filter((r) => r.thread_ts === m.ts);
      const last = replies.at(-1);
      if (last) {
        const users = [...new Set(replies.map((r) => r.user).filter((u): u is string => u !== undefined))];
        out.thread_ts = m.ts;
        out.reply_count = replies.length;
        out.reply_users = users;
        out.reply_users_count = users.length;
        out.latest_reply = last.ts;
      }
    }
    return out;
  };

  const channelInfo = (c: ChannelState): Record<string, unknown> => ({
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.isPrivate,
    is_group: c.isPrivate,
    is_im: false,
    is_mpim: false,
    is_private: c.isPrivate,
    is_archived: c.isArchived,
    is_general: false,
    is_member: c.isMember,
    is_ext_shared: false,
    is_org_shared: false,
    is_shared: false,
    created: c.created,
    context_team_id: identity.teamId,
  });

  const takePostMessageToken = (channelId: string): void => {
    const limit = behaviour.postMessageLimit;
    if (limit === false) return;
    let bucket = channelBuckets.get(channelId);
    if (!bucket) {
      bucket = new TokenBucket(limit.burst, limit.perSecond, now());
      channelBuckets.set(channelId, bucket);
    }
    const r = bucket.take(now());
    if (!r.ok) throw new RateLimited(r.retryAfter);
  };

  const takeMethodToken = (method: string): void => {
    if (behaviour.methodLimits === false) return;
    const limit = method in behaviour.methodLimits ? behaviour.methodLimits[method] : DEFAULT_METHOD_LIMITS[method];
    if (limit === undefined || limit === false) return;
    let bucket = methodBuckets.get(method);
    if (!bucket) {
      bucket = new TokenBucket(limit.burst ?? limit.perMinute, limit.perMinute / 60, now());
      methodBuckets.set(method, bucket);
    }
    const r = bucket.take(now());
    if (!r.ok) throw new RateLimited(r.retryAfter);
  };

  // -------------------------------------------------------------------------------------------------------------
  // Methods
  // -------------------------------------------------------------------------------------------------------------

  const handlers: Record<string, (params: Params) => Record<string, unknown>> = {
    'api.test': (params) => ({ ok: true, args: params }),

    'auth.test': () => ({
      ok: true,
      url: `https://${identity.teamDomain}.slack.com/`,
      team: identity.teamName,
      user: identity.botName,
      team_id: identity.teamId,
      user_id: identity.botUserId,
      bot_id: identity.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (params) => {
      const channel = resolveChannel(params.channel);
      requireMember(channel, true);
      if (channel.isArchived) throw new SlackError('is_archived');
      const content = requireContent(params);
      if (!hasContent(content)) throw new SlackError('no_text');
      takePostMessageToken(channel.id);
      let threadTs = nonEmpty(params.thread_ts);
      if (threadTs !== undefined) {
        // Replying to a reply lands in the root's thread.
        const parent = findMessage(channel.id, threadTs);
        if (parent?.thread_ts !== undefined) threadTs = parent.thread_ts;
      }
      const message: FakeMessage = {
        channel: channel.id,
        ts: nextTs(),
        thread_ts: threadTs,
        text: content.text,
        blocks: content.blocks,
        attachments: content.attachments,
        metadata: params.metadata,
        user: identity.botUserId,
        bot_id: identity.botId,
        username: undefined,
        subtype: undefined,
        reply_broadcast: threadTs !== undefined && bool(params.reply_broadcast),
        files: undefined,
        source: 'api',
        edits: [],
        edited: undefined,
      };
      channelList(channel.id).push(message);
      return { ok: true, channel: channel.id, ts: message.ts, message: apiMessage(message) };
    },

    'chat.update': (params) => {
      const channel = resolveChannel(params.channel);
      requireMember(channel);
      const ts = nonEmpty(params.ts);
      const message = ts === undefined ? undefined : findMessage(channel.id, ts);
      if (!message) throw new SlackError('message_not_found');
      if (message.user !== identity.botUserId) throw new SlackError('cant_update_message');
      const content = requireContent(params);
      if (!hasContent(content) && params.blocks === undefined && params.attachments === undefined) {
        throw new SlackError('no_text');
      }
      message.edits.push({
        text: message.text,
        blocks: message.blocks,
        attachments: message.attachments,
        replacedAt: now(),
      });
      if (content.text !== undefined) message.text = content.text;
      // Slack keeps blocks/attachments that are not sent; an empty array removes them.
      if (params.blocks !== undefined) message.blocks = content.blocks?.length ? content.blocks : undefined;
      if (params.attachments !== undefined) {
        message.attachments = content.attachments?.length ? content.attachments : undefined;
      }
      message.edited = { user: identity.botUserId, ts: nextTs() };
      return { ok: true, channel: channel.id, ts: message.ts, text: message.text ?? '', message: apiMessage(message) };
    },

    'chat.postEphemeral': (params) => {
      const channel = resolveChannel(params.channel);
      requireMember(channel, true);
      const user = nonEmpty(params.user);
      if (user === undefined) throw new SlackError('user_not_found');
      const content = requireContent(params);
      if (!hasContent(content)) throw new SlackError('no_text');
      const ephemeral: FakeEphemeral = {
        channel: channel.id,
        user,
        message_ts: nextTs(),
        thread_ts: nonEmpty(params.thread_ts),
        text: content.text,
        blocks: content.blocks,
        attachments: content.attachments,
      };
      ephemerals.push(ephemeral);
      return { ok: true, message_ts: ephemeral.message_ts };
    },

    'conversations.info': (params) => {
      const channel = resolveChannel(params.channel);
      if (channel.isPrivate && !channel.isMember) throw new SlackError('channel_not_found');
      return { ok: true, channel: channelInfo(channel) };
    },

    'conversations.join': (params) => {
      const channel = resolveChannel(params.channel);
      if (channel.isPrivate) {
        if (!channel.isMember) throw new SlackError('channel_not_found');
        throw new SlackError('method_not_supported_for_channel_type');
      }
      if (channel.isArchived) throw new SlackError('is_archived');
      const already = channel.isMember;
      channel.isMember = true;
      return already
        ? { ok: true, channel: channelInfo(channel), warning: 'already_in_channel' }
        : { ok: true, channel: channelInfo(channel) };
    },

    'conversations.replies': (params) => {
      const channel = resolveChannel(params.channel);
      requireMember(channel);
      const ts = nonEmpty(params.ts);
      const thread = ts === undefined ? [] : threadOf(channel.id, ts);
      if (thread.length === 0) throw new SlackError('thread_not_found');
      const limit = Math.max(1, Math.min(1000, Number(str(params.limit) ?? 1000) || 1000));
      const cursor = nonEmpty(params.cursor);
      let offset = 0;
      if (cursor !== undefined) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
        if (!m?.[1]) throw new SlackError('invalid_cursor');
        offset = Number(m[1]);
      }
      const page = thread.slice(offset, offset + limit).map(apiMessage);
      const hasMore = offset + limit < thread.length;
      return {
        ok: true,
        messages: page,
        has_more: hasMore,
        ...(hasMore
          ? { response_metadata: { next_cursor: Buffer.from(`offset:${offset + limit}`).toString('base64') } }
          : {}),
      };
    },

    // The channel's top-level messages (and replies also sent to the channel), newest first, paginated by cursor.
    'conversations.history': (params) => {
      const channel = resolveChannel(params.channel);
      requireMember(channel);
      const limit = Math.max(1, Math.min(999, Number(str(params.limit) ?? 100) || 100));
      const cursor = nonEmpty(params.cursor);
      let offset = 0;
      if (cursor !== undefined) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
        if (!m?.[1]) throw new SlackError('invalid_cursor');
        offset = Number(m[1]);
      }
      const visible = (messages.get(channel.id) ?? [])
        .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast)
        .reverse();
      const page = visible.slice(offset, offset + limit).map(apiMessage);
      const hasMore = offset + limit < visible.length;
      return {
        ok: true,
        messages: page,
        has_more: hasMore,
        ...(hasMore
          ? { response_metadata: { next_cursor: Buffer.from(`offset:${offset + limit}`).toString('base64') } }
          : {}),
      };
    },

    'users.info': (params) => {
      const id = nonEmpty(params.user);
      if (id === undefined) throw new SlackError('user_not_found');
      const known = options.users?.[id];
      const isBot = id === identity.botUserId;
      if (!known && !isBot && !/^[UW][A-Z0-9]{2,}$/.test(id)) throw new SlackError('user_not_found');
      const name = known?.name ?? (isBot ? identity.botName : id.toLowerCase());
      const realName = known?.real_name ?? name;
      return {
        ok: true,
        user: {
          id,
          team_id: identity.teamId,
          name,
          deleted: false,
          real_name: realName,
          tz: known?.tz ?? 'Etc/UTC',
          tz_offset: known?.tz_offset ?? 0,
          is_bot: known?.is_bot ?? isBot,
          is_admin: false,
          is_app_user: false,
          profile: { real_name: realName, display_name: name },
        },
      };
    },

    // https://docs.slack.dev/reference/methods/usergroups.users.list (Tier 2, usergroups:read).
    'usergroups.users.list': (params) => {
      const id = nonEmpty(params.usergroup);
      if (id === undefined) throw new SlackError('invalid_arguments');
      const members = options.userGroups?.[id];
      if (!members) throw new SlackError('no_such_subteam');
      return { ok: true, users: [...members] };
    },

    'files.getUploadURLExternal': (params) => {
      const filename = nonEmpty(params.filename);
      const length = Number(str(params.length));
      if (filename === undefined || !Number.isInteger(length) || length < 0) {
        throw new SlackError('invalid_arguments');
      }
      fileCounter += 1;
      const file: FakeFile = {
        id: `F${String(fileCounter).padStart(10, '0')}`,
        filename,
        length,
        alt_text: str(params.alt_text) ?? str(params.alt_txt),
        snippet_type: str(params.snippet_type),
        title: undefined,
        content: undefined,
        completed: false,
        channel: undefined,
        thread_ts: undefined,
        initial_comment: undefined,
      };
      files.push(file);
      return { ok: true, upload_url: `${origin}/upload/v1/${file.id}`, file_id: file.id };
    },

    'files.completeUploadExternal': (params) => {
      if (!Array.isArray(params.files) || params.files.length === 0) throw new SlackError('invalid_arguments');
      const entries = params.files.map((entry) => {
        const id = isRecord(entry) ? str(entry.id) : undefined;
        const file = files.find((f) => f.id === id);
        if (!file || file.content === undefined) throw new SlackError('file_not_found');
        return { file, title: isRecord(entry) ? str(entry.title) : undefined };
      });
      const channelParam = nonEmpty(params.channel_id) ?? nonEmpty(params.channels);
      const channel = channelParam === undefined ? undefined : resolveChannel(channelParam);
      if (channel) requireMember(channel, true);
      const threadTs = nonEmpty(params.thread_ts);
      const initialComment = str(params.initial_comment);
      for (const { file, title } of entries) {
        file.title = title ?? file.filename;
        file.completed = true;
        file.channel = channel?.id;
        file.thread_ts = threadTs;
        file.initial_comment = initialComment;
      }
      if (channel) {
        channelList(channel.id).push({
          channel: channel.id,
          ts: nextTs(),
          thread_ts: threadTs,
          text: initialComment ?? '',
          blocks: initialComment === undefined && Array.isArray(params.blocks) ? params.blocks : undefined,
          attachments: undefined,
          metadata: undefined,
          user: identity.botUserId,
          bot_id: identity.botId,
          username: undefined,
          subtype: undefined,
          reply_broadcast: false,
          files: entries.map(({ file }) => ({ id: file.id, name: file.filename, title: file.title ?? file.filename })),
          source: 'api',
          edits: [],
          edited: undefined,
        });
      }
      // Like Slack, the answer has no message ts and no `shares` (sharing is asynchronous).
      return {
        ok: true,
        files: entries.map(({ file }) => ({
          id: file.id,
          name: file.filename,
          title: file.title,
          size: file.content?.length ?? 0,
          user: identity.botUserId,
          created: Math.floor(now() / 1000),
        })),
      };
    },
  };

  // -------------------------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------------------------

  const takeFault = (method: string): Fault | undefined => {
    for (const key of [method, '*']) {
      const queue = faults.get(key);
      const fault = queue?.shift();
      if (fault) return fault;
    }
    return undefined;
  };

  const send = (res: ServerResponse, reply: Reply): void => {
    const headers: Record<string, string> = {};
    let payload: string;
    if (reply.text !== undefined) {
      headers['content-type'] = 'text/plain; charset=utf-8';
      payload = reply.text;
    } else {
      headers['content-type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(reply.body);
    }
    if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const faultReply = (fault: Fault): Reply | 'drop' => {
    if ('networkDrop' in fault) return 'drop';
    if ('retryAfter' in fault) {
      return { status: 429, retryAfter: fault.retryAfter, body: { ok: false, error: 'ratelimited' } };
    }
    if ('status' in fault)
      return { status: fault.status, body: undefined, text: fault.body ?? 'Internal Server Error' };
    return { status: 200, body: { ok: false, error: fault.error, ...fault.extra } };
  };

  const handleUpload = async (
    req: IncomingMessage,
    raw: Buffer,
    fileId: string,
  ): Promise<{ reply: Reply; params: Params }> => {
    const file = files.find((f) => f.id === fileId);
    const params: Params = { file_id: fileId, bytes: raw.length };
    if (!file) return { reply: { status: 404, body: undefined, text: 'Not Found' }, params };
    const ct = req.headers['content-type'] ?? '';
    let content = raw;
    if (ct.toLowerCase().startsWith('multipart/form-data')) {
      const form = await new Request('http://fake.invalid/', {
        method: 'POST',
        headers: { 'content-type': ct },
        body: raw,
      }).formData();
      let part: unknown = form.get('body') ?? form.get('file');
      if (part === null) for (const [, v] of form) if (typeof v !== 'string') part = v;
      if (part instanceof Blob) {
        content = Buffer.from(await part.arrayBuffer());
        params.part_filename = 'name' in part ? part.name : undefined;
      } else if (typeof part === 'string') content = Buffer.from(part);
    }
    file.content = content;
    params.bytes = content.length;
    return { reply: { status: 200, body: undefined, text: `OK - ${content.length}` }, params };
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = now();
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', origin);
    const contentType = req.headers['content-type'];
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const upload = /^\/upload\/v1\/([A-Za-z0-9]+)$/.exec(url.pathname);
    const apiMethod = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : undefined;
    const method = upload ? UPLOAD_METHOD : (apiMethod ?? url.pathname);

    const call: RecordedCall = {
      seq: ++seq,
      method,
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      params: {},
      token: bearer,
      contentType,
      time: arrived,
      status: 0,
      retryAfter: undefined,
      response: undefined,
      error: undefined,
    };

    const finish = (reply: Reply | 'drop'): void => {
      if (reply === 'drop') {
        calls.push(call);
        req.socket.destroy();
        return;
      }
      call.status = reply.status;
      call.retryAfter = reply.retryAfter;
      call.response = reply.text ?? reply.body;
      if (isRecord(reply.body) && reply.body.ok === false) call.error = str(reply.body.error);
      calls.push(call);
      send(res, reply);
    };

    if (behaviour.delayMs > 0) await sleep(behaviour.delayMs);

    if (upload?.[1]) {
      call.params = { file_id: upload[1], bytes: raw.length };
      const fault = takeFault(UPLOAD_METHOD);
      if (fault) return finish(faultReply(fault));
      const { reply, params } = await handleUpload(req, raw, upload[1]);
      call.params = params;
      return finish(reply);
    }
    if (apiMethod === undefined) return finish({ status: 404, body: undefined, text: 'Not Found' });

    const parsed = parseParams(contentType, raw, url.searchParams);
    if (parsed === 'invalid_json') return finish({ status: 200, body: { ok: false, error: 'invalid_json' } });
    call.params = parsed;
    const token = bearer ?? (typeof parsed.token === 'string' ? parsed.token : undefined);
    call.token = token;
    if (typeof parsed.token === 'string') parsed.token = '[redacted]';

    const fault = takeFault(apiMethod);
    if (fault) return finish(faultReply(fault));

    const handler = handlers[apiMethod];
    if (!handler) return finish({ status: 200, body: { ok: false, error: 'unknown_method', req_method: apiMethod } });
    if (apiMethod !== 'api.test') {
      if (token === undefined || token === '') return finish({ status: 200, body: { ok: false, error: 'not_authed' } });
      if (!validTokens().includes(token)) return finish({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    }
    try {
      takeMethodToken(apiMethod);
      return finish({ status: 200, body: handler(parsed) });
    } catch (e) {
      if (e instanceof RateLimited) {
        return finish({ status: 429, retryAfter: e.retryAfter, body: { ok: false, error: 'ratelimited' } });
      }
      if (e instanceof SlackError) return finish({ status: 200, body: { ok: false, error: e.code, ...e.extra } });
      throw e;
    }
  };

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake-slack crashed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    origin,
    teamId: identity.teamId,
    botUserId: identity.botUserId,
    botId: identity.botId,
    appId: identity.appId,
    calls,
    messages,
    ephemerals,
    files,
    callsTo: (method) => calls.filter((c) => c.method === method),
    channelMessages: (channelId) => messages.get(channelId) ?? [],
    thread: threadOf,
    async waitForCall(method, { count = 1, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = calls.filter((c) => c.method === method);
        const hit = matching[count - 1];
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(`fake-slack: ${method} called ${matching.length} time(s), expected ${count}`);
        }
        await sleep(10);
      }
    },
    setChannelMembership(channelId, isMember) {
      const existing = channels.get(channelId);
      if (existing) existing.isMember = isMember;
      else channels.set(channelId, toChannelState({ id: channelId, isMember }));
    },
    addChannel(channel) {
      channels.set(channel.id, toChannelState(channel));
    },
    seedMessage(channelId, init) {
      if (!channels.has(channelId)) channels.set(channelId, toChannelState({ id: channelId }));
      const message: FakeMessage = {
        channel: channelId,
        ts: nextTs(),
        thread_ts: init.thread_ts,
        text: init.text,
        blocks: init.blocks,
        attachments: init.attachments,
        metadata: undefined,
        user: init.user ?? (init.bot_id === undefined ? 'U0SEEDUSER' : undefined),
        bot_id: init.bot_id,
        username: init.username,
        subtype: init.subtype,
        reply_broadcast: false,
        files: undefined,
        source: 'seed',
        edits: [],
        edited: undefined,
      };
      channelList(channelId).push(message);
      return message.ts;
    },
    setBehaviour(patch) {
      behaviour = { ...behaviour, ...patch };
      if ('postMessageLimit' in patch) channelBuckets.clear();
      if ('methodLimits' in patch) methodBuckets.clear();
    },
    failNext(method, fault, times = 1) {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      faults.set(method, queue);
    },
    reset() {
      calls.length = 0;
      ephemerals.length = 0;
      files.length = 0;
      messages.clear();
      faults.clear();
      channelBuckets.clear();
      methodBuckets.clear();
      behaviour = { ...initialBehaviour };
      resetChannels();
      tsCounter = 0;
      fileCounter = 0;
      seq = 0;
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
