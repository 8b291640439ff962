import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ALERTMANAGER_WEBHOOK_PATH } from '../../src/adapters/alertmanager/alertmanager-webhook.js';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import type { SelfMetrics } from '../../src/adapters/metrics/self-metrics.js';
import type { SocketHealth } from '../../src/adapters/slack/socket-health.js';
import type { Config } from '../../src/app/config.js';
import { type HttpRouteDeps, httpRoutes } from '../../src/app/http-routes.js';
import { Readiness } from '../../src/app/readiness.js';

/** A response that records what the handler wrote. */
function recorder() {
  const sent: { status?: number; headers?: Record<string, string>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      sent.status = status;
      sent.headers = headers;
      return res;
    },
    end(body: string) {
      sent.body = body;
    },
  };
  return { res: res as unknown as ServerResponse, sent };
}

async function call(routes: CustomRoute[], path: string) {
  const route = routes.find((r) => r.path === path);
  if (!route) throw new Error(`no route ${path}`);
  const { res, sent } = recorder();
  await route.handler({} as IncomingMessage, res);
  const json = sent.headers?.['Content-Type'] === 'application/json' ? JSON.parse(sent.body ?? '') : undefined;
  return { ...sent, json };
}

function deps(overrides: Partial<HttpRouteDeps> = {}): HttpRouteDeps {
  return {
    config: { alerts: {} } as unknown as Config,
    metrics: { text: async () => 'triage_runs_started_total 3\n', contentType: 'text/plain' } as unknown as SelfMetrics,
    readiness: new Readiness(),
    socketHealth: undefined,
    playbooks: 12,
    intake: { accept: () => ({ status: 'queued' }) } as unknown as HttpRouteDeps['intake'],
    logger: silentLogger,
    ...overrides,
  };
}

describe("Triage's HTTP routes", () => {
  it('answers /readyz 200 with the playbook count once ready, 503 with every reason before', async () => {
    const readiness = new Readiness({ slack: 'Slack is out of reach', prometheus: 'Prometheus answered 500' });
    const routes = httpRoutes(deps({ readiness }));
    expect(await call(routes, '/readyz')).toMatchObject({
      status: 503,
      json: {
        status: 'not ready: slack: Slack is out of reach; prometheus: Prometheus answered 500',
        reasons: ['slack: Slack is out of reach', 'prometheus: Prometheus answered 500'],
        playbooks: 12,
      },
    });
    readiness.set('slack', undefined);
    readiness.set('prometheus', undefined);
    expect(await call(routes, '/readyz')).toMatchObject({ status: 200, json: { status: 'ready', playbooks: 12 } });
  });

  it('answers /healthz 200 over HTTP, and 503 in Socket Mode once the socket has been down too long', async () => {
    expect(await call(httpRoutes(deps()), '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
    let liveness = { ok: true, downMs: 0 } as ReturnType<SocketHealth['liveness']>;
    const socketHealth = { liveness: () => liveness } as unknown as SocketHealth;
    const routes = httpRoutes(deps({ socketHealth }));
    expect(await call(routes, '/healthz')).toMatchObject({ status: 200 });
    liveness = { ok: false, downMs: 700_000, reason: 'no Socket Mode connection for 700 s' };
    expect(await call(routes, '/healthz')).toMatchObject({
      status: 503,
      json: { status: 'unhealthy: no Socket Mode connection for 700 s' },
    });
  });

  it('serves the metrics text with its content type', async () => {
    expect(await call(httpRoutes(deps()), '/metrics')).toMatchObject({
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: 'triage_runs_started_total 3\n',
    });
  });

  it('mounts the Alertmanager webhook only when a channel is configured for it', () => {
    const paths = (config: object) => httpRoutes(deps({ config: config as Config })).map((r) => r.path);
    expect(paths({ alerts: {} })).toEqual(['/metrics', '/healthz', '/readyz']);
    expect(paths({ alerts: { webhookChannel: 'C0123ABCD', webhookToken: 's'.repeat(24) } })).toEqual([
      ALERTMANAGER_WEBHOOK_PATH,
      '/metrics',
      '/healthz',
      '/readyz',
    ]);
  });
});
