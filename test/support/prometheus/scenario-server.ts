/**
 * One Prometheus holding every scenario of test/scenarios/catalog.ts.
 *
 * The scenarios are rendered into a single OpenMetrics document (one writer, so each family is declared once) and
 * backfilled; the TSDB is cached by the document's SHA-256. Rendering takes several seconds, so an index keyed by a
 * hash of the generator's source files (and promtool's version) remembers which document those sources produce:
 * when the sources have not changed, the cached blocks are used without rendering anything.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, type Scenario, writeScenarios } from '../../scenarios/catalog.js';
import {
  backfill,
  cachedBlocks,
  DEFAULT_CACHE_DIR,
  prometheusAvailability,
  promtoolVersion,
  startPrometheusOnBlocks,
} from './local-prometheus.js';
import { OpenMetricsWriter } from './openmetrics-writer.js';

export interface ScenarioPrometheus {
  url: string;
  scenarios: readonly Scenario[];
  stop(): Promise<void>;
  timings: {
    /** Rendering the scenarios to OpenMetrics (0 when the source index hit). */
    generateMs: number;
    /** promtool backfill (0 on a cache hit). */
    backfillMs: number;
    /** Spawn to `/-/ready`. */
    startupMs: number;
    /** Whether the TSDB came from the cache. */
    cached: boolean;
    /** Samples and series rendered (undefined when nothing was rendered). */
    samples?: number;
    series?: number;
  };
}

export interface StartScenarioPrometheusOptions {
  cacheDir?: string;
  /** A subset of the catalogue (default: all). */
  scenarios?: readonly Scenario[];
  readyTimeoutMs?: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SCENARIO_DIR = resolve(HERE, '../../scenarios');

/** A hash of everything that determines the rendered document. */
async function sourceKey(scenarios: readonly Scenario[]): Promise<string> {
  const hash = createHash('sha256');
  const files = [
    join(SCENARIO_DIR, 'catalog.ts'),
    join(HERE, 'openmetrics-writer.ts'),
    join(HERE, 'scenario-server.ts'),
    ...(
      await Promise.all(
        ['model', 'conventions'].map(async (dir) =>
          (
            await readdir(join(SCENARIO_DIR, dir))
          )
            .filter((f) => f.endsWith('.ts'))
            .map((f) => join(SCENARIO_DIR, dir, f)),
        ),
      )
    ).flat(),
  ].sort();
  for (const file of files) {
    hash.update(file.slice(SCENARIO_DIR.length));
    hash.update(await readFile(file));
  }
  hash.update(scenarios.map((s) => s.id).join(','));
  hash.update(promtoolVersion());
  return hash.digest('hex');
}

/** Renders the scenarios, backfills them (cached) and starts Prometheus on 127.0.0.1. */
export async function startScenarioPrometheus(
  options: StartScenarioPrometheusOptions = {},
): Promise<ScenarioPrometheus> {
  const availability = prometheusAvailability();
  if (!availability.available) throw new Error(availability.reason);
  const scenarios = options.scenarios ?? SCENARIOS;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const indexDir = join(cacheDir, 'by-source');
  await mkdir(indexDir, { recursive: true });
  const key = await sourceKey(scenarios);
  const indexFile = join(indexDir, key);

  let generateMs = 0;
  let stats: { samples: number; series: number } | undefined;
  let result: Awaited<ReturnType<typeof backfill>> | undefined;
  const known = await readFile(indexFile, 'utf8').catch(() => undefined);
  if (known) {
    const blocksDir = await cachedBlocks(known.trim(), cacheDir);
    if (blocksDir) result = { sha256: known.trim(), blocksDir, cached: true, backfillMs: 0 };
  }
  if (!result) {
    const started = performance.now();
    const writer = new OpenMetricsWriter();
    writeScenarios(writer, scenarios);
    generateMs = performance.now() - started;
    stats = writer.stats();
    const chunksStarted = performance.now();
    result = await backfill(writer.chunks(), {
      cacheDir,
      ...(availability.promtool === undefined ? {} : { promtool: availability.promtool }),
    });
    // Rendering the text (validation, formatting, hashing, writing) happens while chunks are consumed.
    generateMs += performance.now() - chunksStarted - result.backfillMs;
    await writeFile(indexFile, `${result.sha256}\n`);
  }
  const prometheus = await startPrometheusOnBlocks(result, {
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    ...(availability.prometheus === undefined ? {} : { prometheus: availability.prometheus }),
  });
  return {
    url: prometheus.url,
    scenarios,
    stop: prometheus.stop,
    timings: {
      generateMs,
      backfillMs: result.backfillMs,
      startupMs: prometheus.startupMs,
      cached: result.cached,
      ...(stats ? { samples: stats.samples, series: stats.series } : {}),
    },
  };
}
