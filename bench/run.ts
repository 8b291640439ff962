/**
 * npm run bench — figures against a real, local Prometheus with the backfilled scenarios (needs Debian's
 * prometheus package) and the fake Slack on loopback. Prints, per scenario, the wall time of one diagnosis
 * in-process (median of several runs, cache cold each time) and the queries it sends; then the benchmark table (Slack
 * acks and replies, critical path, query de-duplication, the alert storm, memory), the data-source fault matrix, the
 * command line's start as a new process, Slack faults at start-up, and kill -9 / restart during diagnoses.
 */
import { cpus } from 'node:os';
import { loadPlaybooks } from '../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';
import { benchAlertStorm } from './alert-storm.js';
import { benchCharts } from './charts.js';
import { benchCliStart } from './cli-start.js';
import { benchCrashRestart } from './crash-restart.js';
import { benchCriticalPath } from './critical-path.js';
import { benchDedupe, benchFaultMatrix } from './datasources.js';
import { benchDiscovery } from './discovery.js';
import { benchMemory } from './memory.js';
import { benchScan, DEFAULT_CAP, SCAN_SIZES } from './scan.js';
import { benchSlack } from './slack.js';
import { benchStartupFaults } from './startup-faults.js';
import { type BenchRow, percentile, printTable } from './table.js';
import { benchThreadShape, spread } from './thread-shape.js';

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

  const out = (line: string) => process.stdout.write(`${line}\n`);
  const rows: BenchRow[] = [];
  const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

  // The first chart drawn in this process: its cold figure counts the libraries' load.
  rows.push(...(await benchCharts()));

  out('\nSlack');
  const rounds = Number(process.env.BENCH_ACK_ROUNDS ?? 3);
  const slack = await benchSlack(server.url, server.scenarios, rounds);
  const p99 = percentile(slack.acks, 99);
  rows.push({
    figure: `/diagnose ack, 20 concurrent × ${rounds} rounds (p50 / p99)`,
    value: `${ms(percentile(slack.acks, 50))} / ${ms(p99)} (${slack.answered}/${slack.acks.length} started)`,
    goal: 'p99 < 50 ms',
    pass: p99 < 50,
  });
  rows.push({
    figure: 'command → root message (live progress from here)',
    value: ms(slack.rootMs),
    goal: '< 1 s',
    pass: slack.rootMs < 1000,
  });
  rows.push({
    figure: 'command → first thread reply (the charts or first findings, once the diagnosis is over)',
    value: ms(slack.firstReplyMs),
    goal: '—',
    pass: null,
  });
  rows.push({
    figure: 'command → conclusion on the root message',
    value: ms(slack.conclusionMs),
    goal: '—',
    pass: null,
  });
  rows.push({
    figure: 'command → final ledger',
    value: `${ms(slack.ledgerMs)} (${slack.replies} replies)`,
    goal: '—',
    pass: null,
  });

  const shape = await benchThreadShape(server.url, server.scenarios, Number(process.env.BENCH_SHAPE_SCENARIOS ?? 24));
  const shapeMessages = spread(shape.messages);
  const shapeLedger = spread(shape.ledgerMs);
  rows.push({
    figure: `messages per diagnosis, ${shape.diagnoses} scenarios (median / max; root, replies, charts)`,
    value: `${shapeMessages.median} / ${shapeMessages.max} (charts uploaded in ${shape.withCharts})`,
    goal: '≤ 8',
    pass: shapeMessages.max <= 8,
  });
  rows.push({
    figure: `command → ledger in the thread, ${shape.diagnoses} scenarios (median / max)`,
    value: `${ms(shapeLedger.median)} / ${ms(shapeLedger.max)} (${shape.rateLimited} × 429)`,
    goal: '< 6 s, no 429',
    pass: shapeLedger.max < 6000 && shape.rateLimited === 0,
  });

  const critical = await benchCriticalPath(
    server.url,
    server.scenarios,
    playbooks,
    Number(process.env.BENCH_CRITICAL_ROUNDS ?? 5),
  );
  const single = critical.worstSingle;
  rows.push({
    figure: `wall ÷ critical path (${critical.figures.length} scenarios × ${critical.rounds} runs; median / worst scenario)`,
    value:
      `${critical.median.toFixed(2)} / ${critical.worst.ratio.toFixed(2)} (${critical.worst.scenario}: ${ms(critical.worst.wallMs)} vs ${ms(critical.worst.criticalMs)}); ` +
      `worst single run ${single.ratio.toFixed(2)} (${single.scenario})`,
    goal: '≤ 1.3',
    pass: critical.worst.ratio <= 1.3,
  });

  const discovery = await benchDiscovery();
  out(`\nService discovery on a Prometheus holding ${discovery.otherNames} other metric names`);
  for (const c of discovery.cases) {
    out(`  "${c.text}" → ${c.found}: ${c.requests} request(s), ${ms(c.ms)}`);
  }
  const mostRequests = Math.max(...discovery.cases.map((c) => c.requests));
  rows.push({
    figure: `discovery among ${discovery.otherNames} other names: requests (found / with stores and callees / unknown)`,
    value: discovery.cases.map((c) => String(c.requests)).join(' / '),
    goal: '≤ 10',
    pass: mostRequests <= 10,
  });

  const scan = await benchScan();
  out('\n"What moved" scan of a service exposing N families of its own (one of them moving)');
  for (const c of scan) {
    out(
      `  ${String(c.families).padStart(5)} families, cap ${c.cap}: read ${c.read}, ${c.requests} request(s), ${ms(c.ms)}; top mover ${c.topMover}`,
    );
  }
  const byDefault = scan.filter((c) => c.cap === DEFAULT_CAP);
  rows.push({
    figure: `what-moved scan, ${SCAN_SIZES.join(' / ')} families (cap ${DEFAULT_CAP}): requests, time`,
    value: byDefault.map((c) => `${c.requests} req, ${ms(c.ms)}`).join(' / '),
    goal: '≤ 5 requests',
    pass: byDefault.every((c) => c.requests <= 5),
  });

  const dedupeScenario = server.scenarios.find((x) => x.cause === 'bad-deploy') ?? server.scenarios[0];
  if (dedupeScenario) {
    const dedupe = await benchDedupe(server.url, dedupeScenario, playbooks);
    rows.push({
      figure: '10 concurrent diagnoses of one service: queries sent (distinct)',
      value: `${dedupe.ten.sent} (${dedupe.ten.distinct}); one diagnosis: ${dedupe.one.sent} (${dedupe.one.distinct})`,
      goal: 'each distinct query once',
      pass: dedupe.ten.sent === dedupe.ten.distinct && dedupe.ten.sent <= dedupe.one.sent,
    });
  }

  const storm = await benchAlertStorm(server.url, server.scenarios, out);
  const r = storm.storm;
  const lost = r.sent - r.threaded.length - r.noted.length - r.notDiagnosed;
  const limited = Object.values(r.rateLimited).reduce((a, b) => a + b, 0);
  rows.push({
    figure: 'one alert on a quiet channel → first thread reply',
    value: ms(storm.quietFirstReplyMs),
    goal: '< 1 s',
    pass: storm.quietFirstReplyMs < 1000,
  });
  rows.push({
    figure: `alert storm: ${r.sent} alerts in ${(r.sentInMs / 1000).toFixed(0)} s, one channel`,
    value: `threaded ${r.threaded.length}, grouped/repeats ${r.noted.length}, in storm summary ${r.notDiagnosed}, lost ${lost}; ${r.calls} Slack calls, ${limited} × 429; done in ${(r.handledInMs / 1000).toFixed(0)} s`,
    goal: '0 dropped',
    pass: lost === 0,
  });

  const first = Number(process.env.BENCH_MEMORY_FIRST ?? 1000);
  const total = Number(process.env.BENCH_MEMORY_TOTAL ?? 10_000);
  const memory = await benchMemory(first, total);
  const [a, b] = memory.readings;
  if (a && b) {
    rows.push({
      figure: `RSS after ${a.runs} / ${b.runs} diagnoses (forced GC; heap)`,
      value: `${a.rss.toFixed(1)} / ${b.rss.toFixed(1)} MiB, growth ${(b.rss - a.rss).toFixed(1)} MiB (heap ${a.heap.toFixed(1)} → ${b.heap.toFixed(1)} MiB; ${memory.msPerRun.toFixed(1)} ms/run)`,
      goal: 'growth < 10 MB',
      pass: (b.rss - a.rss) * 1.048576 < 10,
    });
  }

  out(`\nBenchmark table — ${cpus().length} cores, Node ${process.version}\n`);
  printTable(rows, out);

  if (dedupeScenario) {
    const matrix = await benchFaultMatrix(server.url, dedupeScenario, playbooks);
    out('\nFault matrix (each fault × each source: run ends within its deadline, the steps name the source)\n');
    printTable(
      matrix.rows.flatMap((row) =>
        row.cells.map((cell, i) => ({
          figure: `${row.fault} × ${matrix.sources[i]}`,
          value: `${cell.detail}, ${ms(cell.ms)}`,
          goal: 'pass',
          pass: cell.pass,
        })),
      ),
      out,
    );
  }

  const cliScenario = server.scenarios[0];
  const extra: BenchRow[] = [];
  if (cliScenario) {
    out('\nThe command line as a new process (builds dist/ first)');
    extra.push(...(await benchCliStart(server.url, cliScenario)));
  }
  out('\nSlack at start-up (the app as a child process against the fake Slack)');
  extra.push(...(await benchStartupFaults()));
  out('\nkill -9 and restart during diagnoses (the app as a child process, one SQLite file)');
  extra.push(...(await benchCrashRestart({ runs: Number(process.env.BENCH_CRASH_RUNS ?? 50) })));
  out('');
  printTable(extra, out);
} finally {
  await server.stop();
}
