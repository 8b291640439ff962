/**
 * Slack figures: /diagnose ack latency with 20 concurrent commands (each in its own channel, as 20 incidents
 * would be), and for one command the time from the command to the first thread reply and to the final ledger,
 * against the fake Slack (Slack's limits on) and the local scenario Prometheus.
 */

import type { Scenario } from '../test/scenarios/catalog.js';
import { startSlackHarness } from '../test/slack/slack-harness.js';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

export async function benchSlack(prometheusUrl: string, scenarios: readonly Scenario[], out: (line: string) => void) {
  const first = scenarios.find((s) => s.cause === 'bad-deploy') ?? scenarios[0];
  if (!first) return;
  const at = new Date(first.at);
  const channels = Array.from({ length: 20 }, (_, i) => `C0BENCH${String(i).padStart(3, '0')}`);
  const slack = await startSlackHarness({
    prometheusUrl,
    now: () => at,
    fake: { channels: channels.map((id) => ({ id })).concat([{ id: 'C0ALERTS01' }]) },
  });
  try {
    const acks = await Promise.all(channels.map((channel) => slack.command(first.symptom, { channel_id: channel })));
    const ms = acks.map((a) => a.ms);
    const ok = acks.filter((a) => a.status === 200).length;
    out(
      `/diagnose ack latency, 20 concurrent: median ${pct(ms, 50).toFixed(1)} ms, p99 ${pct(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (${ok}/20 answered 200)`,
    );
    await slack.settled(600_000);

    slack.fake.reset();
    const t0 = Date.now();
    await slack.command(first.symptom, { channel_id: 'C0ALERTS01' });
    await slack.settled(120_000);
    const posts = slack.fake.callsTo('chat.postMessage').filter((c) => c.status === 200);
    const firstReply = posts.find((c) => c.params.thread_ts !== undefined);
    const ledger = posts.at(-1);
    out(
      `command → first thread reply: ${firstReply ? firstReply.time - t0 : NaN} ms; → final ledger: ${ledger ? ledger.time - t0 : NaN} ms (${posts.length - 1} replies paced at about one per second, 429s: ${slack.fake.calls.filter((c) => c.status === 429).length})`,
    );
  } finally {
    await slack.stop();
  }
}
