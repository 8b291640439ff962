/**
 * A full playbook's wall time against its critical path: the longest chain of Prometheus round-trips that depend
 * on each other in the same run. Discovery (series, then label values) comes first; then each step's range query
 * (the window and the day before, in one request); a step whose `when:` reads other steps waits for them. Every
 * query is timed below the cache, so each is a real round-trip.
 */
import { CachedMetricsSource } from '../src/adapters/cache/cached-metrics-source.js';
import { PrometheusMetricsSource } from '../src/adapters/prometheus/prometheus-metrics-source.js';
import { createDiagnoser, runToEnd } from '../src/app/create-diagnoser.js';
import { dependenciesOf } from '../src/domain/engine/run-playbook.js';
import type { Playbook } from '../src/domain/playbook/schema.js';
import type { MetricsSource } from '../src/domain/ports.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import type { Scenario } from '../test/scenarios/catalog.js';
import { median } from './table.js';

interface Timed {
  kind: 'range' | 'instant' | 'series' | 'labels';
  query: string;
  start: number;
  end: number;
}

/** Times every call on the way to Prometheus. */
function timing(inner: PrometheusMetricsSource, log: Timed[]): MetricsSource {
  const time = async <T>(kind: Timed['kind'], query: string, call: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await call();
    } finally {
      log.push({ kind, query, start, end: performance.now() });
    }
  };
  return {
    queryRange: (q, w, s, o) => time('range', q, () => inner.queryRange(q, w, s, o)),
    queryRangeAndEarlier: (r, o) => time('range', r.query, () => inner.queryRangeAndEarlier(r, o)),
    queryInstant: (q, t, o) => time('instant', q, () => inner.queryInstant(q, t, o)),
    series: (m, w, o) => time('series', m.join(','), () => inner.series(m, w, o)),
    labelValues: (l, w, m, o) => time('labels', l, () => inner.labelValues(l, w, m, o)),
    linkFor: (q, w) => inner.linkFor(q, w),
  };
}

export interface CriticalPathFigure {
  scenario: string;
  wallMs: number;
  criticalMs: number;
  ratio: number;
}

export async function measureCriticalPath(
  prometheusUrl: string,
  scenario: Scenario,
  playbooks: readonly Playbook[],
): Promise<CriticalPathFigure> {
  const at = new Date(scenario.at);
  const log: Timed[] = [];
  const metrics = new CachedMetricsSource(
    timing(new PrometheusMetricsSource({ url: prometheusUrl, timeoutMs: 10_000 }), log),
  );
  const diagnoser = await createDiagnoser(
    { prometheus: { url: prometheusUrl, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
    { metrics, clock: { now: () => at }, playbooks },
  );
  const t0 = performance.now();
  const result = await runToEnd(
    diagnoser.run({ runId: 'critical', symptom: parseSymptom(scenario.symptom, { now: at }) }),
  );
  const wallMs = performance.now() - t0;

  // Discovery: its stages run one after the other, before any step; requests sent together count as the slower.
  const discoveryMs = sequentialMs(log.filter((q) => q.kind === 'series' || q.kind === 'labels'));
  // A step's round-trips: its queries sent together count as the slower of them; one sent after those returned (the
  // hours before the window, when a day earlier has no data) adds its own.
  const calls = new Map<string, Timed[]>();
  for (const q of log.filter((x) => x.kind === 'range' || x.kind === 'instant'))
    calls.set(q.query, [...(calls.get(q.query) ?? []), q]);
  const byQuery = new Map<string, number>();
  for (const [query, all] of calls) byQuery.set(query, sequentialMs(all));
  const playbook = playbooks.find((p) => p.id === result.playbook);
  const stepQuery = new Map(result.steps.map((s) => [s.id, s.evidence[0]?.query]));
  const roundTrip = (id: string) => {
    const q = stepQuery.get(id);
    return q ? (byQuery.get(q) ?? 0) : 0;
  };
  const memo = new Map<string, number>();
  const chain = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const step = playbook?.steps.find((s) => s.id === id);
    const before = step ? Math.max(0, ...dependenciesOf(step).map(chain)) : 0;
    const total = before + roundTrip(id);
    memo.set(id, total);
    return total;
  };
  // Queries not tied to a step's evidence (no data, log-free helpers) still cost at least one round-trip.
  const unattributed = Math.max(0, ...[...byQuery.values()]);
  const stepsMs = Math.max(unattributed, ...(playbook?.steps.map((s) => chain(s.id)) ?? [0]));
  const criticalMs = discoveryMs + stepsMs;
  return { scenario: scenario.id, wallMs, criticalMs, ratio: wallMs / criticalMs };
}

/** The time of calls made in stages: calls overlapping in time are one round-trip, the slowest of them. */
function sequentialMs(calls: readonly Timed[]): number {
  let total = 0;
  let group: Timed[] = [];
  for (const call of [...calls].sort((a, b) => a.start - b.start)) {
    if (group.length > 0 && call.start >= Math.max(...group.map((g) => g.end))) {
      total += Math.max(...group.map((g) => g.end - g.start));
      group = [];
    }
    group.push(call);
  }
  return total + Math.max(0, ...group.map((g) => g.end - g.start));
}

/**
 * Every scenario `rounds` times, interleaved. One run of a playbook lasts ~100 ms on a machine whose cores it shares
 * with Prometheus, so a single reading swings by ±30 %; each scenario's figure is the median of its rounds, and the
 * worst single reading is kept too.
 */
export async function benchCriticalPath(
  prometheusUrl: string,
  scenarios: readonly Scenario[],
  playbooks: readonly Playbook[],
  rounds = 5,
) {
  const runs = new Map<string, CriticalPathFigure[]>();
  for (let round = 0; round < rounds; round++) {
    for (const scenario of scenarios) {
      const figure = await measureCriticalPath(prometheusUrl, scenario, playbooks);
      runs.set(scenario.id, [...(runs.get(scenario.id) ?? []), figure]);
    }
  }
  const byRatio = (a: CriticalPathFigure, b: CriticalPathFigure) => a.ratio - b.ratio;
  const figures = [...runs.values()].map((all) => {
    const sorted = [...all].sort(byRatio);
    return sorted[Math.floor((sorted.length - 1) / 2)] as CriticalPathFigure;
  });
  const worst = figures.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const worstSingle = [...runs.values()].flat().reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return { figures, median: median(figures.map((f) => f.ratio)), worst, worstSingle, rounds };
}
