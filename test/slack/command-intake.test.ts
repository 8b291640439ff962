/**
 * The durable slash-command intake, on SQLite and PostgreSQL: a `/diagnose` is recorded in the run store before it is
 * acknowledged, so a process killed between the ack and the root post does not lose it. The next start posts the
 * root (saying it was resumed, with the original request time) and diagnoses the window asked for; a command too old
 * is not run (the channel is told); replicas starting together run it once; a store that fails at ack time does not
 * stop the ack or the diagnosis.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { threadRenderers } from '../../src/adapters/slack/thread-renderers.js';
import { openPostgresRunStore } from '../../src/adapters/store/postgres-run-store.js';
import type { SqlRunStore } from '../../src/adapters/store/sql-run-store.js';
import { openSqliteRunStore } from '../../src/adapters/store/sqlite-run-store.js';
import type { NewCommand, RunStore, StoredRun } from '../../src/application/ports/run-store.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import {
  FAKE_SLACK_DEFAULTS,
  type FakeSlack,
  startFakeSlack,
  textOf,
} from '../support/fake-slack/fake-slack-server.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../support/fake-slack/response-url-server.js';
import { signSlackRequest, slashCommandBody } from '../support/fake-slack/sign-request.js';
import { kill9, type PortReportingApp, startPortReportingApp } from '../support/local-process.js';
import { freshSchema, requirePostgres } from '../support/postgres.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const postgres = requirePostgres();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const T0 = new Date(scenario.at);
const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const SECRET = 'command-intake-test-secret';
const APP = new URL('../support/command-crash-app.ts', import.meta.url).pathname;
const minutes = (n: number) => n * 60_000;
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

interface Engine {
  name: string;
  /** A store on this test's database, as one more process would open it (its clock optional). */
  open(clock?: () => Date): Promise<SqlRunStore>;
  /** Environment for the app child process to use the same database. */
  childEnv(): Record<string, string>;
  cleanup(): Promise<void>;
}

async function sqliteEngine(): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'triage-command-intake-'));
  const path = join(dir, 'triage.sqlite');
  return {
    name: 'SQLite',
    open: (clock) => openSqliteRunStore(path, clock ? { clock } : {}),
    childEnv: () => ({ TRIAGE_DB_PATH: path }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresEngine(): Promise<Engine> {
  const schema = await freshSchema('command_intake');
  return {
    name: 'PostgreSQL',
    open: (clock) => openPostgresRunStore(postgres.url, { schema: schema.schema, ...(clock ? { clock } : {}) }),
    childEnv: () => ({ TEST_PG_URL: postgres.url, TEST_PG_SCHEMA: schema.schema, TRIAGE_DB_PATH: ':memory:' }),
    cleanup: () => schema.drop(),
  };
}

type AppProcess = PortReportingApp;

const startApp = (env: NodeJS.ProcessEnv) => startPortReportingApp(APP, env);

async function command(port: number, text: string, responseUrl: string) {
  const body = slashCommandBody({ text, channel_id: CHANNEL, response_url: responseUrl });
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    body,
    headers: { ...signSlackRequest({ signingSecret: SECRET, body }) },
  });
  return { status: res.status, text: await res.text(), ms: performance.now() - t0 };
}

const engines: { name: string; available: boolean; make: () => Promise<Engine> }[] = [
  { name: 'SQLite', available: true, make: sqliteEngine },
  { name: 'PostgreSQL', available: postgres.available, make: postgresEngine },
];

