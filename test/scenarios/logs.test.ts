/**
 * Logs decide where metrics leave two causes close: the same real-Prometheus incident (500s on one route of
 * `catalog`, infrastructure healthy, no client metrics) with error lines from Loki (nock, bodies as Loki documents
 * them) that say either "connection refused to a dependency" or "NullPointerException in our code".
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../src/adapters/playbook-files/load-playbooks.js';
import { createDiagnoser, runToEnd } from '../../src/app/create-diagnoser.js';
import type { Playbook } from '../../src/domain/playbook/schema.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { SCENARIOS } from './catalog.js';

const prometheus = requirePrometheus();
const LOKI = 'http://loki.test:3100';
const scenario = SCENARIOS.find((s) => s.id === 'app-error-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

/** Loki answers: error counts per window (instant vector) and error lines (streams, newest first). */
function mockLoki(lines: string[], counts: { now: number; before: number }) {
  const endNs = BigInt(AT.getTime()) * 1_000_000n;
  nock(LOKI)
    .persist()
    .get('/loki/api/v1/query')
    .query(true)
    .reply((uri) => {
      const time = BigInt(new URL(uri, LOKI).searchParams.get('time') ?? '0');
      const value = time >= endNs ? counts.now : counts.before;
      return [
        200,
        {
          status: 'success',
          data: {
            resultType: 'vector',
            result: [{ metric: {}, value: [Number(time / 1_000_000_000n), String(value)] }],
          },
        },
      ];
    })
    .get('/loki/api/v1/query_range')
    .query(true)
    .reply((uri) => {
      // The lines are the incident's: a day earlier and in the window before, the service logged none.
      const end = BigInt(new URL(uri, LOKI).searchParams.get('end') ?? '0');
      const inWindow = end >= endNs;
      return [
        200,
        {
          status: 'success',
          data: {
            resultType: 'streams',
            result: inWindow
              ? [
                  {
                    stream: { service_name: 'catalog', level: 'error', pod: 'catalog-7d9f-abcde' },
                    values: lines.map((line, i) => [String(endNs - BigInt(i) * 7_000_000_000n), line]),
                  },
                ]
              : [],
            stats: {},
          },
        },
      ];
    });
}

describe.skipIf(!prometheus.available)('log evidence on a real-Prometheus incident', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let playbooks: Playbook[];

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    playbooks = await loadPlaybooks('playbooks');
  }, 300_000);

  afterAll(async () => {
    nock.cleanAll();
    await server?.stop();
  });

  async function diagnose(withLoki: boolean) {
    const diagnoser = await createDiagnoser(
      {
        prometheus: { url: server.url, timeoutMs: 10_000 },
        ...(withLoki ? { logs: { loki: { url: LOKI } } } : {}),
        playbooksDir: 'playbooks',
        deadlineMs: 60_000,
      },
      { clock: { now: () => AT }, playbooks },
    );
    return runToEnd(diagnoser.run({ runId: 'logs', symptom: parseSymptom(scenario?.symptom ?? '', { now: AT }) }));
  }

  it('metrics alone: app-error, and the log steps say no log source is configured', async () => {
    const result = await diagnose(false);
    expect(result.hypotheses[0]?.cause).toBe('app-error');
    expect(result.notes).toContain(
      'No log source is configured (LOKI_URL or ELASTICSEARCH_URL), so the log steps were skipped.',
    );
    expect(result.steps.find((s) => s.id === 'log-patterns')?.status).toBe('skipped');
  });

  it('refused connections in the logs move the top cause to dependency-failure', async () => {
    mockLoki(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? `2026-10-06T16:2${i % 10}:0${i % 6}.123Z ERROR [reviews] request failed: connect ECONNREFUSED 10.0.4.${i}:8080 (reviews-api)`
          : `Error: connect ECONNREFUSED 10.0.4.${i}:8080\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)`,
      ),
      { now: 420, before: 3 },
    );
    const result = await diagnose(true);
    nock.cleanAll();
    const ledger = result.hypotheses.map((h) => `${h.cause} ${h.confidence}`).join(', ');
    expect(result.hypotheses[0]?.cause, ledger).toBe('dependency-failure');
    expect(result.hypotheses[0]?.confidence, ledger).toBeGreaterThanOrEqual(0.6);
    expect(result.hypotheses.find((h) => h.cause === 'app-error')?.confidence ?? 1, ledger).toBeLessThan(0.5);
    const patterns = result.steps.find((s) => s.id === 'log-patterns');
    expect(patterns?.signatures).toContain('connection-refused');
    expect(patterns?.patterns?.[0]?.count).toBeGreaterThan(1);
    expect(result.steps.find((s) => s.id === 'log-errors')?.status).toBe('crit');
  });

  it('exceptions in our own code keep app-error on top, more confidently', async () => {
    const metricsOnly = (await diagnose(false)).hypotheses[0]?.confidence ?? 0;
    mockLoki(
      Array.from(
        { length: 30 },
        (_, i) =>
          `2026-10-06 16:2${i % 10}:11.${100 + i} ERROR 1 --- [nio-8080-exec-${i}] c.e.catalog.ReviewController : Request failed\njava.lang.NullPointerException: Cannot invoke "Review.getAuthor()" because "review" is null\n\tat com.example.catalog.ReviewController.list(ReviewController.java:57)`,
      ),
      { now: 310, before: 2 },
    );
    const result = await diagnose(true);
    nock.cleanAll();
    expect(result.hypotheses[0]?.cause).toBe('app-error');
    expect(result.hypotheses[0]?.confidence).toBeGreaterThan(metricsOnly);
    expect(result.steps.find((s) => s.id === 'log-patterns')?.signatures).toContain('exception');
  });
});
