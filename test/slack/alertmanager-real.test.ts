/**
 * A real Alertmanager (Debian's prometheus-alertmanager) delivering to Triage's webhook on loopback: an alert
 * posted to its API becomes exactly one diagnosis thread, however often Alertmanager notifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import {
  type LocalAlertmanager,
  requireAlertmanager,
  startAlertmanager,
} from '../support/alertmanager/local-alertmanager.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const alertmanager = requireAlertmanager();
const CHANNEL = 'C0ALERTS01';
const TOKEN = 'real-alertmanager-secret-42';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

describe.skipIf(!prometheus.available || !alertmanager.available)('a real Alertmanager', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;
  let am: LocalAlertmanager;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      env: { ALERT_WEBHOOK_CHANNEL: CHANNEL, ALERT_WEBHOOK_TOKEN: TOKEN },
    });
    am = await startAlertmanager({
      webhookUrl: `http://127.0.0.1:${slack.port}/alerts/alertmanager`,
      bearerToken: TOKEN,
      groupInterval: '1s',
    });
  }, 300_000);

  afterAll(async () => {
    await am?.stop();
    await slack?.stop();
    await server?.stop();
  });

  it('turns one alert posted to its API into exactly one thread', async () => {
    const startsAt = new Date(AT.getTime() - 10 * 60_000).toISOString();
    const alert = {
      labels: { alertname: 'HighErrorRate', service: 'billing', severity: 'critical' },
      annotations: { summary: 'billing 5xx ratio above 5%' },
      startsAt,
    };
    await am.postAlerts([alert]);
    await slack.fake.waitForCall('chat.postMessage', { timeoutMs: 20_000 });
    // Alertmanager may notify again (group_interval is 1 s here) and the alert is posted once more: still one thread.
    await am.postAlerts([alert]);
    await new Promise((r) => setTimeout(r, 3000));
    await slack.settled();
    const roots = slack.fake.channelMessages(CHANNEL).filter((m) => m.source === 'api' && m.thread_ts === undefined);
    expect(roots, am.log).toHaveLength(1);
    const thread = slack.fake.thread(CHANNEL, roots[0]?.ts ?? '');
    expect(JSON.stringify(thread[0]?.blocks)).toContain('HighErrorRate');
    expect(JSON.stringify(thread.at(-1)?.blocks)).toContain('bad-deploy');
  }, 120_000);
});
