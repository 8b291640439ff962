/**
 * Start-up that tells the truth: the app checks the bot token with auth.test before it reports ready. A rejected
 * token ends start-up with one JSON line naming SLACK_BOT_TOKEN (exit 1); Slack answering 500s keeps /readyz at 503
 * with the reason until Slack answers; a failing run store shows in /readyz; every stderr line is JSON.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import { type BuiltApp, buildApp, SERVER_LIMITS } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import { StartupError } from '../../src/app/startup-error.js';
import type { RunStore } from '../../src/application/ports/run-store.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';
import { freePort, spawnCollectingLines, waitForExit } from '../support/local-process.js';
import { until } from '../support/until.js';

const APP = new URL('../../bin/triage-app.js', import.meta.url).pathname;

function config(fake: FakeSlack, token: string = FAKE_SLACK_DEFAULTS.token) {
  return loadConfig({
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: 'startup-test-secret',
    SLACK_API_URL: fake.url,
    PROMETHEUS_URL: 'http://127.0.0.1:9',
    PORT: '0',
    TRIAGE_DB_PATH: ':memory:',
  });
}

async function readyz(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
}

describe('start-up checks in process', () => {
  let fake: FakeSlack;
  let built: BuiltApp | undefined;
  let store: RunStore | undefined;

  beforeAll(async () => {
    fake = await startFakeSlack({});
  });
  afterEach(async () => {
    await built?.stop();
    built = undefined;
    await store?.close().catch(() => {});
    store = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('rejects with StartupError naming SLACK_BOT_TOKEN when Slack rejects the token, after one call', async () => {
    built = await buildApp(config(fake, 'xoxb-revoked'), { logger: silentLogger, sourceProbes: [] });
    const err = await built.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).variable).toBe('SLACK_BOT_TOKEN');
    expect((err as Error).message).toMatch(/Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('answers 503 with the reason while Slack answers 500s, retries, and becomes ready by itself', async () => {
    fake.failNext('auth.test', { status: 500, body: 'oops' }, 1000);
    built = await buildApp(config(fake), {
      logger: silentLogger,
      sourceProbes: [],
      startupBackoff: { baseMs: 20, capMs: 50 },
    });
    const started = built.start();
    // The server listens before the check, so it can say why it is not ready.
    type Listening = { server?: { address(): { port: number } | string | null } };
    const port = await until('the port', async () => {
      const receiver = built?.receiver as unknown as Listening | undefined;
      const address = receiver?.server?.address();
      const p = address && typeof address === 'object' ? address.port : undefined;
      return p && fake.callsTo('auth.test').length >= 3 ? p : undefined;
    });
    const before = await readyz(port);
    expect(before.status).toBe(503);
    expect(before.body.status).toBe(
      'not ready: startup: starting: checking Slack and the data sources; slack: Slack answered HTTP 500 to auth.test',
    );
    fake.reset();
    await expect(started).resolves.toBe(port);
    expect(await readyz(port)).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('says so in /readyz while run store writes fail, until a write succeeds', async () => {
    store = await openRunStore({ sqlitePath: ':memory:' });
    built = await buildApp(config(fake), { logger: silentLogger, sourceProbes: [], runStore: store });
    const port = await built.start();
    expect((await readyz(port)).status).toBe(200);
    await store.close();
    await expect(built.store.updateRun('run-x', { status: 'failed' })).rejects.toThrow();
    const down = await readyz(port);
    expect(down.status).toBe(503);
    expect(down.body.reasons?.[0]).toMatch(/^store: the run store failed \(updateRun\)/);
  });

  it('reports a data source out of reach as not ready, and still starts', async () => {
    built = await buildApp(config(fake), { logger: silentLogger });
    const port = await built.start();
    const r = await readyz(port);
    expect(r.status).toBe(503);
    expect(r.body.reasons).toHaveLength(1);
    expect(r.body.reasons?.[0]).toMatch(/^prometheus: prometheus at http:\/\/127\.0\.0\.1:9 is out of reach \(/);
  });

  it('ends start-up with StartupError naming TRIAGE_DB_PATH when the SQLite store cannot be opened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-store-'));
    try {
      const blocker = join(dir, 'not-a-directory');
      await writeFile(blocker, 'x');
      const bad = loadConfig({
        SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
        SLACK_SIGNING_SECRET: 's',
        SLACK_API_URL: fake.url,
        PROMETHEUS_URL: 'http://127.0.0.1:9',
        TRIAGE_DB_PATH: join(blocker, 'runs.sqlite'),
      });
      const err = await buildApp(bad, { logger: silentLogger }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartupError);
      expect(err).toMatchObject({ code: 'store_unavailable', variable: 'TRIAGE_DB_PATH' });
      expect((err as Error).message).toMatch(/SQLite run store at .*runs\.sqlite cannot be opened/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('logs a warning at start when the webhook runs without a token by choice', async () => {
    const warnings: string[] = [];
    const open = loadConfig({
      SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: 'http://127.0.0.1:9',
      PORT: '0',
      TRIAGE_DB_PATH: ':memory:',
      ALERT_WEBHOOK_CHANNEL: FAKE_SLACK_DEFAULTS.channelId,
      ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED: 'true',
    });
    built = await buildApp(open, {
      logger: { ...silentLogger, warn: (_o, msg) => void warnings.push(msg) },
      sourceProbes: [],
    });
    await built.start();
    expect(warnings.filter((w) => /webhook accepts alerts without a token/.test(w))).toHaveLength(1);
  });

  it('sets the server limits of a Slack receiver', async () => {
    built = await buildApp(config(fake), { logger: silentLogger, sourceProbes: [] });
    await built.start();
    const server = (built.receiver as unknown as { server: import('node:http').Server }).server;
    expect(server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(SERVER_LIMITS.keepAliveTimeoutMs);
    expect(server.maxConnections).toBe(SERVER_LIMITS.maxConnections);
  });
});

describe('start-up of the app process', () => {
  let fake: FakeSlack;
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    fake = await startFakeSlack({});
    dir = await mkdtemp(join(tmpdir(), 'triage-startup-'));
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function start(env: Record<string, string>) {
    const started = spawnCollectingLines(APP, {
      ...process.env,
      CI: '',
      SLACK_SIGNING_SECRET: 'startup-test-secret',
      SLACK_API_URL: fake.url,
      PROMETHEUS_URL: fake.origin,
      TRIAGE_DB_PATH: join(dir, `${Math.random()}.sqlite`),
      ...env,
    });
    child = started.child;
    return started;
  }

  it('ends with exit 1 and one JSON line naming SLACK_BOT_TOKEN when Slack rejects the token', async () => {
    const { child: c, lines } = start({ SLACK_BOT_TOKEN: 'xoxb-revoked-token', PORT: String(await freePort()) });
    expect(await waitForExit(c, 30_000)).toBe(true);
    expect(c.exitCode).toBe(1);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = parsed.filter((p) => p.fatal === true);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: 'error', code: 'slack_token_rejected', variable: 'SLACK_BOT_TOKEN' });
    expect(String(fatal[0]?.msg)).toMatch(/Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
    expect(lines.join('\n')).not.toContain('xoxb-revoked-token');
  }, 40_000);

  it('stays up and not ready while Slack answers 500s, writes only JSON to stderr, then becomes ready', async () => {
    fake.failNext('auth.test', { status: 500, body: 'oops' }, 1000);
    const port = await freePort();
    const { child: c, lines } = start({ SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token, PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    const status = () =>
      fetch(`${base}/readyz`)
        .then((r) => r.status)
        .catch(() => 0);
    await until('a 503 from /readyz', async () => ((await status()) === 503 ? true : undefined), 30_000);
    await until('two auth.test attempts', () => (fake.callsTo('auth.test').length >= 2 ? true : undefined), 30_000);
    expect(c.exitCode).toBeNull();
    fake.reset();
    await until('ready', async () => ((await status()) === 200 ? true : undefined), 30_000);
    c.kill('SIGTERM');
    expect(await waitForExit(c, 15_000)).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines.filter((l) => l !== '')) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.some((l) => l.includes('not ready: retrying Slack auth.test'))).toBe(true);
  }, 60_000);
});
