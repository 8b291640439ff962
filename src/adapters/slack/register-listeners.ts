import { randomUUID } from 'node:crypto';
import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ServiceExplanation } from '../../application/diagnose/explain-service.js';
import type { RunJournal } from '../../application/diagnose/run-journal.js';
import type { CommandStatus, RunStore } from '../../application/ports/run-store.js';
import { SymptomError } from '../../domain/errors.js';
import { type Redactor, redactDeep } from '../../domain/redaction/redact.js';
import { parseSymptom } from '../../domain/symptom/parse-symptom.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import { renderExplanation } from './blocks/render-explanation.js';
import type { ChannelPacer } from './channel-pacer.js';
import { guardEphemeral, QUOTE_MAX } from './ephemeral.js';
import { exportPostmortem } from './export-postmortem.js';
import { ACTIONS } from './ids.js';
import { truncate } from './mrkdwn.js';
import { dedupeKeyOf, messageLink, type RunRecord, type RunRegistry } from './run-registry.js';
import type { ReporterLogger, SlackMessage, ThreadRenderers } from './slack-run-reporter.js';
import { recordFromStored } from './stored-record.js';
import type { StartRunArgs, ThreadRunner } from './thread-runner.js';

export interface SlackSurfaceDeps {
  runner: ThreadRunner;
  registry: RunRegistry;
  pacer: ChannelPacer;
  render: ThreadRenderers & { help(): SlackMessage };
  logger: ReporterLogger & { info(obj: Record<string, unknown>, msg: string): void };
  now: () => Date;
  timeZone?: string;
  /** Seen Events API event ids, so a redelivered event starts nothing new. */
  maxRememberedEvents?: number;
  /** The run store: runs of other replicas and from before a restart, exports, and claims replicas share. */
  store: RunStore;
  journal: RunJournal;
  redactor: Redactor;
  /** How long a claim on a service+window twin holds at most (the diagnosis deadline plus slack). */
  twinClaimMs: number;
  /** What Triage can read for a service (`/diagnose explain <service>`). */
  explain?: (service: string) => Promise<ServiceExplanation>;
}

/** How long an Events API event id stays claimed (Slack retries within minutes). */
const EVENT_CLAIM_MS = 3_600_000;

/**
 * How long a slash command's ack waits for the run store to record the command: well inside Slack's 3 s. Past it
 * (or when the write fails) the command is acknowledged anyway and goes on in memory only.
 */
export const COMMAND_RECORD_BUDGET_MS = 1500;

