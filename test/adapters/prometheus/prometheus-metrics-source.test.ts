import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { PrometheusMetricsSource } from '../../../src/adapters/prometheus/prometheus-metrics-source.js';
import {
  ConfigError,
  type DatasourceError,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  DatasourceUnreachableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryCanceledError,
  QueryExecutionError,
  QueryRejectedError,
  UnsafeQueryValueError,
} from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';

const BASE = 'http://prom.example:9090';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const START = '1795341600';
const END = '1795343400';
const FORM = /^application\/x-www-form-urlencoded/;

function source(overrides: Partial<ConstructorParameters<typeof PrometheusMetricsSource>[0]> = {}) {
  return new PrometheusMetricsSource({ url: BASE, retries: 0, retryBackoffMs: 1, ...overrides });
}

function success(data: unknown): { status: string; data: unknown } {
  return { status: 'success', data };
}

const MATRIX = success({
  resultType: 'matrix',
  result: [
    {
      metric: { __name__: 'up', job: 'api' },
      values: [
        [1795341600, '1'],
        [1795341660, '0.5'],
      ],
    },
  ],
});

async function caught(promise: Promise<unknown>): Promise<DatasourceError> {
  try {
    await promise;
  } catch (err) {
    return err as DatasourceError;
  }
  throw new Error('expected the promise to reject');
}

