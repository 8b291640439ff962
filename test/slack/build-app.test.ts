import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { buildApp } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import { createDiagnoser } from '../../src/app/create-diagnoser.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';
import { ScriptedMetricsSource } from '../support/scripted-metrics-source.js';

async function diagnoser() {
  const playbooks = await loadPlaybooks('playbooks');
  return createDiagnoser(
    { prometheus: { url: 'http://prom.test', timeoutMs: 1000 }, playbooksDir: 'playbooks', deadlineMs: 5000 },
    { metrics: new ScriptedMetricsSource('checkout', ['up'], () => []), playbooks },
  );
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
