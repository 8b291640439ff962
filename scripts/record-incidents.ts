/**
 * Records scenarios from the real scenario Prometheus into fixtures/recordings/<id>.json: the answers to the
 * queries the selected playbook sends, plus every catalogue signal for the service, so `triage playbooks test` and
 * the demo replay offline even after playbooks change which signals they read. By default the scenarios already
 * recorded are recorded again; name scenario ids to record others.
 *
 *   npm run record [-- <scenario-id> …]      (needs Debian's prometheus package)
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalog } from '../src/adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../src/adapters/prometheus/prometheus-metrics-source.js';
import type { Recording } from '../src/adapters/replay/recording.js';
import { RecordingMetricsSource } from '../src/adapters/replay/recording-metrics-source.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import type { Playbook } from '../src/domain/playbook/schema.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';

const OUT = 'fixtures/recordings';
const RECORDED_URL = 'http://prometheus.example:9090';

const catalog = await loadCatalog();
/** One step per catalogue signal, no hypotheses: running it records every signal's answers. */
const everySignal: Playbook = {
  id: 'every-signal',
  title: 'Every catalogue signal',
  match: { kinds: [], codes: [] },
  steps: [...catalog.signals.signals.values()].map((s) => ({
    id: s.name.replace(/_/g, '-'),
    title: s.title,
    kind: 'metric' as const,
    signal: s.name,
  })),
  hypotheses: [],
  sources: [],
  signals: catalog.signals,
};

await mkdir(OUT, { recursive: true });
const named = process.argv.slice(2);
const wanted = new Set(
  named.length > 0 ? named : (await readdir(OUT)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)),
);
const server = await startScenarioPrometheus();
try {
  const playbooks = catalog.playbooks;
  for (const scenario of server.scenarios.filter((s) => wanted.has(s.id))) {
    const at = new Date(scenario.at);
    const recorder = new RecordingMetricsSource(new PrometheusMetricsSource({ url: server.url, timeoutMs: 10_000 }));
    const diagnoser = await createDiagnoser(
      { prometheus: { url: server.url, timeoutMs: 10_000 }, deadlineMs: 60_000 },
      {
        metrics: recorder,
        clock: { now: () => at },
        playbooks: [...playbooks, everySignal],
        mappings: catalog.mappings,
      },
    );
    const symptom = parseSymptom(scenario.symptom, { now: at });
    const result = await runToEnd(diagnoser.run({ runId: scenario.id, symptom }));
    await runToEnd(diagnoser.run({ runId: `${scenario.id}-all`, symptom, playbookId: everySignal.id }));
    const recording: Recording = {
      version: 1,
      name: scenario.id,
      description: scenario.description,
      symptom: scenario.symptom,
      at: scenario.at,
      expect: { topCause: scenario.cause === 'healthy' ? 'none' : scenario.cause },
      prometheusUrl: RECORDED_URL,
      calls: [...recorder.calls].map(([key, value]) => ({ key, result: value })),
    };
    await writeFile(join(OUT, `${scenario.id}.json`), `${JSON.stringify(recording)}\n`);
    const top = result.hypotheses[0];
    process.stdout.write(
      `${scenario.id.padEnd(40)} ${String(recording.calls.length).padStart(4)} answers  top: ${top?.cause ?? '-'} ${top ? Math.round(top.confidence * 100) : 0}%\n`,
    );
  }
} finally {
  await server.stop();
}
