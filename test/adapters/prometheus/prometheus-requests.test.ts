/**
 * The Prometheus adapter over a fake request function: the API calls it builds, how it reads their answers and
 * which typed error each answer means. Sending (timeouts, retries, credentials) is the transport's, tested apart.
 */
import { describe, expect, it } from 'vitest';
import { PrometheusMetricsSource } from '../../../src/adapters/prometheus/prometheus-metrics-source.js';
import {
  DatasourceHttpError,
  DatasourceUnreachableError,
  QueryExecutionError,
  QueryRejectedError,
} from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { fakeRequest, type Scripted } from '../http/fake-request.js';

const BASE = 'http://prom.example:9090';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const success = (data: unknown) => ({ status: 200, body: { status: 'success', data } });
const matrix = (...result: unknown[]) => success({ resultType: 'matrix', result });

function source(script: Scripted[], secrets: readonly string[] = []) {
  const fake = fakeRequest(script, secrets);
  return { prom: new PrometheusMetricsSource({ url: BASE, timeoutMs: 1500, request: fake.request }), ...fake };
}

describe('PrometheusMetricsSource with an injected request function', () => {
  it('posts a range query as a form with its window, step and timeout, and passes the signal on', async () => {
    const { prom, calls } = source([matrix({ metric: { job: 'api' }, values: [[1795341600, '2.5']] })]);
    const signal = new AbortController().signal;

    const series = await prom.queryRange('up', W, 60, { signal });

    expect(series).toEqual([{ labels: { job: 'api' }, samples: [{ t: 1795341600, v: 2.5 }] }]);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call).toMatchObject({ method: 'POST', path: '/api/v1/query_range', query: 'up', signal });
    expect(Object.fromEntries(call?.params ?? [])).toEqual({
      query: 'up',
      start: '1795341600',
      end: '1795343400',
      step: '60',
      timeout: '1500ms',
    });
  });

  it('gets label values with GET and the selectors as match[]', async () => {
    const { prom, calls } = source([success(['api', 'web'])]);

    await expect(prom.labelValues('job', W, ['up', 'http_requests_total'])).resolves.toEqual(['api', 'web']);

    expect(calls[0]).toMatchObject({
      method: 'GET',
      path: '/api/v1/label/job/values',
      query: 'up, http_requests_total',
    });
    expect(calls[0]?.params?.getAll('match[]')).toEqual(['up', 'http_requests_total']);
  });

  it('maps errorType to its typed error, with the reason masked by the transport', async () => {
    const { prom } = source(
      [{ status: 422, body: { status: 'error', errorType: 'execution', error: 'many-to-many for token abc123' } }],
      ['abc123'],
    );

    const err = await prom.queryInstant('a / b', W.end).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(QueryExecutionError);
    expect(err).toMatchObject({ status: 422, query: 'a / b', url: BASE, source: 'prometheus' });
    expect((err as Error).message).toContain('many-to-many for token ***');
  });

  it('names the redirect target the transport gives it', async () => {
    const { prom } = source([{ status: 301, body: '', location: 'https://prom.example/login' }]);

    const err = await prom.queryInstant('up', W.end).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(DatasourceHttpError);
    expect((err as Error).message).toContain('redirected /api/v1/query to https://prom.example/login (HTTP 301)');
  });

  it('lets a transport failure through unchanged', async () => {
    const failure = new DatasourceUnreachableError('Prometheus could not be reached', {
      source: 'prometheus',
      url: BASE,
    });
    const { prom } = source([failure]);

    await expect(prom.series(['up'], W)).rejects.toBe(failure);
  });

  it('sends the window and the day before as one query, and splits the answer by period', async () => {
    const { prom, calls } = source([
      matrix(
        { metric: { job: 'api', triage_period: 'current' }, values: [[1795341600, '1']] },
        { metric: { job: 'api', triage_period: 'earlier' }, values: [[1795341600, '3']] },
      ),
    ]);

    const pair = await prom.queryRangeAndEarlier({ query: 'up', window: W, stepSeconds: 60, shiftSeconds: 86_400 });

    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toBe('up');
    expect(pair).toEqual({
      current: [{ labels: { job: 'api' }, samples: [{ t: 1795341600, v: 1 }] }],
      earlier: [{ labels: { job: 'api' }, samples: [{ t: 1795341600 - 86_400, v: 3 }] }],
    });
  });

  it('asks twice when Prometheus rejects the combined query', async () => {
    const rejected = { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } };
    const { prom, calls } = source([rejected, matrix(), matrix()]);

    await expect(
      prom.queryRangeAndEarlier({ query: 'scalar(up)', window: W, stepSeconds: 60, shiftSeconds: 86_400 }),
    ).resolves.toEqual({ current: [], earlier: [] });
    expect(calls.map((c) => c.params?.get('query'))).toEqual([
      expect.stringContaining('offset 86400s'),
      'scalar(up)',
      'scalar(up)',
    ]);
    expect(calls[2]?.params?.get('end')).toBe(String(1795343400 - 86_400));
  });

  it('rejects a string result as a query Triage cannot read', async () => {
    const { prom } = source([success({ resultType: 'string', result: [1795343400, 'hi'] })]);

    await expect(prom.queryInstant('"hi"', W.end)).rejects.toBeInstanceOf(QueryRejectedError);
  });
});
