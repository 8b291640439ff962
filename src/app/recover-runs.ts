import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { QUOTE_MAX } from '../adapters/slack/ephemeral.js';
import { codeSpan, fitText, userMention } from '../adapters/slack/mrkdwn.js';
import type { RunRegistry } from '../adapters/slack/run-registry.js';
import { describeSlackError } from '../adapters/slack/slack-thread-reporter.js';
import { recordFromStored } from '../adapters/slack/stored-record.js';
import type { ThreadRunner } from '../adapters/slack/thread-runner.js';
import type { CommandStatus, RunStore, StoredCommand, StoredRun } from '../application/ports/run-store.js';

/**
 * A slash command older than this when Triage comes back is not run: a thread appearing a quarter of an hour after
 * the question, on a window the on-call has moved past, would confuse more than help. The channel is told instead.
 */
export const COMMAND_MAX_AGE_MS = 15 * 60_000;

export interface RecoverRunsDeps {
  store: RunStore;
  replica: string;
  now: () => Date;
  /** A running run of another replica not updated for this long is taken for dead. */
  staleMs: number;
  client: WebClient;
  runner: Pick<ThreadRunner, 'refreshRoot'> & Partial<Pick<ThreadRunner, 'resumeDelivery' | 'start'>>;
  registry: RunRegistry;
  logger: {
    info(obj: Record<string, unknown>, msg: string): void;
    warn(obj: Record<string, unknown>, msg: string): void;
  };
  /**
   * Wait until the resumed threads are delivered and the resumed commands diagnosed (tests, the crash bench); by
   * default they go on in the background.
   */
  awaitDelivery?: boolean;
  /** Slash commands asked longer ago than this are not run after a restart (default {@link COMMAND_MAX_AGE_MS}). */
  commandMaxAgeMs?: number;
}

/**
 * On start: the runs this replica was running when it stopped, and runs of replicas that died, are marked
 * interrupted, and their Slack roots say so (with the Re-run button). Each run is marked once even when replicas
 * start together. Then the threads left incomplete (outbox messages pending, or a ledger never queued) of this
 * replica's runs and of stale ones are delivered, oldest run first, each by one replica (see {@link resumeDeliveries}).
 * Last, slash commands acknowledged but never started (the process died before their root was posted) are run, or
 * the channel is told they were too old (see {@link resumeCommands}).
 */
export async function recoverRuns(deps: RecoverRunsDeps): Promise<StoredRun[]> {
  const at = deps.now();
  const reason = 'Triage stopped before this diagnosis finished';
  const mine = await deps.store.markInterrupted({ owner: deps.replica, reason, at });
  const stale = await deps.store.markInterrupted({
    // updatedAt is stamped by the store's wall clock, so staleness is measured by it too.
    staleBefore: new Date(Date.now() - deps.staleMs),
    reason: 'the replica running this diagnosis stopped answering',
    at,
  });
  const interrupted = [...mine, ...stale];
  if (interrupted.length > 0) deps.logger.info({ runs: interrupted.length }, 'marked interrupted runs');
  await Promise.all(
    interrupted.map(async (run) => {
      const record = recordFromStored(run, await deps.store.events(run.id));
      if (!record) return;
      deps.registry.add(record);
      await deps.runner.refreshRoot(deps.client, record);
    }),
  );
  const resumed = resumeDeliveries(deps).catch((err: unknown) => {
    deps.logger.warn({ error: String(err) }, 'could not resume the delivery of unfinished threads');
    return { runs: 0, complete: 0, incomplete: 0 };
  });
  // After the runs were marked: a command started now is a running run of this replica, not an interrupted one.
  const commands = await resumeCommands(deps).catch((err: unknown) => {
    deps.logger.warn({ error: String(err) }, 'could not resume the slash commands left by a restart');
    return { resumed: 0, expired: 0, done: Promise.resolve() };
  });
  if (deps.awaitDelivery) await Promise.all([resumed, commands.done]);
  return interrupted;
}

type CommandDeps = Pick<
  RecoverRunsDeps,
  'store' | 'replica' | 'now' | 'staleMs' | 'client' | 'runner' | 'registry' | 'logger' | 'commandMaxAgeMs'
>;

export interface CommandsReport {
  /** Commands started again (their root says they were resumed after a restart). */
  resumed: number;
  /** Commands too old to run: marked expired, the channel told. */
  expired: number;
  /** Resolves once the resumed diagnoses are over. */
  done: Promise<void>;
}

