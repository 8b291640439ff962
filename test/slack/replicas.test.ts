/**
 * Two replicas of Triage sharing one PostgreSQL and one Slack workspace, both receiving every delivery (as behind a
 * load balancer that fans out, or two Socket Mode connections): one thread per alert, one diagnosis per command, and
 * a button pressed on one replica works on the other's run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { openPostgresRunStore } from '../../src/adapters/store/postgres-run-store.js';
import type { RunStore } from '../../src/application/ports/run-store.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { type FakeSlack, startFakeSlack, textOf } from '../support/fake-slack/fake-slack-server.js';
import { messageEvent } from '../support/fake-slack/sign-request.js';
import { freshSchema, requirePostgres } from '../support/postgres.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const postgres = requirePostgres();
const CHANNEL = 'C0ALERTS01';
const TOKEN = 'alertmanager-shared-secret-0123';
const PATH = '/alerts/alertmanager';
const ALERTMANAGER_BOT = 'B0ALERTMGR';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** Alertmanager's webhook payload (version 4) for one firing alert. */
function webhookPayload(service: string, fingerprint: string) {
  const labels = { alertname: 'HighErrorRate', service, severity: 'critical' };
  return {
    receiver: 'triage',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `${service}: 5xx ratio above 5%` },
        startsAt: new Date(AT.getTime() - 10 * 60_000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph',
        fingerprint,
      },
    ],
    groupLabels: { alertname: 'HighErrorRate', service },
    commonLabels: labels,
    commonAnnotations: { summary: `${service}: 5xx ratio above 5%` },
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: `{}:{alertname="HighErrorRate", service="${service}"}`,
    truncatedAlerts: 0,
  };
}

