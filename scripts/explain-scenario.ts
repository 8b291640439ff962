/** Prints the full report for the named scenarios (npx tsx scripts/explain-scenario.ts <id> …; Q=1 shows queries). */
import { loadPlaybooks } from '../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import { renderReport } from '../src/domain/report/render-text.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';

const server = await startScenarioPrometheus();
try {
  const playbooks = await loadPlaybooks('playbooks');
  for (const s of server.scenarios.filter((x) => process.argv.slice(2).includes(x.id))) {
    const at = new Date(s.at);
    const d = await createDiagnoser(
      { prometheus: { url: server.url, timeoutMs: 10000 }, playbooksDir: 'playbooks', deadlineMs: 60000 },
      { clock: { now: () => at }, playbooks },
    );
    const r = await runToEnd(d.run({ runId: s.id, symptom: parseSymptom(s.symptom, { now: at }) }));
    console.log(`=== ${s.id}: ${s.description}\n${s.evidence.join('\n')}\n`);
    console.log(renderReport(r, { queries: process.env.Q === '1' }));
  }
} finally {
  await server.stop();
}
