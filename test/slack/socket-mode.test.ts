/**
 * Socket Mode for real: the app built as in production (Bolt's SocketModeReceiver and @slack/socket-mode's client)
 * against a local server speaking Slack's Socket Mode protocol in front of the fake Web API. SLACK_API_URL reaches
 * apps.connections.open too; commands, events and block actions are acked by envelope_id within 3 s and answered
 * through the Web API; a `disconnect` message and a dropped socket reconnect, /readyz 503 in between; /readyz and
 * /healthz answer from the start, with the HTTP receiver's limits, while Slack is out of reach.
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { SocketModeReceiver } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { type BuildOverrides, type BuiltApp, buildApp, SERVER_LIMITS } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import { StartupError } from '../../src/app/startup-error.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';
import { type FakeSocketMode, startFakeSocketMode } from '../support/fake-slack/fake-socket-mode.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../support/fake-slack/response-url-server.js';
import {
  appMentionEvent,
  blockActionsPayload,
  eventCallbackBody,
  slashCommandBody,
} from '../support/fake-slack/sign-request.js';
import { closedPort, freePort, spawnCollectingLines, waitForExit } from '../support/local-process.js';
import { until } from '../support/until.js';

const APP = new URL('../../bin/triage-app.js', import.meta.url).pathname;
const APP_TOKEN = 'xapp-1-A0TRIAGEAPP-1-socketmodetest';
const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;

function socketConfig(apiUrl: string, appToken = APP_TOKEN) {
  return loadConfig({
    SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: apiUrl,
    // Diagnoses run against a Prometheus out of reach: quick, and they still post their threads.
    PROMETHEUS_URL: 'http://127.0.0.1:9',
    PORT: '0',
    TRIAGE_DB_PATH: ':memory:',
    TRIAGE_REPLY_INTERVAL_MS: '50',
    TRIAGE_QUERY_TIMEOUT_MS: '1000',
  });
}

/** The port of the socket-mode app's own HTTP server (it listens before Slack is reached). */
function listeningPort(built: BuiltApp | undefined): number | undefined {
  const server = (built?.receiver as { server?: Server } | undefined)?.server;
  const address = server?.address();
  return address && typeof address === 'object' ? address.port : undefined;
}

async function probe(port: number, path: '/readyz' | '/healthz') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
}

