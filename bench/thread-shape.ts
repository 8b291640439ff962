/**
 * The thread each diagnosis of the scenario suite leaves in Slack (the fake Slack with Slack's limits on, the
 * scenario Prometheus, the default pacing): how many messages it posts (the root, its replies and the charts
 * message), and how long from the command to the ledger in the thread. One scenario at a time, each in its own
 * channel, so the figure is a diagnosis's own and not a queue's.
 */
import type { Scenario } from '../test/scenarios/catalog.js';
import { startSlackHarness } from '../test/slack/slack-harness.js';
import { percentile } from './table.js';

export interface ThreadShapeFigures {
  diagnoses: number;
  /** Messages in the channel per diagnosis (root, thread replies and chart uploads). */
  messages: number[];
  /** Command → the ledger's post, ms. */
  ledgerMs: number[];
  /** Diagnoses whose charts were uploaded. */
  withCharts: number;
  rateLimited: number;
}

export async function benchThreadShape(
  prometheusUrl: string,
  scenarios: readonly Scenario[],
  limit = scenarios.length,
): Promise<ThreadShapeFigures> {
  const chosen = scenarios.slice(0, limit);
  const channels = chosen.map((_, i) => `C0SHAPE${String(i).padStart(3, '0')}`);
  let now = new Date(chosen[0]?.at ?? Date.now());
  const slack = await startSlackHarness({
    prometheusUrl,
    now: () => now,
    fake: { channels: channels.map((id) => ({ id })) },
  });
  const figures: ThreadShapeFigures = { diagnoses: 0, messages: [], ledgerMs: [], withCharts: 0, rateLimited: 0 };
  try {
    for (const [i, scenario] of chosen.entries()) {
      const channel = channels[i] as string;
      now = new Date(scenario.at);
      const t0 = Date.now();
      await slack.command(scenario.symptom, { channel_id: channel });
      await slack.settled(120_000);
      const posts = slack.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.status === 200 && c.params.channel === channel);
      const ledger = posts.at(-1);
      if (!ledger) continue;
      const inChannel = slack.fake.messages.get(channel) ?? [];
      figures.diagnoses++;
      figures.messages.push(inChannel.length);
      figures.ledgerMs.push(ledger.time - t0);
      if (inChannel.some((m) => (m as { files?: unknown[] }).files?.length)) figures.withCharts++;
    }
    figures.rateLimited = slack.fake.calls.filter((c) => c.status === 429).length;
    return figures;
  } finally {
    await slack.stop();
  }
}

/** Median and maximum of a list. */
export function spread(xs: readonly number[]): { median: number; max: number } {
  return { median: percentile(xs, 50), max: Math.max(...xs) };
}
