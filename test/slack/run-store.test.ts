/**
 * The run store end to end, on a SQLite file: every run and event recorded as the thread shows them, decisions,
 * the post-mortem from the Export button and from `/diagnose export`, and a restart that finds a run in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import type { RunStore } from '../../src/application/ports/run-store.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { type FakeSlack, startFakeSlack, textOf } from '../support/fake-slack/fake-slack-server.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlowProxy, startSlowProxy } from '../support/slow-proxy.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const QUIET_CHANNEL = 'C0QUIET001';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

describe.skipIf(!prometheus.available)('runs recorded in the run store (SQLite)', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let fake: FakeSlack;
  let dir: string;
  let dbPath: string;
  let slack: SlackHarness;
  let observer: RunStore;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    fake = await startFakeSlack({ users: { U0ONCALL01: { name: 'dana', real_name: 'Dana Scully' } } });
    fake.addChannel({ id: QUIET_CHANNEL, name: 'quiet' });
    dir = await mkdtemp(join(tmpdir(), 'triage-runs-'));
    dbPath = join(dir, 'state', 'triage.sqlite');
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      sharedFake: fake,
      env: { TRIAGE_DB_PATH: dbPath, TRIAGE_REPLICA_ID: 'replica-a' },
    });
    observer = await openRunStore({ sqlitePath: dbPath });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await observer?.close();
    await fake?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the run, its channel and thread, and every event in the order the thread shows them', async () => {
    await slack.command(scenario.symptom);
    await fake.waitForCall('chat.postMessage');
    await slack.settled();
    const root = fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    if (!root) throw new Error('no root');
    const [run] = await observer.listRuns({ channel: CHANNEL });
    expect(run).toMatchObject({
      trigger: 'command',
      status: 'finished',
      channel: CHANNEL,
      rootTs: root.ts,
      threadTs: root.ts,
      userId: 'U0ONCALL01',
      owner: 'replica-a',
      text: scenario.symptom,
      playbook: expect.any(String),
    });
    expect(run?.result?.hypotheses[0]?.cause).toBe('bad-deploy');
    expect(run?.finishedAt).toBeInstanceOf(Date);
    const events = await observer.events(run?.id ?? '');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-finished');
    const steps = events.filter((e) => e.type === 'step-finished');
    expect(steps).toHaveLength(run?.result?.steps.length ?? -1);
    expect(events.some((e) => e.type === 'hypotheses-updated')).toBe(true);
    expect(await observer.runByThread(CHANNEL, root.ts)).toMatchObject({ id: run?.id });
  }, 120_000);

  it('records a decision and exports the post-mortem into the thread from the button, with the discussion', async () => {
    const root = fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    const run = root ? await observer.runByThread(CHANNEL, root.ts) : undefined;
    if (!root || !run) throw new Error('no run');
    fake.seedMessage(CHANNEL, {
      user: 'U0HUMAN001',
      thread_ts: root.ts,
      text: 'Rolled back to v1.4.2 at 14:20; DB password=hunter2 was in the old config',
    });
    await slack.press(ACTIONS.confirm, run.id, { message_ts: root.ts });
    await until('the decision', async () => (await observer.getRun(run.id))?.decision ?? undefined);
    expect((await observer.events(run.id)).at(-1)).toMatchObject({
      type: 'human-decision',
      data: { userId: 'U0ONCALL01', decision: 'confirmed', cause: 'bad-deploy' },
    });

    const pngs = () => fake.files.filter((f) => f.completed && f.filename.endsWith('.png')).length;
    const pngsBefore = pngs();
    await slack.press(ACTIONS.exportPostmortem, run.id, { message_ts: root.ts });
    const file = await until('the uploaded file', () =>
      fake.files.find((f) => f.completed && f.filename.startsWith('postmortem-') && f.filename.endsWith('.md')),
    );
    expect(file).toMatchObject({ channel: CHANNEL, thread_ts: root.ts });
    expect(file.filename).toMatch(
      new RegExp(`^postmortem-${run.service}-\\d{4}-\\d{2}-\\d{2}-${run.id.slice(0, 8)}\\.md$`),
    );
    const markdown = file.content?.toString('utf8') ?? '';
    expect(markdown).toMatch(/^# Post-mortem: /);
    // The charts go beside it, and the Markdown shows them.
    await until('the charts beside it', () => (pngs() > pngsBefore ? true : undefined));
    expect(markdown).toMatch(/!\[[^\]]+\]\([\w.-]+\.png\)/);
    for (const heading of ['## Summary', '## Impact', '## Timeline', '## Evidence', '## Hypotheses', '## Discussion'])
      expect(markdown).toContain(heading);
    expect(markdown).toContain('Rolled back to v1.4.2');
    expect(markdown).not.toContain('hunter2');
    expect(markdown).toMatch(/confirmed/i);
    // People by name (users.info), as a file does not resolve mentions.
    expect(markdown).toContain('**dana** confirmed');
    expect(markdown).not.toContain('<@U0ONCALL01>');
    expect(markdown).toMatch(/```promql/);
    expect(fake.callsTo('conversations.replies').length).toBeGreaterThan(0);
  }, 60_000);

  it('exports the latest run of a channel with /diagnose export, and says so when there is none', async () => {
    const exports = () => fake.files.filter((f) => f.completed && f.filename.startsWith('postmortem-'));
    const before = exports().length;
    const ack = await slack.command('export');
    expect(JSON.stringify(ack.body)).toMatch(/Exporting/);
    await until('a second file', () => (exports().length > before ? true : undefined));
    const [latest] = await observer.listRuns({ channel: CHANNEL, limit: 1 });
    expect(exports().at(-1)?.filename).toContain(latest?.id.slice(0, 8));

    const empty = await slack.command('export', { channel_id: QUIET_CHANNEL });
    const [reply] = await slack.responses.waitForRequests({ url: empty.responseUrl });
    expect(JSON.stringify(reply?.body)).toMatch(/no diagnosis in this channel/i);
  }, 30_000);

  it('answers a button for a run it has no record of, and starts nothing', async () => {
    const posts = fake.callsTo('chat.postMessage').length;
    const pressed = await slack.press(ACTIONS.exportPostmortem, 'no-such-run');
    const [reply] = await slack.responses.waitForRequests({ url: pressed.responseUrl });
    expect(JSON.stringify(reply?.body)).toMatch(/no record of this run/i);
    const rerun = await slack.press(ACTIONS.rerun, 'no-such-run');
    const [rerunReply] = await slack.responses.waitForRequests({ url: rerun.responseUrl });
    expect(JSON.stringify(rerunReply?.body)).toMatch(/no record of this run/i);
    expect(fake.callsTo('chat.postMessage').length).toBe(posts);
  });

  it('exposes its own metrics on /metrics: runs, steps by source, Slack calls', async () => {
    const res = await fetch(`http://127.0.0.1:${slack.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/triage_runs_started_total\{trigger="command"\} [1-9]/);
    expect(text).toMatch(/triage_runs_ended_total\{trigger="command",status="finished"\} [1-9]/);
    expect(text).toMatch(/triage_step_duration_seconds_count\{source="prometheus"\} [1-9]/);
    expect(text).toMatch(/triage_slack_calls_total\{method="chat.postMessage",status="200"\} [1-9]/);
    expect(text).toMatch(/triage_query_cache_requests\{source="prometheus",result="miss"\} [1-9]/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
    expect(text).toContain('triage_alert_queue_depth 0');
  });

  describe('after a restart', () => {
    let proxy: SlowProxy;
    let stalled: SlackHarness;
    let restarted: SlackHarness | undefined;

    beforeAll(async () => {
      proxy = await startSlowProxy(server.url);
    });

    afterAll(async () => {
      await restarted?.stop();
      await proxy?.stop();
    });

    it('marks the run in flight interrupted, says so on its root, and Re-run works on it', async () => {
      const stalledDb = join(dir, 'restart.sqlite');
      stalled = await startSlackHarness({
        prometheusUrl: proxy.url,
        now: () => AT,
        sharedFake: fake,
        env: {
          TRIAGE_DB_PATH: stalledDb,
          TRIAGE_REPLICA_ID: 'replica-r',
          TRIAGE_QUERY_TIMEOUT_MS: '120000',
          TRIAGE_DEADLINE_MS: '300000',
        },
      });
      const store = await openRunStore({ sqlitePath: stalledDb });
      try {
        const roots = fake.channelMessages(QUIET_CHANNEL).length;
        // The run starts and then hangs on Prometheus, as if the process stopped in the middle.
        proxy.hold();
        await stalled.command(scenario.symptom, { channel_id: QUIET_CHANNEL });
        const run = await until('the run in the store', async () => (await store.listRuns({ limit: 1 }))[0]);
        await until('its root', () => (fake.channelMessages(QUIET_CHANNEL).length > roots ? true : undefined));
        expect(run.status).toBe('running');
        await stalled.stop();

        restarted = await startSlackHarness({
          prometheusUrl: server.url,
          now: () => AT,
          sharedFake: fake,
          env: { TRIAGE_DB_PATH: stalledDb, TRIAGE_REPLICA_ID: 'replica-r' },
        });
        expect(await store.getRun(run.id)).toMatchObject({ status: 'interrupted' });
        expect((await store.events(run.id)).at(-1)?.type).toBe('interrupted');
        const root = fake.channelMessages(QUIET_CHANNEL).find((m) => m.ts === run.rootTs);
        expect(textOf(root)).toMatch(/Interrupted/);
        expect(textOf(root)).toContain(ACTIONS.rerun);

        const before = fake.thread(QUIET_CHANNEL, run.rootTs ?? '').length;
        await restarted.press(ACTIONS.rerun, run.id, { message_ts: run.rootTs ?? '' });
        const rerun = await until('the re-run', async () =>
          (await store.listRuns({ limit: 5 })).find((r) => r.id !== run.id && r.status === 'finished'),
        );
        expect(rerun).toMatchObject({ trigger: 'button', channel: QUIET_CHANNEL, threadTs: run.rootTs });
        await restarted.settled();
        expect(fake.thread(QUIET_CHANNEL, run.rootTs ?? '').length).toBeGreaterThan(before + 2);
      } finally {
        await store.close();
      }
    }, 180_000);
  });
});