describe('Socket Mode against a local Slack', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let responses: ResponseUrlServer;
  let built: BuiltApp | undefined;

  const start = async (overrides: BuildOverrides = {}, appToken = APP_TOKEN) => {
    built = await buildApp(socketConfig(socket.url, appToken), {
      logger: silentLogger,
      sourceProbes: [],
      ...overrides,
    });
    return built;
  };
  /** Every diagnosis finished and its thread posted (so nothing posts after the test). */
  const settled = () => until('the runs to finish', () => (built?.registry.anyActive() ? undefined : true), 30_000);

  beforeAll(async () => {
    responses = await startResponseUrlServer();
  });
  beforeEach(async () => {
    fake = await startFakeSlack({});
    socket = await startFakeSocketMode({ api: fake, appToken: APP_TOKEN });
  });
  afterEach(async () => {
    await built?.stop();
    built = undefined;
    await socket.stop();
    await fake.stop();
  });
  afterAll(async () => {
    await responses.stop();
  });

  it('opens the socket at SLACK_API_URL with the app token; acks command, event and action within 3 s; replies through the Web API', async () => {
    const app = await start();
    expect(app.receiver).toBeInstanceOf(SocketModeReceiver);
    const port = await app.start();

    // One apps.connections.open, here and with the app token; the bot token's calls reached the same base URL.
    expect(socket.opens).toEqual([expect.objectContaining({ token: APP_TOKEN, ok: true, status: 200 })]);
    expect(fake.callsTo('auth.test').every((c) => c.token === FAKE_SLACK_DEFAULTS.token)).toBe(true);
    expect(fake.callsTo('auth.test').length).toBeGreaterThan(0);
    expect(socket.connections).toHaveLength(1);
    expect(await probe(port, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });

    // A slash command: acked with the ephemeral answer, then the thread goes out through chat.postMessage.
    const command = Object.fromEntries(
      new URLSearchParams(slashCommandBody({ text: 'errors on checkout', response_url: responses.newUrl() })),
    );
    const commandAck = await socket.send('slash_commands', command);
    expect(commandAck.ms).toBeLessThan(3000);
    expect(commandAck.payload).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/^Diagnosing "errors on checkout"/),
    });
    const root = await fake.waitForCall('chat.postMessage');
    expect(root).toMatchObject({ token: FAKE_SLACK_DEFAULTS.token, params: { channel: CHANNEL } });
    const [run] = await until('the run in the store', async () => {
      const runs = await app.store.listRuns({ channel: CHANNEL });
      return runs.length === 1 ? runs : undefined;
    });
    await settled();

    // An app mention (Events API): acked at once, answered in its thread.
    const mention = appMentionEvent({ text: `<@${fake.botUserId}> help` });
    const eventAck = await socket.send('events_api', JSON.parse(eventCallbackBody(mention)) as Record<string, unknown>);
    expect(eventAck.ms).toBeLessThan(3000);
    const help = await until('the help reply in the mention thread', () =>
      fake.callsTo('chat.postMessage').find((c) => c.params.thread_ts === mention.ts),
    );
    expect(help.status).toBe(200);

    // A block action (the Re-run button of the first run): acked, and a second run starts in the first one's thread.
    const press = blockActionsPayload({
      actions: [{ action_id: ACTIONS.rerun, value: run?.id ?? '' }],
      response_url: responses.newUrl(),
      ...(run?.rootTs ? { message_ts: run.rootTs } : {}),
    });
    const actionAck = await socket.send('interactive', press);
    expect(actionAck.ms).toBeLessThan(3000);
    const runs = await until('the re-run', async () => {
      const all = await app.store.listRuns({ channel: CHANNEL });
      return all.length === 2 ? all : undefined;
    });
    expect(runs.map((r) => r.text)).toEqual(['errors on checkout', 'errors on checkout']);
    await settled();

    expect(socket.acks.map((a) => a.envelopeId)).toEqual([
      commandAck.envelopeId,
      eventAck.envelopeId,
      actionAck.envelopeId,
    ]);
    expect(socket.opens).toHaveLength(1);
    console.info(`socket acks (ms): ${socket.acks.map((a) => a.ms).join(', ')}`);
  }, 60_000);

  it('reconnects after a disconnect message and after a dropped socket; /readyz 503 while down, 200 after', async () => {
    const app = await start();
    const port = await app.start();
    expect((await probe(port, '/readyz')).status).toBe(200);
    const readyAgain = () =>
      until('ready again', async () => ((await probe(port, '/readyz')).status === 200 ? true : undefined), 30_000);

    // Slack refreshes the connection: the client closes it and opens a new one (a new apps.connections.open, a new
    // hello). Slack leaves the TCP connection open after the close handshake, and so does the fake.
    const disconnectedAt = Date.now();
    socket.disconnect('refresh_requested', { holdTcp: true });
    const down = await until('/readyz 503', async () => {
      const r = await probe(port, '/readyz');
      return r.status === 503 ? r : undefined;
    });
    expect(down.body.reasons?.some((r) => r.startsWith('socket: '))).toBe(true);
    // Liveness holds through a reconnect.
    expect((await probe(port, '/healthz')).status).toBe(200);
    const second = await socket.waitForConnection(2, 30_000);
    // The app ends the half-closed socket at once; then the client's own 5 s wait (before: its pong watchdog first,
    // 11.7 s in all).
    expect(second.helloAt - disconnectedAt).toBeLessThan(8000);
    await readyAgain();
    expect(socket.connections[0]?.closedAt).toBeDefined();
    expect(socket.opens.filter((o) => o.ok && o.token === APP_TOKEN)).toHaveLength(2);
    const afterRefresh = await socket.send(
      'events_api',
      JSON.parse(eventCallbackBody(appMentionEvent({ text: `<@${fake.botUserId}> help` }))) as Record<string, unknown>,
    );
    expect(afterRefresh.ms).toBeLessThan(3000);

    // The network drops the socket (no close frame): the same, from the client's own detection.
    const droppedAt = Date.now();
    socket.drop();
    const dropped = await until('/readyz 503 after the drop', async () => {
      const r = await probe(port, '/readyz');
      return r.status === 503 ? r : undefined;
    });
    expect(dropped.body.status).toMatch(/^not ready: socket: /);
    const third = await socket.waitForConnection(3, 30_000);
    await readyAgain();
    expect(socket.connections[1]?.closeCode).toBe(1006);
    expect(socket.opens.filter((o) => o.ok)).toHaveLength(3);
    const afterDrop = await socket.send(
      'slash_commands',
      Object.fromEntries(new URLSearchParams(slashCommandBody({ text: 'help', response_url: responses.newUrl() }))),
    );
    expect(afterDrop.ms).toBeLessThan(3000);
    expect(afterDrop.payload).toMatchObject({ response_type: 'ephemeral' });

    // Figures for the report: the gap without a connection each time.
    console.info(
      `socket reconnect gaps: disconnect frame → hello ${second.helloAt - disconnectedAt} ms, ` +
        `drop → hello ${third.helloAt - droppedAt} ms`,
    );
  }, 90_000);

  it('answers /readyz 503 with the reason and /healthz 200 while Slack is out of reach at start-up, with the server limits', async () => {
    const down = `http://127.0.0.1:${await closedPort()}/api/`;
    built = await buildApp(socketConfig(down), {
      logger: silentLogger,
      sourceProbes: [],
      startupBackoff: { baseMs: 20, capMs: 50 },
    });
    const started = built.start();
    started.catch(() => {});
    const port = await until('the health server', () => listeningPort(built));
    const ready = await until('a reason from Slack', async () => {
      const r = await probe(port, '/readyz');
      return r.body.reasons?.some((x) => x.startsWith('slack: ')) ? r : undefined;
    });
    expect(ready.status).toBe(503);
    expect(ready.body.reasons).toEqual(
      expect.arrayContaining([
        'socket: Socket Mode is not connected to Slack yet',
        expect.stringMatching(/^slack: Slack is out of reach \(/),
      ]),
    );
    expect(await probe(port, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const server = (built.receiver as unknown as { server: Server }).server;
    expect(server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(SERVER_LIMITS.keepAliveTimeoutMs);
    expect(server.maxConnections).toBe(SERVER_LIMITS.maxConnections);
  }, 30_000);

  it('says why in /readyz while apps.connections.open fails, and connects once it answers', async () => {
    socket.failOpen({ networkDrop: true }, 1);
    socket.failOpen({ status: 503 }, 1);
    const app = await start();
    const started = app.start();
    const port = await until('the health server', () => listeningPort(app));
    const reasons = new Set<string>();
    await until(
      'both failures reported',
      async () => {
        for (const r of (await probe(port, '/readyz')).body.reasons ?? []) reasons.add(r);
        return [...reasons].some((r) => r.includes('HTTP 503')) ? true : undefined;
      },
      20_000,
    );
    expect([...reasons]).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^socket: cannot open a Socket Mode connection: apps\.connections\.open failed \(/),
        'socket: cannot open a Socket Mode connection: apps.connections.open answered HTTP 503; retrying',
      ]),
    );
    await expect(started).resolves.toBe(port);
    expect((await probe(port, '/readyz')).status).toBe(200);
    expect(socket.opens.map((o) => o.status)).toEqual([0, 503, 200]);
  }, 30_000);

  it('fails /healthz only once the socket has been down longer than the bound, and recovers with the connection', async () => {
    const app = await start({ socketLivenessBoundMs: 300 });
    const port = await app.start();
    expect((await probe(port, '/healthz')).status).toBe(200);
    socket.failOpen({ status: 503 }, 1);
    socket.drop();
    const unhealthy = await until('/healthz 503', async () => {
      const r = await probe(port, '/healthz');
      return r.status === 503 ? r : undefined;
    });
    expect(unhealthy.body.status).toMatch(/^unhealthy: no Socket Mode connection to Slack for \d+ s/);
    await socket.waitForConnection(2, 30_000);
    await until('/healthz 200', async () => ((await probe(port, '/healthz')).status === 200 ? true : undefined));
  }, 45_000);

  it.each([
    ['invalid_auth', 'a token Slack does not know', () => 'xapp-1-A0TRIAGEAPP-1-revoked'],
    ['missing_scope', 'a token without connections:write', () => APP_TOKEN],
  ])(
    'ends start-up with StartupError naming SLACK_APP_TOKEN on %s (%s)',
    async (code, _what, token) => {
      if (code === 'missing_scope') socket.failOpen({ error: 'missing_scope' }, 100);
      const app = await start({}, token());
      const err = await app.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartupError);
      expect(err).toMatchObject({ code: 'slack_app_token_rejected', variable: 'SLACK_APP_TOKEN' });
      expect((err as Error).message).toContain(`Slack rejected SLACK_APP_TOKEN (${code})`);
      expect((err as Error).message).not.toContain(token());
      expect(socket.connections).toHaveLength(0);
    },
    30_000,
  );
});

