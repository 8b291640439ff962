/**
 * The app process of the crash-restart bench: the real app (loadConfig → buildApp → start, as src/main.ts does) with
 * the clock fixed at BENCH_AT, so its diagnoses read the scenario Prometheus's recorded incident. It prints one line,
 * `{"port":…}`, once it listens; it is meant to be killed with SIGKILL.
 */
import { silentLogger } from '../src/adapters/log/json-logger.js';
import { buildApp } from '../src/app/build-app.js';
import { loadConfig } from '../src/app/config.js';
import { createDiagnoser } from '../src/app/create-diagnoser.js';

const at = new Date(process.env.BENCH_AT ?? '');
if (Number.isNaN(at.getTime())) throw new Error('BENCH_AT must be an ISO time');
const config = loadConfig(process.env);
const diagnoser = await createDiagnoser(
  { prometheus: config.prometheus, deadlineMs: config.deadlineMs },
  { clock: { now: () => at } },
);
const built = await buildApp(config, { diagnoser, now: () => at, logger: silentLogger, sourceProbes: [] });
const port = await built.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.once('SIGTERM', () => {
  void built.shutdown(config.shutdownGraceMs).finally(() => process.exit(0));
});