/**
 * Runs the slash commands that were acknowledged but whose root was never posted: this replica's from before its
 * restart, and stale ones of replicas that died. Each is claimed in the store first, so it runs on one replica only;
 * a command whose run exists (its root was posted and recorded) is an ordinary run, never started again, and one
 * whose root Slack took just before the process died (found in the channel by its run id) is recorded as an
 * interrupted run on that root. The run takes the command's id, its symptom as parsed on receipt (a "last 45m"
 * window ends when it was asked), and a root saying it was resumed after a restart. A command older than
 * `commandMaxAgeMs` is not run: it is marked expired and a short note in its channel asks the user to run it again.
 */
export async function resumeCommands(deps: CommandDeps): Promise<CommandsReport> {
  const start = deps.runner.start?.bind(deps.runner);
  if (!start) return { resumed: 0, expired: 0, done: Promise.resolve() };
  const claimed = await deps.store.claimCommands({
    owner: deps.replica,
    // Touched by the store's wall clock, so staleness is measured by it too.
    staleBefore: new Date(Date.now() - deps.staleMs),
  });
  if (claimed.length === 0) return { resumed: 0, expired: 0, done: Promise.resolve() };
  const now = deps.now().getTime();
  const maxAgeMs = deps.commandMaxAgeMs ?? COMMAND_MAX_AGE_MS;
  const runs: Promise<void>[] = [];
  let expired = 0;
  for (const command of claimed) {
    if (now - command.receivedAt.getTime() > maxAgeMs) {
      expired++;
      await expireCommand(deps, command);
    } else runs.push(runCommand(deps, start, command));
  }
  deps.logger.info({ resumed: runs.length, expired }, 'slash commands left by a restart');
  return { resumed: runs.length, expired, done: Promise.all(runs).then(() => undefined) };
}

/** Posts the command's root (resumed, with its request time) and diagnoses the window it asked for. */
async function runCommand(
  deps: CommandDeps,
  start: NonNullable<RecoverRunsDeps['runner']['start']>,
  command: StoredCommand,
): Promise<void> {
  const settle = (status: Exclude<CommandStatus, 'accepted'>) =>
    deps.store.settleCommand(command.id, status).catch((err: unknown) => {
      deps.logger.warn({ runId: command.id, error: String(err) }, 'could not record what became of a slash command');
      return undefined;
    });
  let posted = false;
  try {
    // Slack may have taken the root while the process died before recording it: that root is the run's, not a
    // reason to post a second one.
    const rootTs = await findPostedRoot(deps, command);
    if (rootTs) {
      await adoptRoot(deps, command, rootTs);
      await settle('started');
      return;
    }
    const record = await start({
      client: deps.client,
      channel: command.channel,
      userId: command.userId,
      text: command.text,
      symptom: command.symptom,
      runId: command.id,
      resumedFrom: command.receivedAt,
      trigger: 'command',
      ...(command.responseUrl ? { respond: respondVia(command.responseUrl) } : {}),
      onRootPosted: () => {
        posted = true;
        void settle('started');
      },
    });
    if (!posted) await settle(record ? 'started' : 'declined');
  } catch (err) {
    deps.logger.warn({ runId: command.id, error: String(err) }, 'a resumed slash command failed');
  }
}

/** Top-level messages of the channel looked through for a root posted before a crash (newest first). */
const HISTORY_PAGES = 3;

/**
 * The ts of a root this command's run already posted (its buttons carry the run id, which is the command's), found
 * among the channel's latest messages; undefined when there is none, or when the history cannot be read (then the
 * root is posted: at most this one shows twice).
 */
