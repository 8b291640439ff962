import { buildApp } from './app/build-app.js';
import { loadConfig } from './app/config.js';
import { ConfigError } from './domain/errors.js';

/** Process entry: load the configuration, build, listen, stop on SIGTERM/SIGINT. The only place that exits. */
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
  const stop = async () => {
    await built.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
