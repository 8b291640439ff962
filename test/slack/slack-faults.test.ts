/**
 * Slack failing while Triage posts a thread: 5xx answers and dropped connections are retried and the thread stays in
 * order; a post that still fails after the retries is recorded as not delivered (run store and /metrics), and the
 * rest of the thread goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { type FakeMessage, textOf } from '../support/fake-slack/fake-slack-server.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlowProxy, startSlowProxy } from '../support/slow-proxy.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');

describe.skipIf(!prometheus.available)('Slack faults', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let proxy: SlowProxy;
  let slack: SlackHarness;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    // Steps take a moment each, so faults can be aimed at the thread's replies.
    proxy = await startSlowProxy(server.url, { delayMs: 150 });
    slack = await startSlackHarness({
      prometheusUrl: proxy.url,
      now: () => new Date(scenario.at),
      replyIntervalMs: 200,
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await proxy?.stop();
    await server?.stop();
  });

  /** Starts a diagnosis and resolves with its root once posted. */
  async function start(text: string): Promise<FakeMessage> {
    const roots = slack.fake.channelMessages(CHANNEL).filter((m) => !m.thread_ts).length;
    await slack.command(text);
    return until('the root', () => slack.fake.channelMessages(CHANNEL).filter((m) => !m.thread_ts)[roots]);
  }

  it('retries 5xx answers and dropped connections, keeping the replies in order', async () => {
    const root = await start(scenario.symptom);
    slack.fake.failNext('chat.postMessage', { status: 503, body: '<html>upstream unavailable</html>' }, 2);
    slack.fake.failNext('chat.postMessage', { networkDrop: true }, 1);
    await slack.settled(90_000);
    // The charts are an upload, not a post.
    const thread = slack.fake
      .thread(CHANNEL, root.ts)
      .slice(1)
      .filter((m) => !m.files?.length);
    // Runs are looked up by their thread: with the scenario's fixed clock they all start at the same instant.
    const run = await slack.built.store.runByThread(CHANNEL, root.ts);
    expect(run?.undelivered).toBe(0);
    // Every reply the thread was given reached Slack once, in the order written, and the ledger came last.
    const written = (await slack.built.store.outbox(run?.id ?? '')).filter((r) => r.kind !== 'root');
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written.every((r) => r.state === 'sent')).toBe(true);
    expect(thread.map((m) => m.text)).toEqual(written.map((r) => r.payload.text));
    expect(textOf(thread.at(-1))).toMatch(/Hypothes/i);
    const failures = slack.fake.callsTo('chat.postMessage').filter((c) => c.status >= 500 || c.error);
    expect(failures.length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('records a post that fails after every retry as not delivered, and goes on with the thread', async () => {
    const root = await start(`${scenario.symptom} for the last 40m`);
    // The first reply (the first group of findings) and its four retries all fail.
    slack.fake.failNext('chat.postMessage', { status: 500 }, 5);
    await slack.settled(90_000);
    const run = await slack.built.store.runByThread(CHANNEL, root.ts);
    if (!run) throw new Error('no run');
    expect(run.undelivered).toBe(1);
    const failed = (await slack.built.store.events(run.id)).filter((e) => e.type === 'delivery-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ type: 'delivery-failed', what: expect.stringMatching(/^findings /) });
    const thread = slack.fake.thread(CHANNEL, root.ts).slice(1);
    expect(textOf(thread.at(-1))).toMatch(/Hypothes/i);
    const metrics = await (await fetch(`http://127.0.0.1:${slack.port}/metrics`)).text();
    expect(metrics).toContain('triage_slack_undelivered_total 1');
    expect(metrics).toMatch(/triage_slack_calls_total\{method="chat.postMessage",status="500"\} [5-9]/);
    // The process is still up and serving.
    expect((await fetch(`http://127.0.0.1:${slack.port}/healthz`)).status).toBe(200);
  }, 120_000);
});
