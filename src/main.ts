import { buildApp } from './app/build-app.js';
import { loadConfig } from './app/config.js';
import { ConfigError } from './domain/errors.js';

/**
 * Process entry: load the configuration, build, listen; on SIGTERM/SIGINT drain gracefully (TRIAGE_SHUTDOWN_GRACE_MS),
 * on a second signal exit at once. The only place that exits.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const built = await buildApp(config);
  await built.start();
  let stopping = false;
  const stop = async () => {
    // A second signal while draining means: stop now.
    if (stopping) process.exit(1);
    stopping = true;
    await built.shutdown(config.shutdownGraceMs);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

await main();
