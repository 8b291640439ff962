import { inspect } from 'node:util';
import fc from 'fast-check';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ElasticsearchLogSource } from '../../../src/adapters/elasticsearch/elasticsearch-log-source.js';
import {
  ConfigError,
  type DatasourceError,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceNotFoundError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryRejectedError,
} from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';

const BASE = 'http://es.example:9200';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const Q = { service: 'checkout', window: W };
const LEVELS = ['error', 'ERROR', 'fatal', 'FATAL', 'critical', 'CRITICAL'];
const SEARCH = '/logs-*/_search';

function filterFor(service: string) {
  return [
    { range: { '@timestamp': { gte: '2026-11-22T10:00:00.000Z', lte: '2026-11-22T10:30:00.000Z' } } },
    { term: { 'service.name': service } },
    { terms: { 'log.level': LEVELS } },
  ];
}

const COUNT_BODY = { size: 0, track_total_hits: true, query: { bool: { filter: filterFor('checkout') } } };
const LINES_BODY = {
  size: 20,
  track_total_hits: false,
  sort: [{ '@timestamp': 'desc' }],
  _source: [
    '@timestamp',
    'message',
    'log.level',
    'service.name',
    'error.type',
    'error.message',
    'kubernetes.pod.name',
    'service.version',
  ],
  query: { bool: { filter: filterFor('checkout') } },
};

function source(overrides: Partial<ConstructorParameters<typeof ElasticsearchLogSource>[0]> = {}) {
  return new ElasticsearchLogSource({ url: BASE, retries: 0, retryBackoffMs: 1, ...overrides });
}

function searchAnswer(total: unknown, hits: unknown[] = []): Record<string, unknown> {
  return {
    took: 12,
    timed_out: false,
    _shards: { total: 3, successful: 3, skipped: 0, failed: 0 },
    hits: { total, max_score: null, hits },
  };
}

const COUNT_17 = searchAnswer({ value: 17, relation: 'eq' });

const PARSE_ERROR = {
  error: {
    root_cause: [
      {
        type: 'parsing_exception',
        reason: '[terms] query does not support [log.level]',
        line: 1,
        col: 180,
      },
    ],
    type: 'parsing_exception',
    reason: '[terms] query does not support [log.level]',
    line: 1,
    col: 180,
  },
  status: 400,
};

const SHARDS_FAILED = {
  error: {
    root_cause: [
      {
        type: 'query_shard_exception',
        reason:
          'failed to create query: Text fields are not optimised for operations that require per-document field data',
        index: 'logs-app-2026.11.22',
      },
    ],
    type: 'search_phase_execution_exception',
    reason: 'all shards failed',
    phase: 'query',
    grouped: true,
    failed_shards: [],
  },
  status: 400,
};

/** Every object key in a JSON value, at any depth (the structure, without the values). */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}

async function caught(promise: Promise<unknown>): Promise<DatasourceError> {
  try {
    await promise;
  } catch (err) {
    return err as DatasourceError;
  }
  throw new Error('expected the promise to reject');
}

const INJECTIONS = [
  'x"} |= "" or {job=~".+"} #',
  '*',
  '" OR 1=1',
  'service.name:* OR log.level:*',
  '\\"}},{"match_all":{}}',
  'a\uD800b',
  '',
  '😀',
];