/** A loopback port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('PrometheusMetricsSource', () => {
  describe('requests', () => {
    it('POSTs a range query form-encoded with query, start, end, step and timeout in seconds', async () => {
      const scope = nock(BASE)
        .matchHeader('content-type', FORM)
        .post('/api/v1/query_range', { query: 'up{job="api"}', start: START, end: END, step: '60', timeout: '5s' })
        .reply(200, MATRIX);

      const series = await source().queryRange('up{job="api"}', W, 60);

      expect(series).toEqual([
        {
          labels: { __name__: 'up', job: 'api' },
          samples: [
            { t: 1795341600, v: 1 },
            { t: 1795341660, v: 0.5 },
          ],
        },
      ]);
      scope.done();
    });

    it('asks for uncompressed answers, and still reads one a proxy gzipped anyway', async () => {
      const plain = nock(BASE)
        .matchHeader('accept-encoding', 'identity')
        .post('/api/v1/query_range')
        .reply(200, MATRIX);
      await expect(source().queryRange('up{job="api"}', W, 60)).resolves.toHaveLength(1);
      plain.done();

      const gzipped = nock(BASE)
        .post('/api/v1/query_range')
        .reply(200, gzipSync(JSON.stringify(MATRIX)), {
          'Content-Encoding': 'gzip',
          'Content-Type': 'application/json',
        });
      await expect(source().queryRange('up{job="api"}', W, 60)).resolves.toHaveLength(1);
      gzipped.done();
    });

    it('sends the per-query timeout as Prometheus timeout parameter, and fractional times as float seconds', async () => {
      const scope = nock(BASE)
        .post('/api/v1/query', { query: 'up', time: '1795343400.5', timeout: '1500ms' })
        .reply(200, success({ resultType: 'vector', result: [] }));

      await expect(
        source({ timeoutMs: 1500 }).queryInstant('up', new Date('2026-11-22T10:30:00.500Z')),
      ).resolves.toEqual([]);
      scope.done();
    });

    it('POSTs series selectors as repeated match[]', async () => {
      const scope = nock(BASE)
        .matchHeader('content-type', FORM)
        .post('/api/v1/series', { 'match[]': ['up{job="api"}', 'http_requests_total'], start: START, end: END })
        .reply(200, success([{ __name__: 'up', job: 'api', instance: 'a:80' }]));

      await expect(source().series(['up{job="api"}', 'http_requests_total'], W)).resolves.toEqual([
        { __name__: 'up', job: 'api', instance: 'a:80' },
      ]);
      scope.done();
    });

    it('GETs label values with start, end and repeated match[]', async () => {
      const scope = nock(BASE)
        .get('/api/v1/label/job/values')
        .query({ start: START, end: END, 'match[]': ['up', 'process_start_time_seconds'] })
        .reply(200, success(['api', 'worker']));

      await expect(source().labelValues('job', W, ['up', 'process_start_time_seconds'])).resolves.toEqual([
        'api',
        'worker',
      ]);
      scope.done();
    });

    it('refuses a label name that is not one, without sending anything', async () => {
      await expect(source().labelValues('job/../../admin', W)).rejects.toThrow(UnsafeQueryValueError);
    });

    it('reads the version from buildinfo', async () => {
      const scope = nock(BASE)
        .get('/api/v1/status/buildinfo')
        .reply(200, success({ version: '2.42.0+ds', revision: '', branch: 'debian/sid', goVersion: 'go1.19.8' }));

      await expect(source().buildInfo()).resolves.toBe('2.42.0+ds');
      scope.done();
    });

    it('sends configured headers, and credentials from the URL as basic auth', async () => {
      const scope = nock(BASE)
        .matchHeader('x-scope-orgid', 'tenant-1')
        .matchHeader('authorization', `Basic ${Buffer.from('user:secret').toString('base64')}`)
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'vector', result: [] }));

      await source({
        url: 'http://user:secret@prom.example:9090',
        headers: { 'X-Scope-OrgID': 'tenant-1' },
      }).queryInstant('up', W.end);
      scope.done();
    });

    it('keeps a path prefix in the base URL', async () => {
      const scope = nock(BASE)
        .post('/prometheus/api/v1/query')
        .reply(200, success({ resultType: 'vector', result: [] }));

      await source({ url: `${BASE}/prometheus/` }).queryInstant('up', W.end);
      scope.done();
    });
  });

  describe('parsing', () => {
    it('reads vector values, including "NaN", "+Inf" and "-Inf", as numbers', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(
          200,
          success({
            resultType: 'vector',
            result: [
              { metric: { le: '0.1' }, value: [1795343400.123, '1.5e3'] },
              { metric: { le: '+Inf' }, value: [1795343400.123, 'NaN'] },
              { metric: { q: 'hi' }, value: [1795343400.123, '+Inf'] },
              { metric: { q: 'lo' }, value: [1795343400.123, '-Inf'] },
            ],
          }),
        );

      const series = await source().queryInstant('x', W.end);

      expect(series.map((s) => s.samples[0]?.v)).toEqual([1500, Number.NaN, Infinity, -Infinity]);
      expect(series[0]).toEqual({ labels: { le: '0.1' }, samples: [{ t: 1795343400.123, v: 1500 }] });
    });

    it('reads a scalar as one series without labels', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'scalar', result: [1795343400, '42'] }));

      await expect(source().queryInstant('scalar(up)', W.end)).resolves.toEqual([
        { labels: {}, samples: [{ t: 1795343400, v: 42 }] },
      ]);
    });

    it('reads a matrix from an instant query (a range selector) with all its samples', async () => {
      nock(BASE).post('/api/v1/query').reply(200, MATRIX);

      const series = await source().queryInstant('up[1m]', W.end);

      expect(series[0]?.samples).toHaveLength(2);
    });

    it('skips series that carry only native histograms', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(
          200,
          success({
            resultType: 'vector',
            result: [
              { metric: { a: '1' }, histogram: [1795343400, { count: '3', sum: '1', buckets: [] }] },
              { metric: { a: '2' }, value: [1795343400, '7'] },
            ],
          }),
        );

      await expect(source().queryInstant('h', W.end)).resolves.toEqual([
        { labels: { a: '2' }, samples: [{ t: 1795343400, v: 7 }] },
      ]);
    });

    it('accepts warnings and infos in the envelope', async () => {
      nock(BASE)
        .post('/api/v1/query_range')
        .reply(200, { ...MATRIX, warnings: ['PromQL warning: …'], infos: ['PromQL info: …'] });

      await expect(source().queryRange('up', W, 60)).resolves.toHaveLength(1);
    });

    it('rejects a query whose result is a string', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'string', result: [1795343400, 'hello'] }));

      await expect(source().queryInstant('"hello"', W.end)).rejects.toThrow(QueryRejectedError);
    });
  });

  describe('errors', () => {
    it.each([
      {
        errorType: 'bad_data',
        status: 400,
        error: 'invalid parameter "query": 1:34: parse error: unclosed left parenthesis',
        type: QueryRejectedError,
        code: 'query_rejected',
        retryable: false,
      },
      {
        errorType: 'execution',
        status: 422,
        error:
          'found duplicate series for the match group {instance="a"} on the right hand-side of the operation: many-to-many matching not allowed: matching labels must be unique on one side',
        type: QueryExecutionError,
        code: 'query_execution',
        retryable: false,
      },
      {
        errorType: 'timeout',
        status: 503,
        error: 'query timed out in expression evaluation',
        type: DatasourceTimeoutError,
        code: 'datasource_timeout',
        retryable: true,
      },
      {
        errorType: 'canceled',
        status: 503,
        error: 'query was canceled in expression evaluation',
        type: QueryCanceledError,
        code: 'query_canceled',
        retryable: true,
      },
      {
        errorType: 'internal',
        status: 500,
        error: 'unexpected error: out of memory',
        type: DatasourceInternalError,
        code: 'datasource_internal',
        retryable: true,
      },
      {
        errorType: 'not_found',
        status: 404,
        error: 'rule group not found',
        type: DatasourceNotFoundError,
        code: 'datasource_not_found',
        retryable: false,
      },
      {
        errorType: 'unavailable',
        status: 500,
        error: 'TSDB not ready',
        type: DatasourceUnavailableError,
        code: 'datasource_unavailable',
        retryable: true,
      },
      {
        errorType: 'some_future_type',
        status: 500,
        error: 'something new',
        type: DatasourceUnavailableError,
        code: 'datasource_unavailable',
        retryable: true,
      },
    ])(
      'throws $type.name for errorType $errorType (HTTP $status)',
      async ({ errorType, status, error, type, code, retryable }) => {
        const scope = nock(BASE).post('/api/v1/query_range').reply(status, { status: 'error', errorType, error });

        const err = await caught(source().queryRange('sum(rate(x[5m])', W, 60));

        expect(err).toBeInstanceOf(type);
        expect(err).toMatchObject({
          code,
          retryable,
          status,
          source: 'prometheus',
          url: BASE,
          query: 'sum(rate(x[5m])',
        });
        expect(err.message).toContain(`Prometheus at ${BASE}`);
        expect(err.message).toContain(error);
        scope.done();
      },
    );

    it('says what to do when a query is rejected', async () => {
      nock(BASE).post('/api/v1/query_range').reply(400, {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:34: parse error: unclosed left parenthesis',
      });

      const err = await caught(source().queryRange('sum(rate(x[5m])', W, 60));

      expect(err.message).toMatchInlineSnapshot(
        `"Prometheus at http://prom.example:9090 rejected the query: invalid parameter "query": 1:34: parse error: unclosed left parenthesis. Fix the query or its parameters (window, step) and try again."`,
      );
    });

    it('treats errorType canceled with HTTP 499 (Prometheus ≥ 2.43) as QueryCanceledError', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(499, { status: 'error', errorType: 'canceled', error: 'context canceled' });

      await expect(source().queryInstant('up', W.end)).rejects.toThrow(QueryCanceledError);
    });

    it('reports a Prometheus that is not ready yet (503 plain text) as DatasourceUnavailableError', async () => {
      nock(BASE).post('/api/v1/query').reply(503, 'Service Unavailable', { 'Content-Type': 'text/plain' });

      const err = await caught(source().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceUnavailableError);
      expect(err).toMatchObject({ status: 503, retryable: true });
      expect(err.message).toContain('not ready yet');
      expect(err.message).toContain('/-/ready');
    });

    it('reports a plain-text 404 as DatasourceHttpError that points at the base URL', async () => {
      nock(BASE).post('/api/v1/query').reply(404, '404 page not found\n', { 'Content-Type': 'text/plain' });

      const err = await caught(source().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err).toMatchObject({ status: 404, retryable: false, code: 'datasource_http' });
      expect(err.message).toContain('404 page not found');
      expect(err.message).toContain('path prefix');
    });

    it("reports a proxy's HTML error page as DatasourceHttpError with its status", async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(
          502,
          '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n',
          { 'Content-Type': 'text/html' },
        );

      const err = await caught(source().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err).toMatchObject({ status: 502, retryable: true });
      expect(err.message).toContain('HTML page ("502 Bad Gateway")');
      expect(err.message).toContain('proxy');
    });

    it('reports truncated JSON with 200 as MalformedResponseError', async () => {
      nock(BASE)
        .post('/api/v1/query_range')
        .reply(
          200,
          '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1795',
          {
            'Content-Type': 'application/json',
          },
        );

      const err = await caught(source().queryRange('up', W, 60));

      expect(err).toBeInstanceOf(MalformedResponseError);
      expect(err).toMatchObject({ status: 200, retryable: false, code: 'datasource_malformed' });
      expect(err.message).toContain('truncated or invalid JSON');
    });

    it('reports an HTML page with 200 (a UI, not the API) as MalformedResponseError', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(200, '<!doctype html><html><head><title>Grafana</title></head></html>', { 'Content-Type': 'text/html' });

      const err = await caught(source().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(MalformedResponseError);
      expect(err.message).toContain('HTML page ("Grafana")');
    });

    it.each([
      ['no envelope', { result: [] }],
      ['an unknown resultType', success({ resultType: 'table', result: [] })],
      ['a numeric sample value', success({ resultType: 'vector', result: [{ metric: {}, value: [1, 1] }] })],
      ['an unparsable sample value', success({ resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] })],
      ['an empty sample value', success({ resultType: 'vector', result: [{ metric: {}, value: [1, ''] }] })],
      [
        'labels that are not strings',
        success({ resultType: 'vector', result: [{ metric: { a: 1 }, value: [1, '1'] }] }),
      ],
    ])('reports a 200 with %s as MalformedResponseError', async (_name, body) => {
      nock(BASE).post('/api/v1/query').reply(200, body);

      await expect(source().queryInstant('up', W.end)).rejects.toThrow(MalformedResponseError);
    });

    it('reports a range query answered with a vector as MalformedResponseError', async () => {
      nock(BASE)
        .post('/api/v1/query_range')
        .reply(200, success({ resultType: 'vector', result: [] }));

      await expect(source().queryRange('up', W, 60)).rejects.toThrow(MalformedResponseError);
    });

    it('reports a refused connection as DatasourceUnreachableError with what to check', async () => {
      const port = await closedPort();

      const err = await caught(source({ url: `http://127.0.0.1:${port}` }).queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceUnreachableError);
      expect(err).toMatchObject({ retryable: true, code: 'datasource_unreachable', status: undefined });
      expect(err.message).toBe(
        `Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED). Check PROMETHEUS_URL and that Prometheus is running.`,
      );
    });

    it('reports a server slower than timeoutMs as DatasourceTimeoutError', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .delay(500)
        .reply(200, success({ resultType: 'vector', result: [] }));

      const err = await caught(source({ timeoutMs: 50 }).queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceTimeoutError);
      expect(err.message).toContain('within 50 ms');
    });
  });

  describe('retries', () => {
    it('retries once after a 503 and returns the second answer', async () => {
      let calls = 0;
      const scope = nock(BASE)
        .post('/api/v1/query_range')
        .reply(() => {
          calls++;
          return [503, { status: 'error', errorType: 'unavailable', error: 'not yet' }];
        })
        .post('/api/v1/query_range')
        .reply(() => {
          calls++;
          return [200, MATRIX];
        });

      await expect(source({ retries: 1 }).queryRange('up', W, 60)).resolves.toHaveLength(1);
      expect(calls).toBe(2);
      scope.done();
    });

    it('retries after a connection-level timeout too', async () => {
      const scope = nock(BASE)
        .post('/api/v1/query')
        .delay(500)
        .reply(200, success({ resultType: 'vector', result: [] }))
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'scalar', result: [1, '1'] }));

      await expect(source({ retries: 1, timeoutMs: 50 }).queryInstant('1', W.end)).resolves.toHaveLength(1);
      scope.done();
    });

    it('does not retry a 4xx', async () => {
      nock(BASE)
        .post('/api/v1/query_range')
        .reply(400, { status: 'error', errorType: 'bad_data', error: 'bad' })
        .post('/api/v1/query_range')
        .reply(200, MATRIX);

      await expect(source({ retries: 1 }).queryRange('up', W, 60)).rejects.toThrow(QueryRejectedError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });

    it('does not retry a malformed 200', async () => {
      nock(BASE).post('/api/v1/query').reply(200, '{"status":').post('/api/v1/query').reply(200, MATRIX);

      await expect(source({ retries: 1 }).queryInstant('up', W.end)).rejects.toThrow(MalformedResponseError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });

    it('retries only once by default, then throws the last error', async () => {
      const failure = { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' };
      nock(BASE).post('/api/v1/query').times(3).reply(503, failure);

      const err = await caught(
        new PrometheusMetricsSource({ url: BASE, retryBackoffMs: 1 }).queryInstant('heavy', W.end),
      );

      expect(err).toBeInstanceOf(DatasourceTimeoutError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });

    it('waits retryBackoffMs before the retry', async () => {
      const at: number[] = [];
      nock(BASE)
        .post('/api/v1/query')
        .reply(() => {
          at.push(performance.now());
          return [500, '<html><title>oops</title></html>'];
        })
        .post('/api/v1/query')
        .reply(() => {
          at.push(performance.now());
          return [200, success({ resultType: 'vector', result: [] })];
        });

      await source({ retries: 1, retryBackoffMs: 60 }).queryInstant('up', W.end);

      expect(at).toHaveLength(2);
      expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(55);
    });
  });

  describe('abort signals', () => {
    it("stops at once and rethrows the run's DeadlineExceededError", async () => {
      nock(BASE)
        .post('/api/v1/query')
        .delay(5_000)
        .reply(200, success({ resultType: 'vector', result: [] }));
      const controller = new AbortController();
      const deadline = new DeadlineExceededError('The run took longer than 60 s.');
      const started = performance.now();

      const pending = source({ retries: 1, timeoutMs: 10_000 }).queryInstant('up', W.end, {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(deadline), 20);

      await expect(pending).rejects.toBe(deadline);
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('turns an AbortSignal.timeout() reason into DeadlineExceededError', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .delay(5_000)
        .reply(200, success({ resultType: 'vector', result: [] }));

      await expect(
        source({ timeoutMs: 10_000 }).queryInstant('up', W.end, { signal: AbortSignal.timeout(20) }),
      ).rejects.toThrow(DeadlineExceededError);
    });

    it("rethrows any other abort reason as the caller's own", async () => {
      nock(BASE)
        .post('/api/v1/query')
        .delay(5_000)
        .reply(200, success({ resultType: 'vector', result: [] }));
      const controller = new AbortController();
      const pending = source({ timeoutMs: 10_000 }).queryInstant('up', W.end, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);

      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('sends nothing when the signal is already aborted', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'vector', result: [] }));
      const controller = new AbortController();
      controller.abort(new DeadlineExceededError('too late'));

      await expect(source().queryInstant('up', W.end, { signal: controller.signal })).rejects.toThrow('too late');
      expect(nock.pendingMocks()).toHaveLength(1);
    });

    it('does not retry once the signal aborts during the backoff', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(503, { status: 'error', errorType: 'unavailable', error: 'x' })
        .post('/api/v1/query')
        .reply(200, success({ resultType: 'vector', result: [] }));

      await expect(
        source({ retries: 1, retryBackoffMs: 5_000 }).queryInstant('up', W.end, { signal: AbortSignal.timeout(50) }),
      ).rejects.toThrow(DeadlineExceededError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });
  });

  describe('credentials', () => {
    const CREDENTIALED = 'http://user:secret@prom.example:9090';
    const TOKEN = 's3cr3t-token-value';

    function leaks(err: unknown): string[] {
      const text = [
        err instanceof Error ? err.message : '',
        JSON.stringify(err),
        inspect(err, { depth: 6, showHidden: true }),
      ].join('\n');
      return ['secret', TOKEN].filter((s) => text.includes(s));
    }

    const credentialed = (overrides: Partial<ConstructorParameters<typeof PrometheusMetricsSource>[0]> = {}) =>
      source({ url: CREDENTIALED, headers: { Authorization: `Bearer ${TOKEN}` }, ...overrides });

    it('keeps them out of API errors, and reports the URL without them', async () => {
      nock(BASE).post('/api/v1/query').reply(400, { status: 'error', errorType: 'bad_data', error: 'bad' });

      const err = await caught(credentialed().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(QueryRejectedError);
      expect(err.url).toBe(BASE);
      expect(leaks(err)).toEqual([]);
    });

    it('redacts them even when an error page echoes them', async () => {
      nock(BASE).post('/api/v1/query').reply(401, `invalid bearer token ${TOKEN} for user:secret`);

      const err = await caught(credentialed().queryInstant('up', W.end));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err.message).toContain('***');
      expect(leaks(err)).toEqual([]);
    });

    it('keeps them out of connection and timeout errors, including the cause', async () => {
      const port = await closedPort();
      const refused = await caught(
        credentialed({ url: `http://user:secret@127.0.0.1:${port}` }).queryInstant('up', W.end),
      );
      nock(BASE)
        .post('/api/v1/query')
        .delay(500)
        .reply(200, success({ resultType: 'vector', result: [] }));
      const slow = await caught(credentialed({ timeoutMs: 50 }).queryInstant('up', W.end));

      expect(refused).toBeInstanceOf(DatasourceUnreachableError);
      expect(slow).toBeInstanceOf(DatasourceTimeoutError);
      expect(leaks(refused)).toEqual([]);
      expect(leaks(slow)).toEqual([]);
    });

    it('keeps them out of HTML and malformed-answer errors', async () => {
      nock(BASE)
        .post('/api/v1/query')
        .reply(502, '<html><title>Bad Gateway</title></html>')
        .post('/api/v1/query_range')
        .reply(200, '{"status":"succ');

      expect(leaks(await caught(credentialed().queryInstant('up', W.end)))).toEqual([]);
      expect(leaks(await caught(credentialed().queryRange('up', W, 60)))).toEqual([]);
    });

    it('keeps them out of links', () => {
      expect(credentialed().linkFor('up', W)).toMatch(/^http:\/\/prom\.example:9090\/graph\?/);
    });
  });

  describe('linkFor', () => {
    it('builds a Prometheus graph link for the query over the window', () => {
      expect(source().linkFor('rate(http_requests_total{job="api"}[5m])', W)).toBe(
        'http://prom.example:9090/graph?g0.expr=rate(http_requests_total%7Bjob%3D%22api%22%7D%5B5m%5D)' +
          '&g0.tab=0&g0.range_input=30m&g0.end_input=2026-11-22%2010%3A30%3A00&g0.stacked=0',
      );
    });

    it('uses externalUrl when given, and compound durations for odd windows', () => {
      const odd: TimeWindow = { start: new Date('2026-11-22T08:30:00Z'), end: new Date('2026-11-22T10:00:05Z') };

      expect(source({ externalUrl: 'https://prom.example.com/' }).linkFor('up', odd)).toBe(
        'https://prom.example.com/graph?g0.expr=up&g0.tab=0&g0.range_input=1h30m5s' +
          '&g0.end_input=2026-11-22%2010%3A00%3A05&g0.stacked=0',
      );
    });

    it('encodes characters that would end the parameter', () => {
      const link = source().linkFor('up{job="a&b #c"} + 1', W);

      expect(new URL(link).searchParams.get('g0.expr')).toBe('up{job="a&b #c"} + 1');
    });
  });

  describe('configuration', () => {
    it('rejects a URL that is not http(s) without echoing it', () => {
      expect(() => source({ url: 'prom.example:9090 secret' })).toThrow(ConfigError);
      expect(() => source({ url: 'ftp://user:secret@prom.example' })).toThrow(/^(?!.*secret)/);
    });

    it('rejects a non-positive timeout and a negative retry count', () => {
      expect(() => source({ timeoutMs: 0 })).toThrow(ConfigError);
      expect(() => source({ retries: -1 })).toThrow(ConfigError);
    });
  });
});
