/**
 * Graceful shutdown: on SIGTERM the app stops taking work, lets running diagnoses finish within the grace period,
 * marks the rest interrupted (their roots say so) and closes the run store; the process exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { startSlackHarness } from '../slack/slack-harness.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';
import { signSlackRequest, slashCommandBody } from '../support/fake-slack/sign-request.js';
import { freePort, Tail, waitForExit } from '../support/local-process.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlowProxy, startSlowProxy } from '../support/slow-proxy.js';
import { until } from '../support/until.js';

const prometheus = requirePrometheus();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const SECRET = 'shutdown-test-signing-secret';
const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const APP = new URL('../../bin/triage-app.js', import.meta.url).pathname;

describe.skipIf(!prometheus.available)('graceful shutdown', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let dir: string;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    dir = await mkdtemp(join(tmpdir(), 'triage-shutdown-'));
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lets a diagnosis that ends within the grace period finish, and closes the store', async () => {
    const proxy = await startSlowProxy(server.url, { delayMs: 40 });
    const slack = await startSlackHarness({
      prometheusUrl: proxy.url,
      now: () => new Date(scenario.at),
      env: { TRIAGE_DB_PATH: join(dir, 'graceful.sqlite') },
    });
    try {
      await slack.command(scenario.symptom);
      await until('the root', () => (slack.fake.callsTo('chat.postMessage').length > 0 ? true : undefined));
      const report = await slack.built.shutdown(60_000);
      expect(report).toMatchObject({ finished: 1, interrupted: 0 });
      const store = await openRunStore({ sqlitePath: join(dir, 'graceful.sqlite') });
      const [run] = await store.listRuns();
      expect(run?.status).toBe('finished');
      await store.close();
      // The ledger went out before the process would exit.
      const root = slack.fake.channelMessages(CHANNEL).find((m) => !m.thread_ts);
      expect(JSON.stringify(slack.fake.thread(CHANNEL, root?.ts ?? '').at(-1)?.blocks)).toMatch(/Hypothes/i);
    } finally {
      await slack.fake.stop();
      await slack.responses.stop();
      await proxy.stop();
    }
  }, 120_000);

  describe('of the app process on SIGTERM', () => {
    let fake: FakeSlack;
    let proxy: SlowProxy;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      fake = await startFakeSlack({});
      proxy = await startSlowProxy(server.url);
    });

    afterAll(async () => {
      child?.kill('SIGKILL');
      await proxy?.stop();
      await fake?.stop();
    });

    it('stops taking work, marks the diagnosis still running interrupted, says so in Slack, and exits 0', async () => {
      const port = await freePort();
      const dbPath = join(dir, 'sigterm.sqlite');
      const output = new Tail(40);
      child = spawn(process.execPath, [APP], {
        env: {
          ...process.env,
          CI: '',
          SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: fake.url,
          PROMETHEUS_URL: proxy.url,
          PORT: String(port),
          TRIAGE_DB_PATH: dbPath,
          TRIAGE_REPLICA_ID: 'sigterm-test',
          TRIAGE_SHUTDOWN_GRACE_MS: '1500',
          TRIAGE_QUERY_TIMEOUT_MS: '120000',
          TRIAGE_DEADLINE_MS: '300000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (c: Buffer) => output.push(c));
      child.stderr?.on('data', (c: Buffer) => output.push(c));
      const base = `http://127.0.0.1:${port}`;
      await until(
        `the app to be ready (${output})`,
        async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
        60_000,
      );

      // A diagnosis that hangs on Prometheus is running when the signal comes.
      proxy.hold();
      const body = slashCommandBody({ text: scenario.symptom, response_url: `${base}/unused` });
      const ack = await fetch(`${base}/slack/events`, {
        method: 'POST',
        body,
        headers: { ...signSlackRequest({ signingSecret: SECRET, body }) },
      });
      expect(ack.status).toBe(200);
      const root = await until('the root message', () => fake.channelMessages(CHANNEL).find((m) => !m.thread_ts));

      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await waitForExit(child, 15_000)).toBe(true);
      expect(child.exitCode, output.toString()).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      // No longer taking work.
      expect(
        await fetch(`${base}/readyz`)
          .then((r) => r.status)
          .catch(() => 'refused'),
      ).toBe('refused');

      const store = await openRunStore({ sqlitePath: dbPath });
      try {
        const [run] = await store.listRuns();
        expect(run).toMatchObject({ status: 'interrupted', rootTs: root.ts });
        expect((await store.events(run?.id ?? '')).at(-1)).toMatchObject({
          type: 'interrupted',
          data: { reason: 'Triage was shut down before this diagnosis finished' },
        });
      } finally {
        await store.close();
      }
      expect(JSON.stringify(fake.channelMessages(CHANNEL).find((m) => m.ts === root.ts)?.blocks)).toMatch(
        /Interrupted/,
      );
      expect(output.toString()).toMatch(/"msg":"shut down"/);
    }, 120_000);
  });
});
