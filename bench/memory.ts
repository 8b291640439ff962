/**
 * Resident memory after 1,000 and after 10,000 diagnoses in one process (a forced GC before each reading): the
 * engine, the query cache and the metrics observer on a recorded incident, so the runs are fast and identical.
 */
import { readFile } from 'node:fs/promises';
import { CachedMetricsSource } from '../src/adapters/cache/cached-metrics-source.js';
import { SelfMetrics } from '../src/adapters/metrics/self-metrics.js';
import { loadPlaybooks } from '../src/adapters/playbook-files/load-playbooks.js';
import { RecordingSchema } from '../src/adapters/replay/recording.js';
import { ReplayMetricsSource } from '../src/adapters/replay/replay-metrics-source.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';

function settle(): { rss: number; heap: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the bench with --expose-gc (npm run bench does)');
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
}

export async function benchMemory(first: number, total: number) {
  const recording = RecordingSchema.parse(
    JSON.parse(await readFile('fixtures/recordings/bad-deploy-prom-client.json', 'utf8')),
  );
  const at = new Date(recording.at);
  const playbooks = await loadPlaybooks('playbooks');
  const diagnoser = await createDiagnoser(
    { prometheus: { url: recording.prometheusUrl, timeoutMs: 5000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
    { metrics: new CachedMetricsSource(new ReplayMetricsSource(recording)), clock: { now: () => at }, playbooks },
  );
  const metrics = new SelfMetrics();
  const symptom = parseSymptom(recording.symptom, { now: at });
  const readings: { runs: number; rss: number; heap: number }[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= total; i++) {
    await runToEnd(metrics.observe(diagnoser.run({ runId: `mem-${i}`, symptom }), () => 'prometheus'));
    if (i === first || i === total) readings.push({ runs: i, ...settle() });
  }
  return { readings, msPerRun: (performance.now() - t0) / total };
}
