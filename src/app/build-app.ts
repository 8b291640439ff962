import { createChartRenderer } from '../adapters/charts/chart-renderer.js';
import { createJsonLogger } from '../adapters/log/json-logger.js';
import { withRun } from '../adapters/log/run-context.js';
import { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import { ChannelPacer } from '../adapters/slack/channel-pacer.js';
import { MethodBudget } from '../adapters/slack/method-budget.js';
import { RunRegistry } from '../adapters/slack/run-registry.js';
import { createThreadRenderers } from '../adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../adapters/slack/thread-runner.js';
import { RunJournal } from '../application/diagnose/run-journal.js';
import { createRedactor } from '../domain/redaction/redact.js';
import { chartSpecsOf } from '../domain/report/chart-spec.js';
import type { BuildOverrides, BuiltApp } from './built-app.js';
import type { Config } from './config.js';
import { systemClock } from './create-diagnoser.js';
import { httpRoutes } from './http-routes.js';
import { AppLifecycle } from './lifecycle.js';
import { Readiness } from './readiness.js';
import { setUpRunStore } from './run-store-setup.js';
import { boltLoggers, createAlertIntake, createSlackApp, createSlackClient } from './slack-app.js';
import { createReceiver, socketHealthFor } from './slack-receiver.js';
import { buildDiagnoser, explainService, sourceFigures, stepSources } from './sources.js';

export type { BuildOverrides, BuiltApp, ShutdownReport } from './built-app.js';
export { applyServerLimits, SERVER_LIMITS } from './server-limits.js';
export { configuredSourceProbes } from './sources.js';

/**
 * The composition root: the data sources and the diagnosis use-case, the run store and its journal, the thread
 * runner and the alert intake, Triage's HTTP routes, the Slack receiver and app. Built in dependency order; it
 * does not listen: `start()` does.
 */
export async function buildApp(config: Readonly<Config>, overrides: BuildOverrides = {}): Promise<BuiltApp> {
  const redactor = createRedactor({ extraPatterns: (config.redactPatterns ?? []).map((pattern) => ({ pattern })) });
  const logger = overrides.logger ?? createJsonLogger(undefined, { redactor, level: config.logLevel });
  const boltLogger = boltLoggers(logger);
  const readiness = new Readiness({ startup: 'starting: checking Slack and the data sources' });
  const now = overrides.now ?? (() => systemClock.now());
  const diagnoser = await buildDiagnoser(config, logger, overrides.diagnoser);
  const runStore = await setUpRunStore(config, overrides.runStore, readiness, logger);
  const { store } = runStore;
  const journal = new RunJournal(store, { owner: config.store.replicaId, now, logger });
  const registry = new RunRegistry();
  const pacer = new ChannelPacer(config.slack.replyIntervalMs, { burst: config.slack.replyBurst });
  const render = createThreadRenderers(redactor);
  // chat.update is Tier 3 (about 50 a minute per workspace): root edits, alert counters and storm summaries share it.
  const updates = new MethodBudget(45, { burst: 5 });
  const metrics = new SelfMetrics({
    runsInFlight: () => registry.inFlight().length,
    ...sourceFigures(diagnoser),
    storeFailures: () => journal.failures,
  });
  const chartRenderer = config.slack.charts ? createChartRenderer() : undefined;
  const runner = new ThreadRunner({
    run: (request) => diagnoser.run(request),
    metrics,
    sourceOf: stepSources(diagnoser),
    registry,
    pacer,
    render,
    logger,
    runScope: withRun,
    updates,
    journal,
    ...(chartRenderer
      ? { charts: { renderer: chartRenderer, specsOf: (result) => chartSpecsOf(result, 3, redactor) } }
      : {}),
  });
  const client = createSlackClient(config, { metrics, pacer, boltLogger });
  // The intake tells the metrics its queue as it changes.
  const intake = createAlertIntake(config, {
    metrics,
    client,
    runner,
    registry,
    pacer,
    store: overrides.alertThreads ?? store,
    redactor,
    logger,
    now,
    updates,
    journal,
  });
  const socketHealth = socketHealthFor(config, {
    readiness,
    logger,
    livenessBoundMs: overrides.socketLivenessBoundMs,
  });
  const routes = httpRoutes({
    config,
    metrics,
    readiness,
    socketHealth,
    playbooks: diagnoser.playbooks.length,
    intake,
    logger,
  });
  const receiver = createReceiver(config, { routes, socketHealth, metrics, logger, boltLogger });
  const app = createSlackApp(config, {
    receiver,
    metrics,
    boltLogger,
    intake,
    logger,
    surface: {
      ...(chartRenderer ? { charts: chartRenderer } : {}),
      runner,
      registry,
      pacer,
      render,
      now,
      store,
      journal,
      redactor,
      explain: explainService(diagnoser, now),
    },
  });
  const lifecycle = new AppLifecycle({
    config,
    overrides,
    logger,
    boltLogger,
    readiness,
    now,
    runStore,
    app,
    receiver,
    socketHealth,
    client,
    registry,
    pacer,
    runner,
    intake,
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
    markRunFailed: (runId, reason) => lifecycle.markRunFailed(runId, reason),
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    shutdown: (graceMs) => lifecycle.shutdown(graceMs),
  };
}
