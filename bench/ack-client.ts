/**
 * The load generator for the ack benchmark, run as its own process so that signing and sending 20 requests does
 * not share an event loop with the app it measures. Reads a JSON job on argv, prints one JSON line of timings.
 */
import { signSlackRequest, slashCommandBody } from '../test/support/fake-slack/sign-request.js';

interface Job {
  url: string;
  secret: string;
  commands: { text: string; channel_id: string; response_url: string }[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
// Sign everything first, so the measured time is the app's.
const requests = job.commands.map((c) => {
  const body = slashCommandBody({ text: c.text, channel_id: c.channel_id, response_url: c.response_url });
  return { body, headers: { ...signSlackRequest({ signingSecret: job.secret, body }) } };
});
// Warm the client (connection pool, fetch's first-use set-up) on an unmeasured route, as Slack's senders are warm.
await Promise.all(
  Array.from({ length: requests.length }, async () => (await fetch(new URL('/healthz', job.url))).arrayBuffer()),
);
const timings = await Promise.all(
  requests.map(async ({ body, headers }) => {
    const t0 = performance.now();
    const res = await fetch(job.url, { method: 'POST', body, headers });
    const text = await res.text();
    return { ms: performance.now() - t0, status: res.status, started: /Diagnosing/.test(text) };
  }),
);
process.stdout.write(`${JSON.stringify(timings)}\n`);
