import { App, LogLevel, type Receiver } from '@slack/bolt';
import { WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import { createBoltLogger } from '../adapters/log/bolt-logger.js';
import type { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import { AccessPolicy, registerAccessControl } from '../adapters/slack/access-control.js';
import { AlertIntake } from '../adapters/slack/alerts/alert-intake.js';
import { registerAlertListener } from '../adapters/slack/alerts/register-alert-listener.js';
import { renderAlertNotes, renderStormSummary } from '../adapters/slack/blocks/render-alert.js';
import type { ChannelPacer } from '../adapters/slack/channel-pacer.js';
import { registerListeners, type SlackSurfaceDeps } from '../adapters/slack/listeners/register-listeners.js';
import type { MethodBudget } from '../adapters/slack/method-budget.js';
import type { RunRegistry } from '../adapters/slack/run-registry.js';
import type { ThreadRunner } from '../adapters/slack/thread-runner.js';
import type { RunJournal } from '../application/diagnose/run-journal.js';
import type { AlertQueueMetrics } from '../application/ports/alert-queue-metrics.js';
import type { AlertThreadStore } from '../application/ports/alert-threads.js';
import type { Logger } from '../application/ports/logger.js';
import { type Redactor, redactDeep } from '../domain/redaction/redact.js';
import type { Config } from './config.js';

/** A Bolt or Web API logger named after its component, writing through Triage's logger. */
export type BoltLoggerFor = (name: string) => ReturnType<typeof createBoltLogger>;

export function boltLoggers(logger: Logger): BoltLoggerFor {
  return (name) => createBoltLogger(logger, { name });
}

/** The Web API client options every client of the bot token shares. */
function clientOptions(config: Readonly<Config>, metrics: SelfMetrics, boltLogger: BoltLoggerFor): WebClientOptions {
  return {
    logger: boltLogger('web-api:WebClient'),
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // Retry 5xx, network errors and 429s (the client honours Retry-After) a few times, not for half an hour.
    retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    // Every Web API request (every client Bolt makes) is counted for /metrics.
    fetch: metrics.countingFetch(),
  };
}

/**
 * The bot's Web API client for the app's own posts (alert threads, recovered runs, the roots of runs interrupted
 * by a shutdown). A 429 for a channel: no more bursts there (the client waits out Retry-After and retries itself).
 */
export function createSlackClient(
  config: Readonly<Config>,
  deps: { metrics: SelfMetrics; pacer: ChannelPacer; boltLogger: BoltLoggerFor },
): WebClient {
  const client = new WebClient(config.slack.botToken, clientOptions(config, deps.metrics, deps.boltLogger));
  client.on(WebClientEvent.RATE_LIMITED, (retryAfter: number, request: { body?: { channel?: unknown } }) => {
    const channel = request?.body?.channel;
    if (typeof channel === 'string') deps.pacer.rateLimited(channel, retryAfter);
  });
  return client;
}

/** Alert channels and the Alertmanager webhook: each alert opens a diagnosis or joins its thread. */
export function createAlertIntake(
  config: Readonly<Config>,
  deps: {
    client: WebClient;
    runner: ThreadRunner;
    registry: RunRegistry;
    pacer: ChannelPacer;
    store: AlertThreadStore;
    redactor: Redactor;
    logger: Logger;
    now: () => Date;
    updates: MethodBudget;
    journal: RunJournal;
    metrics: AlertQueueMetrics;
  },
): AlertIntake {
  const { redactor, ...rest } = deps;
  return new AlertIntake({
    ...rest,
    render: {
      notes: (notes) => renderAlertNotes(redactDeep(notes, redactor)),
      storm: (state) => renderStormSummary({ ...state, titles: new Map(redactDeep([...state.titles], redactor)) }),
    },
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    options: config.alerts,
  });
}

/** The Bolt app on its receiver, with the slash command, buttons and mentions, access control and alert channels. */
export function createSlackApp(
  config: Readonly<Config>,
  deps: {
    receiver: Receiver;
    metrics: SelfMetrics;
    boltLogger: BoltLoggerFor;
    intake: AlertIntake;
    logger: Logger;
    surface: Omit<SlackSurfaceDeps, 'timeZone' | 'twinClaimMs' | 'logger'>;
  },
): App {
  const { logger } = deps;
  const app = new App({
    token: config.slack.botToken,
    receiver: deps.receiver,
    // The token is checked in start() (auth.test with retries), not by a call the constructor leaves unhandled.
    deferInitialization: true,
    logger: deps.boltLogger('bolt:App'),
    logLevel: LogLevel.WARN,
    clientOptions: clientOptions(config, deps.metrics, deps.boltLogger),
  });
  registerListeners(app, {
    ...deps.surface,
    logger,
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    twinClaimMs: config.deadlineMs * 2,
  });
  // After the listeners' own middleware (retries and repeated events are dropped first, so a refusal is sent once).
  registerAccessControl(app, new AccessPolicy(config.access), logger);
  if (config.alerts.channels.length > 0) {
    registerAlertListener(app, { channels: new Set(config.alerts.channels), intake: deps.intake, logger });
  }
  app.error(async (error) => {
    logger.error({ code: (error as { code?: string }).code, message: error.message }, 'unhandled listener error');
  });
  return app;
}
