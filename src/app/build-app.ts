import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { WebClientEvent } from '@slack/web-api';
import { ALERTMANAGER_WEBHOOK_PATH, alertmanagerWebhookHandler } from '../adapters/http/alertmanager-webhook.js';
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
import { createThreadRenderers } from '../adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../adapters/slack/thread-runner.js';
import { openRunStore } from '../adapters/store/open-run-store.js';
import type { AlertThreadStore } from '../domain/alerts/alert-threads.js';
import { createRedactor, redactDeep } from '../domain/redaction/redact.js';
import { RunJournal } from '../domain/runs/run-journal.js';
import type { RunStore } from '../domain/runs/run-store.js';
import { parseSymptom } from '../domain/symptom/parse-symptom.js';
import type { Config } from './config.js';
import { createDiagnoser, type Diagnoser, systemClock } from './create-diagnoser.js';
import { recoverRuns } from './recover-runs.js';
import { type RunRetention, startRunRetention } from './run-retention.js';

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
  /** Starts listening (HTTP receiver on `config.port`, or Socket Mode plus health routes on it); returns the port. */
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
  let ready = false;
  let retention: RunRetention | undefined;
  const store =
    overrides.runStore ??
    (await openRunStore({
      ...(config.store.databaseUrl ? { databaseUrl: config.store.databaseUrl } : {}),
      sqlitePath: config.store.sqlitePath,
    }));
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
    async start() {
      let port = config.port;
      if (config.slack.appToken) await app.start();
      else {
        const server = (await app.start(config.port)) as Server;
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
      }
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
      ready = true;
      logger.info(
        {
          port,
          mode: config.slack.appToken ? 'socket' : 'http',
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
      ready = false;
      await app.stop();
      await retention?.stop();
      if (!overrides.runStore) await store.close();
    },
    async shutdown(graceMs) {
      const t0 = performance.now();
      ready = false;
      logger.info({ graceMs }, 'shutting down: no new work; waiting for running diagnoses');
      await app
        .stop()
        .catch((err: unknown) => logger.warn({ error: String(err) }, 'the receiver did not stop cleanly'));
      const unstartedAlerts = await intake.stopQueue();
      const running = registry.inFlight().length;
      const busy = () => registry.anyActive() || pacer.pendingChannels() > 0 || !intake.idle();
      const deadline = Date.now() + graceMs;
      while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
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
      if (!overrides.runStore) await store.close();
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
