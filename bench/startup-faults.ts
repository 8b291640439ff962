/**
 * Slack at start-up, with the app as a child process (bin/triage-app.js) against the fake Slack server: a token Slack
 * rejects, Slack out of reach for a while and then back, Slack answering 500s. Each row says how the process ended
 * (or when it became ready) and whether every stderr line was one JSON object.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../test/support/fake-slack/fake-slack-server.js';
import { freePort, waitForExit } from '../test/support/local-process.js';
import type { BenchRow } from './table.js';

const APP = new URL('../bin/triage-app.js', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  lines: string[];
  port: number;
  t0: number;
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(a && typeof a === 'object' ? a.port : port);
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Stands in for Prometheus: answers the start-up probe. */
async function startPrometheusStub(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"success","data":{"version":"bench"}}');
  });
  return { url: `http://127.0.0.1:${await listen(server)}`, server };
}

/** Forwards every request on `port` to the fake Slack (started when Slack "comes back"). */
async function startForwarder(port: number, fake: FakeSlack): Promise<Server> {
  const target = new URL(fake.origin);
  const server = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await listen(server, port);
  return server;
}

async function spawnApp(env: Record<string, string>, dir: string, name: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [APP], {
    env: {
      ...process.env,
      CI: '',
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      PORT: String(port),
      TRIAGE_DB_PATH: join(dir, `${name}.sqlite`),
      TRIAGE_REPLICA_ID: `bench-${name}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stderr?.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  child.stdout?.on('data', (c: Buffer) =>
    lines.push(
      ...c
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    ),
  );
  child.on('exit', () => {
    if (partial !== '') lines.push(partial);
  });
  return { process: child, lines, port, t0: performance.now() };
}

async function readyz(child: Child): Promise<number | 'refused'> {
  try {
    return (await fetch(`http://127.0.0.1:${child.port}/readyz`)).status;
  } catch {
    return 'refused';
  }
}

/** Seconds from `since` until /readyz answers 200, or undefined if the child exits or `timeoutMs` passes. */
async function readyAfter(child: Child, since: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && child.process.exitCode === null) {
    if ((await readyz(child)) === 200) return (performance.now() - since) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

function allJson(lines: readonly string[]): boolean {
  return lines.every((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return v !== null && typeof v === 'object';
    } catch {
      return false;
    }
  });
}

async function end(child: Child): Promise<void> {
  if (child.process.exitCode === null) {
    child.process.kill('SIGTERM');
    if (!(await waitForExit(child.process, 10_000))) child.process.kill('SIGKILL');
  }
}

/**
 * The three Slack start-up faults. `outageMs` is how long Slack stays out of reach in the second case (30 s by
 * default; shorter to keep a quick run quick); `errorMs` how long Slack answers 500s in the third.
 */
export async function benchStartupFaults(options: { outageMs?: number; errorMs?: number } = {}): Promise<BenchRow[]> {
  const outageMs = options.outageMs ?? 30_000;
  const errorMs = options.errorMs ?? 8_000;
  const dir = await mkdtemp(join(tmpdir(), 'triage-startup-bench-'));
  const fake = await startFakeSlack({});
  const prometheus = await startPrometheusStub();
  const rows: BenchRow[] = [];
  const base = { PROMETHEUS_URL: prometheus.url };
  try {
    // 1. A token Slack rejects: one JSON line naming SLACK_BOT_TOKEN, exit 1, within seconds.
    {
      const child = await spawnApp(
        { ...base, SLACK_BOT_TOKEN: 'xoxb-revoked-token', SLACK_API_URL: fake.url },
        dir,
        'invalid-token',
      );
      const exited = await waitForExit(child.process, 30_000);
      const seconds = (performance.now() - child.t0) / 1000;
      const fatal = child.lines.filter((l) => l.includes('"fatal":true'));
      const json = allJson(child.lines);
      const names = fatal.length === 1 && /SLACK_BOT_TOKEN/.test(fatal[0] ?? '') && /invalid_auth/.test(fatal[0] ?? '');
      const stack = child.lines.some((l) => /\n\s+at |^\s+at /.test(l));
      rows.push({
        figure: 'Slack at start-up: invalid token',
        value: `exit ${child.process.exitCode ?? 'none'} after ${seconds.toFixed(1)} s; one fatal line naming SLACK_BOT_TOKEN: ${names ? 'yes' : 'no'}; stderr all JSON: ${json ? 'yes' : 'no'}`,
        goal: 'exit 1, one JSON line, no stack trace',
        pass: exited && child.process.exitCode === 1 && names && json && !stack,
      });
      await end(child);
    }
    // 2. Slack out of reach, then back: stays up and not ready, then ready by itself.
    {
      const slackPort = await freePort();
      const child = await spawnApp(
        { ...base, SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token, SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/` },
        dir,
        'slack-down',
      );
      const statuses = new Set<string>();
      const outageEnd = child.t0 + outageMs;
      while (performance.now() < outageEnd && child.process.exitCode === null) {
        statuses.add(String(await readyz(child)));
        await new Promise((r) => setTimeout(r, 250));
      }
      const forwarder = await startForwarder(slackPort, fake);
      const back = performance.now();
      const after = await readyAfter(child, back, 60_000);
      const json = allJson(child.lines);
      rows.push({
        figure: `Slack at start-up: down ${Math.round(outageMs / 1000)} s, then back`,
        value: `up during the outage: ${child.process.exitCode === null ? 'yes' : 'no'}; /readyz during it: ${[...statuses].join('/')}; ready ${after === undefined ? 'never' : `${after.toFixed(1)} s after Slack came back`}; stderr all JSON: ${json ? 'yes' : 'no'}`,
        goal: 'stays up, 503, then ready by itself',
        pass: after !== undefined && statuses.has('503') && !statuses.has('200') && json,
      });
      await end(child);
      await close(forwarder);
    }
    // 3. Slack answering 500s: retried, not ready, no crash; ready once Slack answers again.
    {
      fake.reset();
      fake.failNext('auth.test', { status: 500, body: 'upstream error' }, 10_000);
      const child = await spawnApp(
        { ...base, SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token, SLACK_API_URL: fake.url },
        dir,
        'slack-500',
      );
      // The window starts once the app listens (loading the app takes a few seconds).
      const listening = performance.now() + 60_000;
      while (performance.now() < listening && child.process.exitCode === null && (await readyz(child)) === 'refused') {
        await new Promise((r) => setTimeout(r, 100));
      }
      const statuses = new Set<string>();
      const until = performance.now() + errorMs;
      while (performance.now() < until && child.process.exitCode === null) {
        statuses.add(String(await readyz(child)));
        await new Promise((r) => setTimeout(r, 250));
      }
      const attempts = fake.callsTo('auth.test').length;
      const alive = child.process.exitCode === null;
      fake.reset();
      const back = performance.now();
      const after = await readyAfter(child, back, 60_000);
      const json = allJson(child.lines);
      rows.push({
        figure: 'Slack at start-up: answering 500s',
        value: `${attempts} auth.test attempts in ${Math.round(errorMs / 1000)} s; up: ${alive ? 'yes' : 'no'}; /readyz: ${[...statuses].join('/')}; ready ${after === undefined ? 'never' : `${after.toFixed(1)} s after the 500s stopped`}; stderr all JSON: ${json ? 'yes' : 'no'}`,
        goal: 'retried, 503, no crash, then ready',
        pass: alive && attempts > 1 && statuses.has('503') && !statuses.has('200') && after !== undefined && json,
      });
      await end(child);
    }
  } finally {
    await fake.stop();
    await close(prometheus.server);
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