describe.skipIf(!prometheus.available || !postgres.available)('two replicas on one PostgreSQL', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let fake: FakeSlack;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let storeA: RunStore;
  let storeB: RunStore;
  let a: SlackHarness;
  let b: SlackHarness;
  const both = () => [a, b];
  const settled = () => Promise.all(both().map((r) => r.settled(90_000)));
  /** Triage's own top-level messages (diagnosis roots posted in the channel). */
  const roots = () => fake.channelMessages(CHANNEL).filter((m) => m.source === 'api' && m.thread_ts === undefined);

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    fake = await startFakeSlack({});
    schema = await freshSchema('replicas');
    storeA = await openPostgresRunStore(postgres.url, { schema: schema.schema });
    storeB = await openPostgresRunStore(postgres.url, { schema: schema.schema });
    const env = (replica: string) => ({
      TRIAGE_REPLICA_ID: replica,
      ALERT_CHANNELS: CHANNEL,
      ALERT_WEBHOOK_CHANNEL: CHANNEL,
      ALERT_WEBHOOK_TOKEN: TOKEN,
    });
    [a, b] = await Promise.all([
      startSlackHarness({
        prometheusUrl: server.url,
        now: () => AT,
        sharedFake: fake,
        runStore: storeA,
        env: env('a'),
      }),
      startSlackHarness({
        prometheusUrl: server.url,
        now: () => AT,
        sharedFake: fake,
        runStore: storeB,
        env: env('b'),
      }),
    ]);
  }, 300_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await storeA?.close();
    await storeB?.close();
    await schema?.drop();
    await fake?.stop();
    await server?.stop();
  });

  it('opens exactly one thread for a webhook alert delivered to both replicas, and for its retries', async () => {
    const before = roots().length;
    const body = webhookPayload('checkout', 'f1a2b3c4d5e6f708');
    const answers = await Promise.all([
      a.postJson(PATH, body, AUTH),
      b.postJson(PATH, body, AUTH),
      a.postJson(PATH, body, AUTH),
      b.postJson(PATH, body, AUTH),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await settled();
    // Alertmanager re-sends the group at its next group_interval: still the same thread.
    await Promise.all([a.postJson(PATH, body, AUTH), b.postJson(PATH, body, AUTH)]);
    await settled();
    const opened = roots().slice(before);
    expect(opened, opened.map(textOf).join('\n---\n')).toHaveLength(1);
    const runs = await storeA.listRuns({ channel: CHANNEL, limit: 50 });
    expect(runs.filter((r) => r.trigger === 'webhook')).toHaveLength(1);
  }, 180_000);

  it('opens exactly one thread under a Slack alert whose event reaches both replicas, retries included', async () => {
    const title = '[FIRING:1] HighLatency payments (critical)';
    const ts = fake.seedMessage(CHANNEL, {
      subtype: 'bot_message',
      bot_id: ALERTMANAGER_BOT,
      username: 'Alertmanager',
      text: '',
      attachments: [{ title, text: '', fallback: title, color: 'danger' }],
    });
    const event = messageEvent({
      channel: CHANNEL,
      ts,
      subtype: 'bot_message',
      bot_id: ALERTMANAGER_BOT,
      username: 'Alertmanager',
      attachments: [{ title, text: '', fallback: title, color: 'danger' }],
    });
    const statuses = await Promise.all([
      a.event(event, { event_id: 'Ev0REPLICA01' }),
      b.event(event, { event_id: 'Ev0REPLICA01' }),
      a.event(event, { event_id: 'Ev0REPLICA01', retryNum: 1 }),
      b.event(event, { event_id: 'Ev0REPLICA01', retryNum: 2 }),
    ]);
    expect(statuses).toEqual([200, 200, 200, 200]);
    await settled();
    const thread = fake.thread(CHANNEL, ts).slice(1);
    const diagnosisRoots = thread.filter((m) => textOf(m).includes(ACTIONS.rerun));
    expect(diagnosisRoots, thread.map(textOf).join('\n---\n')).toHaveLength(1);
    const runs = await storeB.listRuns({ channel: CHANNEL, limit: 50 });
    expect(runs.filter((r) => r.threadTs === ts)).toHaveLength(1);
  }, 180_000);

  it('shows on the root that an alert resolved when the resolution reaches the replica that did not run it', async () => {
    const before = roots().length;
    const firing = webhookPayload('ledger', '0e1d2c3b4a596877');
    expect((await a.postJson(PATH, firing, AUTH)).status).toBe(200);
    await settled();
    const [root] = roots().slice(before);
    if (!root) throw new Error('no root');
    const run = await storeB.runByThread(CHANNEL, root.ts);
    expect(run).toMatchObject({ owner: 'a', status: 'finished', alert: { status: 'firing' } });
    expect(textOf(fake.channelMessages(CHANNEL).find((m) => m.ts === root.ts))).not.toMatch(/resolved/i);

    const [alert] = firing.alerts;
    const endsAt = new Date(AT.getTime() + 5 * 60_000).toISOString();
    const resolved = { ...firing, status: 'resolved', alerts: [{ ...alert, status: 'resolved', endsAt }] };
    expect((await b.postJson(PATH, resolved, AUTH)).status).toBe(200);
    await settled();

    expect((await storeA.getRun(run?.id ?? ''))?.alert).toMatchObject({ status: 'resolved' });
    await until('the root to say the alert resolved', () =>
      /resolved/i.test(textOf(fake.channelMessages(CHANNEL).find((m) => m.ts === root.ts))) ? true : undefined,
    );
  }, 180_000);

  it("works a button pressed on one replica on the other's run", async () => {
    const before = roots().length;
    await a.command(`${scenario.symptom} for the last 45m`);
    await settled();
    const [root] = roots().slice(before);
    if (!root) throw new Error('no root');
    const run = await storeB.runByThread(CHANNEL, root.ts);
    expect(run).toMatchObject({ owner: 'a', status: 'finished' });
    expect(b.built.registry.get(run?.id ?? '')).toBeUndefined();

    const edits = root.edits.length;
    await b.press(ACTIONS.confirm, run?.id ?? '', { message_ts: root.ts });
    await fake.waitForCall('chat.update', { count: fake.callsTo('chat.update').length + 1 });
    await settled();
    expect((await storeA.getRun(run?.id ?? ''))?.decision).toMatchObject({
      decision: 'confirmed',
      userId: 'U0ONCALL01',
    });
    expect(root.edits.length).toBeGreaterThan(edits);
    expect(textOf(fake.thread(CHANNEL, root.ts)[0])).toContain('U0ONCALL01');
  }, 180_000);

  it('starts one diagnosis when the same /diagnose reaches both replicas', async () => {
    const before = roots().length;
    const text = `${scenario.symptom} for the last 50m`;
    const [first, second] = await Promise.all([a.command(text), b.command(text)]);
    // Both acknowledge at once (the ack never waits on the database); the replica that loses the claim says so.
    for (const ack of [first, second]) expect(JSON.stringify(ack.body)).toMatch(/Diagnosing/);
    await settled();
    expect(roots().slice(before)).toHaveLength(1);
    const answered = (replica: SlackHarness, responseUrl: string) =>
      replica.responses.waitForRequests({ url: responseUrl, timeoutMs: 2000 }).catch(() => []);
    const answers = await Promise.all([answered(a, first.responseUrl), answered(b, second.responseUrl)]);
    const told = answers.flat().map((r) => JSON.stringify(r.body));
    expect(told.filter((t) => /Another Triage replica is already diagnosing/.test(t))).toHaveLength(1);
  }, 180_000);
});
