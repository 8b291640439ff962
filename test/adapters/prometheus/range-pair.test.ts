/**
 * The window and the day before in one request (`queryRangeAndEarlier`): what is sent, how the answer is split,
 * and the fall-back to two queries when Prometheus rejects the combination.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CachedMetricsSource } from '../../../src/adapters/cache/cached-metrics-source.js';
import { loadPlaybooks } from '../../../src/adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../../../src/adapters/prometheus/prometheus-metrics-source.js';
import { createDiagnoser, runToEnd } from '../../../src/app/create-diagnoser.js';
import { QueryExecutionError } from '../../../src/domain/errors.js';
import type { MetricsSource, RangePair, RangePairRequest, Series } from '../../../src/domain/ports.js';
import { rangePairFromTwoQueries } from '../../../src/domain/range-pair.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { scenarioById } from '../../scenarios/catalog.js';
import { requirePrometheus } from '../../support/prometheus/local-prometheus.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../../support/prometheus/scenario-server.js';

const BASE = 'http://prom.example:9090';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const DAY = 86_400;
const START = 1795341600;

function source() {
  return new PrometheusMetricsSource({ url: BASE, retries: 0, retryBackoffMs: 1 });
}

function pairOf(query: string): RangePairRequest {
  return { query, window: W, stepSeconds: 30, shiftSeconds: DAY };
}

function matrix(result: unknown[]) {
  return { status: 'success', data: { resultType: 'matrix', result } };
}

afterEach(() => {
  nock.cleanAll();
});

describe('PrometheusMetricsSource.queryRangeAndEarlier', () => {
  it('sends one range query: the query, and a subquery of it offset by the shift, told apart by a label', async () => {
    let sent = '';
    const scope = nock(BASE)
      .post('/api/v1/query_range', (body: Record<string, string>) => {
        sent = body.query ?? '';
        return body.start === String(START) && body.end === String(START + 1800) && body.step === '30';
      })
      .reply(
        200,
        matrix([
          { metric: { job: 'api', triage_period: 'current' }, values: [[START, '2']] },
          { metric: { job: 'api', triage_period: 'earlier' }, values: [[START, '1']] },
        ]),
      );

    const pair = await source().queryRangeAndEarlier(pairOf('sum by (job) (up) # every target'));

    expect(sent).toBe(
      'label_replace(\nsum by (job) (up) # every target\n, "triage_period", "current", "", "")\nor\n' +
        'label_replace(last_over_time((\nsum by (job) (up) # every target\n)[30s:30s] offset 86400s), "triage_period", "earlier", "", "")',
    );
    // The marker label is gone; the earlier series carry the earlier window's timestamps.
    expect(pair).toEqual({
      current: [{ labels: { job: 'api' }, samples: [{ t: START, v: 2 }] }],
      earlier: [{ labels: { job: 'api' }, samples: [{ t: START - DAY, v: 1 }] }],
    });
    scope.done();
  });

  it('asks twice when Prometheus rejects the combination (a scalar query), so errors name the query itself', async () => {
    const rejected = nock(BASE)
      .post('/api/v1/query_range', (body: Record<string, string>) => (body.query ?? '').startsWith('label_replace'))
      .reply(400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'expected type instant vector in call to function "label_replace", got scalar',
      });
    const current = nock(BASE)
      .post('/api/v1/query_range', {
        query: 'scalar(up)',
        start: String(START),
        end: String(START + 1800),
        step: '30',
        timeout: '5s',
      })
      .reply(200, matrix([{ metric: {}, values: [[START, '3']] }]));
    const earlier = nock(BASE)
      .post('/api/v1/query_range', {
        query: 'scalar(up)',
        start: String(START - DAY),
        end: String(START + 1800 - DAY),
        step: '30',
        timeout: '5s',
      })
      .reply(200, matrix([{ metric: {}, values: [[START - DAY, '4']] }]));

    const pair = await source().queryRangeAndEarlier(pairOf('scalar(up)'));

    expect(pair).toEqual({
      current: [{ labels: {}, samples: [{ t: START, v: 3 }] }],
      earlier: [{ labels: {}, samples: [{ t: START - DAY, v: 4 }] }],
    });
    rejected.done();
    current.done();
    earlier.done();
  });

  it('passes other errors on, naming the query that was asked for rather than the combination', async () => {
    nock(BASE).post('/api/v1/query_range').reply(422, {
      status: 'error',
      errorType: 'execution',
      error: 'found duplicate series for the match group',
    });

    const err = await source()
      .queryRangeAndEarlier(pairOf('a / on (job) b'))
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(err).toBeInstanceOf(QueryExecutionError);
    expect((err as QueryExecutionError).query).toBe('a / on (job) b');
    expect(nock.isDone()).toBe(true);
  });

  it('refuses a shift that is not a whole positive number of seconds, without sending anything', async () => {
    await expect(source().queryRangeAndEarlier({ ...pairOf('up'), shiftSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(source().queryRangeAndEarlier({ ...pairOf('up'), shiftSeconds: 1.5 })).rejects.toThrow(RangeError);
  });
});

const prometheus = requirePrometheus();

/** Records every pair the engine asks for on its way to Prometheus. */
class PairLog implements MetricsSource {
  readonly pairs: Array<{ request: RangePairRequest; pair: RangePair }> = [];
  readonly #inner: PrometheusMetricsSource;
  constructor(inner: PrometheusMetricsSource) {
    this.#inner = inner;
  }
  queryRange: MetricsSource['queryRange'] = (...a) => this.#inner.queryRange(...a);
  queryInstant: MetricsSource['queryInstant'] = (...a) => this.#inner.queryInstant(...a);
  series: MetricsSource['series'] = (...a) => this.#inner.series(...a);
  labelValues: MetricsSource['labelValues'] = (...a) => this.#inner.labelValues(...a);
  linkFor: MetricsSource['linkFor'] = (...a) => this.#inner.linkFor(...a);
  async queryRangeAndEarlier(request: RangePairRequest) {
    const pair = await this.#inner.queryRangeAndEarlier(request);
    this.pairs.push({ request, pair });
    return pair;
  }
}

