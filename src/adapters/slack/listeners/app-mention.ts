import type { App } from '@slack/bolt';
import type { SlackMessage } from '../blocks/slack-message.js';
import type { Surface } from './surface.js';

/** Removes the leading bot mention(s) from an app_mention text. */
function withoutMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `@Triage <symptom>` starts a diagnosis; in a run's thread, `why` shows its ledger and `rerun` runs it again. */
export function registerAppMention(app: App, surface: Surface): void {
  const { deps } = surface;
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
      await surface.rerun(client, record, userId);
      return;
    }
    if (text === '' || /^help\b/i.test(text)) {
      await say(deps.render.help());
      return;
    }
    const symptom = await surface.parseOrExplain(text, say);
    if (!symptom) return;
    await deps.runner.start({
      client,
      channel,
      userId,
      text,
      symptom,
      inThread: threadTs ?? event.ts,
      trigger: 'mention',
    });
  });
}