describe.skipIf(!prometheus.available)('the durable /diagnose intake', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let fake: FakeSlack;
  let responses: ResponseUrlServer;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    fake = await startFakeSlack({ postMessageLimit: false, methodLimits: false });
    responses = await startResponseUrlServer();
  }, 300_000);

  afterAll(async () => {
    await responses?.stop();
    await fake?.stop();
    await server?.stop();
  });

  /** Triage's diagnosis roots in the channel (top-level messages with the Re-run button). */
  const roots = () =>
    fake
      .channelMessages(CHANNEL)
      .filter((m) => m.source === 'api' && m.thread_ts === undefined && textOf(m).includes(ACTIONS.rerun));

  const finished = (store: RunStore, runId: string) =>
    until(
      `run ${runId} to finish`,
      async () => {
        const run = await store.getRun(runId);
        return run?.status === 'finished' ? run : undefined;
      },
      120_000,
    );

  describe.each(engines)('on $name', ({ available, make }) => {
    let engine: Engine;
    let stores: SqlRunStore[] = [];
    let harnesses: SlackHarness[] = [];
    let apps: AppProcess[] = [];
    const open = async (clock?: () => Date) => {
      const store = await engine.open(clock);
      stores.push(store);
      return store;
    };
    const harness = async (replica: string, now: Date, runStore: RunStore) => {
      const h = await startSlackHarness({
        prometheusUrl: server.url,
        now: () => now,
        sharedFake: fake,
        runStore,
        replyIntervalMs: 50,
        env: { TRIAGE_REPLICA_ID: replica },
      });
      harnesses.push(h);
      return h;
    };
    const childEnv = (now: Date, replica: string): NodeJS.ProcessEnv => ({
      ...process.env,
      CI: '',
      SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: server.url,
      PORT: '0',
      TRIAGE_REPLICA_ID: replica,
      TRIAGE_REPLY_INTERVAL_MS: '50',
      TRIAGE_DEADLINE_MS: '60000',
      TEST_NOW: now.toISOString(),
      LOG_LEVEL: 'error',
      ...engine.childEnv(),
    });
    /** A command as the replica that accepted it recorded it before it died. */
    const recorded = (text: string, receivedAt: Date, owner: string): NewCommand => ({
      id: `cmd-${Math.random().toString(16).slice(2, 12)}`,
      channel: CHANNEL,
      userId: 'U0ONCALL01',
      teamId: FAKE_SLACK_DEFAULTS.teamId,
      text,
      symptom: parseSymptom(text, { now: receivedAt }),
      responseUrl: responses.newUrl(),
      receivedAt,
      owner,
    });

    beforeAll(async () => {
      if (available) engine = await make();
    }, 60_000);

    afterAll(async () => {
      await engine?.cleanup();
    });

    beforeEach(async () => {
      fake.reset();
      fake.setBehaviour({ postMessageLimit: false, methodLimits: false });
      return async () => {
        for (const app of apps) await kill9(app);
        for (const h of harnesses) await h.settled(60_000).catch(() => undefined);
        for (const h of harnesses) await h.stop();
        for (const s of stores) await s.close();
        apps = [];
        harnesses = [];
        stores = [];
      };
    });

    it.skipIf(!available)(
      'a process killed between the ack and the root post: the restart posts one root, resumed, and diagnoses the window asked for',
      async () => {
        const text = `${scenario.symptom} for the last 45m`;
        // Slack never gets the root: every attempt of the first process is dropped, and it is killed at the first.
        fake.failNext('chat.postMessage', { networkDrop: true }, 50);
        const first = await startApp(childEnv(T0, 'replica-crash'));
        apps.push(first);
        const ack = await command(first.port, text, responses.newUrl());
        expect(ack.status).toBe(200);
        expect(ack.text).toMatch(/Diagnosing/);
        await fake.waitForCall('chat.postMessage', { timeoutMs: 20_000 });
        await kill9(first);
        expect(roots()).toHaveLength(0);
        fake.reset();
        fake.setBehaviour({ postMessageLimit: false, methodLimits: false });

        // The restart, five minutes later by its clock.
        const later = new Date(T0.getTime() + minutes(5));
        const second = await startApp(childEnv(later, 'replica-crash'));
        apps.push(second);
        const observer = await open();
        const root = await until('the resumed root', () => roots()[0], 60_000);
        const [listed] = await until('the resumed run', async () => {
          const runs = await observer.listRuns({ channel: CHANNEL, limit: 10 });
          return runs.length > 0 ? runs : undefined;
        });
        const run: StoredRun = await finished(observer, listed?.id ?? '');
        expect(run).toMatchObject({ trigger: 'command', userId: 'U0ONCALL01', rootTs: root.ts, text });
        // The window asked for: the last 45 minutes before the command was received, not before the restart.
        expect(run.symptom.window).toEqual(parseSymptom(text, { now: T0 }).window);
        expect(textOf(roots()[0])).toMatch(/resumed after a Triage restart/i);
        expect(textOf(roots()[0])).toContain(hhmm(T0));
        expect((await observer.events(run.id)).some((e) => e.type === 'run-finished')).toBe(true);
        expect(await observer.getCommand(run.id)).toMatchObject({ status: 'started', responseUrl: null });
        // Once, and only once.
        await new Promise((r) => setTimeout(r, 500));
        expect(roots()).toHaveLength(1);
        expect(await observer.listRuns({ channel: CHANNEL, limit: 10 })).toHaveLength(1);
      },
      240_000,
    );

    it.skipIf(!available)(
      'a command too old when Triage comes back is not run: the channel is told to ask again',
      async () => {
        const text = `${scenario.symptom} for the last 30m`;
        const dead = await open();
        const old = recorded(text, new Date(T0.getTime() - minutes(20)), 'replica-old');
        await dead.acceptCommand(old);
        const store = await open();
        await harness('replica-old', T0, store);
        const note = await until('the note', () =>
          fake.channelMessages(CHANNEL).find((m) => /Triage restarted before it could diagnose/.test(textOf(m))),
        );
        expect(textOf(note)).toContain(text);
        expect(textOf(note)).toContain('<@U0ONCALL01>');
        expect(textOf(note)).toMatch(/again/);
        expect(await store.getCommand(old.id)).toMatchObject({ status: 'expired', responseUrl: null });
        expect(await store.getRun(old.id)).toBeUndefined();
        expect(roots()).toHaveLength(0);
      },
      120_000,
    );

    it.skipIf(!available)(
      'a process killed after Slack took the root but before it was recorded: the restart posts no second root',
      async () => {
        const text = `${scenario.symptom} for the last 55m`;
        const dead = await open();
        const command = recorded(text, new Date(T0.getTime() - minutes(1)), 'replica-late');
        await dead.acceptCommand(command);
        // The root as the killed process posted it: its buttons carry the run id, which is the command's.
        const root = threadRenderers.root({
          runId: command.id,
          channel: CHANNEL,
          rootTs: '',
          threadTs: '',
          text,
          symptom: command.symptom,
          userId: command.userId,
          status: 'running',
          stepsDone: 0,
          stepsTotal: 0,
          dedupeKey: command.id,
          undelivered: 0,
          active: true,
        });
        const slack = new WebClient(FAKE_SLACK_DEFAULTS.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
        const posted = await slack.chat.postMessage({
          channel: CHANNEL,
          text: root.text,
          blocks: root.blocks as never,
        });
        const store = await open();
        await harness('replica-late', T0, store);
        const run = await until('the adopted run', () => store.getRun(command.id));
        expect(run).toMatchObject({ status: 'interrupted', rootTs: posted.ts, trigger: 'command' });
        await until('the root to say it was interrupted', () =>
          /Interrupted/.test(textOf(fake.channelMessages(CHANNEL).find((m) => m.ts === posted.ts))) ? true : undefined,
        );
        expect(roots()).toHaveLength(1);
        await until('the command to be settled', async () =>
          (await store.getCommand(command.id))?.status === 'started' ? true : undefined,
        );
      },
      120_000,
    );

    it.skipIf(!available)(
      "two replicas starting at once take a dead replica's command once: one root, one diagnosis",
      async () => {
        const text = `${scenario.symptom} for the last 40m`;
        // Recorded ten minutes ago (by the store's clock) by a replica that never came back.
        const dead = await open(() => new Date(Date.now() - minutes(10)));
        const orphan = recorded(text, new Date(T0.getTime() - minutes(2)), 'replica-dead');
        await dead.acceptCommand(orphan);
        const [storeA, storeB] = await Promise.all([open(), open()]);
        await Promise.all([harness('replica-a', T0, storeA), harness('replica-b', T0, storeB)]);
        const run = await finished(storeA, orphan.id);
        expect(run.symptom.window).toEqual(parseSymptom(text, { now: orphan.receivedAt }).window);
        await new Promise((r) => setTimeout(r, 1000));
        expect(roots()).toHaveLength(1);
        expect(roots()[0]?.ts).toBe(run.rootTs);
        const runs = await storeB.listRuns({ channel: CHANNEL, limit: 100 });
        expect(runs.filter((r) => r.text === text)).toHaveLength(1);
        expect(await storeB.getCommand(orphan.id)).toMatchObject({ status: 'started' });
      },
      180_000,
    );

    it.skipIf(!available).each([
      ['fails', () => Promise.reject(new Error('disk I/O error'))],
      ['hangs', () => new Promise<never>(() => undefined)],
    ])(
      'acks within 3 s and diagnoses when the store %s at ack time',
      async (_how, failure) => {
        const real = await open();
        let calls = 0;
        const broken = new Proxy(real, {
          get(target, property, receiver) {
            if (property === 'acceptCommand')
              return () => {
                calls++;
                return failure();
              };
            return Reflect.get(target, property, receiver);
          },
        });
        const h = await harness('replica-broken', T0, broken);
        const text = `${scenario.symptom} for the last ${_how === 'fails' ? 35 : 25}m`;
        const ack = await h.command(text);
        expect(ack.status).toBe(200);
        expect(JSON.stringify(ack.body)).toMatch(/Diagnosing/);
        expect(ack.ms).toBeLessThan(3000);
        expect(calls).toBe(1);
        await until('the root', () => roots()[0], 30_000);
        const run = await until('the run', async () =>
          (await real.listRuns({ channel: CHANNEL, limit: 100 })).find((r) => r.text === text),
        );
        await finished(real, run.id);
        expect(run.symptom.window).toEqual(parseSymptom(text, { now: T0 }).window);
      },
      120_000,
    );
  });
});
