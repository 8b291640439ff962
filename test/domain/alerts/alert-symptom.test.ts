import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../../src/adapters/alertmanager/parse-alertmanager-webhook.js';
import { parseSlackAlert, type SlackAlertMessage } from '../../../src/adapters/slack/alerts/parse/parse-slack-alert.js';
import type { Alert, AlertNotification } from '../../../src/domain/alerts/alert.js';
import { alertnameWords, alertToSymptom } from '../../../src/domain/alerts/alert-symptom.js';
import { SymptomError } from '../../../src/domain/errors.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';

const NOW = new Date('2026-11-01T15:00:00Z');
const iso = (d: Date): string => d.toISOString();
const json = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/alerts/${name}.json`, import.meta.url), 'utf8'));

function webhook(name: string): AlertNotification {
  const r = parseAlertmanagerWebhook(json(name));
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.notification;
}

function slack(name: string): AlertNotification {
  const n = parseSlackAlert(json(name) as SlackAlertMessage);
  if (!n) throw new Error('not an alert');
  return n;
}

/** A one-alert notification with these labels and annotations, firing since `startsAt` when given. */
function alertWith(
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
  extra: Partial<Alert> = {},
): AlertNotification {
  const alert: Alert = {
    status: 'firing',
    alertname: labels.alertname ?? 'X',
    labels,
    annotations,
    ...extra,
  };
  return {
    source: 'alertmanager-webhook',
    status: alert.status,
    title: `[FIRING:1] ${alert.alertname}`,
    groupKey: 'k',
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: annotations,
    firingCount: 1,
    resolvedCount: 0,
    alerts: [alert],
    truncatedAlerts: 0,
  };
}

describe('alertToSymptom: from the recorded webhook', () => {
  it('reads service, symptom, window and notes from a firing alert', () => {
    const now = new Date('2026-11-22T08:30:00Z');
    const s = alertToSymptom(webhook('alertmanager-webhook-firing.real'), { now });
    expect(s).toEqual({
      text: 'HighErrorRate on checkout: checkout 5xx ratio above 5% (critical)',
      service: 'checkout',
      serviceCandidates: ['checkout'],
      kinds: ['errors'],
      statusCodes: [],
      window: { start: new Date('2026-11-22T08:02:56Z'), end: now },
      windowSource: 'since',
      notes: [
        "Service from the alert's `service` label.",
        "Symptom from the alert's name, summary and description: errors.",
        "Window from the alert's start, 08:17 UTC.",
      ],
    });
  });

  it('gives a text that parseSymptom reads back to the same service and kinds', () => {
    const s = alertToSymptom(webhook('alertmanager-webhook-firing.real'), { now: new Date('2026-11-22T08:30:00Z') });
    const again = parseSymptom(s.text, { now: NOW });
    expect(again.service).toBe(s.service);
    expect(again.kinds).toEqual(s.kinds);
  });

  it('anchors a grouped alert at the earliest firing start, not the resolved one', () => {
    const s = alertToSymptom(webhook('alertmanager-webhook-grouped'), { now: NOW });
    expect(iso(s.window.start)).toBe('2026-11-01T13:47:13.513Z');
    expect(iso(s.window.end)).toBe(iso(NOW));
    expect(s.windowSource).toBe('since');
    expect(s.notes).toContain("Window from the alert's start, 14:02 UTC.");
  });

  it('prefers the service label over a scrape-job name', () => {
    const s = alertToSymptom(webhook('alertmanager-webhook-grouped'), { now: NOW });
    expect(s.service).toBe('checkout');
    expect(s.notes[0]).toBe(
      'Service from the alert\'s `service` label (`job="kubernetes-pods"` names the exporter or scrape job that reported it, not the workload).',
    );
  });
});

describe('alertToSymptom: the service', () => {
  it.each([
    [{ service: 'checkout', job: 'payments', app: 'cart' }, 'checkout', 'service'],
    [{ service_name: 'checkout', job: 'payments' }, 'checkout', 'service_name'],
    [{ app_kubernetes_io_name: 'checkout', job: 'payments' }, 'checkout', 'app_kubernetes_io_name'],
    [{ job: 'payments', app: 'cart' }, 'payments', 'job'],
    [{ job: 'kubernetes-pods', app: 'cart' }, 'cart', 'app'],
    [{ job: 'node-exporter', application: 'billing' }, 'billing', 'application'],
    [{ job: 'prometheus', container: 'orders' }, 'orders', 'container'],
    [{ container: 'istio-proxy', deployment: 'checkout' }, 'checkout', 'deployment'],
    [{ container: 'POD', pod: 'checkout-7d9f8c6b5-x2k4q' }, 'checkout', 'pod'],
  ] as const)('%j → %s (from %s)', (labels, service, label) => {
    const s = alertToSymptom(alertWith({ alertname: 'X', ...labels }), { now: NOW });
    expect(s.service).toBe(service);
    expect(s.notes[0]).toMatch(new RegExp(`^Service from the alert's \`${label}\` label`));
  });

  it('never takes an exporter job for the service, even when nothing else names one', () => {
    const s = alertToSymptom(alertWith({ alertname: 'NodeFilesystemAlmostFull', job: 'node-exporter' }), { now: NOW });
    expect(s.service).toBeNull();
    expect(s.serviceCandidates).toEqual([]);
    expect(s.notes[0]).toBe('The alert names no service.');
  });

  it("looks in the first firing alert's labels before the common labels", () => {
    const n = alertWith({ alertname: 'X', service: 'cart' });
    const resolved: Alert = { status: 'resolved', alertname: 'X', labels: { service: 'orders' }, annotations: {} };
    const firing: Alert = { status: 'firing', alertname: 'X', labels: { service: 'checkout' }, annotations: {} };
    expect(alertToSymptom({ ...n, alerts: [resolved, firing] }, { now: NOW }).service).toBe('checkout');
    expect(alertToSymptom({ ...n, alerts: [{ ...firing, labels: {} }] }, { now: NOW }).service).toBe('cart');
  });

  it('guesses from the title of the Alertmanager default Slack post', () => {
    const s = alertToSymptom(slack('slack-alertmanager-default-firing'), { now: NOW });
    expect(s.service).toBe('checkout');
    expect(s.notes[0]).toBe('Service guessed from the alert title: "checkout".');
    expect(s.text).toBe('HighErrorRate on checkout (critical)');
  });

  it('takes the first name-like title value, which may be a namespace it cannot tell apart', () => {
    const s = alertToSymptom(slack('slack-alertmanager-default-grouped'), { now: NOW });
    // `[FIRING:3] KubePodCrashLooping shop (checkout-7d9f8c6b5-x2k4q prod warning)`: values carry no names.
    expect(s.service).toBe('shop');
  });

  it('takes the workload of a pod name in a title', () => {
    const n = parseSlackAlert({
      bot_id: 'B1',
      attachments: [{ title: '[FIRING:1] KubePodCrashLooping (checkout-7d9f8c6b5-x2k4q prod warning)' }],
    });
    if (!n) throw new Error('not an alert');
    expect(alertToSymptom(n, { now: NOW }).service).toBe('checkout');
  });

  it('does not take a Grafana folder or namespace from the title for the service', () => {
    const n = parseSlackAlert({
      bot_id: 'B1',
      username: 'Grafana',
      attachments: [
        {
          title: '[FIRING:1] HighErrorRate Shop (critical prod)',
          text: '**Firing**\n\nValue: A=1\nLabels:\n - alertname = HighErrorRate\n - grafana_folder = Shop\n - env = prod\n - severity = critical\nAnnotations:\n',
        },
      ],
    });
    if (!n) throw new Error('not an alert');
    const s = alertToSymptom(n, { now: NOW });
    expect(s.service).toBeNull();
    expect(s.serviceCandidates).toEqual([]);
    expect(s.notes[0]).toBe('The alert names no service.');
    expect(s.text).toBe('HighErrorRate (critical)');
  });

  it('reads the Grafana mixed post: service label, earliest firing alert', () => {
    const s = alertToSymptom(slack('slack-grafana-mixed'), { now: NOW });
    expect(s.service).toBe('checkout');
    expect(s.kinds).toEqual(['errors']);
    expect(s.windowSource).toBe('last');
  });

  it('gives no service when nothing names one', () => {
    const s = alertToSymptom(alertWith({ alertname: 'Watchdog' }), { now: NOW });
    expect(s.service).toBeNull();
    expect(s.serviceCandidates).toEqual([]);
    expect(s.notes[0]).toBe('The alert names no service.');
  });

  it('gives lower-case and -/_ variants as candidates', () => {
    const cand = (service: string) =>
      alertToSymptom(alertWith({ alertname: 'X', service }), { now: NOW }).serviceCandidates;
    expect(cand('Checkout_API')).toEqual(['Checkout_API', 'checkout_api', 'checkout-api', 'checkout']);
    expect(cand('accounts-api')).toEqual(['accounts-api', 'accounts_api', 'accounts']);
    expect(cand('checkout')).toEqual(['checkout']);
  });

  it('keeps a hostile service label as it is', () => {
    const value = 'checkout"} or vector(1) #';
    const s = alertToSymptom(alertWith({ alertname: 'X', service: value }), { now: NOW });
    expect(s.service).toBe(value);
    expect(s.serviceCandidates[0]).toBe(value);
  });
});

