import { randomUUID } from 'node:crypto';
import type { App, RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { acceptCommand } from '../../../application/runs/accept-command.js';
import { redactDeep } from '../../../domain/redaction/redact.js';
import { renderExplanation } from '../blocks/render-explanation.js';
import { guardEphemeral, QUOTE_MAX } from '../ephemeral.js';
import { truncate } from '../mrkdwn.js';
import { messageLink } from '../run-registry.js';
import type { Surface } from './surface.js';

/** Bolt's `ack` for a slash command, taking an ephemeral answer. */
type Ack = (message: { response_type: 'ephemeral'; text: string; blocks?: unknown[] }) => Promise<void>;

interface CommandContext {
  command: SlashCommand;
  text: string;
  ack: Ack;
  respond: RespondFn;
  client: WebClient;
}

/** `/diagnose explain <service>`: what Triage can read for a service. */
async function explainService(surface: Surface, { ack, respond }: CommandContext, service: string): Promise<void> {
  const { deps } = surface;
  if (service === '' || !deps.explain) {
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
}

/** `/diagnose export`: the channel's latest diagnosis as a post-mortem. */
async function exportLatest(surface: Surface, { command, ack, respond, client }: CommandContext): Promise<void> {
  await ack({ response_type: 'ephemeral', text: 'Exporting the latest diagnosis in this channel…' });
  const [latest] = await surface.deps.store.listRuns({ channel: command.channel_id, limit: 1 });
  if (!latest) {
    await respond({ response_type: 'ephemeral', text: 'There is no diagnosis in this channel to export yet.' });
    return;
  }
  await surface.exportTo(client, latest.id, command.channel_id, respond);
}

/**
 * `/diagnose <symptom>`: refuses a twin of this replica's at once, records the command before the ack, then (after
 * the ack, so Slack never waits on the database) asks the other replicas and runs the diagnosis in a thread.
 */
async function diagnose(surface: Surface, { command, text, ack, respond, client }: CommandContext): Promise<void> {
  const { deps } = surface;
  // A window relative to "now" is anchored here, when the command was received, even if it runs after a restart.
  const receivedAt = deps.now();
  const symptom = await surface.parseOrExplain(
    text,
    (message) => ack({ response_type: 'ephemeral', text: `${message} Try \`/diagnose help\` for examples.` }),
    receivedAt,
  );
  if (!symptom) return;
  const twin = surface.twins.reserve(command.team_id, symptom);
  if (twin.twin) {
    const where = twin.thread ? `: <${messageLink(twin.thread.channel, twin.thread.rootTs)}|see the thread>` : '';
    await ack({
      response_type: 'ephemeral',
      text: `A diagnosis of ${symptom.service} for the same window is already running${where}. I won't start a twin.`,
    });
    return;
  }
  // Recorded redacted, like the rest of the run; the run takes the command's id.
  const runId = randomUUID();
  const { recorded, settle } = await acceptCommand(deps.store, {
    id: runId,
    channel: command.channel_id,
    userId: command.user_id,
    teamId: command.team_id || null,
    text: deps.redactor(text),
    symptom: redactDeep(symptom, deps.redactor),
    responseUrl: command.response_url || null,
    receivedAt,
    owner: deps.journal.replica,
  });
  const where = { runId, user: command.user_id, channel: command.channel_id };
  if (!recorded.ok) {
    deps.logger.warn(
      { ...where, error: recorded.why, durable: false },
      '/diagnose could not be recorded before the ack; going on in memory (a crash before its root is posted loses it)',
    );
  }
  await ack({
    response_type: 'ephemeral',
    text: `Diagnosing "${truncate(text, QUOTE_MAX)}"… I'll post the thread in this channel.`,
  });
  deps.logger.info({ ...where, durable: recorded.ok }, '/diagnose accepted');
  void (async () => {
    try {
      const claimed = await twin.claim(command.channel_id);
      if (!claimed.ok) {
        const link = claimed.thread
          ? `: <${messageLink(claimed.thread.channel, claimed.thread.rootTs)}|see the thread>`
          : '';
        await respond({
          response_type: 'ephemeral',
          text: `Another Triage replica is already diagnosing ${symptom.service} for the same window${link}, so I won't start a twin.`,
        });
        await settle('declined');
        return;
      }
      let posted = false;
      const record = await deps.runner.start({
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
      await twin.releaseClaim();
    } finally {
      twin.end();
    }
  })();
}

/** `/diagnose`: help, explain, export, or a diagnosis. Every answer the user sees is redacted and clipped. */
export function registerDiagnoseCommand(app: App, surface: Surface): void {
  const { redactor } = surface.deps;
  app.command('/diagnose', async ({ command, ack, respond, client }) => {
    const context: CommandContext = {
      command,
      text: command.text.trim(),
      ack: guardEphemeral(ack as Ack, redactor),
      respond: guardEphemeral(respond, redactor),
      client,
    };
    const { text } = context;
    if (text === '' || /^help\b/i.test(text)) {
      const help = surface.deps.render.help();
      await context.ack({ response_type: 'ephemeral', text: help.text, blocks: help.blocks });
      return;
    }
    const explain = /^explain\b\s*(.*)$/is.exec(text);
    if (explain && surface.deps.explain) return explainService(surface, context, (explain[1] ?? '').trim());
    if (/^export\b/i.test(text)) return exportLatest(surface, context);
    return diagnose(surface, context);
  });
}
