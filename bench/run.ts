/**
 * npm run bench — figures against a real, local Prometheus with the backfilled scenarios (needs Debian's
 * prometheus package). Prints, per scenario, the wall time of one diagnosis in-process (median of several runs,
 * cache cold each time) and the queries it sends; then the wall time of the whole `triage diagnose` command
 * (a new process: start-up, playbook loading, discovery, steps, report).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { loadPlaybooks } from '../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';
import { benchAlertStorm } from './alert-storm.js';
import { benchSlack } from './slack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const server = await startScenarioPrometheus();
try {
  const playbooks = await loadPlaybooks('playbooks');
  process.stdout.write(`Triage bench — ${cpus().length} cores, Node ${process.version}, ${RUNS} runs each\n\n`);
  process.stdout.write(
    `${'scenario'.padEnd(40)} ${'playbook'.padEnd(16)} ${'top cause'.padEnd(26)} conf  queries  median ms\n`,
  );
  const all: number[] = [];
  const queryCounts: number[] = [];
  for (const scenario of server.scenarios) {
    const at = new Date(scenario.at);
    const times: number[] = [];
    let line = '';
    for (let i = 0; i < RUNS; i++) {
      const diagnoser = await createDiagnoser(
        { prometheus: { url: server.url, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
        { clock: { now: () => at }, playbooks },
      );
      const t0 = performance.now();
      const result = await runToEnd(
        diagnoser.run({ runId: `bench-${i}`, symptom: parseSymptom(scenario.symptom, { now: at }) }),
      );
      times.push(performance.now() - t0);
      const top = result.hypotheses[0];
      if (i === 0) queryCounts.push(result.queries);
      line = `${scenario.id.padEnd(40)} ${result.playbook.padEnd(16)} ${(top && top.confidence >= 0.5 ? top.cause : 'none').padEnd(26)} ${(top?.confidence ?? 0).toFixed(2)}  ${String(result.queries).padStart(7)}`;
    }
    all.push(...times);
    process.stdout.write(`${line}  ${median(times).toFixed(0).padStart(9)}\n`);
  }
  process.stdout.write(
    `\nin-process diagnosis: median ${median(all).toFixed(0)} ms over ${all.length} runs; queries per diagnosis: median ${median(queryCounts)}, min ${Math.min(...queryCounts)}, max ${Math.max(...queryCounts)}\n`,
  );

  const scenario = server.scenarios[0];
  if (scenario) {
    const cliTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        ['bin/triage.js', 'diagnose', scenario.symptom, '--at', scenario.at, '--prometheus-url', server.url, '--json'],
        { encoding: 'utf8' },
      );
      cliTimes.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`triage diagnose exited ${r.status}: ${r.stderr}`);
    }
    process.stdout.write(
      `triage diagnose (whole command, new process, "${scenario.symptom}"): median ${median(cliTimes).toFixed(0)} ms over ${RUNS} runs\n`,
    );
  }
  process.stdout.write('\nSlack\n');
  await benchSlack(server.url, server.scenarios, (line) => process.stdout.write(`${line}\n`));
  await benchAlertStorm(server.url, server.scenarios, (line) => process.stdout.write(`${line}\n`));
} finally {
  await server.stop();
}
