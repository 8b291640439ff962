/**
 * Notifications captured from a real Alertmanager (its default Slack template, the community kube-prometheus
 * template, and its webhook) and written in Grafana's Slack shape, replayed through the real app: signed Events API
 * callbacks at Bolt's HTTP receiver (or POSTs to the webhook), the diagnosis against a real Prometheus, threads in
 * the fake Slack. Each channel gets the same story, 15 minutes apart: HighLatency for billing, HighLatency for
 * checkout, a grouped HighErrorRate for both, billing's latency resolving, KubePodCrashLooping reported by
 * kube-state-metrics for billing's pod.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { type FakeMessage, textOf } from '../support/fake-slack/fake-slack-server.js';
import { messageEvent } from '../support/fake-slack/sign-request.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const COMMUNITY = 'C0AMCOMMUN';
const DEFAULT = 'C0AMDEFAUL';
const GRAFANA = 'C0GRAFANA2';
const WEBHOOK = 'C0AMWEBHOK';
const CRASH = 'C0CRASHLP1';
const TOKEN = 'alert-fixtures-webhook-secret';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Json;

/** The part of the root a reader sees first: its header and alert line. */
const head = (m: FakeMessage | undefined) =>
  JSON.stringify((m?.blocks ?? []).filter((b) => /triage_root_header|triage_root_alert/.test(JSON.stringify(b))));

