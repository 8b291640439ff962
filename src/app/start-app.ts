import { WebClient } from '@slack/web-api';
import { ALERTMANAGER_WEBHOOK_PATH } from '../adapters/alertmanager/alertmanager-webhook.js';
import { SocketReceiver } from '../adapters/slack/socket-receiver.js';
import type { AppParts } from './built-app.js';
import { recoverRuns } from './recover-runs.js';
import { type RunRetention, startRunRetention } from './run-retention.js';
import { applyServerLimits, SERVER_OPTIONS } from './server-limits.js';
import { openSocket } from './socket-startup.js';
import { configuredSourceProbes } from './sources.js';
import { checkSlackToken, checkSources } from './startup-checks.js';

/** A running run not updated for this long belongs to a replica that died (runs have a deadline of their own). */
const STALE_RUN_FACTOR = 5;

/**
 * Listens first (so /readyz can say why the app is not ready while the checks run), checks Slack and opens the
 * socket in Socket Mode, checks the data sources, takes back this replica's unfinished runs and starts the run
 * retention. Stops early, with the port, once `signal` aborts.
 */
export async function startApp(
  parts: AppParts,
  signal: AbortSignal,
): Promise<{ port: number; retention?: RunRetention }> {
  const { config, overrides, logger, readiness, app, receiver, socketHealth, now } = parts;
  const checkSlack = slackCheck(parts, signal);
  let port = config.port;
  if (receiver instanceof SocketReceiver && socketHealth) {
    port = await receiver.listen(config.port);
    logger.info({ port }, 'listening; checking Slack and opening the Socket Mode connection before reporting ready');
    await checkSlack();
    if (signal.aborted) return { port };
    await openSocket({ start: () => app.start(), health: socketHealth, signal });
    if (signal.aborted) return { port };
  } else if (!(receiver instanceof SocketReceiver)) {
    const server = await receiver.start(config.port, SERVER_OPTIONS);
    applyServerLimits(server);
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
    logger.info({ port }, 'listening; checking Slack and the data sources before reporting ready');
    await checkSlack();
    if (signal.aborted) return { port };
  }
  if (config.alerts.webhookUnauthenticated) {
    logger.warn(
      { path: ALERTMANAGER_WEBHOOK_PATH, variable: 'ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED' },
      'the Alertmanager webhook accepts alerts without a token: anyone who can reach it can open threads; set ALERT_WEBHOOK_TOKEN',
    );
  }
  await checkSources({
    probes: overrides.sourceProbes ?? (overrides.diagnoser ? [] : configuredSourceProbes(config)),
    readiness,
    logger,
    timeoutMs: Math.min(config.prometheus.timeoutMs, 5000),
    signal,
    ...(overrides.startupBackoff ? { backoff: overrides.startupBackoff } : {}),
  });
  const { store } = parts.runStore;
  await recoverRuns({
    store,
    replica: config.store.replicaId,
    now,
    staleMs: config.deadlineMs * STALE_RUN_FACTOR,
    client: parts.client,
    runner: parts.runner,
    registry: parts.registry,
    logger,
  });
  const retention = startRunRetention({ store, retentionDays: config.store.retentionDays, now, logger });
  readiness.set('startup', undefined);
  logger.info(
    {
      port,
      mode: config.slack.appToken ? 'socket' : 'http',
      ready: readiness.ready,
      ...(readiness.ready ? {} : { notReady: readiness.why() }),
      alertChannels: config.alerts.channels.length,
      alertWebhook: config.alerts.webhookChannel ? ALERTMANAGER_WEBHOOK_PATH : null,
      store: config.store.databaseUrl ? 'postgresql' : 'sqlite',
      replica: config.store.replicaId,
    },
    'Triage is listening',
  );
  return { port, retention };
}

/** Checks the bot token until Slack accepts it, then lets Bolt initialise (its bot and user ids for every event). */
function slackCheck(parts: AppParts, signal: AbortSignal): () => Promise<void> {
  const { config, overrides, logger, readiness, app } = parts;
  const probeClient = new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: parts.boltLogger('web-api:startup-check'),
  });
  const apiUrl = config.slack.apiUrl ?? 'https://slack.com/api/';
  const backoff = overrides.startupBackoff;
  return async () => {
    for (;;) {
      await checkSlackToken({
        client: probeClient,
        apiUrl,
        readiness,
        logger,
        signal,
        ...(backoff ? { backoff } : {}),
      });
      if (signal.aborted) return;
      try {
        // Bolt's own auth.test; Slack just answered, so this is quick.
        await app.init();
        return;
      } catch (err) {
        logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'Bolt could not initialise; retrying');
      }
    }
  };
}
