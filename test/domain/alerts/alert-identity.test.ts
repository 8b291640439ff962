import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../../src/adapters/alertmanager/parse-alertmanager-webhook.js';
import { parseSlackAlert } from '../../../src/adapters/slack/alerts/parse/parse-slack-alert.js';
import { type Alert, type AlertNotification, alertKey, isExporterName } from '../../../src/domain/alerts/alert.js';
import { alertService, alertToSymptom, splitByService } from '../../../src/domain/alerts/alert-symptom.js';

const NOW = new Date('2026-12-02T17:00:00Z');

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** A captured Alertmanager Slack payload as Slack shows it: a bot message. */
function slack(name: string): AlertNotification {
  const n = parseSlackAlert({ bot_id: 'B1', subtype: 'bot_message', ...fixture(name) });
  if (!n) throw new Error(`${name} did not parse`);
  return n;
}

function webhook(name: string): AlertNotification {
  const parsed = parseAlertmanagerWebhook(fixture(name));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.notification;
}

const keys = (n: AlertNotification) => n.alerts.map(alertKey);

function alert(labels: Record<string, string>): Alert {
  return { status: 'firing', alertname: labels.alertname ?? 'X', labels, annotations: {} };
}

describe('alertKey: identity from labels, never the title alone', () => {
  it('tells apart two alerts with the same name and title for two services (community template)', () => {
    const billing = slack('slack-am-community-latency-billing.real');
    const checkout = slack('slack-am-community-latency-checkout.real');
    expect(billing.title).toBe('[FIRING:1] HighLatency');
    expect(checkout.title).toBe('[FIRING:1] HighLatency');
    expect(keys(billing)).toHaveLength(1);
    expect(keys(billing)).not.toEqual(keys(checkout));
    expect(keys(billing)[0]).toBe(
      'labels:{alertname="HighLatency",job="billing",namespace="finance",service="billing",severity="warning"}',
    );
  });

  it('gives the [RESOLVED] post the key of the alert it resolves', () => {
    expect(keys(slack('slack-am-community-latency-billing-resolved.real'))).toEqual(
      keys(slack('slack-am-community-latency-billing.real')),
    );
    expect(keys(slack('slack-am-default-latency-billing-resolved.real'))).toEqual(
      keys(slack('slack-am-default-latency-billing.real')),
    );
  });

  it('keys each alert of a grouped notification by its own labels', () => {
    const grouped = slack('slack-am-community-errors-grouped.real');
    expect(grouped.alerts.map((a) => a.labels.service)).toEqual(['billing', 'checkout']);
    expect(new Set(keys(grouped)).size).toBe(2);
  });

  it('uses the text when the notification shows no labels: distinct texts are distinct alerts', () => {
    const billing = slack('slack-am-default-latency-billing.real');
    const checkout = slack('slack-am-default-latency-checkout.real');
    expect(keys(billing)).toEqual(['text:HighLatency billing (billing finance warning)']);
    expect(keys(checkout)).toEqual(['text:HighLatency checkout (checkout finance warning)']);
  });

  it('uses the fingerprint of a webhook alert', () => {
    const n = webhook('alertmanager-webhook-errors-grouped.real');
    expect(keys(n).every((k) => /^fp:[0-9a-f]{16}$/.test(k))).toBe(true);
    expect(new Set(keys(n)).size).toBe(2);
  });

  it('never lets two label sets share a key, whatever the label values hold', () => {
    const a = alertKey(alert({ alertname: 'X', service: 'a",b="c' }));
    const b = alertKey(alert({ alertname: 'X', service: 'a', b: 'c' }));
    expect(a).not.toBe(b);
  });
});

