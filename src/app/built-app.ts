import type { App, HTTPReceiver, Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SelfMetrics } from '../adapters/metrics/self-metrics.js';
import type { AlertIntake } from '../adapters/slack/alerts/alert-intake.js';
import type { ChannelPacer } from '../adapters/slack/channel-pacer.js';
import type { RunRegistry } from '../adapters/slack/run-registry.js';
import type { SocketHealth } from '../adapters/slack/socket-health.js';
import type { SocketReceiver } from '../adapters/slack/socket-receiver.js';
import type { ThreadRunner } from '../adapters/slack/thread-runner.js';
import type { RunJournal } from '../application/diagnose/run-journal.js';
import type { AlertThreadStore } from '../application/ports/alert-threads.js';
import type { Logger } from '../application/ports/logger.js';
import type { RunStore } from '../application/ports/run-store.js';
import type { Config } from './config.js';
import type { Diagnoser } from './create-diagnoser.js';
import type { Readiness } from './readiness.js';
import type { AppRunStore } from './run-store-setup.js';
import type { BoltLoggerFor } from './slack-app.js';
import type { Backoff, SourceProbe } from './startup-checks.js';

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

/** The parts the app's start and stop work with. */
export interface AppParts {
  config: Readonly<Config>;
  overrides: BuildOverrides;
  logger: Logger;
  boltLogger: BoltLoggerFor;
  readiness: Readiness;
  now: () => Date;
  runStore: AppRunStore;
  app: App;
  receiver: SocketReceiver | HTTPReceiver;
  socketHealth: SocketHealth | undefined;
  /** The bot's client for the app's own posts. */
  client: WebClient;
  registry: RunRegistry;
  pacer: ChannelPacer;
  runner: ThreadRunner;
  intake: AlertIntake;
}
