/**
 * A real Prometheus for tests: OpenMetrics text → `promtool tsdb create-blocks-from openmetrics` → a TSDB cached by
 * the text's SHA-256 → a fresh `--storage.tsdb.path` with the blocks hard-linked in → `prometheus` on a loopback
 * port with no scrape configs, until `stop()`.
 *
 * Facts relied on (datasources.md §3, checked against Debian's 2.42): `--max-block-duration` is a hidden flag of
 * `create-blocks-from` accepted before or after `openmetrics`; it takes a Go duration (`720h`, not `30d`); blocks are
 * loaded at start-up; with no scrape configs and a 100-year retention, old backfilled blocks are never deleted.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findExecutable,
  freePort,
  isCi,
  sleep,
  spawnUntilReady,
  startFailure,
  stopChild,
  Tail,
} from '../local-process.js';

export interface PrometheusAvailability {
  available: boolean;
  /** Why it is not available (missing binary, not executable …). */
  reason?: string;
  prometheus?: string;
  promtool?: string;
}

export interface StartLocalPrometheusOptions {
  /** The OpenMetrics document (ending with `# EOF`), as one string or as chunks (for documents too big for one string). */
  openMetrics: string | Iterable<string>;
  /** Where backfilled TSDBs are cached; default `<os.tmpdir()>/triage-prom-cache`. */
  cacheDir?: string;
  /** How long to wait for `/-/ready`; default 60 s. */
  readyTimeoutMs?: number;
}

export interface BackfillResult {
  /** SHA-256 of the OpenMetrics text: the cache key. */
  sha256: string;
  /** Directory holding the block directories. */
  blocksDir: string;
  /** True when the TSDB came from the cache (no promtool run). */
  cached: boolean;
  /** Time spent running promtool (0 on a cache hit). */
  backfillMs: number;
}

export interface LocalPrometheus {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  backfill: BackfillResult;
  /** Time from spawning Prometheus until `/-/ready` answered 200. */
  startupMs: number;
  /** Kills Prometheus and removes its temporary directory (idempotent). */
  stop(): Promise<void>;
}

const DEFAULT_CACHE_DIR = join(tmpdir(), 'triage-prom-cache');

/** Whether `prometheus` and `promtool` can be run (PROMETHEUS_BIN / PROMTOOL_BIN override the PATH lookup). */
export function prometheusAvailability(env: NodeJS.ProcessEnv = process.env): PrometheusAvailability {
  const prometheus = findExecutable('prometheus', env.PROMETHEUS_BIN, env);
  const promtool = findExecutable('promtool', env.PROMTOOL_BIN, env);
  const missing = [prometheus ? undefined : 'prometheus', promtool ? undefined : 'promtool'].filter(
    (x) => x !== undefined,
  );
  if (missing.length > 0) {
    return {
      available: false,
      reason:
        `${missing.join(' and ')} not found on PATH${env.PROMETHEUS_BIN || env.PROMTOOL_BIN ? ' (or PROMETHEUS_BIN/PROMTOOL_BIN)' : ''}; ` +
        'install Debian’s package (`apt-get install prometheus`, 2.42) or set PROMETHEUS_BIN and PROMTOOL_BIN',
    };
  }
  return { available: true, ...(prometheus ? { prometheus } : {}), ...(promtool ? { promtool } : {}) };
}

/**
 * For test files that need a real Prometheus: `describe.skipIf(!requirePrometheus().available)(…)`.
 * When the binaries are missing it throws in CI (the test file fails with the reason) and, elsewhere, prints the
 * reason and reports `available: false` so the suite is skipped.
 */
export function requirePrometheus(env: NodeJS.ProcessEnv = process.env): { available: boolean; reason?: string } {
  const availability = prometheusAvailability(env);
  if (availability.available) return { available: true };
  const reason = availability.reason ?? 'Prometheus is not available';
  if (isCi(env)) {
    throw new Error(`The real-Prometheus tests must run in CI (CI=${env.CI}), but ${reason}.`);
  }
  process.stderr.write(`[triage tests] skipping real-Prometheus tests: ${reason}\n`);
  return { available: false, reason };
}