/** Waits for `work` at most `ms`: ok when it succeeded in time, else why not (it may still finish later). */
async function withinBudget(work: Promise<unknown>, ms: number): Promise<{ ok: true } | { ok: false; why: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: false; why: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, why: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => ({ ok: true }) as const,
        (err: unknown) => ({ ok: false, why: err instanceof Error ? err.message : String(err) }) as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Removes the leading bot mention(s) from an app_mention text. */
function withoutMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Wires /diagnose, the buttons and app mentions to the diagnosis use-case. Every handler acknowledges first and
 * works afterwards, so Slack never waits more than a few milliseconds for an answer.
 */
export function registerListeners(app: App, deps: SlackSurfaceDeps): void {
  const seenEvents = new Set<string>();
  const maxSeen = deps.maxRememberedEvents ?? 5000;
  /** Service+window keys this replica is starting or running (the store's claim is the cross-replica check). */
  const reserved = new Set<string>();
  const { store, journal } = deps;

  /** Claims a key for this replica in the store; a store that cannot answer lets the work through (fail open). */
  const claim = async (key: string, ms: number): Promise<boolean> => {
    try {
      return await store.claimKey(key, journal.replica, ms);
    } catch (err) {
      deps.logger.warn({ key, error: err instanceof Error ? err.message : String(err) }, 'claim failed; going ahead');
      return true;
    }
  };

  // Slack redelivers events it thinks were not received (X-Slack-Retry-Num) and may send an event twice:
  // both are dropped here, after Bolt has already answered 200.
  // Replicas behind one load balancer may each get the event: the store's claim lets exactly one through.
  app.use(async ({ context, body, next }) => {
    if (context.retryNum) return;
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string') {
      if (seenEvents.has(eventId)) return;
      seenEvents.add(eventId);
      if (seenEvents.size > maxSeen) {
        const oldest = seenEvents.values().next().value;
        if (oldest !== undefined) seenEvents.delete(oldest);
      }
      if (!(await claim(`event:${eventId}`, EVENT_CLAIM_MS))) return;
    }
    await next();
  });

  const parse = (text: string, now: Date = deps.now()): ParsedSymptom =>
    parseSymptom(text, { now, ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) });

  /** Parses the symptom, or tells the user what could not be understood and returns undefined. */
  const parseOrExplain = async (text: string, explain: (message: string) => Promise<unknown>, now?: Date) => {
    try {
      return parse(text, now);
    } catch (err) {
      if (!(err instanceof SymptomError)) throw err;
      await explain(err.message);
      return undefined;
    }
  };

  const runner = deps.runner;
  const startRun = (args: StartRunArgs) => runner.start(args);

  app.command('/diagnose', async ({ command, ack: rawAck, respond: rawRespond, client }) => {
    // Every answer the user sees is redacted and clipped, like channel posts.
    const ack = guardEphemeral(rawAck, deps.redactor);
    const respond = guardEphemeral(rawRespond, deps.redactor);
    const text = command.text.trim();
    if (text === '' || /^help\b/i.test(text)) {
      const help = deps.render.help();
      await ack({ response_type: 'ephemeral', text: help.text, blocks: help.blocks });
      return;
    }
    const explain = /^explain\b\s*(.*)$/is.exec(text);
    if (explain && deps.explain) {
      const service = (explain[1] ?? '').trim();
      if (service === '') {
        await ack({ response_type: 'ephemeral', text: 'Name the service: `/diagnose explain checkout`.' });
        return;
      }
      await ack({ response_type: 'ephemeral', text: `Looking at what Prometheus has for ${service}…` });
      try {
        const explanation = await deps.explain(service);
        const message = renderExplanation(redactDeep(explanation, deps.redactor), deps.redactor(service));
        await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
      } catch (err) {
        deps.logger.warn({ error: err instanceof Error ? err.message : String(err) }, '/diagnose explain failed');
        await respond({
          response_type: 'ephemeral',
          text: `I could not read Prometheus to explain ${service}: ${err instanceof Error ? deps.redactor(err.message) : 'unknown error'}`,
        });
      }
      return;
    }
    if (/^export\b/i.test(text)) {
      await ack({ response_type: 'ephemeral', text: 'Exporting the latest diagnosis in this channel…' });
      const [latest] = await store.listRuns({ channel: command.channel_id, limit: 1 });
      if (!latest) {
        await respond({ response_type: 'ephemeral', text: 'There is no diagnosis in this channel to export yet.' });
        return;
      }
      await exportTo(client, latest.id, command.channel_id, respond);
      return;
    }
    // A window relative to "now" is anchored here, when the command was received, even if it runs after a restart.
    const receivedAt = deps.now();
    const symptom = await parseOrExplain(
      text,
      (message) => ack({ response_type: 'ephemeral', text: `${message} Try \`/diagnose help\` for examples.` }),
      receivedAt,
    );
    if (!symptom) return;
    const key = dedupeKeyOf(symptom);
    const twinKey = key ? `twin:${command.team_id}:${key}` : undefined;
    // This replica's own twins are answered at once; another replica's are found by the store's claim after the
    // ack, so Slack's 3 s (and our 50 ms) never wait on the database.
    const twin = key ? deps.registry.running(key) : undefined;
    if (twinKey && (twin || reserved.has(twinKey))) {
      const where = twin?.rootTs ? `: <${messageLink(twin.channel, twin.rootTs)}|see the thread>` : '';
      await ack({
        response_type: 'ephemeral',
        text: `A diagnosis of ${symptom.service} for the same window is already running${where}. I won't start a twin.`,
      });
      return;
    }
    if (twinKey) reserved.add(twinKey);
    // Recorded before the ack (redacted, like the rest of the run): a process killed between the ack and the root
    // post leaves the command for the next start to run (see recoverRuns). The run takes the command's id.
    const runId = randomUUID();
    const recording = store.acceptCommand({
      id: runId,
      channel: command.channel_id,
      userId: command.user_id,
      teamId: command.team_id || null,
      text: deps.redactor(text),
      symptom: redactDeep(symptom, deps.redactor),
      responseUrl: command.response_url || null,
      receivedAt,
      owner: journal.replica,
    });
    const recorded = await withinBudget(recording, COMMAND_RECORD_BUDGET_MS);
    if (!recorded.ok) {
      deps.logger.warn(
        { runId, user: command.user_id, channel: command.channel_id, error: recorded.why, durable: false },
        '/diagnose could not be recorded before the ack; going on in memory (a crash before its root is posted loses it)',
      );
    }
    await ack({
      response_type: 'ephemeral',
      text: `Diagnosing "${truncate(text, QUOTE_MAX)}"… I'll post the thread in this channel.`,
    });
    deps.logger.info(
      { runId, user: command.user_id, channel: command.channel_id, durable: recorded.ok },
      '/diagnose accepted',
    );
    /** What became of the command (after its record, should that write still be under way). */
    const settle = (status: Exclude<CommandStatus, 'accepted'>) =>
      recording.then(() => store.settleCommand(runId, status)).catch(() => undefined);
    void (async () => {
      try {
        if (twinKey && !(await claim(twinKey, deps.twinClaimMs))) {
          const other = await runningTwin(command.channel_id, key);
          const where = other ? `: <${messageLink(other.channel, other.rootTs)}|see the thread>` : '';
          await respond({
            response_type: 'ephemeral',
            text: `Another Triage replica is already diagnosing ${symptom.service} for the same window${where}, so I won't start a twin.`,
          });
          await settle('declined');
          return;
        }
        let posted = false;
        const record = await startRun({
          client,
          channel: command.channel_id,
          userId: command.user_id,
          text,
          symptom,
          respond,
          runId,
          onRootPosted: () => {
            posted = true;
            void settle('started');
          },
        });
        // Run without a thread (the bot is not in the channel), or not run at all (the user was told why).
        if (!posted) await settle(record ? 'started' : 'declined');
        if (twinKey) await store.releaseKey(twinKey).catch(() => undefined);
      } finally {
        if (twinKey) reserved.delete(twinKey);
      }
    })();
  });

  /** A running run in the channel for the same service and window (started by any replica). */
  const runningTwin = async (channel: string, key: string | null) => {
    if (!key) return undefined;
    try {
      const running = await store.listRuns({ channel, status: 'running', limit: 50 });
      const twin = running.find((r) => dedupeKeyOf(r.symptom) === key && r.rootTs);
      return twin?.channel && twin.rootTs ? { channel: twin.channel, rootTs: twin.rootTs } : undefined;
    } catch {
      return undefined;
    }
  };

  const exportTo = async (client: WebClient, runId: string, channel: string, respond: RespondFn) => {
    const outcome = await exportPostmortem(
      client,
      { store, redactor: deps.redactor, now: deps.now, logger: deps.logger },
      { runId, channel },
    );
    if (!outcome.ok) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome.message });
      return;
    }
    deps.logger.info({ runId, bytes: outcome.bytes }, 'post-mortem exported');
  };

  const rerun = async (client: WebClient, record: RunRecord, userId: string) => {
    let symptom: ParsedSymptom;
    if (record.alert) {
      // An alert's window starts at its onset: keep the start, look up to now.
      const end = deps.now();
      symptom = { ...record.symptom, window: { start: record.symptom.window.start, end } };
    } else {
      try {
        symptom = parse(record.text);
      } catch {
        symptom = record.symptom;
      }
    }
    await startRun({
      client,
      channel: record.channel,
      userId,
      text: record.text,
      symptom,
      inThread: record.threadTs,
      trigger: 'button',
      ...(record.alert ? { alert: { ...record.alert, repeats: 0, grouped: [] } } : {}),
    });
  };

  /** The run a button belongs to: this replica's, or from the store (the other replica's, or before a restart). */
  const lookup = async (runId: string, respond: RespondFn): Promise<RunRecord | undefined> => {
    let record = deps.registry.get(runId);
    if (!record) {
      try {
        const stored = await store.getRun(runId);
        record = stored ? recordFromStored(stored, await store.events(runId)) : undefined;
      } catch (err) {
        deps.logger.warn({ runId, error: err instanceof Error ? err.message : String(err) }, 'run lookup failed');
      }
      if (record) deps.registry.add(record);
    }
    if (!record) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'I have no record of this run. Start a new one with /diagnose.',
      });
    }
    return record;
  };

  app.action(ACTIONS.rerun, async ({ ack, action, body, client, respond: rawRespond }) => {
    const respond = guardEphemeral(rawRespond, deps.redactor);
    await ack();
    const record = await lookup(String((action as { value?: unknown }).value ?? ''), respond);
    if (record) void rerun(client, record, body.user.id);
  });

  const decide = (decision: 'confirmed' | 'rejected') =>
    app.action(
      decision === 'confirmed' ? ACTIONS.confirm : ACTIONS.reject,
      async ({ ack, action, body, client, respond: rawRespond }) => {
        const respond = guardEphemeral(rawRespond, deps.redactor);
        await ack();
        const record = await lookup(String((action as { value?: unknown }).value ?? ''), respond);
        if (!record?.top) return;
        record.decision = { userId: body.user.id, decision, cause: record.top.cause, at: deps.now() };
        await journal.update(record.runId, { decision: record.decision });
        await journal.note(record.runId, {
          type: 'human-decision',
          userId: body.user.id,
          decision,
          cause: record.top.cause,
        });
        await runner.refreshRoot(client, record);
      },
    );
  decide('confirmed');
  decide('rejected');

  app.action(ACTIONS.exportPostmortem, async ({ ack, action, body, client, respond: rawRespond }) => {
    const respond = guardEphemeral(rawRespond, deps.redactor);
    await ack();
    const runId = String((action as { value?: unknown }).value ?? '');
    const channel = (body as { channel?: { id?: string } }).channel?.id ?? '';
    await exportTo(client, runId, channel, respond);
  });

  app.event('app_mention', async ({ event, client }) => {
    const text = withoutMentions(event.text ?? '');
    const channel = event.channel;
    const threadTs = event.thread_ts;
    const userId = event.user ?? 'unknown';
    const say = (message: SlackMessage | string) => {
      const m = typeof message === 'string' ? { text: message } : message;
      return deps.pacer.run(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs ?? event.ts, ...m }));
    };
    const record = threadTs ? deps.registry.byThreadTs(channel, threadTs) : undefined;
    if (record && /^(why|explain)\b/i.test(text)) {
      if (!record.result) {
        await say(
          `Still working: ${record.stepsDone} of ${record.stepsTotal} steps done. I'll post the ledger here when it finishes.`,
        );
        return;
      }
      await say(deps.render.ledger(record.result, record));
      return;
    }
    if (record && /^re-?run\b/i.test(text)) {
      await rerun(client, record, userId);
      return;
    }
    if (text === '' || /^help\b/i.test(text)) {
      await say(deps.render.help());
      return;
    }
    const symptom = await parseOrExplain(text, say);
    if (!symptom) return;
    await startRun({ client, channel, userId, text, symptom, inThread: threadTs ?? event.ts, trigger: 'mention' });
  });
}
