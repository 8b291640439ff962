/**
 * The Alertmanager webhook end to end: payloads POSTed to the real app's HTTP port, diagnosis threads in the fake
 * Slack, a real Prometheus behind the diagnosis. Bad calls get a 4xx (Alertmanager does not retry those) and leave
 * nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { textOf } from '../support/fake-slack/fake-slack-server.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const TOKEN = 'alertmanager-shared-secret-0123';
const PATH = '/alerts/alertmanager';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);
const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** A version 4 payload as Alertmanager 0.25 sends it (datasources.md §7). */
function payload(status: 'firing' | 'resolved', groupKey = '{}:{alertname="HighErrorRate", service="billing"}') {
  const startsAt = new Date(AT.getTime() - 12 * 60_000).toISOString();
  return {
    receiver: 'triage',
    status,
    alerts: [
      {
        status,
        labels: { alertname: 'HighErrorRate', service: 'billing', severity: 'critical', namespace: 'finance' },
        annotations: { summary: 'billing: 5xx ratio above 5%', description: 'POST /api/invoices is failing' },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : AT.toISOString(),
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=job%3Abilling_errors%3Aratio5m+%3E+0.05',
        fingerprint: 'c6f1d2b7a4e8f301',
      },
    ],
    groupLabels: { alertname: 'HighErrorRate', service: 'billing' },
    commonLabels: { alertname: 'HighErrorRate', service: 'billing', severity: 'critical', namespace: 'finance' },
    commonAnnotations: { summary: 'billing: 5xx ratio above 5%', description: 'POST /api/invoices is failing' },
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

describe.skipIf(!prometheus.available)('POST /alerts/alertmanager', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;
  const roots = () =>
    slack.fake.channelMessages(CHANNEL).filter((m) => m.source === 'api' && m.thread_ts === undefined);

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      env: { ALERT_WEBHOOK_CHANNEL: CHANNEL, ALERT_WEBHOOK_TOKEN: TOKEN },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it('rejects bad calls with a 4xx and a reason, and starts nothing', async () => {
    const cases: Array<[string, Promise<{ status: number; body: unknown }>, number, string]> = [
      ['no token', slack.postJson(PATH, payload('firing')), 401, 'unauthorized'],
      ['wrong token', slack.postJson(PATH, payload('firing'), { Authorization: 'Bearer nope' }), 401, 'unauthorized'],
      [
        'not JSON content',
        slack.postJson(PATH, 'alertname=x', { ...AUTH, 'Content-Type': 'text/plain' }),
        415,
        'unsupported_media_type',
      ],
      ['broken JSON', slack.postJson(PATH, '{"version": "4", "alerts": [', AUTH), 400, 'invalid_json'],
      ['not a payload', slack.postJson(PATH, { hello: 'world' }, AUTH), 400, 'invalid_payload'],
      ['wrong version', slack.postJson(PATH, { ...payload('firing'), version: '3' }, AUTH), 400, 'invalid_payload'],
      ['no alerts', slack.postJson(PATH, { ...payload('firing'), alerts: [] }, AUTH), 400, 'invalid_payload'],
      [
        'too large',
        slack.postJson(PATH, { ...payload('firing'), padding: 'x'.repeat(1_100_000) }, AUTH),
        413,
        'payload_too_large',
      ],
    ];
    for (const [what, call, status, error] of cases) {
      const answer = await call;
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).toMatchObject({ error });
    }
    const invalid = await slack.postJson(PATH, { ...payload('firing'), alerts: [{ labels: { a: 1 } }] }, AUTH);
    expect((invalid.body as { problems: string[] }).problems.join('\n')).toMatch(/alerts\.0/);
    await slack.settled();
    expect(slack.fake.callsTo('chat.postMessage')).toHaveLength(0);
  }, 60_000);

  it('answers 200 at once and opens one diagnosis thread per alert group; repeats and resolution go to it', async () => {
    const first = await slack.postJson(PATH, payload('firing'), AUTH);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'accepted', outcome: 'queued' });
    await slack.settled();
    expect(roots()).toHaveLength(1);
    const root = roots()[0];
    expect(textOf(root)).toContain('HighErrorRate');
    expect(textOf(root)).toContain('billing');
    const thread = slack.fake.thread(CHANNEL, root?.ts ?? '');
    expect(textOf(thread.at(-1))).toContain('bad-deploy');

    // Alertmanager notifies the same group again (group_interval, or a retry): no second thread.
    const again = await slack.postJson(PATH, payload('firing'), AUTH);
    expect(again.body).toMatchObject({ outcome: 'repeat' });
    await slack.settled();
    expect(roots()).toHaveLength(1);
    expect(textOf(slack.fake.thread(CHANNEL, root?.ts ?? '').at(-1))).toMatch(/fired again/);

    const resolved = await slack.postJson(PATH, payload('resolved'), AUTH);
    expect(resolved.body).toMatchObject({ outcome: 'resolved' });
    await slack.settled();
    expect(roots()).toHaveLength(1);
    const after = slack.fake.thread(CHANNEL, root?.ts ?? '');
    expect(textOf(after[0])).toMatch(/resolved/i);
    expect(textOf(after.at(-1))).toMatch(/Nothing in this thread is firing/);
  }, 120_000);
});
