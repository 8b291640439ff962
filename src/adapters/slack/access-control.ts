import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { describeSlackError } from './slack-error.js';

/** Who may use Triage's interactive surfaces. An empty list does not restrict; each non-empty list must match. */
export interface AccessLists {
  teams: readonly string[];
  channels: readonly string[];
  /** User ids (`U…`, `W…`) and user groups (`S…`, resolved with usergroups.users.list). */
  users: readonly string[];
}

export interface AccessRequest {
  team?: string | undefined;
  channel?: string | undefined;
  user?: string | undefined;
}

export type AccessDecision = { allowed: true } | { allowed: false; why: 'team' | 'channel' | 'user' };

export const ACCESS_REFUSAL =
  "Sorry, Triage is limited to certain workspaces, channels or people here, and this request is outside them, so I didn't run anything. Ask whoever runs Triage for your team to add you.";

/** How long a user group's members are remembered before asking Slack again. */
const GROUP_TTL_MS = 5 * 60_000;

/**
 * The allow-lists, with user groups resolved through Slack and cached. A group that cannot be read (missing
 * `usergroups:read` scope, unknown id) grants nobody: access fails closed.
 */
export class AccessPolicy {
  private readonly lists: AccessLists;
  private readonly userIds: ReadonlySet<string>;
  private readonly groups: readonly string[];
  private readonly members = new Map<string, { users: ReadonlySet<string>; at: number }>();
  private readonly now: () => number;

  constructor(lists: AccessLists, options: { now?: () => number } = {}) {
    this.lists = lists;
    this.userIds = new Set(lists.users.filter((u) => !u.startsWith('S')));
    this.groups = lists.users.filter((u) => u.startsWith('S'));
    this.now = options.now ?? Date.now;
  }

  /** True when no list is set: every request is allowed without looking. */
  get open(): boolean {
    return this.lists.teams.length + this.lists.channels.length + this.lists.users.length === 0;
  }

  async decide(
    request: AccessRequest,
    client: Pick<WebClient, 'usergroups'>,
    onGroupError?: (group: string, error: string) => void,
  ): Promise<AccessDecision> {
    const { teams, channels, users } = this.lists;
    if (teams.length > 0 && !(request.team && teams.includes(request.team))) return { allowed: false, why: 'team' };
    if (channels.length > 0 && !(request.channel && channels.includes(request.channel)))
      return { allowed: false, why: 'channel' };
    if (users.length === 0) return { allowed: true };
    const user = request.user;
    if (!user) return { allowed: false, why: 'user' };
    if (this.userIds.has(user)) return { allowed: true };
    for (const group of this.groups) {
      const members = await this.membersOf(group, client, onGroupError);
      if (members.has(user)) return { allowed: true };
    }
    return { allowed: false, why: 'user' };
  }

  private async membersOf(
    group: string,
    client: Pick<WebClient, 'usergroups'>,
    onError?: (group: string, error: string) => void,
  ): Promise<ReadonlySet<string>> {
    const cached = this.members.get(group);
    if (cached && this.now() - cached.at < GROUP_TTL_MS) return cached.users;
    try {
      const answer = await client.usergroups.users.list({ usergroup: group });
      const users = new Set(answer.users ?? []);
      this.members.set(group, { users, at: this.now() });
      return users;
    } catch (err) {
      onError?.(group, describeSlackError(err));
      return cached?.users ?? new Set();
    }
  }
}

interface Envelope {
  team_id?: string;
  team?: { id?: string };
  user_id?: string;
  user?: { id?: string; team_id?: string } | string;
  channel_id?: string;
  channel?: { id?: string } | string;
  event?: { type?: string; user?: string; channel?: string; team?: string; thread_ts?: string; ts?: string };
}

/** Team, channel and user of a slash command, a block action or an app mention. */
function requestOf(body: Envelope): AccessRequest & { kind: 'command' | 'action' | 'mention' | 'other' } {
  if (body.event) {
    if (body.event.type !== 'app_mention') return { kind: 'other' };
    return {
      kind: 'mention',
      team: body.event.team ?? body.team_id,
      channel: body.event.channel,
      user: body.event.user,
    };
  }
  if (typeof body.user_id === 'string')
    return { kind: 'command', team: body.team_id, channel: body.channel_id, user: body.user_id };
  const user = typeof body.user === 'object' ? body.user : undefined;
  const channel = typeof body.channel === 'object' ? body.channel?.id : body.channel;
  return { kind: 'action', team: body.team?.id ?? user?.team_id, channel, user: user?.id };
}

/**
 * Refuses, politely and before anything runs, the slash commands, buttons and mentions the allow-lists do not
 * cover. Alert messages in ALERT_CHANNELS are not user requests and are not affected.
 */
export function registerAccessControl(
  app: App,
  policy: AccessPolicy,
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  },
): void {
  if (policy.open) return;
  app.use(async (args) => {
    const body = args.body as Envelope;
    const request = requestOf(body);
    if (request.kind === 'other') {
      await args.next();
      return;
    }
    const decision = await policy.decide(request, args.client, (group, error) =>
      logger.warn({ group, error }, 'a user group in TRIAGE_ALLOWED_USERS could not be read'),
    );
    if (decision.allowed) {
      await args.next();
      return;
    }
    logger.info(
      { kind: request.kind, why: decision.why, user: request.user, channel: request.channel },
      'request refused',
    );
    const ack = (args as { ack?: (response?: unknown) => Promise<void> }).ack;
    if (request.kind === 'command') {
      await ack?.({ response_type: 'ephemeral', text: ACCESS_REFUSAL });
      return;
    }
    if (request.kind === 'action') await ack?.();
    if (request.channel && request.user) {
      await args.client.chat
        .postEphemeral({
          channel: request.channel,
          user: request.user,
          text: ACCESS_REFUSAL,
          ...(body.event?.thread_ts ? { thread_ts: body.event.thread_ts } : {}),
        })
        .catch((err: unknown) => logger.warn({ error: describeSlackError(err) }, 'the refusal could not be posted'));
    }
  });
}
