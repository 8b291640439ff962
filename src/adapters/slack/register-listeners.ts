import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { SymptomError } from '../../domain/errors.js';
import { parseSymptom } from '../../domain/symptom/parse-symptom.js';
import type { ParsedSymptom } from '../../domain/symptom/symptom.js';
import type { ChannelPacer } from './channel-pacer.js';
import { ACTIONS } from './ids.js';
import { dedupeKeyOf, messageLink, type RunRecord, type RunRegistry } from './run-registry.js';
import type { ReporterLogger, SlackMessage, ThreadRenderers } from './slack-run-reporter.js';
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
  const reserved = new Set<string>();

  // Slack redelivers events it thinks were not received (X-Slack-Retry-Num) and may send an event twice:
  // both are dropped here, after Bolt has already answered 200.
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
    }
    await next();
  });

  const parse = (text: string): ParsedSymptom =>
    parseSymptom(text, { now: deps.now(), ...(deps.timeZone ? { timeZone: deps.timeZone } : {}) });

  /** Parses the symptom, or tells the user what could not be understood and returns undefined. */
  const parseOrExplain = async (text: string, explain: (message: string) => Promise<unknown>) => {
    try {
      return parse(text);
    } catch (err) {
      if (!(err instanceof SymptomError)) throw err;
      await explain(err.message);
      return undefined;
    }
  };

  const runner = deps.runner;
  const startRun = (args: StartRunArgs) => runner.start(args);

  app.command('/diagnose', async ({ command, ack, respond, client }) => {
    const text = command.text.trim();
    if (text === '' || /^help\b/i.test(text)) {
      const help = deps.render.help();
      await ack({ response_type: 'ephemeral', text: help.text, blocks: help.blocks });
      return;
    }
    if (/^export\b/i.test(text)) {
      await ack({
        response_type: 'ephemeral',
        text: 'Post-mortem export is not available yet: it arrives with the run store. The thread above has every step and the ledger.',
      });
      return;
    }
    const symptom = await parseOrExplain(text, (message) =>
      ack({ response_type: 'ephemeral', text: `${message} Try \`/diagnose help\` for examples.` }),
    );
    if (!symptom) return;
    const key = dedupeKeyOf(symptom);
    const twin = key ? deps.registry.running(key) : undefined;
    if (key && (twin || reserved.has(key))) {
      const where = twin?.rootTs ? `: <${messageLink(twin.channel, twin.rootTs)}|see the thread>` : '';
      await ack({
        response_type: 'ephemeral',
        text: `A diagnosis of ${symptom.service} for the same window is already running${where}. I won't start a twin.`,
      });
      return;
    }
    if (key) reserved.add(key);
    await ack({ response_type: 'ephemeral', text: `Diagnosing "${text}"… I'll post the thread in this channel.` });
    deps.logger.info({ user: command.user_id, channel: command.channel_id }, '/diagnose accepted');
    void startRun({ client, channel: command.channel_id, userId: command.user_id, text, symptom, respond }).finally(
      () => {
        if (key) reserved.delete(key);
      },
    );
  });

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
      ...(record.alert ? { alert: { ...record.alert, repeats: 0, grouped: [] } } : {}),
    });
  };

  const lookup = async (runId: string, respond: RespondFn): Promise<RunRecord | undefined> => {
    const record = deps.registry.get(runId);
    if (!record) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'I no longer have this run in memory (Triage restarted since). Start a new one with /diagnose.',
      });
    }
    return record;
  };

  app.action(ACTIONS.rerun, async ({ ack, action, body, client, respond }) => {
    await ack();
    const record = await lookup(String((action as { value?: unknown }).value ?? ''), respond);
    if (record) void rerun(client, record, body.user.id);
  });

  const decide = (decision: 'confirmed' | 'rejected') =>
    app.action(
      decision === 'confirmed' ? ACTIONS.confirm : ACTIONS.reject,
      async ({ ack, action, body, client, respond }) => {
        await ack();
        const record = await lookup(String((action as { value?: unknown }).value ?? ''), respond);
        if (!record?.top) return;
        record.decision = { userId: body.user.id, decision, cause: record.top.cause, at: deps.now() };
        await runner.refreshRoot(client, record);
      },
    );
  decide('confirmed');
  decide('rejected');

  app.action(ACTIONS.exportPostmortem, async ({ ack, respond }) => {
    await ack();
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Post-mortem export is not available yet: it arrives with the run store.',
    });
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
    await startRun({ client, channel, userId, text, symptom, inThread: threadTs ?? event.ts });
  });
}
