/**
 * Slack figures against the fake Slack (Slack's limits on) and the local scenario Prometheus: /diagnose ack latency
 * with 20 concurrent commands (each in its own channel and for its own window, so all 20 really start, as 20
 * incidents would), in several rounds; and for one command, the time to the first thread reply, to the conclusion on
 * the root message and to the ledger.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Scenario } from '../test/scenarios/catalog.js';
import { SIGNING_SECRET, startSlackHarness } from '../test/slack/slack-harness.js';
import { percentile } from './table.js';

const run = promisify(execFile);

export interface SlackFigures {
  acks: number[];
  answered: number;
  /** Until the root message is in the channel (the live progress is shown there). */
  rootMs: number;
  firstReplyMs: number;
  /** Until the root message shows the finished diagnosis. */
  conclusionMs: number;
  ledgerMs: number;
  replies: number;
  rateLimited: number;
}

export async function benchSlack(
  prometheusUrl: string,
  scenarios: readonly Scenario[],
  rounds: number,
): Promise<SlackFigures> {
  const first = scenarios.find((s) => s.cause === 'bad-deploy') ?? scenarios[0];
  if (!first) throw new Error('no scenario');
  const at = new Date(first.at);
  const channels = Array.from({ length: 20 }, (_, i) => `C0BENCH${String(i).padStart(3, '0')}`);
  const slack = await startSlackHarness({
    prometheusUrl,
    now: () => at,
    fake: { channels: channels.map((id) => ({ id })).concat([{ id: 'C0ALERTS01' }]) },
  });
  try {
    const acks: number[] = [];
    let answered = 0;
    for (let round = 0; round < rounds; round++) {
      // The 20 commands come from another process, as Slack's would: the client's work is not on the app's loop.
      const job = {
        url: `http://127.0.0.1:${slack.port}/slack/events`,
        secret: SIGNING_SECRET,
        commands: channels.map((channel, i) => ({
          text: `${first.symptom} for the last ${35 + (round * 20 + i) * 5}m`,
          channel_id: channel,
          response_url: slack.responses.newUrl(),
        })),
        // `help` in every channel first, unmeasured: it opens the client's connections and starts nothing.
        warmUp: channels.map((channel) => ({
          text: 'help',
          channel_id: channel,
          response_url: slack.responses.newUrl(),
        })),
      };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/ack-client.ts', JSON.stringify(job)]);
      const results = JSON.parse(stdout) as { ms: number; status: number; started: boolean }[];
      acks.push(...results.map((a) => a.ms));
      answered += results.filter((a) => a.status === 200 && a.started).length;
      await slack.settled(900_000);
    }

    slack.fake.reset();
    const t0 = Date.now();
    await slack.command(first.symptom, { channel_id: 'C0ALERTS01' });
    await slack.settled(120_000);
    const posts = slack.fake.callsTo('chat.postMessage').filter((c) => c.status === 200);
    const rootPost = posts.find((c) => c.params.thread_ts === undefined);
    const firstReply = posts.find((c) => c.params.thread_ts !== undefined);
    const ledger = posts.at(-1);
    const concluded = slack.fake
      .callsTo('chat.update')
      .find((c) => c.status === 200 && JSON.stringify(c.params).includes('Finished'));
    return {
      acks,
      answered,
      rootMs: rootPost ? rootPost.time - t0 : Number.NaN,
      firstReplyMs: firstReply ? firstReply.time - t0 : Number.NaN,
      conclusionMs: concluded ? concluded.time - t0 : Number.NaN,
      ledgerMs: ledger ? ledger.time - t0 : Number.NaN,
      replies: posts.length - 1,
      rateLimited: slack.fake.calls.filter((c) => c.status === 429).length,
    };
  } finally {
    await slack.stop();
  }
}

export { percentile };
