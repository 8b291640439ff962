/**
 * examples/: the Alertmanager receiver is a config Alertmanager accepts (amtool), routes warnings and above to
 * Triage, and points at the Service with the Secret's token; a real Alertmanager started with it reaches Triage's
 * webhook. The Grafana contact point posts to a channel Triage watches.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { ALERTMANAGER_WEBHOOK_PATH } from '../../src/adapters/alertmanager/alertmanager-webhook.js';
import { parseAlertmanagerWebhook } from '../../src/adapters/alertmanager/parse-alertmanager-webhook.js';
import { loadConfig } from '../../src/app/config.js';
import { type SlackHarness, startSlackHarness } from '../slack/slack-harness.js';
import { alertmanagerAvailability } from '../support/alertmanager/local-alertmanager.js';
import { closedPort, findExecutable, freePort, spawnUntilReady, stopChild, Tail } from '../support/local-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AM_CONFIG = join(ROOT, 'examples/alertmanager/alertmanager.yml');
const GRAFANA = join(ROOT, 'examples/grafana/contact-points.yaml');

// biome-ignore lint/suspicious/noExplicitAny: example files are untyped YAML, checked field by field below
type Yaml = Record<string, any>;

function readYaml(path: string): Yaml {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as Yaml;
}

const k8s = (file: string) => readYaml(join(ROOT, 'deploy/kubernetes', file));
const secret = k8s('secret.yaml');
const configMap = k8s('configmap.yaml');
const service = k8s('service.yaml');
const namespace = k8s('kustomization.yaml').namespace as string;

const amtool = findExecutable('amtool', undefined, process.env);
function runAmtool(args: string[]) {
  return spawnSync(amtool ?? 'amtool', args, { encoding: 'utf8' });
}

/** The receivers a route test names for these labels (`amtool config routes test`). */
function routesFor(configFile: string, labels: Record<string, string>): string {
  const result = runAmtool([
    'config',
    'routes',
    'test',
    `--config.file=${configFile}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  return result.stdout.trim();
}

const am = readYaml(AM_CONFIG);
const triageReceiver = am.receivers.find((r: Yaml) => r.name === 'triage');
const webhook = triageReceiver?.webhook_configs?.[0] as Yaml;

describe('examples/alertmanager', () => {
  it.skipIf(!amtool)('passes amtool check-config, and amtool rejects a broken copy', async () => {
    const ok = runAmtool(['check-config', AM_CONFIG]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/SUCCESS/);
    const dir = await mkdtemp(join(tmpdir(), 'triage-am-example-'));
    try {
      const broken = join(dir, 'alertmanager.yml');
      await writeFile(
        broken,
        readFileSync(AM_CONFIG, 'utf8').replace('type: Bearer', 'type: Bearer\n            password: x'),
      );
      const bad = runAmtool(['check-config', broken]);
      expect(bad.status).not.toBe(0);
      expect(bad.stdout + bad.stderr).toMatch(/FAILED/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!amtool)(
    'the README’s ready-to-paste receiver passes amtool and sends warnings to Triage and on',
    async () => {
      const readme = readFileSync('README.md', 'utf8');
      const section = readme.slice(readme.indexOf('**Which path to use.**'));
      const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
      expect(block, 'a yaml block under "Which path to use"').toBeDefined();
      const dir = await mkdtemp(join(tmpdir(), 'triage-am-readme-'));
      try {
        const file = join(dir, 'alertmanager.yml');
        await writeFile(file, (block ?? '').replace('<ALERT_WEBHOOK_TOKEN>', 'a-long-random-shared-secret'));
        const ok = runAmtool(['check-config', file]);
        expect(ok.status, ok.stdout + ok.stderr).toBe(0);
        expect(routesFor(file, { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' })).toBe(
          'triage,default',
        );
        expect(routesFor(file, { alertname: 'Watchdog', severity: 'none' })).toBe('default');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!amtool)('routes warnings and above to Triage and every alert to the usual receiver', () => {
    expect(routesFor(AM_CONFIG, { alertname: 'HighErrorRate', severity: 'critical' })).toBe('triage,default');
    expect(routesFor(AM_CONFIG, { alertname: 'HighLatency', severity: 'warning' })).toBe('triage,default');
    expect(routesFor(AM_CONFIG, { alertname: 'Watchdog', severity: 'info' })).toBe('default');
  });

  it('posts to the Service’s /alerts/alertmanager with send_resolved and the Secret’s bearer token', () => {
    const url = new URL(webhook.url);
    expect(url.pathname).toBe(ALERTMANAGER_WEBHOOK_PATH);
    expect(url.hostname).toBe(`${service.metadata.name}.${namespace}.svc`);
    expect(Number(url.port || 80)).toBe(service.spec.ports[0].port);
    expect(webhook.send_resolved).toBe(true);
    expect(webhook.max_alerts).toBeGreaterThan(0);
    expect(webhook.http_config.authorization).toEqual({
      type: 'Bearer',
      credentials: secret.stringData.ALERT_WEBHOOK_TOKEN,
    });
    // Triage would refuse to start with a token that short, so the placeholder is a usable shape.
    const config = loadConfig({ ...configMap.data, ...secret.stringData });
    expect(config.alerts.webhookToken).toBe(webhook.http_config.authorization.credentials);
  });

  it('groups by service, which Triage diagnoses one thread per', () => {
    expect(am.route.group_by).toContain('service');
  });
});

const alertmanager = alertmanagerAvailability();

describe.skipIf(!alertmanager.available)('examples/alertmanager with a real Alertmanager', () => {
  it('delivers a critical alert to Triage’s webhook, which opens a thread in ALERT_WEBHOOK_CHANNEL', async () => {
    const channel = configMap.data.ALERT_WEBHOOK_CHANNEL as string;
    const now = new Date();
    let slack: SlackHarness | undefined;
    let stop: (() => Promise<void>) | undefined;
    const dir = await mkdtemp(join(tmpdir(), 'triage-am-example-run-'));
    try {
      slack = await startSlackHarness({
        prometheusUrl: `http://127.0.0.1:${await closedPort()}`,
        now: () => now,
        fake: { channels: [{ id: channel, name: 'incidents', isMember: true }] },
        env: {
          ALERT_WEBHOOK_CHANNEL: channel,
          ALERT_WEBHOOK_TOKEN: secret.stringData.ALERT_WEBHOOK_TOKEN,
          ALERT_MIN_SEVERITY: configMap.data.ALERT_MIN_SEVERITY,
        },
      });
      // The example verbatim, but for the address: Triage on loopback instead of the in-cluster Service.
      const config = join(dir, 'alertmanager.yml');
      const text = readFileSync(AM_CONFIG, 'utf8').replace(
        webhook.url,
        `http://127.0.0.1:${slack.port}${ALERTMANAGER_WEBHOOK_PATH}`,
      );
      await writeFile(config, text);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const tail = new Tail(200);
      const spawned = await spawnUntilReady(
        alertmanager.alertmanager ?? '',
        [
          `--config.file=${config}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          `--web.external-url=${url}`,
          '--cluster.listen-address=',
        ],
        { url, tail, timeoutMs: 30_000, pollMs: 50 },
      );
      stop = () => stopChild(spawned, 5_000);
      expect(spawned.ready, tail.toString()).toBe(true);
      // Older than group_wait (30 s): a new group is flushed at once.
      const alert = {
        labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' },
        annotations: { summary: 'checkout 5xx ratio above 5%' },
        startsAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      };
      const posted = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([alert]),
      });
      expect(posted.status).toBe(200);
      const call = await slack.fake.waitForCall('chat.postMessage', { timeoutMs: 20_000 });
      expect(call.params.channel).toBe(channel);
      expect(JSON.stringify(call.params)).toContain('checkout');
    } finally {
      await stop?.();
      await slack?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('examples/grafana', () => {
  const grafana = readYaml(GRAFANA);
  const contactPoint = grafana.contactPoints?.[0] as Yaml;
  const receiver = contactPoint?.receivers?.[0] as Yaml;

  it('parses as alerting provisioning (apiVersion 1) with one Slack contact point', () => {
    expect(grafana.apiVersion).toBe(1);
    expect(grafana.contactPoints).toHaveLength(1);
    expect(receiver).toMatchObject({ type: 'slack', disableResolveMessage: false });
    expect(receiver.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  });

  it('posts to a channel Triage watches (ALERT_CHANNELS), with a token taken from the environment', () => {
    const config = loadConfig({ ...configMap.data, ...secret.stringData });
    expect(receiver.settings.recipient).toMatch(/^[CG][A-Z0-9]{6,}$/);
    expect(config.alerts.channels).toContain(receiver.settings.recipient);
    expect(receiver.settings.token).toMatch(/^\$\{?[A-Z_]+\}?$/);
    // Default title and text: Triage reads Grafana's "[FIRING:n] …" and " - label = value" lines.
    expect(receiver.settings).not.toHaveProperty('title');
    expect(receiver.settings).not.toHaveProperty('text');
  });

  it('routes the notification policy to that contact point', () => {
    expect(grafana.policies?.[0]?.receiver).toBe(contactPoint.name);
  });

  it('uses Slack because Triage’s webhook takes only Alertmanager’s version 4, not Grafana’s webhook payload', () => {
    const grafanaWebhook = parse(`
      receiver: triage
      status: firing
      orgId: 1
      version: "1"
      groupKey: '{}:{alertname="HighErrorRate"}'
      alerts:
        - status: firing
          labels: { alertname: HighErrorRate, service: checkout }
          annotations: {}
          startsAt: "2026-11-22T04:00:00Z"
          endsAt: "0001-01-01T00:00:00Z"
    `);
    const result = parseAlertmanagerWebhook(grafanaWebhook);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toMatch(/not \\"4\\"/);
  });
});
