/**
 * Captures what a real Alertmanager POSTs to Slack, for the fixtures in test/fixtures/alerts/ (see its README).
 *
 * One Alertmanager, one Slack receiver with two `slack_configs` whose `api_url` points at a local recorder: one
 * with Alertmanager's default Slack template, one with the community template that kube-prometheus users paste
 * (`[FIRING:n] <alertname>` title; per alert `*Alert:*`, `*Description:*`, `*Details:*` and one
 * `• *name:* \`value\`` line per label). Alerts are pushed through Alertmanager's API step by step, and each step
 * waits for both payloads, so each step's notifications are recorded apart. The same receiver also has a webhook
 * config, so each step's notification is recorded as the webhook payload too.
 */
import { createServer } from 'node:http';
import { type LocalAlertmanager, type PostableAlert, startAlertmanager } from './local-alertmanager.js';

/** The community template (written for Triage from what the widely pasted template renders). */
export const COMMUNITY_TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}';
export const COMMUNITY_TEXT = [
  '{{ range .Alerts }}',
  '*Alert:* {{ .Annotations.summary }} - `{{ .Labels.severity }}`',
  '*Description:* {{ .Annotations.description }}',
  '*Details:*',
  '{{ range .Labels.SortedPairs }} • *{{ .Name }}:* `{{ .Value }}`',
  '{{ end }}',
  '{{ end }}',
].join('\n');

/** The Slack templates, and `webhook`: the same notification as the webhook (version 4) payload. */
export type TemplateName = 'default' | 'community' | 'webhook';

/** One step: alerts to post, and a name for the notifications it causes. */
export interface CaptureStep {
  name: string;
  alerts: PostableAlert[];
}

export interface CapturedNotification {
  step: string;
  template: TemplateName;
  /** The body Alertmanager POSTed, as text (byte for byte). */
  body: string;
}

/** A Slack recorder on loopback: answers `ok` like an incoming webhook, keeps every body by path. */
async function startRecorder(): Promise<{
  url: string;
  bodies: { path: string; body: string }[];
  close(): Promise<void>;
}> {
  const bodies: { path: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The config: alerts named HighErrorRate are grouped by alertname only (one notification for every service), the
 * rest by alertname and service; `send_resolved` on, so resolutions are posted too.
 */
export function slackCaptureConfig(recorderUrl: string): Record<string, unknown> {
  const slack = (template: TemplateName) => ({
    api_url: `${recorderUrl}/${template}`,
    channel: '#alerts',
    send_resolved: true,
    ...(template === 'community' ? { title: COMMUNITY_TITLE, text: COMMUNITY_TEXT } : {}),
  });
  return {
    route: {
      receiver: 'slack',
      group_by: ['alertname', 'service'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: [{ receiver: 'slack', matchers: ['alertname="HighErrorRate"'], group_by: ['alertname'] }],
    },
    receivers: [
      {
        name: 'slack',
        slack_configs: [slack('default'), slack('community')],
        webhook_configs: [{ url: `${recorderUrl}/webhook`, send_resolved: true, max_alerts: 0 }],
      },
    ],
  };
}

/** Runs the steps against a fresh Alertmanager and returns, per step, the payload of each template. */
export async function captureSlackNotifications(
  steps: readonly CaptureStep[],
  options: { timeoutMs?: number } = {},
): Promise<{ notifications: CapturedNotification[]; version: string }> {
  const recorder = await startRecorder();
  let am: LocalAlertmanager | undefined;
  try {
    am = await startAlertmanager({ webhookUrl: '', config: slackCaptureConfig(recorder.url) });
    const notifications: CapturedNotification[] = [];
    for (const step of steps) {
      const before = recorder.bodies.length;
      await am.postAlerts(step.alerts);
      const deadline = performance.now() + (options.timeoutMs ?? 20_000);
      while (recorder.bodies.length < before + 3) {
        if (performance.now() > deadline) {
          throw new Error(`step ${step.name}: Alertmanager posted ${recorder.bodies.length - before} of 3\n${am.log}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      // Anything else of this step (there should be nothing) would arrive within a group interval.
      await new Promise((r) => setTimeout(r, 1500));
      for (const { path, body } of recorder.bodies.slice(before)) {
        const template: TemplateName = path.endsWith('/community')
          ? 'community'
          : path.endsWith('/webhook')
            ? 'webhook'
            : 'default';
        notifications.push({ step: step.name, template, body });
      }
    }
    const version = await fetch(`${am.url}/api/v2/status`)
      .then((r) => r.json() as Promise<{ versionInfo?: { version?: string } }>)
      .then((s) => s.versionInfo?.version ?? 'unknown');
    return { notifications, version };
  } finally {
    await am?.stop();
    await recorder.close();
  }
}

/** The alerts the fixtures are captured from, relative to `now`. */
export function fixtureSteps(now: Date): CaptureStep[] {
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const latency = (service: string, startsAt: string, endsAt?: string): PostableAlert => ({
    labels: {
      alertname: 'HighLatency',
      job: service,
      namespace: 'finance',
      service,
      severity: 'warning',
    },
    annotations: {
      summary: `${service} p99 latency above 500ms`,
      description: `The 99th percentile latency of ${service} has been above 500ms for 5 minutes.`,
    },
    startsAt,
    ...(endsAt ? { endsAt } : {}),
    generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile&g0.tab=1',
  });
  const errors = (service: string): PostableAlert => ({
    labels: { alertname: 'HighErrorRate', job: service, namespace: 'shop', service, severity: 'critical' },
    annotations: {
      summary: `${service} 5xx ratio above 5%`,
      description: `${service} answers more than 5% of requests with a 5xx status.`,
    },
    startsAt: ago(4),
    generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=job%3Ahttp_errors%3Aratio5m&g0.tab=1',
  });
  const crashLoopStart = ago(6);
  return [
    { name: 'latency-billing', alerts: [latency('billing', ago(10))] },
    { name: 'latency-checkout', alerts: [latency('checkout', ago(3))] },
    { name: 'errors-grouped', alerts: [errors('checkout'), errors('billing')] },
    { name: 'latency-billing-resolved', alerts: [latency('billing', ago(10), ago(0.02))] },
    {
      name: 'crashloop-kube-state-metrics',
      alerts: [
        {
          labels: {
            alertname: 'KubePodCrashLooping',
            container: 'billing',
            endpoint: 'http',
            instance: '10.244.1.17:8080',
            job: 'kube-state-metrics',
            namespace: 'finance',
            pod: 'billing-6f7d8c9b5d-x2k4q',
            prometheus: 'monitoring/kube-prometheus-stack-prometheus',
            reason: 'CrashLoopBackOff',
            service: 'kube-prometheus-stack-kube-state-metrics',
            severity: 'warning',
            uid: '0b7f3c4e-5d1a-4f0e-9c8b-2a6d7e9f1c3b',
          },
          annotations: {
            description:
              'Pod finance/billing-6f7d8c9b5d-x2k4q (billing) is in waiting state (reason: "CrashLoopBackOff").',
            runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping',
            summary: 'Pod is crash looping.',
          },
          startsAt: crashLoopStart,
          generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=max_over_time&g0.tab=1',
        },
      ],
    },
  ];
}
