import { createJsonLogger, type Logger } from './adapters/log/json-logger.js';
import { type BuiltApp, buildApp } from './app/build-app.js';
import { type Config, loadConfig } from './app/config.js';
import { installProcessGuards } from './app/process-guards.js';
import { StartupError } from './app/startup-error.js';
import { ConfigError } from './domain/errors.js';
import { createRedactor } from './domain/redaction/redact.js';

/** Logs why start-up cannot go on (one JSON line, the sentence in `msg`, no stack trace) and exits 1. */
function fail(logger: Logger, fields: Record<string, unknown>, message: string): never {
  logger.error({ fatal: true, ...fields }, message);
  process.exit(1);
}

/**
 * Process entry: load the configuration, build, listen and check Slack and the data sources; on SIGTERM/SIGINT drain
 * gracefully (TRIAGE_SHUTDOWN_GRACE_MS), on a second signal exit at once. The only place that exits. Everything it
 * writes to stderr is one JSON object per line.
 */
async function main(): Promise<void> {
  let logger = createJsonLogger();
  let built: BuiltApp | undefined;
  let config: Readonly<Config>;
  installProcessGuards({
    logger: {
      info: (o, m) => logger.info(o, m),
      warn: (o, m) => logger.warn(o, m),
      error: (o, m) => logger.error(o, m),
    },
    markRunFailed: (runId, reason) => built?.markRunFailed(runId, reason) ?? Promise.resolve(false),
    onFatal: () => {
      const grace = Math.min(config?.shutdownGraceMs ?? 0, 5000);
      void Promise.race([built?.shutdown(grace), new Promise((r) => setTimeout(r, grace + 1000))]).finally(() =>
        process.exit(1),
      );
    },
  });
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      const [headline = '', ...rest] = err.message.split('\n');
      const problems = rest.filter((l) => l.startsWith('  ')).map((l) => l.trim());
      fail(
        logger,
        { code: err.code, problems },
        `${headline} ${problems.join(' · ')} (see the README's configuration table; to try Triage without Slack or Prometheus, run: npm run demo)`,
      );
    }
    throw err;
  }
  const redactor = createRedactor({ extraPatterns: (config.redactPatterns ?? []).map((pattern) => ({ pattern })) });
  logger = createJsonLogger(undefined, { redactor, level: config.logLevel });
  let stopping = false;
  const stop = async () => {
    // A second signal while draining means: stop now.
    if (stopping) process.exit(1);
    stopping = true;
    await built?.shutdown(config.shutdownGraceMs);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  try {
    built = await buildApp(config, { logger });
    await built.start();
  } catch (err) {
    if (err instanceof StartupError) {
      await built?.stop().catch(() => {});
      fail(logger, { code: err.code, variable: err.variable, ...err.details }, err.message);
    }
    const message = err instanceof Error ? err.message : String(err);
    fail(logger, { code: 'startup_failed' }, `Triage cannot start: ${message}`);
  }
}

await main();
