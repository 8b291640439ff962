import type { App } from '@slack/bolt';
import type { Surface } from './surface.js';

/** How long an Events API event id stays claimed (Slack retries within minutes). */
const EVENT_CLAIM_MS = 3_600_000;

/**
 * Slack redelivers events it thinks were not received (X-Slack-Retry-Num) and may send an event twice: both are
 * dropped here, after Bolt has already answered 200. Replicas behind one load balancer may each get the event: the
 * store's claim lets exactly one through.
 */
export function registerEventDedupe(app: App, { deps, twins }: Surface): void {
  const seenEvents = new Set<string>();
  const maxSeen = deps.maxRememberedEvents ?? 5000;
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
      if (!(await twins.claim(`event:${eventId}`, EVENT_CLAIM_MS))) return;
    }
    await next();
  });
}