describe('alertToSymptom: the symptom', () => {
  it.each([
    ['HighErrorRate', {}, ['errors'], []],
    ['KubePodCrashLooping', {}, ['unavailable'], []],
    ['HTTP5xxRatioHigh', {}, ['errors'], []],
    ['P99LatencyHigh', {}, ['latency'], []],
    ['KubeContainerOOMKilled', {}, ['memory', 'unavailable'], []],
    ['PostgresTooManyConnections', {}, ['connections'], []],
    ['GatewayProblem', { summary: 'checkout returns 502 to clients' }, ['errors'], [502]],
    ['SLOBurn', { description: 'requests are timing out' }, ['timeouts'], []],
    ['Watchdog', { summary: 'always firing' }, [], []],
  ] as const)('%s %j → %j %j', (alertname, annotations, kinds, codes) => {
    const s = alertToSymptom(alertWith({ alertname, service: 'checkout' }, annotations), { now: NOW });
    expect(s.kinds).toEqual(kinds);
    expect(s.statusCodes).toEqual(codes);
  });

  it('says where the symptom came from, or that none was recognised', () => {
    const found = alertToSymptom(alertWith({ alertname: 'HighLatency' }, { summary: 'slow' }), { now: NOW });
    expect(found.notes).toContain("Symptom from the alert's name and summary: latency.");
    const none = alertToSymptom(alertWith({ alertname: 'Watchdog' }), { now: NOW });
    expect(none.notes).toContain("No symptom recognised in the alert's name, summary or description.");
    const codes = alertToSymptom(alertWith({ alertname: 'X' }, { description: 'many 503s' }), { now: NOW });
    expect(codes.notes).toContain("Symptom from the alert's name and description: unavailable, errors (503).");
  });

  it('does not read a severity tag as a symptom', () => {
    const s = alertToSymptom(
      alertWith({ alertname: 'DiskAlmostFull', severity: 'error' }, { summary: 'ERROR: disk 95% full' }),
      {
        now: NOW,
      },
    );
    expect(s.kinds).toEqual([]);
    expect(s.text).toBe('DiskAlmostFull: disk 95% full (error)');
    const tagged = alertToSymptom(alertWith({ alertname: 'X' }, { summary: '[critical] Error ratio above 5%' }), {
      now: NOW,
    });
    expect(tagged.kinds).toEqual(['errors']);
    expect(tagged.text).toBe('X: Error ratio above 5%');
  });

  it('does not throw on times in the text that parseSymptom rejects', () => {
    const s = alertToSymptom(
      alertWith({ alertname: 'HighErrorRate' }, { description: 'failing since 25:99, and at 23:59 tomorrow' }),
      { now: NOW },
    );
    expect(s.kinds).toEqual(['errors']);
  });

  it('keeps the text short and on one line', () => {
    const s = alertToSymptom(
      alertWith({ alertname: 'X', service: 'a' }, { summary: `line one\nline two ${'x'.repeat(2000)}` }),
      {
        now: NOW,
      },
    );
    expect(s.text).not.toContain('\n');
    expect(s.text.length).toBeLessThan(400);
    expect(s.text.startsWith('X on a: line one line two')).toBe(true);
  });
});

