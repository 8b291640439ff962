import type { App } from '@slack/bolt';
import { type AlertNotification, alertKey } from '../../../domain/alerts/alert.js';
import type { AlertIntake } from './alert-intake.js';
import { parseSlackAlert, type SlackAlertMessage } from './parse/parse-slack-alert.js';

/** The fields of a message event Triage reads (message events are loosely typed unions in Bolt). */
interface MessageFields extends SlackAlertMessage {
  channel?: string;
  ts?: string;
  thread_ts?: string;
  user?: string;
  hidden?: boolean;
  message?: MessageFields;
  previous_message?: MessageFields;
}

function isTopLevel(m: MessageFields): boolean {
  return m.thread_ts === undefined || m.thread_ts === m.ts;
}

/** The alerts of a notification by identity and status, so an edit that changes any of them counts. */
function identities(n: AlertNotification): string {
  return n.alerts
    .map((a) => `${a.status}:${alertKey(a)}`)
    .sort()
    .join('\n');
}

function sameAlert(a: AlertNotification | null, b: AlertNotification | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.status === b.status &&
    a.title === b.title &&
    a.firingCount === b.firingCount &&
    identities(a) === identities(b)
  );
}

/**
 * Watches the alert channels: a top-level message posted by an integration (Alertmanager, Grafana) that reads as an
 * alert goes to the intake, and so does an edit of one that changes it (Alertmanager's `update_message` turns a
 * firing post into a resolved one). Thread replies, people's messages, Triage's own messages and other bots'
 * non-alert messages are ignored, so nothing Triage posts can start a diagnosis.
 */
export function registerAlertListener(
  app: App,
  deps: {
    channels: ReadonlySet<string>;
    intake: AlertIntake;
    logger: { warn(obj: Record<string, unknown>, msg: string): void };
  },
): void {
  app.event('message', async ({ event, context }) => {
    const e = event as unknown as MessageFields;
    const channel = e.channel;
    if (!channel || !deps.channels.has(channel)) return;
    const isSelf = (m: MessageFields) =>
      (context.botId !== undefined && m.bot_id === context.botId) ||
      (context.botUserId !== undefined && m.user === context.botUserId);

    let message: MessageFields;
    let notification: AlertNotification | null;
    if (e.subtype === 'message_changed') {
      const current = e.message;
      if (!current?.ts || !isTopLevel(current) || !current.bot_id || isSelf(current)) return;
      notification = parseSlackAlert(current);
      // Link unfurls and other edits that leave the alert as it was are noise.
      if (!notification || sameAlert(notification, e.previous_message ? parseSlackAlert(e.previous_message) : null))
        return;
      message = current;
    } else {
      if (e.subtype !== undefined && e.subtype !== 'bot_message') return;
      if (!e.ts || !isTopLevel(e) || !e.bot_id || isSelf(e)) return;
      notification = parseSlackAlert(e);
      if (!notification) return;
      message = e;
    }
    try {
      await deps.intake.accept({ notification, channel, ...(message.ts ? { alertTs: message.ts } : {}) });
    } catch (err) {
      deps.logger.warn({ channel, error: err instanceof Error ? err.message : String(err) }, 'alert intake failed');
    }
  });
}