describe.skipIf(!prometheus.available)('captured alert notifications, replayed', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;
  let clock = AT.getTime();

  /** Moves the app's clock on: past the 10-minute grouping window, within the 1-hour dedupe window. */
  const later = () => {
    clock += 15 * 60_000;
  };

  /** Posts a payload as Slack shows it (a bot message with the payload's text and attachments), as a signed event. */
  const post = async (channel: string, payload: Json, botId = 'B0ALERTMGR') => {
    const attachments = (payload.attachments as Json[] | undefined)?.map((a, i) => ({ id: i + 1, ...a }));
    const username = typeof payload.username === 'string' ? payload.username : 'Alertmanager';
    const text = typeof payload.text === 'string' ? payload.text : '';
    const ts = slack.fake.seedMessage(channel, {
      subtype: 'bot_message',
      bot_id: botId,
      username,
      text,
      ...(attachments ? { attachments } : {}),
    });
    const status = await slack.event(
      messageEvent({
        channel,
        ts,
        subtype: 'bot_message',
        bot_id: botId,
        username,
        text,
        ...(attachments ? { attachments } : {}),
      }),
    );
    expect(status).toBe(200);
    await slack.settled();
    return ts;
  };

  const hook = async (name: string) => {
    const r = await slack.postJson('/alerts/alertmanager', fixture(name), { Authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
    await slack.settled();
    return r.body as { outcome: string };
  };

  /** Diagnosis roots in a channel (top level or in a thread). */
  const roots = (channel: string) =>
    slack.fake
      .channelMessages(channel)
      .filter(
        (m) => m.source === 'api' && (m.blocks ?? []).some((b) => JSON.stringify(b).includes('triage_root_header')),
      );
  const rootsIn = (channel: string, threadTs: string) =>
    slack.fake.thread(channel, threadTs).filter((m) => roots(channel).includes(m));
  const groupSummaries = (channel: string) =>
    slack.fake
      .channelMessages(channel)
      .filter((m) => m.source === 'api' && JSON.stringify(m.blocks ?? []).includes('triage_alert_group'));

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => new Date(clock),
      env: {
        ALERT_CHANNELS: [COMMUNITY, DEFAULT, GRAFANA, CRASH].join(','),
        ALERT_WEBHOOK_CHANNEL: WEBHOOK,
        ALERT_WEBHOOK_TOKEN: TOKEN,
        ALERT_CONCURRENCY: '4',
      },
      fake: {
        channels: [
          { id: COMMUNITY, name: 'alerts-community' },
          { id: DEFAULT, name: 'alerts-default' },
          { id: GRAFANA, name: 'alerts-grafana' },
          { id: WEBHOOK, name: 'alerts-webhook' },
          { id: CRASH, name: 'alerts-k8s' },
        ],
      },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it('KubePodCrashLooping reported by kube-state-metrics: the diagnosis finds the workload, billing, in Prometheus', async () => {
    // At the incident's time, so Prometheus has billing's series (and kube-state-metrics' own).
    clock = AT.getTime();
    const crash = await post(CRASH, fixture('slack-am-community-crashloop-kube-state-metrics.real'));
    const thread = slack.fake.thread(CRASH, crash);
    const [root] = rootsIn(CRASH, crash);
    expect(head(root)).toContain('KubePodCrashLooping on billing');
    expect(textOf(root)).toContain('service *billing*');
    expect(textOf(root)).not.toContain('service *kube-prometheus-stack-kube-state-metrics*');
    // The diagnosis ran on billing's metrics: its steps, then the ledger naming the bad deploy.
    expect(thread.length).toBeGreaterThan(4);
    expect(textOf(thread.at(-1))).toContain('bad-deploy');
  }, 240_000);

  it('community template: one thread per alert identity, every service of a group, the workload not the exporter', async () => {
    const ch = COMMUNITY;
    const billing = await post(ch, fixture('slack-am-community-latency-billing.real'));
    expect(rootsIn(ch, billing)).toHaveLength(1);
    expect(head(rootsIn(ch, billing)[0])).toContain('HighLatency on billing');

    // `[FIRING:1] HighLatency` again, for checkout: another alert, not a repeat of billing's.
    later();
    const checkout = await post(ch, fixture('slack-am-community-latency-checkout.real'));
    expect(rootsIn(ch, checkout)).toHaveLength(1);
    expect(head(rootsIn(ch, checkout)[0])).toContain('HighLatency on checkout');
    expect(slack.fake.thread(ch, billing).some((m) => /fired again/.test(textOf(m)))).toBe(false);

    // `[FIRING:2] HighErrorRate` for billing and checkout: one summary, one diagnosis per service, each headed.
    later();
    const grouped = await post(ch, fixture('slack-am-community-errors-grouped.real'));
    const diagnoses = rootsIn(ch, grouped);
    expect(diagnoses).toHaveLength(2);
    expect(diagnoses.map(head).join('\n')).toContain('HighErrorRate — billing');
    expect(diagnoses.map(head).join('\n')).toContain('HighErrorRate — checkout');
    const summary = groupSummaries(ch);
    expect(summary).toHaveLength(1);
    expect(summary[0]?.thread_ts).toBe(grouped);
    expect(textOf(summary[0])).toMatch(/affects 2 services/);
    // Nothing landed in the latency threads.
    expect(rootsIn(ch, billing)).toHaveLength(1);
    expect(rootsIn(ch, checkout)).toHaveLength(1);

    // A repeat of checkout's latency alert is a line in its thread.
    later();
    const again = await post(ch, fixture('slack-am-community-latency-checkout.real'));
    expect(rootsIn(ch, again)).toHaveLength(0);
    expect(textOf(slack.fake.thread(ch, checkout).at(-1))).toMatch(/fired again: \[FIRING:1\] HighLatency/);

    // `[RESOLVED] HighLatency` (billing's labels): billing's thread, not checkout's.
    const resolved = await post(ch, fixture('slack-am-community-latency-billing-resolved.real'));
    expect(slack.fake.thread(ch, resolved)).toHaveLength(1);
    expect(textOf(slack.fake.thread(ch, billing).at(-1))).toMatch(/resolved: \[RESOLVED\] HighLatency. Nothing/);
    expect(slack.fake.thread(ch, checkout).some((m) => /resolved: \[RESOLVED\]/.test(textOf(m)))).toBe(false);

    // KubePodCrashLooping from kube-state-metrics: billing is diagnosed, never the exporter.
    later();
    const crash = await post(ch, fixture('slack-am-community-crashloop-kube-state-metrics.real'));
    const [root] = rootsIn(ch, crash);
    expect(head(root)).toContain('KubePodCrashLooping on billing');
    expect(head(root)).not.toContain('kube-state-metrics');
  }, 240_000);

  it('default template: distinct titles are distinct alerts, the resolution finds its thread, the exporter is skipped', async () => {
    const ch = DEFAULT;
    later();
    const billing = await post(ch, fixture('slack-am-default-latency-billing.real'));
    later();
    const checkout = await post(ch, fixture('slack-am-default-latency-checkout.real'));
    expect(head(rootsIn(ch, billing)[0])).toContain('HighLatency on billing');
    expect(head(rootsIn(ch, checkout)[0])).toContain('HighLatency on checkout');

    // The default title names no service of a group by alertname (`[FIRING:2] HighErrorRate (shop critical)`): one
    // diagnosis, in its own thread, not in either latency thread.
    later();
    const grouped = await post(ch, fixture('slack-am-default-errors-grouped.real'));
    expect(rootsIn(ch, grouped)).toHaveLength(1);

    const resolved = await post(ch, fixture('slack-am-default-latency-billing-resolved.real'));
    expect(slack.fake.thread(ch, resolved)).toHaveLength(1);
    expect(textOf(slack.fake.thread(ch, billing).at(-1))).toMatch(/resolved: \[RESOLVED\] HighLatency billing/);
    expect(slack.fake.thread(ch, checkout).some((m) => /resolved: \[RESOLVED\]/.test(textOf(m)))).toBe(false);

    later();
    const crash = await post(ch, fixture('slack-am-default-crashloop-kube-state-metrics.real'));
    expect(head(rootsIn(ch, crash)[0])).toContain('KubePodCrashLooping on billing');
  }, 240_000);

  it('Grafana: a grouped notification diagnoses every service; a resolution ends only its own', async () => {
    const ch = GRAFANA;
    later();
    const grouped = await post(ch, fixture('slack-grafana-grouped-services'), 'B0GRAFANA1');
    const diagnoses = rootsIn(ch, grouped);
    expect(diagnoses).toHaveLength(2);
    expect(diagnoses.map(head).join('\n')).toContain('HighErrorRate — billing');
    expect(diagnoses.map(head).join('\n')).toContain('HighErrorRate — checkout');
    expect(groupSummaries(ch)).toHaveLength(1);

    const resolved = await post(ch, fixture('slack-grafana-grouped-services-resolved'), 'B0GRAFANA1');
    expect(slack.fake.thread(ch, resolved)).toHaveLength(1);
    const billingRoot = diagnoses.find((d) => head(d).includes('HighErrorRate — billing'));
    const checkoutRoot = diagnoses.find((d) => head(d).includes('HighErrorRate — checkout'));
    expect(head(billingRoot)).toMatch(/resolved/);
    expect(head(checkoutRoot)).not.toMatch(/resolved/);
    // One line in the alert's thread: billing resolved, checkout still firing.
    expect(textOf(slack.fake.thread(ch, grouped).at(-1))).toMatch(/resolved: \[RESOLVED\]/);

    later();
    const crash = await post(ch, fixture('slack-grafana-crashloop-kube-state-metrics'), 'B0GRAFANA1');
    expect(head(rootsIn(ch, crash)[0])).toContain('KubePodCrashLooping on billing');
  }, 240_000);

  it('a notification for seven services: five diagnoses under one summary, the other two listed by name', async () => {
    later();
    const base = fixture('alertmanager-webhook-errors-grouped.real') as { alerts: Json[] } & Json;
    const services = ['accounts', 'cart', 'catalog', 'loyalty', 'orders', 'pricing', 'search'];
    const alerts = services.map((service, i) => {
      const a = JSON.parse(JSON.stringify(base.alerts[0])) as { labels: Json; annotations: Json } & Json;
      a.labels = { ...a.labels, job: service, service };
      a.annotations = { summary: `${service} 5xx ratio above 5%` };
      a.fingerprint = `00000000000000a${i}`;
      return a;
    });
    const r = await slack.postJson(
      '/alerts/alertmanager',
      { ...base, groupKey: '{}/{alertname="HighErrorRate"}:{alertname="HighErrorRate"}', alerts },
      { Authorization: `Bearer ${TOKEN}` },
    );
    expect(r.status).toBe(200);
    await slack.settled();
    const summary = groupSummaries(WEBHOOK).find((m) => textOf(m).includes('affects 7 services'));
    expect(summary).toBeDefined();
    const diagnoses = rootsIn(WEBHOOK, summary?.ts ?? '');
    expect(diagnoses.map(head).map((h) => /HighErrorRate — (\w+)/.exec(h)?.[1])).toEqual(services.slice(0, 5));
    expect(textOf(summary)).toContain(
      'Not diagnosed (more than 5 services): HighErrorRate — pricing, HighErrorRate — search',
    );
    // Their alerts belong to the summary's thread: a repeat of them starts nothing.
    const again = await slack.postJson(
      '/alerts/alertmanager',
      { ...base, alerts: alerts.slice(5) },
      { Authorization: `Bearer ${TOKEN}` },
    );
    expect((again.body as { outcome: string }).outcome).toBe('repeat');
    await slack.settled();
    expect(rootsIn(WEBHOOK, summary?.ts ?? '')).toHaveLength(5);
    // One line for the notification, however many of its alerts the thread holds.
    expect(head(diagnoses[0])).toContain('fired again 1×');
  }, 240_000);

  it('webhook: the same notifications by fingerprint, with the grouped one under one summary', async () => {
    const ch = WEBHOOK;
    later();
    expect((await hook('alertmanager-webhook-latency-billing.real')).outcome).toBe('queued');
    later();
    expect((await hook('alertmanager-webhook-latency-checkout.real')).outcome).toBe('queued');
    const top = () => roots(ch).filter((r) => r.thread_ts === undefined);
    expect(top()).toHaveLength(2);
    expect(head(top()[0])).toContain('HighLatency on billing');
    expect(head(top()[1])).toContain('HighLatency on checkout');

    later();
    expect((await hook('alertmanager-webhook-errors-grouped.real')).outcome).toBe('queued');
    const summary = groupSummaries(ch).find((m) => textOf(m).includes('affects 2 services'));
    expect(summary?.thread_ts).toBeUndefined();
    const diagnoses = rootsIn(ch, summary?.ts ?? '');
    expect(diagnoses.map(head).sort().join('\n')).toMatch(/HighErrorRate — billing[\s\S]*HighErrorRate — checkout/);
    expect(top()).toHaveLength(2);

    expect((await hook('alertmanager-webhook-latency-checkout.real')).outcome).toBe('repeat');
    expect((await hook('alertmanager-webhook-latency-billing-resolved.real')).outcome).toBe('resolved');
    const billingThread = slack.fake.thread(ch, top()[0]?.ts ?? '');
    expect(textOf(billingThread.at(-1))).toMatch(/resolved: \[RESOLVED\] HighLatency billing/);
    expect(textOf(slack.fake.thread(ch, top()[1]?.ts ?? '').at(-1))).toMatch(/fired again/);

    later();
    expect((await hook('alertmanager-webhook-crashloop-kube-state-metrics.real')).outcome).toBe('queued');
    expect(head(top()[2])).toContain('KubePodCrashLooping on billing');
    expect(head(top()[2])).not.toContain('kube-state-metrics');
  }, 240_000);
});
