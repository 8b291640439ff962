/**
 * Data-source figures: queries that reach Prometheus for ten concurrent diagnoses of one service against one
 * diagnosis (the cache and its in-flight de-duplication should send each distinct query once), and the fault
 * matrix (each fault × each source: does the run end in time, naming the source, with the process up).
 */
import { CachedMetricsSource } from '../src/adapters/cache/cached-metrics-source.js';
import { PrometheusMetricsSource } from '../src/adapters/prometheus/prometheus-metrics-source.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import type { Playbook } from '../src/domain/playbook/schema.js';
import type { MetricsSource } from '../src/domain/ports.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import type { Scenario } from '../test/scenarios/catalog.js';
import { FAULTS, startFaultServer } from '../test/support/fault-server.js';

function counting(inner: PrometheusMetricsSource, sent: string[]): MetricsSource {
  const note = <T>(key: string, call: () => Promise<T>): Promise<T> => {
    sent.push(key);
    return call();
  };
  return {
    queryRange: (q, w, s, o) =>
      note(`range ${q} ${w.start.getTime()} ${w.end.getTime()} ${s}`, () => inner.queryRange(q, w, s, o)),
    queryRangeAndEarlier: (r, o) =>
      note(`pair ${r.query} ${r.window.start.getTime()} ${r.stepSeconds} ${r.shiftSeconds}`, () =>
        inner.queryRangeAndEarlier(r, o),
      ),
    queryInstant: (q, t, o) => note(`instant ${q} ${t.getTime()}`, () => inner.queryInstant(q, t, o)),
    series: (m, w, o) => note(`series ${m.join(',')} ${w.start.getTime()}`, () => inner.series(m, w, o)),
    labelValues: (l, w, m, o) => note(`labels ${l} ${w.start.getTime()}`, () => inner.labelValues(l, w, m, o)),
    linkFor: (q, w) => inner.linkFor(q, w),
  };
}

async function queriesFor(prometheusUrl: string, scenario: Scenario, playbooks: readonly Playbook[], runs: number) {
  const at = new Date(scenario.at);
  const sent: string[] = [];
  const metrics = new CachedMetricsSource(
    counting(new PrometheusMetricsSource({ url: prometheusUrl, timeoutMs: 10_000 }), sent),
  );
  const diagnoser = await createDiagnoser(
    { prometheus: { url: prometheusUrl, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
    { metrics, clock: { now: () => at }, playbooks },
  );
  await Promise.all(
    Array.from({ length: runs }, (_, i) =>
      runToEnd(diagnoser.run({ runId: `dedupe-${i}`, symptom: parseSymptom(scenario.symptom, { now: at }) })),
    ),
  );
  return { sent: sent.length, distinct: new Set(sent).size };
}

export async function benchDedupe(prometheusUrl: string, scenario: Scenario, playbooks: readonly Playbook[]) {
  const one = await queriesFor(prometheusUrl, scenario, playbooks, 1);
  const ten = await queriesFor(prometheusUrl, scenario, playbooks, 10);
  return { one, ten };
}

export interface FaultCell {
  pass: boolean;
  ms: number;
  detail: string;
}

const SOURCES = ['prometheus', 'loki', 'elasticsearch'] as const;

export async function benchFaultMatrix(prometheusUrl: string, scenario: Scenario, playbooks: readonly Playbook[]) {
  const at = new Date(scenario.at);
  const deadlineMs = 8000;
  const rows: { fault: string; cells: FaultCell[] }[] = [];
  for (const fault of FAULTS) {
    const cells: FaultCell[] = [];
    for (const source of SOURCES) {
      const server = await startFaultServer(fault);
      try {
        const diagnoser = await createDiagnoser(
          {
            prometheus: { url: source === 'prometheus' ? server.url : prometheusUrl, timeoutMs: 300 },
            ...(source === 'prometheus' ? {} : { logs: { [source]: { url: server.url } } }),
            playbooksDir: 'playbooks',
            deadlineMs,
          },
          { clock: { now: () => at }, playbooks },
        );
        const t0 = performance.now();
        const result = await runToEnd(
          diagnoser.run({ runId: 'fault', symptom: parseSymptom(scenario.symptom, { now: at }) }),
        );
        const ms = performance.now() - t0;
        const inTime = ms < deadlineMs + 2000;
        if (source === 'prometheus') {
          const named = result.error?.source === 'prometheus' && result.conclusion.kind === 'failed';
          cells.push({ pass: inTime && named, ms, detail: result.error?.code ?? 'no error' });
        } else {
          const logSteps = result.steps.filter((s) => s.id === 'log-errors' || s.id === 'log-patterns');
          const named =
            logSteps.length > 0 && logSteps.every((s) => s.status === 'errored' && s.error?.source === source);
          cells.push({ pass: inTime && named, ms, detail: logSteps[0]?.error?.code ?? 'no error' });
        }
      } catch (err) {
        cells.push({ pass: false, ms: 0, detail: err instanceof Error ? err.message : String(err) });
      } finally {
        await server.stop();
      }
    }
    rows.push({ fault, cells });
  }
  return { sources: SOURCES, rows };
}