describe('ElasticsearchLogSource', () => {
  describe('requests', () => {
    it('POSTs a count search (size 0, track_total_hits) with range, term and terms filters as JSON', async () => {
      const scope = nock(BASE)
        .matchHeader('content-type', /^application\/json/)
        .post(SEARCH, COUNT_BODY)
        .reply(200, COUNT_17);

      await expect(source().countErrors(Q)).resolves.toBe(17);
      scope.done();
    });

    it('reads hits.total as a plain integer (older servers)', async () => {
      nock(BASE).post(SEARCH).reply(200, searchAnswer(9));

      await expect(source().countErrors(Q)).resolves.toBe(9);
    });

    it('returns the lower bound when hits.total.relation is gte', async () => {
      nock(BASE)
        .post(SEARCH)
        .reply(200, searchAnswer({ value: 10000, relation: 'gte' }));

      await expect(source().countErrors(Q)).resolves.toBe(10000);
    });

    it('counts 0 on no hits', async () => {
      nock(BASE)
        .post(SEARCH)
        .reply(200, searchAnswer({ value: 0, relation: 'eq' }));

      await expect(source().countErrors(Q)).resolves.toBe(0);
    });

    it('POSTs an error-lines search sorted newest first with _source limited to the fields', async () => {
      const scope = nock(BASE).post(SEARCH, LINES_BODY).reply(200, searchAnswer(undefined, []));

      await expect(source().errorLines({ ...Q, limit: 20 })).resolves.toEqual([]);
      scope.done();
    });

    it('maps nested, dotted and date_nanos documents to log lines', async () => {
      const trace =
        'Connection is not available\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)';
      nock(BASE)
        .post(SEARCH)
        .reply(
          200,
          searchAnswer(undefined, [
            {
              _index: '.ds-logs-app-default-2026.11.22-000001',
              _id: 'a',
              _score: null,
              _source: {
                '@timestamp': '2026-11-22T10:29:59.123456789Z',
                message: trace,
                log: { level: 'error' },
                service: { name: 'checkout' },
              },
              sort: [1795343399123],
            },
            {
              _index: 'logs-old',
              _id: 'b',
              _source: {
                '@timestamp': '2026-11-22T10:10:00.000Z',
                message: 'FATAL out of memory',
                'log.level': 'FATAL',
                'service.name': 'checkout',
              },
            },
            { _index: 'logs-old', _id: 'c', _source: { '@timestamp': 1795342000000 }, sort: [1795342000000] },
          ]),
        );

      const lines = await source().errorLines({ ...Q, limit: 20 });

      expect(lines).toEqual([
        {
          time: 1795343399.1234567,
          line: trace,
          labels: { level: 'error', service: 'checkout', index: '.ds-logs-app-default-2026.11.22-000001' },
        },
        {
          time: 1795342200,
          line: 'FATAL out of memory',
          labels: { level: 'FATAL', service: 'checkout', index: 'logs-old' },
        },
        { time: 1795342000, line: '', labels: { index: 'logs-old' } },
      ]);
    });

    it('adds the error an ECS logger keeps apart to the message, and labels the pod and version', async () => {
      nock(BASE)
        .post(SEARCH)
        .reply(
          200,
          searchAnswer(undefined, [
            {
              _index: 'logs-app',
              _source: {
                '@timestamp': '2026-11-22T10:29:59.000Z',
                message: 'Availability lookup failed for cart 42',
                'log.level': 'ERROR',
                'error.type': 'java.lang.IllegalStateException',
                'error.message': 'No instances available for inventory-service',
                kubernetes: { pod: { name: 'storefront-5d7f8c6b9-x2kqp' } },
                service: { name: 'storefront', version: '2.14.0' },
              },
            },
            {
              _index: 'logs-app',
              _source: {
                '@timestamp': '2026-11-22T10:29:58.000Z',
                message: 'java.lang.IllegalStateException: boom',
                'error.type': 'java.lang.IllegalStateException',
                'error.message': 'boom',
              },
            },
          ]),
        );

      const lines = await source().errorLines({ ...Q, limit: 20 });

      expect(lines.map((l) => l.line)).toEqual([
        'Availability lookup failed for cart 42: java.lang.IllegalStateException: No instances available for inventory-service',
        'java.lang.IllegalStateException: boom',
      ]);
      expect(lines[0]?.labels).toMatchObject({ pod: 'storefront-5d7f8c6b9-x2kqp', version: '2.14.0' });
    });

    it('uses the configured index, fields and error levels', async () => {
      const scope = nock(BASE)
        .post('/app-logs,audit-*/_search', {
          size: 5,
          track_total_hits: false,
          sort: [{ ts: 'desc' }],
          _source: [
            'ts',
            'msg',
            'severity',
            'app',
            'error.type',
            'error.message',
            'kubernetes.pod.name',
            'service.version',
          ],
          query: {
            bool: {
              filter: [
                { range: { ts: { gte: '2026-11-22T10:00:00.000Z', lte: '2026-11-22T10:30:00.000Z' } } },
                { term: { app: 'checkout' } },
                { terms: { severity: ['E', 'F'] } },
              ],
            },
          },
        })
        .reply(
          200,
          searchAnswer(undefined, [
            { _source: { ts: '2026-11-22T10:00:01Z', msg: 'boom', severity: 'E', app: 'checkout' } },
          ]),
        );

      const lines = await source({
        index: 'app-logs,audit-*',
        fields: { timestamp: 'ts', service: 'app', level: 'severity', message: 'msg' },
        errorLevels: ['E', 'F'],
      }).errorLines({ ...Q, limit: 5 });

      expect(lines).toEqual([{ time: 1795341601, line: 'boom', labels: { level: 'E', service: 'checkout' } }]);
      scope.done();
    });

    it('sends basic auth', async () => {
      const scope = nock(BASE)
        .matchHeader('authorization', `Basic ${Buffer.from('elastic:changeme').toString('base64')}`)
        .post(SEARCH)
        .reply(200, COUNT_17);

      await source({ auth: { username: 'elastic', password: 'changeme' } }).countErrors(Q);
      scope.done();
    });

    it('sends an API key', async () => {
      const scope = nock(BASE)
        .matchHeader('authorization', 'ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==')
        .post(SEARCH)
        .reply(200, COUNT_17);

      await source({ auth: { apiKey: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==' } }).countErrors(Q);
      scope.done();
    });

    it.each(INJECTIONS)('sends the hostile service %j only as the term value', async (service) => {
      let sent = '';
      const scope = nock(BASE)
        .post(SEARCH, (body: Record<string, unknown>) => {
          sent = JSON.stringify(body);
          return true;
        })
        .reply(200, COUNT_17);

      await source().countErrors({ service, window: W });

      expect(JSON.parse(sent)).toEqual({ ...COUNT_BODY, query: { bool: { filter: filterFor(service) } } });
      expect(keysOf(JSON.parse(sent))).not.toContain('query_string');
      scope.done();
    });
  });

  describe('injection (property)', () => {
    const utf16 = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
    const services = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: utf16, maxLength: 20 }),
      fc.string({ unit: fc.constantFrom('"', '\\', '}', '{', '*', ':', ' ', 'O', 'R', '(', ')'), maxLength: 30 }),
      fc.constantFrom(...INJECTIONS),
    );
    const es = source();

    it('always carries the service as one JSON term value equal to the input', () => {
      fc.assert(
        fc.property(services, (service) => {
          const wire = JSON.stringify(es.searchQuery({ service, window: W }));
          const parsed = JSON.parse(wire) as { bool: { filter: unknown[] } };
          expect(parsed.bool.filter).toHaveLength(3);
          expect(parsed.bool.filter[1]).toEqual({ term: { 'service.name': service } });
          expect(parsed).toEqual({ bool: { filter: filterFor(service) } });
        }),
        { numRuns: 10_000 },
      );
    });
  });

  describe('errors', () => {
    it('turns the ES error object (400) into QueryRejectedError with type: reason', async () => {
      nock(BASE).post(SEARCH).reply(400, PARSE_ERROR);

      const err = await caught(source().countErrors(Q));

      expect(err).toBeInstanceOf(QueryRejectedError);
      expect(err).toMatchObject({ status: 400, retryable: false, source: 'elasticsearch', url: BASE });
      expect(err.message).toBe(
        `Elasticsearch at ${BASE} rejected the search: parsing_exception: [terms] query does not support [log.level]. ` +
          'Check the configured field names and index, then try again.',
      );
      expect(JSON.parse(err.query ?? '')).toEqual(COUNT_BODY);
    });

    it('adds the root cause under "all shards failed"', async () => {
      nock(BASE).post(SEARCH).reply(400, SHARDS_FAILED);

      const err = await caught(source().errorLines({ ...Q, limit: 5 }));

      expect(err).toBeInstanceOf(QueryRejectedError);
      expect(err.message).toContain('search_phase_execution_exception: all shards failed (query_shard_exception:');
    });

    it('reports 401 as DatasourceHttpError that points at ELASTICSEARCH credentials', async () => {
      nock(BASE)
        .post(SEARCH)
        .reply(401, {
          error: {
            root_cause: [
              {
                type: 'security_exception',
                reason: 'unable to authenticate user [elastic] for REST request [/logs-*/_search]',
              },
            ],
            type: 'security_exception',
            reason: 'unable to authenticate user [elastic] for REST request [/logs-*/_search]',
            header: { 'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey'] },
          },
          status: 401,
        });

      const err = await caught(source({ auth: { username: 'elastic', password: 'hunter2-pass' } }).countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err).toMatchObject({ status: 401, retryable: false });
      expect(err.message).toContain('ELASTICSEARCH credentials');
      expect(err.message).toContain('security_exception');
    });

    it.each([
      [429, 'es_rejected_execution_exception', DatasourceUnavailableError],
      [503, 'cluster_block_exception', DatasourceUnavailableError],
      [500, 'null_pointer_exception', DatasourceInternalError],
    ])('turns HTTP %i with an error object into the right error', async (status, type, errorClass) => {
      nock(BASE)
        .post(SEARCH)
        .reply(status, { error: { root_cause: [], type, reason: 'rejected execution' }, status });

      const err = await caught(source().countErrors(Q));

      expect(err).toBeInstanceOf(errorClass);
      expect(err).toMatchObject({ status, retryable: true });
      expect(err.message).toContain(`${type}: rejected execution`);
    });

    it('turns a 404 index_not_found_exception into DatasourceNotFoundError', async () => {
      nock(BASE)
        .post('/app-logs/_search')
        .reply(404, {
          error: {
            root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [app-logs]' }],
            type: 'index_not_found_exception',
            reason: 'no such index [app-logs]',
            index: 'app-logs',
          },
          status: 404,
        });

      const err = await caught(source({ index: 'app-logs' }).countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceNotFoundError);
      expect(err.message).toContain('no such index [app-logs]');
    });

    it("reports a proxy's HTML error page as DatasourceHttpError", async () => {
      nock(BASE).post(SEARCH).reply(502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', {
        'Content-Type': 'text/html',
      });

      const err = await caught(source().countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err).toMatchObject({ status: 502, retryable: true });
      expect(err.message).toContain('HTML page ("502 Bad Gateway")');
    });

    it.each([
      ['truncated JSON', '{"took":3,"timed_out":false,"hits":{"total":{"value":1'],
      ['an HTML page (Kibana)', '<!DOCTYPE html><html><head><title>Elastic</title></head></html>'],
      ['no hits', JSON.stringify({ took: 1 })],
      ['a string total', JSON.stringify(searchAnswer('12'))],
      ['an unknown relation', JSON.stringify(searchAnswer({ value: 1, relation: 'lt' }))],
      ['no total', JSON.stringify(searchAnswer(undefined))],
    ])('reports a 200 with %s as MalformedResponseError', async (_name, body) => {
      nock(BASE).post(SEARCH).reply(200, body);

      const err = await caught(source().countErrors(Q));

      expect(err).toBeInstanceOf(MalformedResponseError);
      expect(err).toMatchObject({ status: 200, retryable: false });
    });

    it('reports a hit without a readable timestamp as MalformedResponseError', async () => {
      nock(BASE)
        .post(SEARCH)
        .reply(200, searchAnswer(undefined, [{ _source: { message: 'x', '@timestamp': 'yesterday' } }]));

      await expect(source().errorLines({ ...Q, limit: 1 })).rejects.toThrow(MalformedResponseError);
    });

    it('reports a server slower than timeoutMs as DatasourceTimeoutError', async () => {
      nock(BASE).post(SEARCH).delay(500).reply(200, COUNT_17);

      const err = await caught(source({ timeoutMs: 50 }).countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceTimeoutError);
      expect(err.message).toContain('within 50 ms');
    });
  });

  describe('retries', () => {
    it.each([
      [500, { error: { root_cause: [], type: 'exception', reason: 'boom' }, status: 500 }],
      [503, { error: { root_cause: [], type: 'master_not_discovered_exception', reason: null }, status: 503 }],
      [
        429,
        {
          error: { root_cause: [], type: 'circuit_breaking_exception', reason: '[parent] Data too large' },
          status: 429,
        },
      ],
    ])('retries once after HTTP %i and returns the second answer (2 calls)', async (status, body) => {
      let calls = 0;
      const scope = nock(BASE)
        .post(SEARCH)
        .reply(() => {
          calls++;
          return [status, body];
        })
        .post(SEARCH)
        .reply(() => {
          calls++;
          return [200, COUNT_17];
        });

      await expect(source({ retries: 1 }).countErrors(Q)).resolves.toBe(17);
      expect(calls).toBe(2);
      scope.done();
    });

    it('does not retry a 400 (1 call)', async () => {
      let calls = 0;
      nock(BASE)
        .post(SEARCH)
        .times(2)
        .reply(() => {
          calls++;
          return [400, PARSE_ERROR];
        });

      await expect(source({ retries: 1 }).countErrors(Q)).rejects.toThrow(QueryRejectedError);
      expect(calls).toBe(1);
    });
  });

  describe('abort signals', () => {
    it("stops at once and rethrows the run's DeadlineExceededError", async () => {
      nock(BASE).post(SEARCH).delay(5_000).reply(200, COUNT_17);
      const controller = new AbortController();
      const deadline = new DeadlineExceededError('The run took longer than 60 s.');
      const started = performance.now();

      const pending = source({ retries: 1, timeoutMs: 10_000 }).countErrors(Q, { signal: controller.signal });
      setTimeout(() => controller.abort(deadline), 20);

      await expect(pending).rejects.toBe(deadline);
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('turns an AbortSignal.timeout() reason into DeadlineExceededError', async () => {
      nock(BASE).post(SEARCH).delay(5_000).reply(200, COUNT_17);

      await expect(
        source({ timeoutMs: 10_000 }).errorLines({ ...Q, limit: 3 }, { signal: AbortSignal.timeout(20) }),
      ).rejects.toThrow(DeadlineExceededError);
    });
  });

  describe('credentials', () => {
    const PASSWORD = 'hunter2-pass';
    const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
    const BASIC = Buffer.from(`elastic:${PASSWORD}`).toString('base64');

    function leaks(err: unknown, secrets: readonly string[]): string[] {
      const text = [
        err instanceof Error ? err.message : '',
        JSON.stringify(err),
        inspect(err, { depth: 6, showHidden: true }),
      ].join('\n');
      return secrets.filter((s) => text.includes(s));
    }

    it.each([
      ['basic auth', { auth: { username: 'elastic', password: PASSWORD } }, [PASSWORD, BASIC]],
      ['an API key', { auth: { apiKey: API_KEY } }, [API_KEY]],
      ['URL credentials', { url: 'http://elastic:urlsecret@es.example:9200' }, ['urlsecret']],
    ])('keeps %s out of every error, even when a body echoes it', async (_name, overrides, secrets) => {
      const echo = `bad credentials ${secrets.join(' ')}`;
      nock(BASE)
        .post(SEARCH)
        .reply(401, { error: { root_cause: [], type: 'security_exception', reason: echo }, status: 401 })
        .post(SEARCH)
        .reply(403, echo)
        .post(SEARCH)
        .reply(400, { error: { root_cause: [], type: 'parsing_exception', reason: echo }, status: 400 })
        .post(SEARCH)
        .reply(200, `{"took":${echo}`)
        .post(SEARCH)
        .delay(500)
        .reply(200, COUNT_17);
      const es = source({ ...overrides, timeoutMs: 50 });

      const errors = [
        await caught(es.countErrors(Q)),
        await caught(es.countErrors(Q)),
        await caught(es.countErrors(Q)),
        await caught(es.countErrors(Q)),
        await caught(es.countErrors(Q)),
      ];

      expect(errors.map((e) => e.constructor.name)).toEqual([
        'DatasourceHttpError',
        'DatasourceHttpError',
        'QueryRejectedError',
        'MalformedResponseError',
        'DatasourceTimeoutError',
      ]);
      for (const err of errors) {
        expect(err.url).toBe(BASE);
        expect(leaks(err, secrets)).toEqual([]);
      }
      expect(errors[0]?.message).toContain('***');
    });
  });

  describe('linkFor', () => {
    it('is undefined without kibanaUrl', () => {
      expect(source().linkFor(Q)).toBeUndefined();
    });

    it('builds a Kibana Discover link with the window and a quoted KQL query', () => {
      const link = source({ kibanaUrl: 'https://kibana.example.com/' }).linkFor({ service: 'it\'s "x"!', window: W });
      const hash = decodeURIComponent(new URL(link ?? '').hash);

      expect(link).toMatch(/^https:\/\/kibana\.example\.com\/app\/discover#\/\?_g=/);
      expect(hash).toContain("_g=(time:(from:'2026-11-22T10:00:00.000Z',to:'2026-11-22T10:30:00.000Z'))");
      expect(hash).toContain(
        `_a=(query:(language:kuery,query:'service.name:"it!'s \\"x\\"!!" and log.level:("error" or "ERROR" or "fatal" or "FATAL" or "critical" or "CRITICAL")'))`,
      );
    });

    it('gives no link, instead of throwing, for a service that cannot be written in a URL (a lone surrogate)', () => {
      const es = source({ kibanaUrl: 'https://kibana.example.com/' });
      expect(es.linkFor({ service: '\ud800', window: W })).toBeUndefined();
      expect(es.linkFor({ service: 'pay\udfffments', window: W })).toBeUndefined();
      expect(es.linkFor({ service: 'pay\ud83d\ude00ments', window: W })).toMatch(/^https:\/\/kibana/);
    });
  });

  describe('configuration', () => {
    it.each(['logs/../_cluster', 'logs?pretty', 'logs index', '..', 'a,,b', 'logs-*/_delete_by_query', '%2e%2e'])(
      'rejects the index %j with ConfigError',
      (index) => {
        expect(() => source({ index })).toThrow(ConfigError);
      },
    );

    it('accepts index names, patterns and lists', () => {
      for (const index of ['logs-*', 'filebeat-8.15.0-*', '.ds-logs-app-default-*', 'app-logs,audit-*']) {
        expect(() => source({ index })).not.toThrow();
      }
    });

    it('rejects a bad URL, empty fields, no levels, a bad timeout or kibana URL', () => {
      expect(() => source({ url: 'es.example:9200' })).toThrow(ConfigError);
      expect(() => source({ fields: { level: ' ' } })).toThrow(ConfigError);
      expect(() => source({ errorLevels: [] })).toThrow(ConfigError);
      expect(() => source({ timeoutMs: -1 })).toThrow(ConfigError);
      expect(() => source({ kibanaUrl: 'kibana' })).toThrow(ConfigError);
      expect(() => source({ auth: { apiKey: '' } })).toThrow(ConfigError);
    });
  });
});
