import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { buildApp } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import { createDiagnoser } from '../../src/app/create-diagnoser.js';
import type { AlertNotification } from '../../src/domain/alerts/alert.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';
import { ScriptedMetricsSource } from '../support/scripted-metrics-source.js';

async function diagnoser() {
  const playbooks = await loadPlaybooks('playbooks');
  return createDiagnoser(
    { prometheus: { url: 'http://prom.test', timeoutMs: 1000 }, playbooksDir: 'playbooks', deadlineMs: 5000 },
    { metrics: new ScriptedMetricsSource('checkout', ['up'], () => []), playbooks },
  );
}

/** A firing Alertmanager notification for one service. */
function firing(service: string): AlertNotification {
  const labels = { alertname: 'HighErrorRate', service, severity: 'critical' };
  return {
    source: 'alertmanager-webhook',
    status: 'firing',
    title: `[FIRING:1] HighErrorRate ${service}`,
    groupKey: `{}:{alertname="HighErrorRate", service="${service}"}`,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: labels,
    commonAnnotations: {},
    firingCount: 1,
    resolvedCount: 0,
    alerts: [{ status: 'firing', alertname: 'HighErrorRate', labels, annotations: {} }],
    truncatedAlerts: 0,
  };
}

describe('buildApp', () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  it('uses the HTTP receiver and answers /healthz and /readyz on the same port', async () => {
    fake = await startFakeSlack();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-fake-bot-token',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: 'http://prom.test',
      PORT: '0',
    });
    const built = await buildApp(config, { logger: silentLogger, diagnoser: await diagnoser() });
    expect(built.mode).toBe('http');
    expect(built.receiver).toBeInstanceOf(HTTPReceiver);
    const port = await built.start();
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', playbooks: 10 });
      const unsigned = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(401);
    } finally {
      await built.stop();
    }
  });

  it('shows the alert queue the intake tells its metrics, and a graceful shutdown lets the running alerts finish', async () => {
    fake = await startFakeSlack();
    const dir = await mkdtemp(join(tmpdir(), 'triage-build-app-'));
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-fake-bot-token',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: 'http://prom.test',
      PORT: '0',
      ALERT_CONCURRENCY: '1',
      TRIAGE_DB_PATH: join(dir, 'triage.sqlite'),
    });
    try {
      const built = await buildApp(config, { logger: silentLogger, diagnoser: await diagnoser() });
      await built.start();
      for (const service of ['checkout', 'billing', 'search'])
        expect(await built.alerts.accept({ notification: firing(service), channel: 'C0ALERTS01' })).toBe('queued');
      expect(await built.metrics.text()).toContain('triage_alert_queue_depth 2');
      const report = await built.shutdown(20_000);
      expect(report).toMatchObject({ unstartedAlerts: 2, interrupted: 0 });
      expect(report.ms).toBeLessThan(20_000);
      expect(built.alerts.idle()).toBe(true);
      expect(await built.metrics.text()).toContain('triage_alert_queue_depth 0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('uses Socket Mode when SLACK_APP_TOKEN is set', async () => {
    fake = await startFakeSlack();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-fake-bot-token',
      SLACK_APP_TOKEN: 'xapp-1-A0TRIAGE-1-abc',
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: 'http://prom.test',
    });
    const built = await buildApp(config, { logger: silentLogger, diagnoser: await diagnoser() });
    expect(built.mode).toBe('socket');
    expect(built.receiver).toBeInstanceOf(SocketModeReceiver);
  });
});
