/**
 * The load generator for the ack benchmark, run as its own process so that signing and sending 20 requests does
 * not share an event loop with the app it measures. Reads a JSON job on argv, prints one JSON line of timings.
 *
 * It sends with node:http over kept-alive connections, one per concurrent request, as Slack's senders hold warm
 * connections; each timing runs from writing the request to reading the whole answer.
 */
import { Agent, request } from 'node:http';
import { signSlackRequest, slashCommandBody } from '../test/support/fake-slack/sign-request.js';

interface Job {
  url: string;
  secret: string;
  commands: { text: string; channel_id: string; response_url: string }[];
  /** Commands sent first, unmeasured, to open and warm the connections (e.g. `help`, which starts nothing). */
  warmUp?: { text: string; channel_id: string; response_url: string }[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const agent = new Agent({ keepAlive: true, maxSockets: job.commands.length });

const sign = (commands: Job['commands']) =>
  commands.map((c) => {
    const body = slashCommandBody({ text: c.text, channel_id: c.channel_id, response_url: c.response_url });
    return { body, headers: { ...signSlackRequest({ signingSecret: job.secret, body }) } };
  });

function send({ body, headers }: { body: string; headers: Record<string, string> }) {
  return new Promise<{ ms: number; status: number; text: string }>((resolve, reject) => {
    const t0 = performance.now();
    const req = request(job.url, {
      method: 'POST',
      agent,
      headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Sign everything first, so the measured time is the app's.
const warm = sign(job.warmUp ?? []);
const requests = sign(job.commands);
for (let i = 0; i < 2; i++) await Promise.all(warm.map(send));
const timings = await Promise.all(
  requests.map(async (r) => {
    const { ms, status, text } = await send(r);
    return { ms, status, started: /Diagnosing/.test(text) };
  }),
);
agent.destroy();
process.stdout.write(`${JSON.stringify(timings)}\n`);
