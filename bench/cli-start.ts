/**
 * How long `triage` takes as a new process, the way an installed package runs it: `triage --help`, and `triage
 * diagnose` against the scenario Prometheus, each the median (and the best) of several runs of the built
 * `dist/cli/main.js`, the bundle scripts/build-cli.mjs writes (rebuilt first; bin/triage.js adds a few ms, and in a
 * checkout whose dist/ is older than src/ it runs the sources through tsx instead, which is not what users run).
 * Other work on the machine slows every figure: the best run is the closest to an idle machine. The diagnosis time
 * is the one the report states on its last line; the rest is starting the command: Node's own start, the modules it
 * loads, reading and checking the playbooks and signals, opening the run store.
 *
 * The built command keeps V8's code cache of its bundle in the user's cache directory (src/cli/code-cache.ts); here
 * that directory is a temporary one, filled by a first run of each command that is not counted. The first start
 * after an install or an upgrade has no cache yet: its figure is the row measured with TRIAGE_CODE_CACHE=off.
 *
 * Run alone: `node --import tsx bench/cli-start.ts` (starts the scenario Prometheus itself).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../src/cli/run-cli.js';
import type { Scenario } from '../test/scenarios/catalog.js';
import { type BenchRow, median, printTable } from './table.js';

export interface CliStartOptions {
  /** The checkout whose bin/triage.js is measured; default this one. */
  root?: string;
  /** Runs per figure; default 5. */
  runs?: number;
  /** Build dist/ first with `npm run build` (default true): the figures are for the built command. */
  build?: boolean;
}

function timeProcess(root: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`triage ${args[0]} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** The diagnosis time the report states on its last line: `12 queries · 240 ms · run …`. */
function reportedMs(stdout: string): number {
  const m = /(\d+) queries · (\d+) ms · run /.exec(stdout);
  if (!m) throw new Error(`no "queries · ms" line in the report:\n${stdout}`);
  return Number(m[2]);
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

export async function benchCliStart(
  prometheusUrl: string,
  scenario: Scenario,
  options: CliStartOptions = {},
): Promise<BenchRow[]> {
  const root = resolve(options.root ?? '.');
  const runs = options.runs ?? 5;
  if (options.build !== false) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed: ${b.stdout}${b.stderr}`);
  }
  const state = mkdtempSync(join(tmpdir(), 'triage-bench-state-'));
  const env = {
    ...process.env,
    XDG_STATE_HOME: state,
    XDG_CACHE_HOME: join(state, 'cache'),
    TRIAGE_DB_PATH: join(state, 'runs.sqlite'),
  };
  const uncached = { ...env, TRIAGE_CODE_CACHE: 'off' };
  const diagnoseArgs = ['diagnose', scenario.symptom, '--prometheus-url', prometheusUrl, '--at', scenario.at];
  try {
    const nodeMs: number[] = [];
    const helpMs: number[] = [];
    const wallMs: number[] = [];
    const overMs: number[] = [];
    const statedMs: number[] = [];
    const coldOverMs: number[] = [];
    // The first runs create the store and each command's code cache: not counted.
    timeProcess(root, diagnoseArgs, env);
    timeProcess(root, ['--help'], env);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      nodeMs.push(performance.now() - t0);
      helpMs.push(timeProcess(root, ['--help'], env).ms);
      const d = timeProcess(root, diagnoseArgs, env);
      const stated = reportedMs(d.stdout);
      wallMs.push(d.ms);
      statedMs.push(stated);
      overMs.push(d.ms - stated);
      const cold = timeProcess(root, diagnoseArgs, uncached);
      coldOverMs.push(cold.ms - reportedMs(cold.stdout));
    }
    // The whole command in this process, modules loaded and code warm: the catalog load plus the diagnosis.
    const io = { stdout: () => {}, stderr: () => {} };
    await runCli([...diagnoseArgs, '--no-record'], {}, io);
    const inProcess: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const code = await runCli([...diagnoseArgs, '--no-record'], {}, io);
      inProcess.push(performance.now() - t0);
      if (code !== 0) throw new Error(`in-process diagnose exited ${code}`);
    }
    const help = median(helpMs);
    const over = median(overMs);
    const best = (xs: number[]) => Math.min(...xs);
    return [
      {
        figure: 'node -e 0 (Node start, for reference)',
        value: `${fmt(median(nodeMs))} (best ${fmt(best(nodeMs))})`,
        goal: '—',
        pass: null,
      },
      {
        figure: 'triage --help (new process)',
        value: `${fmt(help)} (best ${fmt(best(helpMs))})`,
        goal: '< 300 ms',
        pass: help < 300,
      },
      {
        figure: `triage diagnose (new process, "${scenario.symptom}")`,
        value: `${fmt(median(wallMs))} = diagnosis ${fmt(median(statedMs))} as reported + ${fmt(over)} (best ${fmt(best(overMs))})`,
        goal: 'diagnosis + 300 ms',
        pass: over <= 300,
      },
      {
        figure: 'triage diagnose, first start after an install (no code cache yet): diagnosis +',
        value: `${fmt(median(coldOverMs))} (best ${fmt(best(coldOverMs))})`,
        goal: '—',
        pass: null,
      },
      {
        figure: 'triage diagnose in-process, modules loaded (catalog load + diagnosis)',
        value: fmt(median(inProcess)),
        goal: '—',
        pass: null,
      },
    ];
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { startScenarioPrometheus } = await import('../test/support/prometheus/scenario-server.js');
  const server = await startScenarioPrometheus();
  try {
    const scenario = server.scenarios[0];
    if (!scenario) throw new Error('no scenario');
    const root = process.env.BENCH_ROOT;
    const rows = await benchCliStart(server.url, scenario, {
      ...(root ? { root } : {}),
      ...(process.env.BENCH_BUILD === '0' ? { build: false } : {}),
    });
    printTable(rows, (line) => process.stdout.write(`${line}\n`));
  } finally {
    await server.stop();
  }
}
