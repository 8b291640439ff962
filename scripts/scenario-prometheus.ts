/**
 * Starts a local Prometheus with every test scenario backfilled and keeps it running until Ctrl-C, so people can
 * poke at the data (the Debian 2.42 package serves the classic UI at /classic/graph).
 *
 *   npx tsx scripts/scenario-prometheus.ts
 *
 * Queries must pass a time inside a scenario's window (its `at`): the data is from October 2026 and instant
 * queries only look back 5 minutes.
 */
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';

function graphLink(url: string, expr: string, at: string): string {
  const end = at.replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z$/, '$1');
  const params = new URLSearchParams({
    'g0.expr': expr,
    'g0.tab': '0',
    'g0.range_input': '3h',
    'g0.end_input': end,
    'g0.step_input': '60',
  });
  return `${url}/classic/graph?${params.toString()}`;
}

const started = performance.now();
const server = await startScenarioPrometheus();
const t = server.timings;
process.stdout.write(
  `Prometheus with ${server.scenarios.length} scenarios: ${server.url}\n` +
    `  render ${Math.round(t.generateMs)} ms, backfill ${Math.round(t.backfillMs)} ms${t.cached ? ' (cached TSDB)' : ''}, ` +
    `start-up ${Math.round(t.startupMs)} ms, total ${Math.round(performance.now() - started)} ms` +
    `${t.samples ? `, ${t.samples} samples in ${t.series} series` : ''}\n\n`,
);
const rows = server.scenarios.map((s) => [s.id, s.service, s.convention, s.cause, s.at, s.symptom]);
const header = ['id', 'service', 'convention', 'cause', 'at', 'symptom'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join('  ')
    .trimEnd();
process.stdout.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
process.stdout.write('\nExample (first scenario, `up` of its job over the 3 h before `at`):\n');
const first = server.scenarios[0];
if (first) process.stdout.write(`  ${graphLink(server.url, `up{job=${JSON.stringify(first.service)}}`, first.at)}\n`);
process.stdout.write(
  `  curl -s '${server.url}/api/v1/query' --data-urlencode 'query=up' --data-urlencode 'time=${first?.at ?? ''}'\n\nCtrl-C stops it.\n`,
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping Prometheus…\n');
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
// Keep the event loop alive until a signal arrives.
setInterval(() => undefined, 1 << 30);