async function findPostedRoot(
  deps: Pick<CommandDeps, 'client' | 'logger'>,
  command: StoredCommand,
): Promise<string | undefined> {
  let cursor: string | undefined;
  try {
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const res = await deps.client.conversations.history({
        channel: command.channel,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      for (const m of res.messages ?? []) {
        if (m.bot_id && m.ts && JSON.stringify(m.blocks ?? []).includes(command.id)) return m.ts;
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
  } catch (err) {
    deps.logger.warn(
      { runId: command.id, channel: command.channel, error: describeSlackError(err) },
      'could not check whether the root of a resumed slash command was already posted',
    );
  }
  return undefined;
}

/**
 * Records the run of a root posted by a process that died before recording it, as interrupted (like any run a crash
 * stopped), and edits its root to say so, with the Re-run button.
 */
async function adoptRoot(deps: CommandDeps, command: StoredCommand, rootTs: string): Promise<void> {
  const at = deps.now();
  await deps.store.createRun({
    id: command.id,
    trigger: 'command',
    text: command.text,
    symptom: command.symptom,
    service: command.symptom.service,
    playbook: null,
    channel: command.channel,
    rootTs,
    threadTs: rootTs,
    userId: command.userId,
    alert: null,
    owner: deps.replica,
    startedAt: command.receivedAt,
    status: 'interrupted',
  });
  await deps.store.updateRun(command.id, { finishedAt: at });
  await deps.store.appendEvent(command.id, {
    type: 'interrupted',
    reason: 'Triage stopped right after posting the root of this diagnosis',
    at,
  });
  const run = await deps.store.getRun(command.id);
  const record = run ? recordFromStored(run, await deps.store.events(command.id)) : undefined;
  deps.logger.info({ runId: command.id, channel: command.channel }, 'found the root of a slash command; interrupted');
  if (!record) return;
  deps.registry.add(record);
  await deps.runner.refreshRoot(deps.client, record);
}

/** Marks a command too old to run expired and tells its channel (once: the claim gave it to this replica alone). */
async function expireCommand(
  deps: Pick<RecoverRunsDeps, 'store' | 'client' | 'logger'>,
  command: StoredCommand,
): Promise<void> {
  if (!(await deps.store.settleCommand(command.id, 'expired'))) return;
  const asked = command.receivedAt.toISOString().slice(0, 16).replace('T', ' ');
  const quoted = fitText(command.text, QUOTE_MAX);
  const text =
    `:warning: ${userMention(command.userId)} Triage restarted before it could diagnose "${quoted}" (asked ${asked} UTC), ` +
    `and that is too long ago to pick it up by itself. Run ${codeSpan(`/diagnose ${command.text}`, QUOTE_MAX)} again if you still need it.`;
  try {
    await deps.client.chat.postMessage({ channel: command.channel, text });
  } catch (err) {
    deps.logger.warn(
      { runId: command.id, channel: command.channel, error: describeSlackError(err) },
      'could not tell the channel that a slash command expired',
    );
  }
  deps.logger.info({ runId: command.id, channel: command.channel, asked }, 'slash command too old to run; expired');
}

/** Answers through a slash command's response URL (as Bolt's `respond` does), for a command resumed after a restart. */
function respondVia(url: string): RespondFn {
  return async (message) => {
    const body = typeof message === 'string' ? { text: message } : message;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`the response URL answered ${res.status}`);
    return res;
  };
}

export interface ResumeReport {
  /** Runs whose thread was incomplete. */
  runs: number;
  /** Of them, delivered in full (every message sent). */
  complete: number;
  /** Of them, with messages that could not be delivered (marked failed; the root says how many). */
  incomplete: number;
}

/**
 * Delivers the incomplete threads of this replica's runs and of stale runs (not updated for `staleMs`), oldest first.
 * Runs of one channel are resumed in order; a run another replica holds is left to it.
 */
export async function resumeDeliveries(
  deps: Pick<RecoverRunsDeps, 'store' | 'replica' | 'staleMs' | 'client' | 'runner' | 'logger'>,
): Promise<ResumeReport> {
  const report: ResumeReport = { runs: 0, complete: 0, incomplete: 0 };
  const resume = deps.runner.resumeDelivery?.bind(deps.runner);
  if (!resume) return report;
  const mine = await deps.store.undeliveredRuns({ owner: deps.replica });
  const stale = await deps.store.undeliveredRuns({ staleBefore: new Date(Date.now() - deps.staleMs) });
  const owed = [...new Map([...mine, ...stale].map((u) => [u.run.id, u])).values()].sort(
    (a, b) => a.run.startedAt.getTime() - b.run.startedAt.getTime(),
  );
  if (owed.length === 0) return report;
  deps.logger.info({ runs: owed.length }, 'resuming the delivery of unfinished threads');
  // One chain per channel keeps threads in the order their runs started; channels go side by side.
  const byChannel = new Map<string, typeof owed>();
  for (const u of owed) {
    const key = u.run.channel ?? '';
    byChannel.set(key, [...(byChannel.get(key) ?? []), u]);
  }
  await Promise.all(
    [...byChannel.values()].map(async (runs) => {
      for (const u of runs) {
        const run = await resume(deps.client, u);
        if (!run) continue;
        report.runs++;
        if (run.undelivered > 0) report.incomplete++;
        else report.complete++;
      }
    }),
  );
  deps.logger.info({ ...report }, 'resumed unfinished threads');
  return report;
}
