import { type CustomRoute, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import { SocketHealth } from '../adapters/slack/socket-health.js';
import { SocketReceiver } from '../adapters/slack/socket-receiver.js';
import type { Logger } from '../application/ports/logger.js';
import type { Config } from './config.js';
import type { Readiness } from './readiness.js';
import { limitedServer } from './server-limits.js';
import type { BoltLoggerFor } from './slack-app.js';
import { SOCKET_OPEN_RETRY } from './socket-startup.js';

/** Socket Mode (SLACK_APP_TOKEN set): the connection's state, for /readyz (via readiness) and /healthz. */
export function socketHealthFor(
  config: Readonly<Config>,
  deps: { readiness: Readiness; logger: Logger; livenessBoundMs: number | undefined },
): SocketHealth | undefined {
  if (!config.slack.appToken) return undefined;
  return new SocketHealth({
    readiness: deps.readiness,
    logger: deps.logger,
    ...(deps.livenessBoundMs === undefined ? {} : { livenessBoundMs: deps.livenessBoundMs }),
  });
}

/** The receiver of Slack's requests, serving Triage's own routes too: Socket Mode when there is an app token. */
export function createReceiver(
  config: Readonly<Config>,
  deps: {
    routes: CustomRoute[];
    socketHealth: SocketHealth | undefined;
    metrics: SelfMetrics;
    logger: Logger;
    boltLogger: BoltLoggerFor;
  },
): SocketReceiver | HTTPReceiver {
  const { routes, socketHealth, metrics, logger, boltLogger } = deps;
  if (!socketHealth || !config.slack.appToken) {
    return new HTTPReceiver({
      signingSecret: config.slack.signingSecret ?? '',
      endpoints: '/slack/events',
      customRoutes: routes,
      processBeforeResponse: false,
      logger: boltLogger('bolt:HTTPReceiver'),
      logLevel: LogLevel.WARN,
    });
  }
  const receiver = new SocketReceiver({
    appToken: config.slack.appToken,
    // Triage's routes on a server of its own, with the HTTP receiver's limits; it listens first in start().
    server: limitedServer(),
    routes,
    routeLogger: logger,
    logger: boltLogger('bolt:SocketModeReceiver'),
    logLevel: LogLevel.WARN,
    installerOptions: {
      // The socket's own Web API client (apps.connections.open, with the app token): SLACK_API_URL applies to it
      // too, it keeps retrying while Slack is out of reach, and its answers show in /readyz.
      clientOptions: {
        ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
        retryConfig: SOCKET_OPEN_RETRY,
        fetch: socketHealth.observeFetch(metrics.countingFetch()),
      },
    },
  });
  socketHealth.watch(receiver.client);
  return receiver;
}