/** A bounded buffer of a child's output lines, for error messages. */

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const tail = new Tail(40);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: tail.toString() }));
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes the document to `file`, returning its SHA-256. */
function writeDocument(file: string, openMetrics: string | Iterable<string>): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  try {
    const chunks = typeof openMetrics === 'string' ? [openMetrics] : openMetrics;
    for (const chunk of chunks) {
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** SHA-256 of an OpenMetrics document (the cache key). */
export function openMetricsSha256(openMetrics: string | Iterable<string>): string {
  const hash = createHash('sha256');
  for (const chunk of typeof openMetrics === 'string' ? [openMetrics] : openMetrics) hash.update(chunk);
  return hash.digest('hex');
}

/** The cached TSDB directory for a document hash, if it was built before. */
export async function cachedBlocks(sha256: string, cacheDir: string = DEFAULT_CACHE_DIR): Promise<string | undefined> {
  const dir = join(cacheDir, sha256);
  return (await exists(dir)) ? dir : undefined;
}

/**
 * Backfills the document into TSDB blocks with promtool, or reuses the cached blocks of an identical document.
 * Concurrent callers (parallel test files) build once: the first takes a lock directory, the others wait for it.
 */
export async function backfill(
  openMetrics: string | Iterable<string>,
  options: { cacheDir?: string; promtool?: string; knownSha256?: string } = {},
): Promise<BackfillResult> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  await mkdir(cacheDir, { recursive: true });
  const promtool = options.promtool ?? prometheusAvailability().promtool;
  if (!promtool) throw new Error(prometheusAvailability().reason ?? 'promtool not found');

  // A string is hashed first, so a cache hit writes nothing; chunks are hashed while written.
  let sha = options.knownSha256 ?? (typeof openMetrics === 'string' ? openMetricsSha256(openMetrics) : undefined);
  if (sha) {
    const hit = await cachedBlocks(sha, cacheDir);
    if (hit) return { sha256: sha, blocksDir: hit, cached: true, backfillMs: 0 };
  }
  const build = await mkdtemp(join(cacheDir, '.build-'));
  try {
    const file = join(build, 'scenarios.om');
    const written = writeDocument(file, openMetrics);
    if (sha && sha !== written) throw new Error(`document hash ${written} differs from the expected ${sha}`);
    sha = written;
    const target = join(cacheDir, sha);
    if (await exists(target)) return { sha256: sha, blocksDir: target, cached: true, backfillMs: 0 };
    const lock = `${target}.lock`;
    if (!(await acquireLock(lock, target))) return { sha256: sha, blocksDir: target, cached: true, backfillMs: 0 };
    try {
      const out = join(build, 'blocks');
      const started = performance.now();
      // 2.42: the hidden --max-block-duration flag belongs to `create-blocks-from`; 720h gives 486h blocks, not 2h ones.
      const result = await run(promtool, [
        'tsdb',
        'create-blocks-from',
        '--max-block-duration=720h',
        'openmetrics',
        file,
        out,
      ]);
      const backfillMs = performance.now() - started;
      if (result.code !== 0) {
        throw new Error(`promtool tsdb create-blocks-from openmetrics failed (exit ${result.code}):\n${result.output}`);
      }
      const blocks = (await readdir(out, { withFileTypes: true })).filter((d) => d.isDirectory());
      if (blocks.length === 0) throw new Error(`promtool wrote no blocks:\n${result.output}`);
      await rename(out, target);
      return { sha256: sha, blocksDir: target, cached: false, backfillMs };
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  } finally {
    await rm(build, { recursive: true, force: true });
  }
}

/** Takes the build lock; false when another process finished the same TSDB while we waited. */
async function acquireLock(lock: string, target: string): Promise<boolean> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await exists(target)) return false;
    const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > 5 * 60_000) await rm(lock, { recursive: true, force: true }); // a crashed builder
    if (Date.now() > deadline) throw new Error(`timed out waiting for another process to build ${target}`);
    await sleep(250);
  }
}

/** Hard-links (or copies, across file systems) a directory tree. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      await linkTree(source, target);
    } else {
      try {
        await link(source, target);
      } catch {
        await copyFile(source, target);
      }
    }
  }
}

/** Starts Prometheus on already-backfilled blocks (see {@link backfill}). */
export async function startPrometheusOnBlocks(
  backfillResult: BackfillResult,
  options: { readyTimeoutMs?: number; prometheus?: string } = {},
): Promise<LocalPrometheus> {
  const prometheus = options.prometheus ?? prometheusAvailability().prometheus;
  if (!prometheus) throw new Error(prometheusAvailability().reason ?? 'prometheus not found');
  const root = await mkdtemp(join(tmpdir(), 'triage-prom-run-'));
  const dataDir = join(root, 'data');
  await linkTree(backfillResult.blocksDir, dataDir);
  const config = join(root, 'prometheus.yml');
  // No scrape configs: nothing is written to the head, so backfilled blocks are the only data.
  await writeFile(config, 'global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n');

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const tail = new Tail(60);
    const spawned = await spawnUntilReady(
      prometheus,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dataDir}`,
        '--storage.tsdb.retention.time=100y',
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
      ],
      { url, tail, timeoutMs: options.readyTimeoutMs ?? 60_000, pollMs: 100 },
    );
    const { ready, startupMs } = spawned;
    if (ready) {
      let stopped = false;
      return {
        url,
        backfill: backfillResult,
        startupMs,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await stopChild(spawned, 10_000);
          await rm(root, { recursive: true, force: true });
        },
      };
    }
    const failure = await startFailure(spawned, {
      name: 'Prometheus',
      command: prometheus,
      url,
      timeoutMs: options.readyTimeoutMs ?? 60_000,
      tail,
    });
    lastError = failure.error;
    if (!failure.portRace) break; // only a port race is worth another attempt
  }
  await rm(root, { recursive: true, force: true });
  throw lastError ?? new Error('Prometheus did not start');
}

/**
 * Backfills `openMetrics` (cached by its SHA-256) and starts a Prometheus on it, listening on 127.0.0.1 only.
 *
 * @example
 *   const prom = await startLocalPrometheus({ openMetrics: writer.toString() });
 *   try { await fetch(`${prom.url}/api/v1/query?query=up&time=…`) } finally { await prom.stop() }
 */
export async function startLocalPrometheus(options: StartLocalPrometheusOptions): Promise<LocalPrometheus> {
  const availability = prometheusAvailability();
  if (!availability.available) throw new Error(availability.reason);
  const result = await backfill(options.openMetrics, {
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(availability.promtool === undefined ? {} : { promtool: availability.promtool }),
  });
  return startPrometheusOnBlocks(result, {
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    ...(availability.prometheus === undefined ? {} : { prometheus: availability.prometheus }),
  });
}

/** The version line of the installed promtool (part of cache keys that skip generation). */
export function promtoolVersion(): string {
  const promtool = prometheusAvailability().promtool;
  if (!promtool) return 'none';
  const result = spawnSync(promtool, ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr || '').split('\n')[0] ?? 'unknown';
}

export { DEFAULT_CACHE_DIR };
