import { interrupted as asInterrupted } from '../application/runs/run-state.js';
import { allIdle, type Idleness } from '../application/work/idle-signal.js';
import type { AppParts, ShutdownReport } from './built-app.js';
import type { RunRetention } from './run-retention.js';
import { startApp } from './start-app.js';
import { sleep } from './startup-checks.js';

/** How long the roots of interrupted runs may take to say so: the process is about to exit. */
const ROOT_EDIT_BUDGET_MS = 3000;

/**
 * The app's life: start, an immediate stop (tests), and the graceful shutdown of SIGTERM that lets running
 * diagnoses finish within a grace period and marks the rest interrupted.
 */
export class AppLifecycle {
  private readonly parts: AppParts;
  private readonly aborter = new AbortController();
  private retention: RunRetention | undefined;

  constructor(parts: AppParts) {
    this.parts = parts;
  }

  async start(): Promise<number> {
    const { port, retention } = await startApp(this.parts, this.aborter.signal);
    this.retention = retention;
    return port;
  }

  async stop(): Promise<void> {
    this.aborter.abort();
    this.parts.readiness.set('shutdown', 'stopping');
    await this.parts.app.stop().catch(() => {});
    await this.retention?.stop();
    await this.parts.runStore.close();
  }

  async shutdown(graceMs: number): Promise<ShutdownReport> {
    const { app, intake, registry, runner, logger, config, now } = this.parts;
    const t0 = performance.now();
    this.aborter.abort();
    this.parts.readiness.set('shutdown', 'shutting down');
    logger.info({ graceMs }, 'shutting down: no new work; waiting for running diagnoses');
    await app.stop().catch((err: unknown) => logger.warn({ error: String(err) }, 'the receiver did not stop cleanly'));
    const unstartedAlerts = await intake.stopQueue();
    const running = registry.inFlight().length;
    await this.untilIdle(graceMs);
    // Past the grace: nothing more goes to Slack; unsent thread messages stay pending in the outbox for the restart.
    await runner.stopDelivery();
    const left = registry.inFlight();
    const interrupted = await this.parts.runStore.store
      .markInterrupted({
        owner: config.store.replicaId,
        reason: 'Triage was shut down before this diagnosis finished',
        at: now(),
      })
      .catch((err: unknown) => {
        logger.warn({ error: String(err) }, 'could not mark the unfinished runs interrupted');
        return [];
      });
    // Their roots say so, within a short budget.
    const shown = left.map((record) => registry.update(record.runId, asInterrupted) ?? asInterrupted(record));
    const edited = new AbortController();
    await Promise.race([
      Promise.all(shown.map((record) => runner.refreshRoot(this.parts.client, record))),
      sleep(ROOT_EDIT_BUDGET_MS, edited.signal),
    ]);
    edited.abort();
    await this.retention?.stop();
    await this.parts.runStore.close();
    const report = {
      finished: Math.max(0, running - left.length),
      interrupted: interrupted.length,
      unstartedAlerts,
      ms: Math.round(performance.now() - t0),
    };
    logger.info(report, 'shut down');
    return report;
  }

  /** Marks a run failed in the store (a process-level error tied to it); false if the store could not. */
  async markRunFailed(runId: string, reason: string): Promise<boolean> {
    const { logger, now } = this.parts;
    try {
      await this.parts.runStore.opened.updateRun(runId, { status: 'failed', finishedAt: now() });
      logger.warn({ runId, reason }, 'run marked failed');
      return true;
    } catch (err) {
      logger.error({ runId, error: err instanceof Error ? err.message : String(err) }, 'could not mark run failed');
      return false;
    }
  }

  /**
   * Waits, for at most `graceMs`, until at one moment no run is going, no post waits for its channel, the outbox
   * sender is between sends and the alert intake has nothing in flight. No polling: each part says when it is idle.
   */
  private async untilIdle(graceMs: number): Promise<void> {
    const { registry, pacer, runner, intake } = this.parts;
    const parts: Idleness[] = [registry.idleness, pacer.idleness, intake.idleness];
    if (runner.sender) parts.push(runner.sender.idleness);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    try {
      await Promise.race([allIdle(parts), grace]);
    } finally {
      clearTimeout(timer);
    }
  }
}
