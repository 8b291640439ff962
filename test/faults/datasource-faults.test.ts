/**
 * Data-source faults, each fault against each source: Prometheus, Loki or Elasticsearch down, slow (past the
 * per-query timeout), answering 500 with a JSON error, a 503 HTML page, a plain-text 404, truncated JSON, or JSON
 * of the wrong shape. The run finishes within its deadline, the affected steps name the source and the reason,
 * confidence is marked limited, and nothing escapes as an unhandled rejection. A source that keeps failing is
 * put behind its circuit breaker: later runs stop querying it and say so.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../../src/app/create-diagnoser.js';
import type { DiagnosisOutcome } from '../../src/domain/engine/types.js';
import type { Playbook } from '../../src/domain/playbook/schema.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { FAULTS, type Fault, type FaultServer, startFaultServer } from '../support/fault-server.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';

const prometheus = requirePrometheus();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);
const TIMEOUT_MS = 300;
const DEADLINE_MS = 8000;
const LOG_STEPS = ['log-errors', 'log-patterns'];

/** The error codes each fault may surface as (the adapters read Prometheus's error envelope when there is one). */
const EXPECTED_CODES: Readonly<Record<Fault, readonly string[]>> = {
  down: ['datasource_unreachable'],
  slow: ['datasource_timeout'],
  '500 json': ['datasource_internal', 'datasource_http'],
  '503 html': ['datasource_http', 'datasource_unavailable'],
  '404 text': ['datasource_http', 'datasource_not_found'],
  'truncated json': ['datasource_malformed'],
  'wrong shape': ['datasource_malformed'],
};

const SOURCE_NAME = { prometheus: /Prometheus/, loki: /Loki/, elasticsearch: /Elasticsearch/ } as const;

describe.skipIf(!prometheus.available)('data-source faults', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let playbooks: Playbook[];
  let fault: FaultServer | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    playbooks = await loadPlaybooks('playbooks');
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await fault?.stop();
    fault = undefined;
  });

  async function diagnose(config: {
    prometheusUrl: string;
    logs?: { loki?: { url: string }; elasticsearch?: { url: string } };
  }): Promise<{ result: DiagnosisOutcome; ms: number }> {
    const diagnoser = await createDiagnoser(
      {
        prometheus: { url: config.prometheusUrl, timeoutMs: TIMEOUT_MS },
        ...(config.logs ? { logs: config.logs } : {}),
        playbooksDir: 'playbooks',
        deadlineMs: DEADLINE_MS,
      },
      { clock: { now: () => AT }, playbooks },
    );
    const t0 = performance.now();
    const result = await runToEnd(
      diagnoser.run({ runId: 'fault', symptom: parseSymptom(scenario?.symptom ?? '', { now: AT }) }),
    );
    return { result, ms: performance.now() - t0 };
  }

  describe.each(FAULTS)('Prometheus %s', (kind) => {
    it('ends the run in time, naming Prometheus and the reason', async () => {
      fault = await startFaultServer(kind);
      const { result, ms } = await diagnose({ prometheusUrl: fault.url });
      expect(ms).toBeLessThan(DEADLINE_MS + 2000);
      expect(result.conclusion.kind).toBe('failed');
      expect(result.error?.source).toBe('prometheus');
      expect(EXPECTED_CODES[kind]).toContain(result.error?.code);
      expect(result.conclusion.summary).toMatch(/^Could not look up the service: .+/);
      expect(result.error?.message).toMatch(SOURCE_NAME.prometheus);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    });
  });

  describe.each(['loki', 'elasticsearch'] as const)('%s', (source) => {
    it.each(FAULTS)('%s: the log steps name the source and the reason, the rest of the run goes on', async (kind) => {
      fault = await startFaultServer(kind);
      const { result, ms } = await diagnose({ prometheusUrl: server.url, logs: { [source]: { url: fault.url } } });
      expect(ms).toBeLessThan(DEADLINE_MS + 2000);
      const logSteps = result.steps.filter((s) => LOG_STEPS.includes(s.id));
      expect(logSteps.length).toBeGreaterThan(0);
      for (const step of logSteps) {
        expect(step.status, `${step.id}: ${step.reason}`).toBe('errored');
        expect(step.error?.source).toBe(source);
        expect(EXPECTED_CODES[kind]).toContain(step.error?.code);
        expect(step.reason).toMatch(SOURCE_NAME[source]);
      }
      // The metrics still diagnose the bad deploy, and whatever relied on the logs says its confidence is limited.
      expect(result.hypotheses[0]?.cause).toBe('bad-deploy');
      expect(result.hypotheses.some((h) => h.limitedBy.some((id) => LOG_STEPS.includes(id)))).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    });
  });

  it('stops querying a log store that keeps failing, and says so in the steps', async () => {
    fault = await startFaultServer('503 html');
    const diagnoser = await createDiagnoser(
      {
        prometheus: { url: server.url, timeoutMs: TIMEOUT_MS },
        logs: { loki: { url: fault.url } },
        playbooksDir: 'playbooks',
        deadlineMs: DEADLINE_MS,
        // A cool-down longer than the five runs take, so no half-open trial call lands between them.
        breaker: { coolDownMs: 600_000 },
      },
      { clock: { now: () => AT }, playbooks },
    );
    const runs: DiagnosisOutcome[] = [];
    const afterRun: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A different window each time, so nothing comes from the cache.
      const at = new Date(AT.getTime() - i * 3_600_000);
      runs.push(
        await runToEnd(
          diagnoser.run({
            runId: `r${i}`,
            symptom: parseSymptom(`${scenario.symptom} at ${at.toISOString()}`, { now: AT }),
          }),
        ),
      );
      afterRun.push(fault.requests);
    }
    const perRun = afterRun[0] ?? 0;
    expect(perRun).toBeGreaterThan(0);
    // Without a breaker five runs would send 5 × perRun requests. It opens after 5 failures in a row, by the
    // second run at the latest (queries already in flight finish); from then on nothing reaches the source.
    expect(afterRun[4]).toBe(afterRun[1]);
    expect(fault.requests).toBeLessThanOrEqual(2 * perRun);
    const last = runs.at(-1)?.steps.filter((s) => LOG_STEPS.includes(s.id)) ?? [];
    expect(last.length).toBeGreaterThan(0);
    for (const step of last) {
      expect(step.error?.code).toBe('datasource_circuit_open');
      expect(step.reason).toMatch(
        /^Loki is failing \(\d+ failures in a row, last: .+\); Triage stopped querying it for \d+ s$/,
      );
    }
    expect(diagnoser.breakers.find((b) => b.source === 'loki')?.state()).toBe('open');
    expect(diagnoser.breakers.find((b) => b.source === 'prometheus')?.state()).toBe('closed');
  }, 60_000);
});
