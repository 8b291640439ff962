/**
 * `triage diagnose --charts DIR`: one PNG per decisive signal written into DIR and named in the report's footer, the
 * JSON contract unchanged, and a DIR that cannot be created refused as a usage error before anything runs.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run-cli.js';
import { scenarioById } from '../scenarios/catalog.js';
import { cli } from '../support/cli.js';
import { closedPort } from '../support/local-process.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../support/prometheus/scenario-server.js';

const prometheus = requirePrometheus();
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-charts-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('triage diagnose --charts with a directory it cannot use', () => {
  it('exits 2 naming the flag, before diagnosing anything', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    const port = await closedPort();
    const r = await cli(['diagnose', '502 on checkout', '--charts', join(file, 'charts')], {
      PROMETHEUS_URL: `http://127.0.0.1:${port}`,
    });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`--charts ${join(file, 'charts')} cannot be used as the charts directory`);
    expect(r.stderr).toContain('(run triage diagnose --help for usage)');
    expect(r.stderr).not.toMatch(/could not be used:/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an empty directory name', async () => {
    const r = await cli(['diagnose', '502 on checkout', '--prometheus-url', 'http://127.0.0.1:1', '--charts', ' ']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--charts needs a directory/);
  });
});

/** The parts of the JSON contract that differ from one run to the next. */
function stable(json: string): unknown {
  return JSON.parse(json, (key, value) =>
    ['runId', 'startedAt', 'finishedAt', 'durationMs'].includes(key) ? undefined : value,
  );
}

describe.skipIf(!prometheus.available)('triage diagnose --charts on a real Prometheus', () => {
  let server: ScenarioPrometheus;
  const scenario = scenarioById('connection-pool-exhausted-micrometer');
  const args = () => ['diagnose', scenario.symptom, '--at', scenario.at, '--prometheus-url', server.url];

  beforeAll(async () => {
    server = await startScenarioPrometheus();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('writes one PNG per decisive signal into a new directory and lists them after the report', async () => {
    const charts = join(dir, 'new', 'charts');
    const r = await cli([...args(), '--charts', charts]);
    expect(r.code).toBe(EXIT.ok);
    const files = (await readdir(charts)).sort();
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files.length).toBeLessThanOrEqual(3);
    for (const f of files) {
      expect(f).toMatch(/^[a-z0-9-]+\.png$/);
      const png = await readFile(join(charts, f));
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([800, 360]);
    }
    const footer = r.stdout.slice(r.stdout.lastIndexOf('Charts:\n'));
    expect(footer.split('\n').filter(Boolean).slice(1).sort()).toEqual(files.map((f) => `  ${join(charts, f)}`));
    // The pool is the decisive signal of this scenario: its chart comes first.
    expect(footer.split('\n')[1]).toMatch(/pool/);
  });

  it('leaves the JSON contract as it is, and says where the charts went on stderr', async () => {
    const plain = await cli([...args(), '--json']);
    const withCharts = await cli([...args(), '--json', '--charts', dir]);
    expect(withCharts.code).toBe(EXIT.ok);
    expect(stable(withCharts.stdout)).toEqual(stable(plain.stdout));
    expect(withCharts.stdout).not.toContain('.png');
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(withCharts.stderr).toContain(join(dir, f));
  });
});

it.runIf(!prometheus.available)('needs Prometheus for the --charts tests', () => {
  if (process.env.CI) throw new Error(`CI must run the real-Prometheus tests: ${prometheus.reason}`);
  console.warn(`skipping the --charts tests: ${prometheus.reason}`);
});