describe('the app process in Socket Mode', () => {
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    fake = await startFakeSlack({});
    socket = await startFakeSocketMode({ api: fake, appToken: APP_TOKEN });
  });
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });
  afterAll(async () => {
    await socket.stop();
    await fake.stop();
  });

  /** Runs `triage-app` with the local Slack; `lines` collects stdout and stderr, line by line. */
  function run(env: Record<string, string>) {
    const started = spawnCollectingLines(APP, {
      ...process.env,
      CI: '',
      SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
      SLACK_API_URL: socket.url,
      // Any answer below 500 counts as reachable.
      PROMETHEUS_URL: fake.origin,
      TRIAGE_DB_PATH: ':memory:',
      ...env,
    });
    child = started.child;
    return started;
  }

  it('connects, reports ready, writes only JSON to stderr and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const opened = socket.connections.length;
    const { child: c, lines } = run({ SLACK_APP_TOKEN: APP_TOKEN, PORT: String(port) });
    await until(
      'ready',
      async () => ((await probe(port, '/readyz').catch(() => undefined))?.status === 200 ? true : undefined),
      30_000,
    );
    expect(socket.connections.length).toBe(opened + 1);
    c.kill('SIGTERM');
    expect(await waitForExit(c, 15_000)).toBe(true);
    expect(c.exitCode).toBe(0);
    const parsed = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as { msg?: string });
    expect(parsed.map((p) => p.msg)).toEqual(expect.arrayContaining(['Socket Mode connected', 'Triage is listening']));
    expect(lines.join('\n')).not.toContain(APP_TOKEN);
  }, 60_000);

  it('ends with exit 1 and one JSON line naming SLACK_APP_TOKEN when Slack rejects it', async () => {
    const revoked = 'xapp-1-A0TRIAGEAPP-1-revokedtoken';
    const { child: c, lines } = run({ SLACK_APP_TOKEN: revoked, PORT: String(await freePort()) });
    expect(await waitForExit(c, 30_000)).toBe(true);
    expect(c.exitCode).toBe(1);
    const parsed = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = parsed.filter((p) => p.fatal === true);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 'slack_app_token_rejected', variable: 'SLACK_APP_TOKEN' });
    expect(String(fatal[0]?.msg)).toMatch(/Slack rejected SLACK_APP_TOKEN \(invalid_auth\)/);
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
    expect(lines.join('\n')).not.toContain(revoked);
  }, 40_000);
});
