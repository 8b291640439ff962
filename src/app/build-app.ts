import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Receiver } from '@slack/bolt';
import { WebClient, WebClientEvent } from '@slack/web-api';
import { ALERTMANAGER_WEBHOOK_PATH, alertmanagerWebhookHandler } from '../adapters/http/alertmanager-webhook.js';
import { createBoltLogger } from '../adapters/log/bolt-logger.js';
import { createJsonLogger, type Logger } from '../adapters/log/json-logger.js';
import { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import { AccessPolicy, registerAccessControl } from '../adapters/slack/access-control.js';
import { AlertIntake } from '../adapters/slack/alerts/alert-intake.js';
import { registerAlertListener } from '../adapters/slack/alerts/register-alert-listener.js';
import { renderAlertNotes, renderStormSummary } from '../adapters/slack/blocks/render-alert.js';
import { ChannelPacer } from '../adapters/slack/channel-pacer.js';
import { MethodBudget } from '../adapters/slack/method-budget.js';
import { registerListeners } from '../adapters/slack/register-listeners.js';
import { RunRegistry } from '../adapters/slack/run-registry.js';
import { SocketHealth } from '../adapters/slack/socket-health.js';
import { SocketReceiver } from '../adapters/slack/socket-receiver.js';
import { createThreadRenderers } from '../adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../adapters/slack/thread-runner.js';
import { openRunStore } from '../adapters/store/open-run-store.js';
import { RunJournal } from '../application/diagnose/run-journal.js';
import type { AlertThreadStore } from '../application/ports/alert-threads.js';
import type { RunStore } from '../application/ports/run-store.js';
import { createRedactor, redactDeep } from '../domain/redaction/redact.js';
import { parseSymptom } from '../domain/symptom/parse-symptom.js';
import type { Config } from './config.js';
import { createDiagnoser, type Diagnoser, systemClock } from './create-diagnoser.js';
import { Readiness } from './readiness.js';
import { recoverRuns } from './recover-runs.js';
import { type RunRetention, startRunRetention } from './run-retention.js';
import { openSocket, SOCKET_OPEN_RETRY } from './socket-startup.js';
import { type Backoff, checkSlackToken, checkSources, type SourceProbe } from './startup-checks.js';
import { StartupError } from './startup-error.js';
import { watchRunStore } from './watched-run-store.js';

export interface BuiltApp {
  app: App;
  /** Which transport receives Slack's requests: `socket` when SLACK_APP_TOKEN is set. */
  mode: 'http' | 'socket';
  receiver: Receiver;
  registry: RunRegistry;
  pacer: ChannelPacer;
  runner: ThreadRunner;
  /** Alert channels and the Alertmanager webhook. */
  alerts: AlertIntake;
  /** Every run and its events (SQLite, or PostgreSQL shared by replicas). */
  store: RunStore;
  /** Triage's own metrics (GET /metrics). */
  metrics: SelfMetrics;
  journal: RunJournal;
  /** Why the app is not ready (empty when it is): what /readyz reports. */
  readiness: Readiness;
  /** Marks a run failed in the store (a process-level error tied to it); false if the store could not. */
  markRunFailed(runId: string, reason: string): Promise<boolean>;
  /**
   * Listens, then checks the bot token (auth.test) and the data sources. Resolves with the port once Slack accepted
   * the token (data sources still out of reach keep /readyz at 503 and are retried in the background); rejects
   * with StartupError when Slack rejects the token. While Slack is out of reach it keeps retrying, /readyz 503.
   * In Socket Mode it also waits for the socket's `hello` (an app token Slack refuses: StartupError naming
   * SLACK_APP_TOKEN).
   */
  start(): Promise<number>;
  /** Stops at once (tests): no draining. */
  stop(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): takes no new work, lets running diagnoses finish and their posts go out for up to
   * `graceMs`, marks the rest interrupted (their roots say so), and closes the run store.
   */
  shutdown(graceMs: number): Promise<ShutdownReport>;
}

export interface ShutdownReport {
  /** Runs that finished during the grace period. */
  finished: number;
  /** Runs still going at the end of it, marked interrupted. */
  interrupted: number;
  /** Queued alert diagnoses that never started (their alerts open threads again when re-sent). */
  unstartedAlerts: number;
  ms: number;
}

export interface BuildOverrides {
  diagnoser?: Diagnoser;
  logger?: Logger;
  now?: () => Date;
  alertThreads?: AlertThreadStore;
  /** A run store opened by the caller (it stays open after `stop()`). */
  runStore?: RunStore;
  /** Waits between start-up checks (default 1 s doubling to 15 s). */
  startupBackoff?: Backoff;
  /** Data sources probed before ready; default the configured ones (none when `diagnoser` is given). */
  sourceProbes?: readonly SourceProbe[];
  /** Socket Mode: how long without a connection before /healthz fails (default SOCKET_LIVENESS_BOUND_MS, 10 min). */
  socketLivenessBoundMs?: number;
}

/**
 * The HTTP server's limits, for a Slack receiver: Slack sends small requests and wants an answer within 3 s, so a
 * client still sending headers after 10 s or a body after 15 s is cut off; idle keep-alive sockets close after 5 s
 * (Slack opens new connections freely); at most 512 connections at once. Idle sockets are checked every 2 s.
 */
export const SERVER_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 2_000,
  maxConnections: 512,
} as const;