describe('parseSlackAlert: labels wherever the notification carries them', () => {
  it('reads labels and annotations from Block Kit blocks', () => {
    const n = parseSlackAlert({
      bot_id: 'B1',
      text: '',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '[FIRING:1] HighLatency' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Summary:* checkout p99 above 500ms' },
          fields: [
            { type: 'mrkdwn', text: '*alertname:* `HighLatency`' },
            { type: 'mrkdwn', text: '*service:* `checkout`' },
            { type: 'mrkdwn', text: '*severity:* `warning`' },
          ],
        },
      ],
    });
    expect(n?.title).toBe('[FIRING:1] HighLatency');
    expect(n?.alerts).toHaveLength(1);
    expect(n?.alerts[0]?.labels).toEqual({ alertname: 'HighLatency', service: 'checkout', severity: 'warning' });
    expect(n?.alerts[0]?.annotations).toEqual({ summary: 'checkout p99 above 500ms' });
  });

  it('reads rich text blocks line by line', () => {
    const run = (text: string) => ({ type: 'rich_text_section', elements: [{ type: 'text', text }] });
    const n = parseSlackAlert({
      bot_id: 'B1',
      blocks: [
        {
          type: 'rich_text',
          elements: [run('[FIRING:1] DiskFull'), run('alertname=DiskFull instance=db-1:9100 service=postgres')],
        },
      ],
    });
    expect(n?.alerts[0]?.labels).toMatchObject({ alertname: 'DiskFull', service: 'postgres' });
  });

  it('does not read the rich_text block Slack mirrors a message text into a second time', () => {
    const text =
      '*Alert:* checkout p99 above 500ms - `warning`\n*Details:*\n • *alertname:* `HighLatency`\n • *service:* `checkout`';
    const mirrored = text.replace(/[*`]/g, '');
    const n = parseSlackAlert({
      bot_id: 'B1',
      text: `[FIRING:1] HighLatency\n${text}`,
      blocks: [
        { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: mirrored }] }] },
      ],
    });
    expect(n?.alerts).toHaveLength(1);
    expect(n?.alerts[0]?.annotations).toEqual({ summary: 'checkout p99 above 500ms' });
  });

  it("reads Grafana's grouped notification as one alert per Labels: block", () => {
    const n = slack('slack-grafana-grouped-services');
    expect(n.title).toBe('[FIRING:2]  (HighErrorRate)');
    expect(n.alerts.map((a) => [a.labels.service, a.labels.severity])).toEqual([
      ['billing', 'critical'],
      ['checkout', 'warning'],
    ]);
  });
});

describe('isExporterName', () => {
  it.each([
    'kube-state-metrics',
    'kube-prometheus-stack-kube-state-metrics',
    'node-exporter',
    'kube-prometheus-stack-prometheus-node-exporter',
    'blackbox',
    'blackbox-exporter',
    'cadvisor',
    'kubelet',
    'prometheus-operator',
    'kube-prometheus-stack-operator',
    'kube-prom-operator',
    'prometheus',
    'kube-prometheus-stack-prometheus',
    'pushgateway',
    'postgres-exporter',
    'alertmanager-main',
  ])('%s is an exporter', (name) => {
    expect(isExporterName(name)).toBe(true);
  });

  it.each(['billing', 'checkout', 'payments-api', 'order-operator-ui', 'cart', 'metrics-gateway', 'exporter-ui'])(
    '%s is not',
    (name) => {
      expect(isExporterName(name)).toBe(false);
    },
  );
});

describe('alertService: the workload, not the exporter', () => {
  it('takes the container of a kube-state-metrics alert, with the namespace as the last candidate', () => {
    const n = slack('slack-am-community-crashloop-kube-state-metrics.real');
    const choice = alertService(n.alerts[0], n.commonLabels, n.title);
    expect(choice?.service).toBe('billing');
    expect(choice?.candidates).toEqual(['billing', 'finance']);
    expect(choice?.note).toBe(
      'Service from the alert\'s `container` label (`service="kube-prometheus-stack-kube-state-metrics"`, `job="kube-state-metrics"` name the exporter or scrape job that reported it, not the workload).',
    );
  });

  it('skips the exporter in a values-only title (default template)', () => {
    const n = slack('slack-am-default-crashloop-kube-state-metrics.real');
    expect(alertService(n.alerts[0], n.commonLabels, n.title)?.service).toBe('billing');
  });

  it.each([
    [{ service: 'kube-prometheus-stack-kube-state-metrics', deployment: 'orders', namespace: 'shop' }, 'orders'],
    [{ job: 'kube-state-metrics', statefulset: 'ledger', namespace: 'finance' }, 'ledger'],
    [{ job: 'kube-state-metrics', daemonset: 'log-shipper' }, 'log-shipper'],
    [{ job: 'kube-state-metrics', job_name: 'invoice-export-29012345' }, 'invoice-export'],
    [{ job: 'kube-state-metrics', pod: 'cart-5c8d7f9b4-q7w2p' }, 'cart'],
    [{ job: 'kube-state-metrics', pod: 'ledger-2' }, 'ledger'],
    [{ job: 'cadvisor', container: 'istio-proxy', pod: 'search-6d5f7c8b9-x2k4q' }, 'search'],
    [{ job: 'node-exporter', destination_workload: 'reviews-v2' }, 'reviews-v2'],
    [{ service: 'kube-prometheus-stack-kubelet', service_name: 'pricing' }, 'pricing'],
    [
      {
        job: 'kube-state-metrics',
        pod: 'kube-prometheus-stack-kube-state-metrics-7d9f8c6b5-x2k4q',
        namespace: 'monitoring',
      },
      null,
    ],
    [{ job: 'blackbox', instance: 'https://shop.example.com' }, null],
  ])('%j → %s', (labels, service) => {
    expect(alertService(alert({ alertname: 'A', ...labels }), {}, '')?.service ?? null).toBe(service);
  });

  it('falls back to the namespace when only exporters name anything', () => {
    const choice = alertService(
      alert({ alertname: 'KubeQuotaExceeded', job: 'kube-state-metrics', namespace: 'shop' }),
      {},
      '',
    );
    expect(choice).toMatchObject({ service: 'shop', candidates: ['shop'] });
  });

  it('gives the diagnosis every candidate, best first', () => {
    const n = slack('slack-am-community-crashloop-kube-state-metrics.real');
    const s = alertToSymptom(n, { now: NOW });
    expect(s.service).toBe('billing');
    expect(s.serviceCandidates).toEqual(['billing', 'finance']);
    expect(s.text).toBe('KubePodCrashLooping on billing: Pod is crash looping. (warning)');
  });
});

describe('splitByService', () => {
  it('splits a grouped notification into one notification per service, in order', () => {
    const groups = splitByService(slack('slack-am-community-errors-grouped.real'));
    expect(groups.map((g) => g.service)).toEqual(['billing', 'checkout']);
    expect(groups.map((g) => g.notification.alerts.length)).toEqual([1, 1]);
    expect(groups.map((g) => alertToSymptom(g.notification, { now: NOW }).service)).toEqual(['billing', 'checkout']);
  });

  it('splits the webhook payload the same way', () => {
    expect(splitByService(webhook('alertmanager-webhook-errors-grouped.real')).map((g) => g.service)).toEqual([
      'billing',
      'checkout',
    ]);
  });

  it('keeps alerts of one service together, and a notification without labels whole', () => {
    expect(splitByService(slack('slack-grafana-mixed')).map((g) => g.service)).toEqual(['checkout']);
    const whole = slack('slack-am-default-errors-grouped.real');
    expect(splitByService(whole)).toEqual([{ service: 'shop', notification: whole }]);
  });
});