/** A pair in a comparable form: series sorted, `__name__` left out (the subquery drops it from earlier series). */
function comparable(pair: RangePair) {
  const side = (series: readonly Series[]) =>
    series
      .map(({ labels: { __name__: _name, ...labels }, samples }) => ({ labels, samples }))
      .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  return { current: side(pair.current), earlier: side(pair.earlier) };
}

describe.skipIf(!prometheus.available)('queryRangeAndEarlier on a real Prometheus', () => {
  let server: ScenarioPrometheus;
  beforeAll(async () => {
    server = await startScenarioPrometheus();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  // Every metric query of these diagnoses (each convention; with and without data a day earlier).
  it.each([
    'app-crash-istio',
    'bad-deploy-prom-client',
    'connection-pool-exhausted-micrometer',
    'dependency-failure-otel',
    'memory-leak-otel',
    'healthy-micrometer',
  ])('answers exactly what two range queries answer, for every step of %s', async (id) => {
    const scenario = scenarioById(id);
    const at = new Date(scenario.at);
    const prom = new PrometheusMetricsSource({ url: server.url, timeoutMs: 10_000 });
    const log = new PairLog(prom);
    const diagnoser = await createDiagnoser(
      { prometheus: { url: server.url, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
      { metrics: new CachedMetricsSource(log), clock: { now: () => at }, playbooks: await loadPlaybooks('playbooks') },
    );
    await runToEnd(diagnoser.run({ runId: id, symptom: parseSymptom(scenario.symptom, { now: at }) }));

    expect(log.pairs.length).toBeGreaterThan(5);
    let withEarlier = 0;
    for (const { request, pair } of log.pairs) {
      const twice = await rangePairFromTwoQueries(prom, request);
      expect(comparable(pair), request.query).toEqual(comparable(twice));
      if (pair.earlier.length > 0) withEarlier++;
    }
    // Both kinds of answer were compared: with data a day earlier, and (without that baseline) without.
    if (scenario.dayEarlierBaseline) expect(withEarlier).toBeGreaterThan(0);
    else expect(withEarlier).toBeLessThan(log.pairs.length);
  });

  it('falls back to two queries for a scalar, and reads a query that ends in a comment', async () => {
    const scenario = scenarioById('healthy-micrometer');
    const end = Math.floor(Date.parse(scenario.at) / 1000 / 30) * 30;
    const window = { start: new Date((end - 1800) * 1000), end: new Date(end * 1000) };
    const prom = new PrometheusMetricsSource({ url: server.url });
    for (const query of ['scalar(count(up))', 'count(up) # every target']) {
      const request = { query, window, stepSeconds: 30, shiftSeconds: DAY };
      const pair = await prom.queryRangeAndEarlier(request);
      expect(pair.current.length, query).toBe(1);
      expect(comparable(pair), query).toEqual(comparable(await rangePairFromTwoQueries(prom, request)));
    }
  });
});