/** {@link SERVER_LIMITS} as options for `http.createServer` (the rest is set by {@link applyServerLimits}). */
const SERVER_OPTIONS: ServerOptions = {
  connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingIntervalMs,
  headersTimeout: SERVER_LIMITS.headersTimeoutMs,
  requestTimeout: SERVER_LIMITS.requestTimeoutMs,
  keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
};

/** A server for Triage's own routes, with {@link SERVER_LIMITS}. */
function limitedServer(): Server {
  const server = createServer(SERVER_OPTIONS);
  applyServerLimits(server);
  return server;
}

/** Applies {@link SERVER_LIMITS} to a listening server. */
export function applyServerLimits(server: Server): void {
  server.headersTimeout = SERVER_LIMITS.headersTimeoutMs;
  server.requestTimeout = SERVER_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = SERVER_LIMITS.maxConnections;
}

/** The data sources the configuration names, with a cheap URL each answers without a query. */
export function configuredSourceProbes(config: Readonly<Config>): SourceProbe[] {
  const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;
  const probes: SourceProbe[] = [{ name: 'prometheus', url: join(config.prometheus.url, '/api/v1/status/buildinfo') }];
  if (config.logs?.loki)
    probes.push({ name: 'loki', url: join(config.logs.loki.url, '/loki/api/v1/status/buildinfo') });
  if (config.logs?.elasticsearch) probes.push({ name: 'elasticsearch', url: join(config.logs.elasticsearch.url, '/') });
  return probes;
}

/** A running run not updated for this long belongs to a replica that died (runs have a deadline of their own). */
const STALE_RUN_FACTOR = 5;

