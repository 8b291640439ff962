import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import {
  ALERTMANAGER_WEBHOOK_PATH,
  alertmanagerWebhookHandler,
} from '../adapters/alertmanager/alertmanager-webhook.js';
import type { Logger } from '../adapters/log/json-logger.js';
import type { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import type { AlertIntake } from '../adapters/slack/alerts/alert-intake.js';
import type { SocketHealth } from '../adapters/slack/socket-health.js';
import type { Config } from './config.js';
import type { Readiness } from './readiness.js';

export interface HttpRouteDeps {
  config: Readonly<Config>;
  metrics: SelfMetrics;
  readiness: Readiness;
  /** Socket Mode's connection state, for /healthz (none over HTTP). */
  socketHealth: SocketHealth | undefined;
  /** How many playbooks are loaded, for /readyz. */
  playbooks: number;
  intake: Pick<AlertIntake, 'accept'>;
  logger: Logger;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Triage's own routes, served next to Slack's endpoint by either receiver: the Alertmanager webhook (when a channel is configured for it), /metrics, /healthz and /readyz. */
export function httpRoutes(deps: HttpRouteDeps): CustomRoute[] {
  const { config, metrics, readiness, socketHealth, playbooks } = deps;
  const webhook: CustomRoute[] = config.alerts.webhookChannel
    ? [
        {
          path: ALERTMANAGER_WEBHOOK_PATH,
          method: ['POST'],
          handler: alertmanagerWebhookHandler({
            intake: deps.intake,
            channel: config.alerts.webhookChannel,
            ...(config.alerts.webhookToken ? { token: config.alerts.webhookToken } : {}),
            logger: deps.logger,
          }),
        },
      ]
    : [];
  return [
    ...webhook,
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req, res) => {
        const body = await metrics.text();
        res.writeHead(200, { 'Content-Type': metrics.contentType });
        res.end(body);
      },
    },
    {
      path: '/healthz',
      method: ['GET'],
      // Liveness: the process answers. In Socket Mode it also fails once no connection to Slack has been open for
      // longer than a bound (10 min), never during the client's own reconnects (see SOCKET_LIVENESS_BOUND_MS).
      handler: (_req, res) => {
        const socket = socketHealth?.liveness();
        if (socket && !socket.ok) return json(res, 503, { status: `unhealthy: ${socket.reason}` });
        return json(res, 200, { status: 'ok' });
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) =>
        readiness.ready
          ? json(res, 200, { status: 'ready', playbooks })
          : json(res, 503, { status: `not ready: ${readiness.why().join('; ')}`, reasons: readiness.why(), playbooks }),
    },
  ];
}
