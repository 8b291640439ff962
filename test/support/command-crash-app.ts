/**
 * The app as a child process for the slash-command crash tests: the real app (loadConfig → buildApp → start) with
 * the clock fixed at TEST_NOW, on the SQLite file of TRIAGE_DB_PATH or, with TEST_PG_URL and TEST_PG_SCHEMA, on a
 * PostgreSQL schema. It prints `{"port":…}` once it listens; it is meant to be killed with SIGKILL.
 */
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { openPostgresRunStore } from '../../src/adapters/store/postgres-run-store.js';
import { buildApp } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import { createDiagnoser } from '../../src/app/create-diagnoser.js';

const at = new Date(process.env.TEST_NOW ?? '');
if (Number.isNaN(at.getTime())) throw new Error('TEST_NOW must be an ISO time');
const config = loadConfig(process.env);
const diagnoser = await createDiagnoser(
  { prometheus: config.prometheus, deadlineMs: config.deadlineMs },
  { clock: { now: () => at } },
);
const pg = process.env.TEST_PG_URL;
const runStore = pg ? await openPostgresRunStore(pg, { schema: process.env.TEST_PG_SCHEMA ?? 'public' }) : undefined;
const built = await buildApp(config, {
  diagnoser,
  now: () => at,
  logger: silentLogger,
  sourceProbes: [],
  ...(runStore ? { runStore } : {}),
});
const port = await built.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
