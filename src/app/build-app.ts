import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { createJsonLogger, type Logger } from '../adapters/log/json-logger.js';
import { ChannelPacer } from '../adapters/slack/channel-pacer.js';
import { registerListeners } from '../adapters/slack/register-listeners.js';
import { RunRegistry } from '../adapters/slack/run-registry.js';
import { createThreadRenderers } from '../adapters/slack/thread-renderers.js';
import { createRedactor } from '../domain/redaction/redact.js';
import type { Config } from './config.js';
import { createDiagnoser, type Diagnoser, systemClock } from './create-diagnoser.js';

export interface BuiltApp {
  app: App;
  /** Which transport receives Slack's requests: `socket` when SLACK_APP_TOKEN is set. */
  mode: 'http' | 'socket';
  receiver: Receiver;
  registry: RunRegistry;
  pacer: ChannelPacer;
  /** Starts listening (HTTP receiver on `config.port`, or Socket Mode plus health routes on it); returns the port. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export interface BuildOverrides {
  diagnoser?: Diagnoser;
  logger?: Logger;
  now?: () => Date;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * The composition root: wires the diagnosis use-case, the Slack listeners, the pacing and the receivers.
 * It does not listen; `start()` does.
 */
export async function buildApp(config: Readonly<Config>, overrides: BuildOverrides = {}): Promise<BuiltApp> {
  const logger = overrides.logger ?? createJsonLogger();
  const now = overrides.now ?? (() => systemClock.now());
  const diagnoser =
    overrides.diagnoser ??
    (await createDiagnoser({
      prometheus: config.prometheus,
      ...(config.logs ? { logs: config.logs } : {}),
      playbooksDir: config.playbooksDir ?? new URL('../../playbooks', import.meta.url).pathname,
      deadlineMs: config.deadlineMs,
    }));
  let ready = false;
  const customRoutes = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) =>
        json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'starting', playbooks: diagnoser.playbooks.length }),
    },
  ];
  const receiver: Receiver = config.slack.appToken
    ? new SocketModeReceiver({
        appToken: config.slack.appToken,
        customRoutes,
        installerOptions: { port: config.port },
        logLevel: LogLevel.WARN,
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret ?? '',
        endpoints: '/slack/events',
        customRoutes,
        processBeforeResponse: false,
        logLevel: LogLevel.WARN,
      });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logLevel: LogLevel.WARN,
    clientOptions: {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      // Retry 5xx, network errors and 429s (the client honours Retry-After) a few times, not for half an hour.
      retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    },
  });
  const registry = new RunRegistry();
  const pacer = new ChannelPacer(config.slack.replyIntervalMs, { burst: config.slack.replyBurst });
  registerListeners(app, {
    run: (request) => diagnoser.run(request),
    registry,
    pacer,
    render: createThreadRenderers(
      createRedactor({ extraPatterns: (config.redactPatterns ?? []).map((pattern) => ({ pattern })) }),
    ),
    logger,
    now,
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
  });
  app.error(async (error) => {
    logger.error({ code: (error as { code?: string }).code, message: error.message }, 'unhandled listener error');
  });
  return {
    app,
    mode: config.slack.appToken ? 'socket' : 'http',
    receiver,
    registry,
    pacer,
    async start() {
      let port = config.port;
      if (config.slack.appToken) await app.start();
      else {
        const server = (await app.start(config.port)) as Server;
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
      }
      ready = true;
      logger.info({ port, mode: config.slack.appToken ? 'socket' : 'http' }, 'Triage is listening');
      return port;
    },
    async stop() {
      ready = false;
      await app.stop();
    },
  };
}