describe('alertToSymptom: the window', () => {
  const startsAt = (iso: string): Partial<Alert> => ({ startsAt: new Date(iso) });

  it('opens 15 minutes before the start and ends now', () => {
    const s = alertToSymptom(alertWith({ alertname: 'X' }, {}, startsAt('2026-11-01T14:02:00Z')), { now: NOW });
    expect([iso(s.window.start), iso(s.window.end)]).toEqual(['2026-11-01T13:47:00.000Z', '2026-11-01T15:00:00.000Z']);
    expect(s.windowSource).toBe('since');
    expect(s.notes).toContain("Window from the alert's start, 14:02 UTC.");
  });

  it('covers the first 6 hours of an older alert', () => {
    const s = alertToSymptom(alertWith({ alertname: 'X' }, {}, startsAt('2026-10-31T20:00:00Z')), { now: NOW });
    expect([iso(s.window.start), iso(s.window.end)]).toEqual(['2026-10-31T19:45:00.000Z', '2026-11-01T02:00:00.000Z']);
    expect(s.windowSource).toBe('since');
    expect(s.notes).toContain("Window from the alert's start, 2026-10-31 20:00 UTC.");
    expect(s.notes).toContain('The alert started more than 6 hours ago: the window covers its first 6 hours.');
  });

  it('looks back from now when the start is missing', () => {
    const s = alertToSymptom(alertWith({ alertname: 'X' }), { now: NOW });
    expect([iso(s.window.start), iso(s.window.end)]).toEqual(['2026-11-01T14:30:00.000Z', '2026-11-01T15:00:00.000Z']);
    expect(s.windowSource).toBe('last');
    expect(s.notes).toContain('The alert gives no start time: window of the last 30 minutes.');
  });

  it('looks back from now when the start is in the future, by the given look-back', () => {
    const s = alertToSymptom(alertWith({ alertname: 'X' }, {}, startsAt('2026-11-01T15:05:00Z')), {
      now: NOW,
      lookbackSeconds: 3_600,
    });
    expect([iso(s.window.start), iso(s.window.end)]).toEqual(['2026-11-01T14:00:00.000Z', '2026-11-01T15:00:00.000Z']);
    expect(s.windowSource).toBe('last');
    expect(s.notes).toContain("The alert's start (15:05 UTC) is in the future: window of the last hour.");
  });

  it('ends 15 minutes after a resolved alert ended', () => {
    const n = alertWith(
      { alertname: 'X' },
      {},
      { status: 'resolved', startsAt: new Date('2026-11-01T13:00:00Z'), endsAt: new Date('2026-11-01T13:30:00Z') },
    );
    const s = alertToSymptom({ ...n, status: 'resolved' }, { now: NOW });
    expect([iso(s.window.start), iso(s.window.end)]).toEqual(['2026-11-01T12:45:00.000Z', '2026-11-01T13:45:00.000Z']);
    expect(s.notes).toContain('The alert resolved at 13:30 UTC: the window ends 15 minutes later.');
  });

  it('writes clock times in the configured time zone', () => {
    const s = alertToSymptom(alertWith({ alertname: 'X' }, {}, startsAt('2026-11-01T14:02:00Z')), {
      now: NOW,
      timeZone: 'Europe/Paris',
    });
    expect(s.notes).toContain("Window from the alert's start, 15:02 Europe/Paris.");
    expect(iso(s.window.start)).toBe('2026-11-01T13:47:00.000Z');
  });

  it('rejects an unknown time zone, an unusable look-back and an invalid now', () => {
    const n = alertWith({ alertname: 'X' });
    expect(() => alertToSymptom(n, { now: NOW, timeZone: 'Mars/Olympus' })).toThrow(SymptomError);
    expect(() => alertToSymptom(n, { now: NOW, lookbackSeconds: 0 })).toThrow(SymptomError);
    expect(() => alertToSymptom(n, { now: NOW, lookbackSeconds: 30 * 86_400 })).toThrow(SymptomError);
    expect(() => alertToSymptom(n, { now: new Date(Number.NaN) })).toThrow(RangeError);
  });
});

describe('alertnameWords', () => {
  it.each([
    ['HighErrorRate', 'high error rate'],
    ['KubePodCrashLooping', 'kube pod crash looping'],
    ['HTTP5xxRatioHigh', 'http 5xx ratio high'],
    ['P99LatencyHigh', 'p99 latency high'],
    ['APIHighLatency', 'api high latency'],
    ['node_filesystem_full', 'node filesystem full'],
    ['K8sNodeNotReady', 'k8s node not ready'],
    ['S3UploadErrors', 's3 upload errors'],
    ['checkout:errors:ratio5m', 'checkout errors ratio 5m'],
  ])('%s → %s', (name, words) => {
    expect(alertnameWords(name)).toBe(words);
  });
});