/** The query caches' counters, for the metrics (a diagnoser built without a cache has none). */
function cacheStats(diagnoser: Diagnoser): { source: string; hits: number; misses: number; deduplicated: number }[] {
  type Counted = Partial<{ stats(): { hits: number; misses: number; deduplicated: number } }>;
  const sources: [string, unknown][] = [
    ['prometheus', diagnoser.metrics],
    [diagnoser.logs?.name ?? 'logs', diagnoser.logs],
  ];
  return sources.flatMap(([source, s]) => {
    const counted = s as Counted | undefined;
    return typeof counted?.stats === 'function' ? [{ source, ...counted.stats() }] : [];
  });
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
  const redactor = createRedactor({ extraPatterns: (config.redactPatterns ?? []).map((pattern) => ({ pattern })) });
  const logger = overrides.logger ?? createJsonLogger(undefined, { redactor, level: config.logLevel });
  const boltLogger = (name: string) => createBoltLogger(logger, { name });
  const readiness = new Readiness({ startup: 'starting: checking Slack and the data sources' });
  const aborter = new AbortController();
  const now = overrides.now ?? (() => systemClock.now());
  const diagnoser =
    overrides.diagnoser ??
    (await createDiagnoser({
      prometheus: config.prometheus,
      ...(config.logs ? { logs: config.logs } : {}),
      ...(config.playbooksDir ? { playbooksDir: config.playbooksDir } : {}),
      ...(config.signalsDir ? { signalsDir: config.signalsDir } : {}),
      ...(config.serviceLabels ? { serviceLabels: config.serviceLabels } : {}),
      deadlineMs: config.deadlineMs,
    }));
  // A team's broken file is left out, and said once, loudly; the built-ins still run.
  for (const p of diagnoser.problems)
    logger.warn({ file: p.file, path: p.path, problem: p.message }, 'playbook or signals entry left out');
  let retention: RunRetention | undefined;
  const opened = overrides.runStore ?? (await openStore(config));
  const store = watchRunStore(opened, readiness, (method, error) =>
    logger.error(
      { component: 'store', method, error: error instanceof Error ? error.message : String(error) },
      'run store write failed; /readyz reports it until a write succeeds',
    ),
  );
  const journal = new RunJournal(store, { owner: config.store.replicaId, now, logger });
  const registry = new RunRegistry();
  const pacer = new ChannelPacer(config.slack.replyIntervalMs, { burst: config.slack.replyBurst });
  const render = createThreadRenderers(redactor);
  // chat.update is Tier 3 (about 50 a minute per workspace): root edits, alert counters and storm summaries share it.
  const updates = new MethodBudget(45, { burst: 5 });
  // Filled in once the intake exists (the gauges are read at scrape time only).
  let intakeStats: (() => { queued: number; running: number }) | undefined;
  const metrics = new SelfMetrics({
    alertQueue: () => intakeStats?.() ?? { queued: 0, running: 0 },
    runsInFlight: () => registry.inFlight().length,
    caches: () => cacheStats(diagnoser),
    breakers: () => diagnoser.breakers.map((b) => ({ source: b.source, state: b.state() })),
    storeFailures: () => journal.failures,
  });
  const stepSources = new Map(
    diagnoser.playbooks.flatMap((p) =>
      p.steps.map((s) => [`${p.id}/${s.id}`, s.kind === 'logs' ? 'logs' : 'prometheus']),
    ),
  );
  const runner = new ThreadRunner({
    run: (request) => diagnoser.run(request),
    metrics,
    sourceOf: (playbook, stepId) => stepSources.get(`${playbook}/${stepId}`) ?? 'prometheus',
    registry,
    pacer,
    render,
    logger,
    updates,
    journal,
  });
  // The intake needs the Web API client, which exists once the App does; it is only called after start.
  let intake: AlertIntake | undefined;
  const intakeRef = {
    accept: (...args: Parameters<AlertIntake['accept']>) => {
      if (!intake) throw new Error('the alert intake is not ready');
      return intake.accept(...args);
    },
  };
  const webhookRoutes = config.alerts.webhookChannel
    ? [
        {
          path: ALERTMANAGER_WEBHOOK_PATH,
          method: ['POST'],
          handler: alertmanagerWebhookHandler({
            intake: intakeRef,
            channel: config.alerts.webhookChannel,
            ...(config.alerts.webhookToken ? { token: config.alerts.webhookToken } : {}),
            logger,
          }),
        },
      ]
    : [];
  // Socket Mode: the connection's state, for /readyz (via readiness) and /healthz.
  const socketHealth = config.slack.appToken
    ? new SocketHealth({
        readiness,
        logger,
        ...(overrides.socketLivenessBoundMs === undefined ? {} : { livenessBoundMs: overrides.socketLivenessBoundMs }),
      })
    : undefined;
  const customRoutes = [
    ...webhookRoutes,
    {
      path: '/metrics',
      method: ['GET'],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
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
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        const socket = socketHealth?.liveness();
        if (socket && !socket.ok) return json(res, 503, { status: `unhealthy: ${socket.reason}` });
        return json(res, 200, { status: 'ok' });
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) =>
        readiness.ready
          ? json(res, 200, { status: 'ready', playbooks: diagnoser.playbooks.length })
          : json(res, 503, {
              status: `not ready: ${readiness.why().join('; ')}`,
              reasons: readiness.why(),
              playbooks: diagnoser.playbooks.length,
            }),
    },
  ];
  const receiver: Receiver =
    socketHealth && config.slack.appToken
      ? new SocketReceiver({
          appToken: config.slack.appToken,
          // Triage's routes on a server of its own, with the HTTP receiver's limits; it listens first in start().
          server: limitedServer(),
          routes: customRoutes,
          routeLogger: logger,
          logger: boltLogger('bolt:SocketModeReceiver'),
          logLevel: LogLevel.WARN,
          installerOptions: {
            // The socket's own Web API client (apps.connections.open, with the app token): SLACK_API_URL applies to
            // it too, it keeps retrying while Slack is out of reach, and its answers show in /readyz.
            clientOptions: {
              ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
              retryConfig: SOCKET_OPEN_RETRY,
              fetch: socketHealth.observeFetch(metrics.countingFetch()),
            },
          },
        })
      : new HTTPReceiver({
          signingSecret: config.slack.signingSecret ?? '',
          endpoints: '/slack/events',
          customRoutes,
          processBeforeResponse: false,
          logger: boltLogger('bolt:HTTPReceiver'),
          logLevel: LogLevel.WARN,
        });
  if (socketHealth && receiver instanceof SocketReceiver) socketHealth.watch(receiver.client);
  const app = new App({
    token: config.slack.botToken,
    receiver,
    // The token is checked in start() (auth.test with retries), not by a call the constructor leaves unhandled.
    deferInitialization: true,
    logger: boltLogger('bolt:App'),
    logLevel: LogLevel.WARN,
    clientOptions: {
      logger: boltLogger('web-api:WebClient'),
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      // Retry 5xx, network errors and 429s (the client honours Retry-After) a few times, not for half an hour.
      retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
      // Every Web API request (every client Bolt makes) is counted for /metrics.
      fetch: metrics.countingFetch(),
    },
  });
  registerListeners(app, {
    runner,
    registry,
    pacer,
    render,
    logger,
    now,
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    store,
    journal,
    redactor,
    twinClaimMs: config.deadlineMs * 2,
    explain: async (service) => {
      const end = now();
      const candidates = parseSymptom(`errors on ${service}`, { now: end, service }).serviceCandidates;
      const named = parseSymptom(`errors on ${service}`, { now: end }).serviceCandidates;
      return diagnoser.explain({
        candidates: [...new Set([...candidates, ...named])],
        window: { start: new Date(end.getTime() - 2 * 3_600_000), end },
      });
    },
  });
  // After the listeners' own middleware (retries and repeated events are dropped first, so a refusal is sent once).
  registerAccessControl(app, new AccessPolicy(config.access), logger);
  // A 429 for a channel: no more bursts there (the client waits out Retry-After and retries the call itself).
  app.client.on(WebClientEvent.RATE_LIMITED, (retryAfter: number, request: { body?: { channel?: unknown } }) => {
    const channel = request?.body?.channel;
    if (typeof channel === 'string') pacer.rateLimited(channel, retryAfter);
  });
  intake = new AlertIntake({
    client: app.client,
    runner,
    registry,
    pacer,
    store: overrides.alertThreads ?? store,
    render: {
      notes: (notes) => renderAlertNotes(redactDeep(notes, redactor)),
      storm: (state) => renderStormSummary({ ...state, titles: new Map(redactDeep([...state.titles], redactor)) }),
    },
    logger,
    now,
    ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    options: config.alerts,
    updates,
    journal,
  });
  intakeStats = () => intake?.stats() ?? { queued: 0, running: 0 };
  if (config.alerts.channels.length > 0) {
    registerAlertListener(app, { channels: new Set(config.alerts.channels), intake, logger });
  }
  app.error(async (error) => {
    logger.error({ code: (error as { code?: string }).code, message: error.message }, 'unhandled listener error');
  });
  return {
    app,
    mode: config.slack.appToken ? 'socket' : 'http',
    receiver,
    registry,
    pacer,
    runner,
    alerts: intake,
    store,
    journal,
    metrics,
    readiness,
    async markRunFailed(runId, reason) {
      try {
        await opened.updateRun(runId, { status: 'failed', finishedAt: now() });
        logger.warn({ runId, reason }, 'run marked failed');
        return true;
      } catch (err) {
        logger.error({ runId, error: err instanceof Error ? err.message : String(err) }, 'could not mark run failed');
        return false;
      }
    },
    async start() {
      let port = config.port;
      const signal = aborter.signal;
      const apiUrl = config.slack.apiUrl ?? 'https://slack.com/api/';
      const probeClient = new WebClient(config.slack.botToken, {
        ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
        retryConfig: { retries: 0 },
        timeout: 10_000,
        logger: boltLogger('web-api:startup-check'),
      });
      const checkSlack = async () => {
        const backoff = overrides.startupBackoff;
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
            // Bolt's own auth.test (its bot id and user id for every event); Slack just answered, so this is quick.
            await app.init();
            return;
          } catch (err) {
            logger.warn(
              { error: err instanceof Error ? err.message : String(err) },
              'Bolt could not initialise; retrying',
            );
          }
        }
      };
      if (receiver instanceof SocketReceiver && socketHealth) {
        // Listen first here too: /readyz says why the app is not ready while Slack is checked and the socket opens.
        port = await receiver.listen(config.port);
        logger.info(
          { port },
          'listening; checking Slack and opening the Socket Mode connection before reporting ready',
        );
        await checkSlack();
        if (signal.aborted) return port;
        await openSocket({ start: () => app.start(), health: socketHealth, signal });
        if (signal.aborted) return port;
      } else {
        // Listen first, so /readyz can say why the app is not ready while the checks run.
        const server = await (receiver as HTTPReceiver).start(config.port, SERVER_OPTIONS);
        applyServerLimits(server);
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
        logger.info({ port }, 'listening; checking Slack and the data sources before reporting ready');
        await checkSlack();
        if (signal.aborted) return port;
      }
      if (config.alerts.webhookUnauthenticated) {
        logger.warn(
          { path: ALERTMANAGER_WEBHOOK_PATH, variable: 'ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED' },
          'the Alertmanager webhook accepts alerts without a token: anyone who can reach it can open threads; set ALERT_WEBHOOK_TOKEN',
        );
      }
      const probes = overrides.sourceProbes ?? (overrides.diagnoser ? [] : configuredSourceProbes(config));
      await checkSources({
        probes,
        readiness,
        logger,
        timeoutMs: Math.min(config.prometheus.timeoutMs, 5000),
        signal,
        ...(overrides.startupBackoff ? { backoff: overrides.startupBackoff } : {}),
      });
      await recoverRuns({
        store,
        replica: config.store.replicaId,
        now,
        staleMs: config.deadlineMs * STALE_RUN_FACTOR,
        client: app.client,
        runner,
        registry,
        logger,
      });
      retention = startRunRetention({ store, retentionDays: config.store.retentionDays, now, logger });
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
      return port;
    },
    async stop() {
      aborter.abort();
      readiness.set('shutdown', 'stopping');
      await app.stop().catch(() => {});
      await retention?.stop();
      if (!overrides.runStore) await opened.close();
    },
    async shutdown(graceMs) {
      const t0 = performance.now();
      aborter.abort();
      readiness.set('shutdown', 'shutting down');
      logger.info({ graceMs }, 'shutting down: no new work; waiting for running diagnoses');
      await app
        .stop()
        .catch((err: unknown) => logger.warn({ error: String(err) }, 'the receiver did not stop cleanly'));
      const unstartedAlerts = await intake.stopQueue();
      const running = registry.inFlight().length;
      const busy = () =>
        registry.anyActive() || pacer.pendingChannels() > 0 || (runner.sender?.active() ?? 0) > 0 || !intake.idle();
      const deadline = Date.now() + graceMs;
      while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // Past the grace: nothing more goes to Slack; unsent thread messages stay pending in the outbox for the restart.
      await runner.stopDelivery();
      const left = registry.inFlight();
      const interrupted = await store
        .markInterrupted({
          owner: config.store.replicaId,
          reason: 'Triage was shut down before this diagnosis finished',
          at: now(),
        })
        .catch((err: unknown) => {
          logger.warn({ error: String(err) }, 'could not mark the unfinished runs interrupted');
          return [];
        });
      // Their roots say so, within a short budget: the process is about to exit.
      for (const record of left) record.status = 'interrupted';
      await Promise.race([
        Promise.all(left.map((record) => runner.refreshRoot(app.client, record))),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      await retention?.stop();
      if (!overrides.runStore) await opened.close();
      const report = {
        finished: Math.max(0, running - left.length),
        interrupted: interrupted.length,
        unstartedAlerts,
        ms: Math.round(performance.now() - t0),
      };
      logger.info(report, 'shut down');
      return report;
    },
  };
}

/** Opens the configured run store, or ends start-up with a sentence naming the variable to fix. */
async function openStore(config: Readonly<Config>): Promise<RunStore> {
  try {
    return await openRunStore({
      ...(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : {}),
      sqlitePath: config.store.sqlitePath,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (config.store.databaseUrl) {
      throw new StartupError(
        'store_unavailable',
        'DATABASE_URL',
        `Triage cannot start: the PostgreSQL run store in DATABASE_URL cannot be opened (${reason}). Check the host, port, database name and credentials in DATABASE_URL, and that the database accepts connections from here.`,
      );
    }
    throw new StartupError(
      'store_unavailable',
      'TRIAGE_DB_PATH',
      `Triage cannot start: the SQLite run store at ${config.store.sqlitePath} cannot be opened (${reason}). Set TRIAGE_DB_PATH to a file in a writable directory (its parent directories are created).`,
    );
  }
}
