import type { WebClient } from '@slack/web-api';
import type { RunStore, StoredEvent, StoredRun } from '../../application/ports/run-store.js';
import { renderPostmortem, type ThreadMessage } from '../../application/postmortem/postmortem.js';
import type { Redactor } from '../../domain/redaction/redact.js';
import { messageLink } from './run-registry.js';
import { describeSlackError } from './slack-run-reporter.js';

export interface ExportDeps {
  store: Pick<RunStore, 'getRun' | 'events'>;
  redactor: Redactor;
  now: () => Date;
  logger: { warn(obj: Record<string, unknown>, msg: string): void };
}

export type ExportOutcome =
  | { ok: true; filename: string; fileId?: string; bytes: number; discussion: boolean }
  | { ok: false; message: string };

/** Thread messages read for the discussion section (conversations.replies pages of 200). */
const MAX_THREAD_MESSAGES = 1000;

interface Reply {
  ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  user_profile?: { display_name?: string; real_name?: string };
}

/** The humans' and Triage's messages in the run's thread, oldest first. */
async function threadMessages(client: WebClient, channel: string, ts: string): Promise<ThreadMessage[]> {
  const messages: ThreadMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.conversations.replies({ channel, ts, limit: 200, ...(cursor ? { cursor } : {}) });
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
}

/** Most people one export looks up with users.info. */
const MAX_PEOPLE = 20;

/**
 * Display names of the people the post-mortem names (who started the run, who decided, who wrote in the thread):
 * from the thread's messages, else from users.info. Someone who cannot be looked up stays a mention.
 */
async function peopleOf(
  client: WebClient,
  run: StoredRun,
  events: readonly StoredEvent[],
  messages: readonly ThreadMessage[],
): Promise<Map<string, string>> {
  const people = new Map<string, string>();
  for (const m of messages) if (m.userId && m.userName) people.set(m.userId, m.userName);
  const named = [
    run.userId,
    ...events.map(({ data }) => (data.type === 'human-decision' ? data.userId : null)),
    ...messages.map((m) => m.userId),
  ];
  const wanted = [...new Set(named)]
    .filter((id): id is string => typeof id === 'string' && /^[UW][A-Z0-9]+$/.test(id) && !people.has(id))
    .slice(0, MAX_PEOPLE);
  await Promise.all(
    wanted.map(async (id) => {
      try {
        const { user } = await client.users.info({ user: id });
        const name = user?.profile?.display_name || user?.real_name || user?.name;
        if (name) people.set(id, name);
      } catch {
        // Not found, or no users:read: the document keeps the mention.
      }
    }),
  );
  return people;
}

function fileName(run: StoredRun): string {
  const day = run.startedAt.toISOString().slice(0, 10);
  const service = (run.service ?? 'diagnosis').replace(/[^\w.-]+/g, '-').slice(0, 60);
  return `postmortem-${service}-${day}-${run.id.slice(0, 8)}.md`;
}

/**
 * Builds a run's post-mortem from the run store and the thread's messages and uploads it into the thread as a
 * Markdown file (filesUploadV2). Without the history scope the document is still exported, without the discussion.
 */
export async function exportPostmortem(
  client: WebClient,
  deps: ExportDeps,
  request: { runId: string; channel: string; threadTs?: string },
): Promise<ExportOutcome> {
  const run = await deps.store.getRun(request.runId);
  if (!run) return { ok: false, message: 'I have no record of this run, so there is nothing to export.' };
  const channel = run.channel ?? request.channel;
  const threadTs = run.threadTs ?? run.rootTs ?? request.threadTs;
  let messages: ThreadMessage[] = [];
  let discussion = false;
  if (run.channel && threadTs) {
    try {
      messages = await threadMessages(client, run.channel, threadTs);
      discussion = true;
    } catch (err) {
      deps.logger.warn(
        { runId: run.id, error: describeSlackError(err) },
        'the thread could not be read; exporting without it',
      );
    }
  }
  const events = await deps.store.events(run.id);
  const markdown = renderPostmortem({
    run,
    events,
    messages,
    people: await peopleOf(client, run, events, messages),
    now: deps.now(),
    redactor: deps.redactor,
    ...(run.channel && run.rootTs ? { threadLink: messageLink(run.channel, run.rootTs) } : {}),
  });
  const filename = fileName(run);
  try {
    const upload = {
      filename,
      title: `Post-mortem: ${deps.redactor(run.text).slice(0, 200)}`,
      content: markdown,
      initial_comment: discussion
        ? 'Post-mortem draft from this diagnosis and thread.'
        : 'Post-mortem draft from this diagnosis (the thread could not be read, so the discussion is missing).',
    };
    const uploaded = await (threadTs
      ? client.filesUploadV2({ ...upload, channel_id: channel, thread_ts: threadTs })
      : client.filesUploadV2({ ...upload, channel_id: channel }));
    const files = (uploaded as { files?: { files?: { id?: string }[] }[] }).files;
    const fileId = files?.[0]?.files?.[0]?.id;
    return { ok: true, filename, ...(fileId ? { fileId } : {}), bytes: Buffer.byteLength(markdown), discussion };
  } catch (err) {
    const error = describeSlackError(err);
    deps.logger.warn({ runId: run.id, error }, 'the post-mortem could not be uploaded');
    return {
      ok: false,
      message: `I could not upload the post-mortem (${error}). \`triage postmortem ${run.id}\` prints it.`,
    };
  }
}
