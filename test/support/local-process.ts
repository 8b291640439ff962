/**
 * What the real-binary test helpers (Prometheus, Alertmanager) share: finding a binary, telling CI apart, a free
 * loopback port, readiness polling, and waiting for a child process to exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { delimiter, join } from 'node:path';

export function findExecutable(name: string, override: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = override
    ? [override]
    : [...(env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export class Tail {
  readonly #lines: string[] = [];
  #partial = '';
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  push(chunk: Buffer | string): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      this.#lines.push(line);
      if (this.#lines.length > this.#max) this.#lines.shift();
    }
  }

  toString(): string {
    return [...this.#lines, this.#partial].filter((l) => l.length > 0).join('\n');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  /** True once `${url}/-/ready` answered 200 within the timeout. */
  ready: boolean;
  /** Why it could not be started, when spawning itself failed. */
  spawnError: Error | undefined;
  startupMs: number;
  /** Stops killing the child when the test process exits (after `stop()`). */
  forget(): void;
}

/**
 * Spawns a server binary, keeps its output in `tail`, and polls `${url}/-/ready` until it answers 200, the process
 * exits, or `timeoutMs` passes. The child is killed if the test process exits first.
 */
export async function spawnUntilReady(
  command: string,
  args: readonly string[],
  options: { url: string; tail: Tail; timeoutMs: number; pollMs: number },
): Promise<Spawned> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => options.tail.push(c));
  child.stderr?.on('data', (c: Buffer) => options.tail.push(c));
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + options.timeoutMs;
  let ready = false;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (await isReady(options.url)) {
      ready = true;
      break;
    }
    await sleep(options.pollMs);
  }
  return {
    child,
    ready,
    spawnError,
    startupMs: performance.now() - started,
    forget: () => process.removeListener('exit', killOnExit),
  };
}

/** Stops a started server: SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
export async function stopChild(spawned: Spawned, graceMs: number): Promise<void> {
  spawned.forget();
  spawned.child.kill('SIGTERM');
  if (!(await waitForExit(spawned.child, graceMs))) {
    spawned.child.kill('SIGKILL');
    await waitForExit(spawned.child, 5_000);
  }
}

/**
 * Kills a server that did not become ready and explains why: it could not be spawned, it exited (with its last
 * output), or it was not ready in time. `portRace` says whether another attempt on a new port is worthwhile.
 */
export async function startFailure(
  spawned: Spawned,
  what: { name: string; command: string; url: string; timeoutMs: number; tail: Tail },
): Promise<{ error: Error; portRace: boolean }> {
  spawned.forget();
  spawned.child.kill('SIGKILL');
  await waitForExit(spawned.child, 5_000);
  const output = what.tail.toString();
  const { child, spawnError } = spawned;
  const exited = child.exitCode !== null || child.signalCode !== null;
  const error = new Error(
    spawnError
      ? `could not run ${what.command}: ${spawnError.message}`
      : exited
        ? `${what.name} (${what.command}) exited with ${child.exitCode ?? child.signalCode} before ${what.url}/-/ready answered. Last output:\n${output}`
        : `${what.name} at ${what.url} was not ready within ${what.timeoutMs} ms. Last output:\n${output}`,
  );
  return { error, portRace: /address already in use/i.test(output) };
}

/** A loopback port with nothing listening on it (connections are refused). */
export async function closedPort(): Promise<number> {
  return freePort();
}

/**
 * Starts an HTTP server on a free loopback port; `close()` destroys the open connections first, so a server that
 * holds requests unanswered still closes at once.
 */
export async function listenOnLoopback(server: HttpServer): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A child app (a tsx script) that prints `{"port":N}` on stdout once it listens; its stderr is kept in `output`. */
export interface PortReportingApp {
  child: ChildProcess;
  port: number;
  output: string[];
}

/** Starts `script` with tsx and waits (60 s at most) for the `{"port":N}` line it prints once it listens. */
export async function startPortReportingApp(script: string, env: NodeJS.ProcessEnv): Promise<PortReportingApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`the app did not start: ${output.join('').slice(-2000)}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      buffer += c.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) {
        clearTimeout(timer);
        resolve(Number((JSON.parse(line) as { port: number }).port));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited (${code}) before listening: ${output.join('').slice(-2000)}`));
    });
  });
  return { child, port, output };
}

/** Kills a child app with SIGKILL (a crash) and waits for it to be gone; nothing when it already exited. */
export async function kill9(app: { child: ChildProcess } | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGKILL');
  await exited;
}

/** Runs a Node script with `env`; `lines` collects its stderr line by line, and stdout chunks as `stdout: …`. */
export function spawnCollectingLines(script: string, env: NodeJS.ProcessEnv): { child: ChildProcess; lines: string[] } {
  const lines: string[] = [];
  let partial = '';
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stdout?.on('data', (c: Buffer) => lines.push(`stdout: ${c.toString()}`));
  return { child, lines };
}
