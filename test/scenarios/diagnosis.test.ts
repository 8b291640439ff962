/**
 * The real-Prometheus scenario suite: every scenario in the catalogue is backfilled into a Prometheus from
 * Debian's package, and the engine diagnoses it at the scenario's time through the real adapter and cache.
 * Each scenario asserts the top cause and its confidence; healthy services assert "no anomaly found".
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../../src/adapters/prometheus/prometheus-metrics-source.js';
import { createDiagnoser, runToEnd } from '../../src/app/create-diagnoser.js';
import { CAUSES } from '../../src/domain/causes.js';
import type { DiagnosisOutcome, RunEvent } from '../../src/domain/engine/types.js';
import type { Playbook } from '../../src/domain/playbook/schema.js';
import { toDiagnosisJson } from '../../src/domain/report/diagnosis-json.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { SCENARIOS } from './catalog.js';

const prometheus = requirePrometheus();

/** Lowest confidence each top cause must reach; anything supported must at least pass 0.5. */
const MIN_CONFIDENCE = 0.6;

describe.skipIf(!prometheus.available)('diagnosis on a real Prometheus', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let playbooks: Playbook[];
  const results = new Map<string, DiagnosisOutcome>();

  async function diagnoseAt(symptomText: string, at: string, events: RunEvent[] = []) {
    const now = new Date(at);
    const diagnoser = await createDiagnoser(
      { prometheus: { url: server.url, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
      { clock: { now: () => now }, playbooks },
    );
    return runToEnd(diagnoser.run({ runId: randomUUID(), symptom: parseSymptom(symptomText, { now }) }), (e) =>
      events.push(e),
    );
  }

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    playbooks = await loadPlaybooks('playbooks');
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (results.size) {
      const rows = [...results].map(([id, r]) => {
        const top = r.hypotheses[0];
        return `${id.padEnd(40)} ${(top && top.confidence >= 0.5 ? top.cause : 'none').padEnd(26)} ${top ? top.confidence.toFixed(2) : '-'}  ${r.queries} queries`;
      });
      process.stderr.write(`\nScenario results\n${rows.join('\n')}\n`);
    }
  });

  /** `family`, or one of `a|b`, ranks among the top three movers. */
  const expectMover = (result: DiagnosisOutcome, family: string) => {
    const top = topMovers(result);
    expect(
      family.split('|').some((f) => top.includes(f)),
      `top movers ${top.join(', ')} include ${family}`,
    ).toBe(true);
  };

  /** The families the "what moved" step ranked first, best first. */
  const topMovers = (result: DiagnosisOutcome, n = 3) =>
    (result.steps.find((s) => s.id === 'what-moved')?.evidence ?? []).slice(0, n).map((e) => e.labels?.family);

  it('covers every cause and three conventions', () => {
    expect(new Set(SCENARIOS.map((s) => s.cause).filter((c) => c !== 'unknown'))).toEqual(
      new Set([...CAUSES, 'healthy']),
    );
    const healthy = SCENARIOS.filter((s) => s.cause === 'healthy').map((s) => s.convention);
    expect(new Set(healthy).size).toBeGreaterThanOrEqual(3);
  });

  it.each(
    SCENARIOS.filter((s) => s.cause !== 'healthy' && s.cause !== 'unknown' && s.byName).map((s) => [s.id, s] as const),
  )(
    '%s: leads with its cause, read from the names of what moved',
    async (id, scenario) => {
      const result = await diagnoseAt(scenario.symptom, scenario.at);
      results.set(id, result);
      const [top, second] = result.hypotheses;
      const ledger = result.hypotheses.map((h) => `${h.cause} ${h.confidence}`).join(', ');
      expect(result.service, 'service found').toBe(scenario.service);
      expect(top?.cause, ledger).toBe(scenario.cause);
      expect(top?.confidence, ledger).toBeGreaterThan(0.1);
      expect(second?.confidence ?? 0, ledger).toBeLessThan(top?.confidence ?? 0);
      if ((top?.confidence ?? 0) < 0.5) {
        expect(result.conclusion.kind).toBe('inconclusive');
        expect(result.conclusion.summary).toMatch(/moved/);
        expect(result.conclusion.summary).toContain(`likeliest cause so far is ${top?.title.toLowerCase()}`);
      }
      for (const family of scenario.expectMovers ?? []) expectMover(result, family);
    },
    60_000,
  );

  it.each(
    SCENARIOS.filter((s) => s.cause !== 'healthy' && s.cause !== 'unknown' && !s.byName).map((s) => [s.id, s] as const),
  )(
    '%s: finds its cause first',
    async (id, scenario) => {
      const result = await diagnoseAt(scenario.symptom, scenario.at);
      results.set(id, result);
      const top = result.hypotheses[0];
      const ledger = result.hypotheses.map((h) => `${h.cause} ${h.confidence}`).join(', ');
      expect(result.service, 'service found').toBe(scenario.service);
      expect(top?.cause, ledger).toBe(scenario.cause);
      expect(top?.confidence, ledger).toBeGreaterThanOrEqual(MIN_CONFIDENCE);
      expect(result.conclusion.kind).toBe('likely-cause');
      const second = result.hypotheses[1];
      expect(second?.confidence ?? 0, `no other cause is supported: ${ledger}`).toBeLessThan(0.5);
      for (const family of scenario.expectMovers ?? []) expectMover(result, family);
    },
    60_000,
  );

  it.each(SCENARIOS.filter((s) => s.cause === 'unknown').map((s) => [s.id, s] as const))(
    '%s: says what moved, and that the cause is not certain',
    async (id, scenario) => {
      const result = await diagnoseAt(scenario.symptom, scenario.at);
      results.set(id, result);
      const ledger = result.hypotheses.map((h) => `${h.cause} ${h.confidence}`).join(', ');
      expect(result.service, 'service found').toBe(scenario.service);
      expect(result.conclusion.kind, result.conclusion.summary).toBe('inconclusive');
      expect(result.conclusion.summary).toMatch(/moved/);
      expect(
        result.hypotheses.every((h) => h.confidence < 0.5),
        ledger,
      ).toBe(true);
      for (const family of scenario.expectMovers ?? []) expectMover(result, family);
    },
    60_000,
  );

  it.each(SCENARIOS.filter((s) => s.cause === 'healthy').map((s) => [s.id, s] as const))(
    '%s: says no anomaly found',
    async (id, scenario) => {
      const result = await diagnoseAt(scenario.symptom, scenario.at);
      results.set(id, result);
      // The scan may show a mover worth a look (warn), never a critical one; a harmless change may be reported.
      const harmless = new Set(scenario.harmless ?? []);
      const anomalies = result.steps.filter(
        (s) => !harmless.has(s.id) && (s.status === 'crit' || (s.status === 'warn' && s.id !== 'what-moved')),
      );
      expect(anomalies.map((s) => `${s.id}: ${s.evidence[0]?.summary}`)).toEqual([]);
      expect(result.conclusion.kind).toMatch(harmless.size ? /^(?:no-anomaly|inconclusive)$/ : /^no-anomaly$/);
      const ceiling = scenario.ceiling ?? 0.5;
      const ledger = result.hypotheses.map((h) => `${h.cause} ${h.confidence}`).join(', ');
      expect(
        result.hypotheses.every((h) => h.confidence < ceiling || (ceiling < 0.5 && h.confidence <= ceiling)),
        ledger,
      ).toBe(true);
    },
    60_000,
  );

  it('prints the JSON contract of causes.md', async () => {
    const scenario = SCENARIOS.find((s) => s.cause === 'bad-deploy');
    if (!scenario) throw new Error('no bad-deploy scenario');
    const json = toDiagnosisJson(await diagnoseAt(scenario.symptom, scenario.at)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['symptom', 'service', 'playbook', 'window', 'steps', 'hypotheses']),
    );
    expect(json.window).toEqual({
      start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      end: scenario.at.replace('.000Z', 'Z'),
    });
    const steps = json.steps as { id: string; status: string; evidence: Record<string, unknown>[] }[];
    for (const s of steps) expect(['ok', 'warn', 'crit', 'no_data', 'errored', 'skipped']).toContain(s.status);
    const withEvidence = steps.find((s) => s.evidence.length > 0);
    expect(withEvidence?.evidence[0]).toEqual(
      expect.objectContaining({ summary: expect.any(String), value: expect.any(Number), query: expect.any(String) }),
    );
    const hypotheses = json.hypotheses as { confidence: number; cause: string }[];
    const confidences = hypotheses.map((h) => h.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const h of hypotheses) expect(h.confidence).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('streams events in order: run-started, steps, ledgers, run-finished', async () => {
    const scenario = SCENARIOS[0];
    if (!scenario) throw new Error('no scenarios');
    const events: RunEvent[] = [];
    const result = await diagnoseAt(scenario.symptom, scenario.at, events);
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-finished');
    expect(events.filter((e) => e.type === 'step-finished')).toHaveLength(result.steps.length);
  }, 60_000);

  it('suggests the closest service names for a typo', async () => {
    const scenario = SCENARIOS[0];
    if (!scenario) throw new Error('no scenarios');
    const typo = `${scenario.service.slice(0, -1)}x`;
    const result = await diagnoseAt(`502 on ${typo}`, scenario.at);
    expect(result.conclusion.kind).toBe('unknown-service');
    expect(result.suggestions).toContain(scenario.service);
  }, 60_000);

  it('never lets user text change a query: a hostile service name matches nothing', async () => {
    const scenario = SCENARIOS[0];
    if (!scenario) throw new Error('no scenarios');
    const hostile = 'x"} or up{job=~".+"} #';
    const result = await diagnoseAt(`errors for service ${hostile}`, scenario.at);
    expect(result.conclusion.kind).toBe('unknown-service');
    const source = new PrometheusMetricsSource({ url: server.url });
    const at = new Date(scenario.at);
    for (const value of [hostile, 'a\\"b', 'line\nbreak', '#', '☃ 🚀', "it's"]) {
      const matched = await source.series([`{job=${JSON.stringify(value)}}`], {
        start: new Date(at.getTime() - 3600_000),
        end: at,
      });
      expect(matched, value).toEqual([]);
    }
    const naive = await source.queryInstant(`up{job="${hostile}"}`, at).catch(() => []);
    expect(naive.length, 'the naive splice does leak series, so this test can fail').toBeGreaterThan(0);
  }, 60_000);
});

it.runIf(!prometheus.available)('needs Prometheus for the scenario suite', () => {
  if (process.env.CI) throw new Error(`CI must run the real-Prometheus suite: ${prometheus.reason}`);
  console.warn(`skipping the real-Prometheus scenario suite: ${prometheus.reason}`);
});
