import { inspect } from 'node:util';
import fc from 'fast-check';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { LokiLogSource } from '../../../src/adapters/loki/loki-log-source.js';
import {
  ConfigError,
  type DatasourceError,
  DatasourceHttpError,
  DatasourceInternalError,
  DatasourceTimeoutError,
  DatasourceUnavailableError,
  DeadlineExceededError,
  MalformedResponseError,
  QueryRejectedError,
  UnsafeQueryValueError,
} from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';

const BASE = 'http://loki.example:3100';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const START_NS = '1795341600000000000';
const END_NS = '1795343400000000000';
const FILTER =
  '"(?i)(error|exception|fatal|panic|fail|refused|timed out|traceback|unavailable|out of memory|too many)"';
const LOG_QUERY = `{service_name="checkout"} |~ ${FILTER}`;
const COUNT_QUERY = `sum(count_over_time({service_name="checkout"} |~ ${FILTER} [30m]))`;
const Q = { service: 'checkout', window: W };

function source(overrides: Partial<ConstructorParameters<typeof LokiLogSource>[0]> = {}) {
  return new LokiLogSource({ url: BASE, retries: 0, retryBackoffMs: 1, ...overrides });
}

const STATS = { summary: { bytesProcessedPerSecond: 1024, totalEntriesReturned: 3, execTime: 0.01 } };

function success(resultType: string, result: unknown): Record<string, unknown> {
  return { status: 'success', data: { resultType, result, stats: STATS } };
}

const VECTOR_42 = success('vector', [{ metric: {}, value: [1795343400, '42'] }]);
const EMPTY_STREAMS = success('streams', []);

async function caught(promise: Promise<unknown>): Promise<DatasourceError> {
  try {
    await promise;
  } catch (err) {
    return err as DatasourceError;
  }
  throw new Error('expected the promise to reject');
}

/**
 * A strict parser of one Go interpreted string literal starting at `from` (what LogQL's lexer reads). Returns the
 * decoded value and the index after the closing quote; throws on anything Go would reject.
 */
function parseGoString(text: string, from: number): { value: string; end: number } {
  if (text[from] !== '"') throw new Error(`no literal at ${from}`);
  let value = '';
  let i = from + 1;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  simple['\\'] = '\\';
  simple['"'] = '"';
  for (;;) {
    const c = text[i];
    if (c === undefined || c === '\n') throw new Error('unterminated literal');
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e !== undefined && simple[e] !== undefined) {
      value += simple[e];
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const digits = e === 'u' ? 4 : 8;
      const hex = text.slice(i + 2, i + 2 + digits);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw new Error('bad \\u escape');
      const cp = Number.parseInt(hex, 16);
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) throw new Error('invalid code point');
      value += String.fromCodePoint(cp);
      i += 2 + digits;
    } else {
      throw new Error(`escape \\${e ?? ''} not produced by quoteLiteral`);
    }
  }
}

const INJECTIONS = [
  'x"} |= "" or {job=~".+"} #',
  '*',
  '" OR 1=1',
  '\\',
  'a\\"b',
  '`raw`',
  '{service_name=~".+"}',
  'line\nbreak\ttab\r\u0000nul',
  '😀 emoji and ünïcödé',
  '\u2028\u2029',
];

describe('LokiLogSource', () => {
  describe('requests', () => {
    it('counts error lines with an instant metric query at the window end, in ns', async () => {
      const scope = nock(BASE)
        .get('/loki/api/v1/query')
        .query({ query: COUNT_QUERY, time: END_NS })
        .reply(200, VECTOR_42);

      await expect(source().countErrors(Q)).resolves.toBe(42);
      scope.done();
    });

    it('counts 0 when the vector is empty (no matching lines)', async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).reply(200, success('vector', []));

      await expect(source().countErrors(Q)).resolves.toBe(0);
    });

    it('reads a matrix answer by its last sample, and sums several series', async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(
          200,
          success('matrix', [
            {
              metric: { pod: 'a' },
              values: [
                [1795343340, '3'],
                [1795343400, '5'],
              ],
            },
            { metric: { pod: 'b' }, values: [[1795343400, '2']] },
          ]),
        );

      await expect(source().countErrors(Q)).resolves.toBe(7);
    });

    it('writes odd windows as compound LogQL durations', async () => {
      const odd: TimeWindow = { start: new Date('2026-11-22T08:30:00Z'), end: new Date('2026-11-22T10:00:05Z') };
      const scope = nock(BASE)
        .get('/loki/api/v1/query')
        .query({
          query: `sum(count_over_time({service_name="checkout"} |~ ${FILTER} [1h30m5s]))`,
          time: '1795341605000000000',
        })
        .reply(200, VECTOR_42);

      await source().countErrors({ service: 'checkout', window: odd });
      scope.done();
    });

    it('GETs error lines with query, start, end in ns, limit and direction=backward', async () => {
      const scope = nock(BASE)
        .get('/loki/api/v1/query_range')
        .query({ query: LOG_QUERY, start: START_NS, end: END_NS, limit: '50', direction: 'backward' })
        .reply(200, EMPTY_STREAMS);

      await expect(source().errorLines({ ...Q, limit: 50 })).resolves.toEqual([]);
      scope.done();
    });

    it('flattens several streams into lines newest first, with stream labels and multi-line entries', async () => {
      const trace =
        'ERROR pool timeout\njava.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)';
      nock(BASE)
        .get('/loki/api/v1/query_range')
        .query(true)
        .reply(
          200,
          success('streams', [
            {
              stream: { service_name: 'checkout', pod: 'checkout-1', level: 'error' },
              values: [
                ['1795343399123456789', trace],
                ['1795343000000000000', 'level=error msg="upstream 503"'],
              ],
            },
            {
              stream: { service_name: 'checkout', pod: 'checkout-2' },
              values: [
                ['1795343200500000000', 'panic: runtime error: invalid memory address'],
                ['1795341600000000001', 'ERROR first'],
              ],
            },
          ]),
        );

      const lines = await source().errorLines({ ...Q, limit: 10 });

      expect(lines.map((l) => l.line)).toEqual([
        trace,
        'panic: runtime error: invalid memory address',
        'level=error msg="upstream 503"',
        'ERROR first',
      ]);
      expect(lines[0]).toEqual({
        time: 1795343399.1234567,
        line: trace,
        labels: { service_name: 'checkout', pod: 'checkout-1', level: 'error' },
      });
      expect(lines[1]?.time).toBe(1795343200.5);
      expect(lines[3]?.labels).toEqual({ service_name: 'checkout', pod: 'checkout-2' });
    });

    it('keeps at most limit lines across streams', async () => {
      nock(BASE)
        .get('/loki/api/v1/query_range')
        .query(true)
        .reply(
          200,
          success('streams', [
            { stream: { pod: 'a' }, values: [['1795343300000000000', 'a1']] },
            { stream: { pod: 'b' }, values: [['1795343400000000000', 'b1']] },
          ]),
        );

      await expect(source().errorLines({ ...Q, limit: 1 })).resolves.toEqual([
        { time: 1795343400, line: 'b1', labels: { pod: 'b' } },
      ]);
    });

    it('sends the tenant as X-Scope-OrgID, configured headers, and URL credentials as basic auth', async () => {
      const scope = nock(BASE)
        .matchHeader('x-scope-orgid', 'team-a|team-b')
        .matchHeader('x-extra', 'yes')
        .matchHeader('authorization', `Basic ${Buffer.from('user:secret').toString('base64')}`)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(200, VECTOR_42);

      await source({
        url: 'http://user:secret@loki.example:3100',
        tenant: 'team-a|team-b',
        headers: { 'X-Extra': 'yes' },
      }).countErrors(Q);
      scope.done();
    });

    it('uses the configured service label and error filter, quoted', async () => {
      const scope = nock(BASE)
        .get('/loki/api/v1/query_range')
        .query({
          query: '{app="checkout"} |~ "level=(error|crit)\\\\b"',
          start: START_NS,
          end: END_NS,
          limit: '5',
          direction: 'backward',
        })
        .reply(200, EMPTY_STREAMS);

      await source({ serviceLabel: 'app', errorFilter: 'level=(error|crit)\\b' }).errorLines({ ...Q, limit: 5 });
      scope.done();
    });

    it('keeps a path prefix in the base URL', async () => {
      const scope = nock(BASE).get('/loki-gw/loki/api/v1/query').query(true).reply(200, VECTOR_42);

      await source({ url: `${BASE}/loki-gw/` }).countErrors(Q);
      scope.done();
    });

    it.each(INJECTIONS)('sends the hostile service %j as one quoted literal', async (service) => {
      const expected = `{service_name=${JSON.stringify(service)}} |~ ${FILTER}`;
      const scope = nock(BASE)
        .get('/loki/api/v1/query_range')
        .query({ query: expected, start: START_NS, end: END_NS, limit: '1', direction: 'backward' })
        .reply(200, EMPTY_STREAMS);

      await source().errorLines({ service, window: W, limit: 1 });
      scope.done();
    });

    it('refuses an empty service and lone surrogates without sending anything', async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).reply(200, VECTOR_42);

      await expect(source().countErrors({ service: '', window: W })).rejects.toThrow(UnsafeQueryValueError);
      await expect(source().countErrors({ service: 'a\uD800b', window: W })).rejects.toThrow(UnsafeQueryValueError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });
  });

  describe('injection (property)', () => {
    const utf16 = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
    const services = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: utf16, maxLength: 20 }),
      fc.string({ unit: fc.constantFrom('"', '\\', '}', '{', '`', '|', '=', '~', '#', ' ', '\n', 'x'), maxLength: 30 }),
      fc.constantFrom(...INJECTIONS),
    );
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const loki = source();

    it('puts any service into LogQL only as one complete Go string literal, or refuses it', () => {
      fc.assert(
        fc.property(services, (service) => {
          let query: string;
          try {
            query = loki.logQuery(service);
          } catch (err) {
            expect(err).toBeInstanceOf(UnsafeQueryValueError);
            expect(service === '' || lone.test(service)).toBe(true);
            return;
          }
          expect(service === '' || lone.test(service)).toBe(false);
          const prefix = '{service_name=';
          expect(query.startsWith(prefix)).toBe(true);
          const literal = parseGoString(query, prefix.length);
          expect(literal.value).toBe(service);
          expect(query.slice(literal.end)).toBe(`} |~ ${FILTER}`);
        }),
        { numRuns: 10_000 },
      );
    });

    it('does the same inside the count query', () => {
      fc.assert(
        fc.property(services, (service) => {
          fc.pre(service !== '' && !lone.test(service));
          const query = loki.countQuery({ service, window: W });
          const prefix = 'sum(count_over_time({service_name=';
          expect(query.startsWith(prefix)).toBe(true);
          const literal = parseGoString(query, prefix.length);
          expect(literal.value).toBe(service);
          expect(query.slice(literal.end)).toBe(`} |~ ${FILTER} [30m]))`);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('errors', () => {
    it.each([
      {
        status: 400,
        body: 'parse error at line 1, col 15: syntax error: unexpected IDENTIFIER',
        type: QueryRejectedError,
        code: 'query_rejected',
        retryable: false,
      },
      {
        status: 400,
        body: 'max entries limit per query exceeded, limit > max_entries_limit_per_query (20000 > 5000)',
        type: QueryRejectedError,
        code: 'query_rejected',
        retryable: false,
      },
      {
        status: 429,
        body: 'too many outstanding requests',
        type: DatasourceUnavailableError,
        code: 'datasource_unavailable',
        retryable: true,
      },
      {
        status: 504,
        body: 'request timed out, decrease the duration of the request or add more label matchers, or increase timeout',
        type: DatasourceTimeoutError,
        code: 'datasource_timeout',
        retryable: true,
      },
      {
        status: 500,
        body: 'rpc error: code = Internal desc = failed to get chunk: context deadline exceeded',
        type: DatasourceInternalError,
        code: 'datasource_internal',
        retryable: true,
      },
      {
        status: 503,
        body: 'Ingester not ready: waiting for 15s after being ready',
        type: DatasourceUnavailableError,
        code: 'datasource_unavailable',
        retryable: true,
      },
    ])('turns a plain-text HTTP $status into $type.name', async ({ status, body, type, code, retryable }) => {
      const scope = nock(BASE)
        .get('/loki/api/v1/query_range')
        .query(true)
        .reply(status, `${body}\n`, { 'Content-Type': 'text/plain; charset=utf-8' });

      const err = await caught(source().errorLines({ ...Q, limit: 20000 }));

      expect(err).toBeInstanceOf(type);
      expect(err).toMatchObject({ code, retryable, status, source: 'loki', url: BASE, query: LOG_QUERY });
      expect(err.message).toContain(`Loki at ${BASE}`);
      expect(err.message).toContain(body);
      scope.done();
    });

    it('says what to do when a query is rejected', async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(400, 'parse error at line 1, col 15: syntax error: unexpected IDENTIFIER\n');

      const err = await caught(source().countErrors(Q));

      expect(err.message).toBe(
        `Loki at ${BASE} rejected the query: parse error at line 1, col 15: syntax error: unexpected IDENTIFIER. ` +
          'Fix the query or narrow its window or limit, and try again.',
      );
    });

    it("reports a proxy's HTML error page as DatasourceHttpError with its status", async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(
          502,
          '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
          { 'Content-Type': 'text/html' },
        );

      const err = await caught(source().countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceHttpError);
      expect(err).toMatchObject({ status: 502, retryable: true });
      expect(err.message).toContain('HTML page ("502 Bad Gateway")');
    });

    it('reports a plain-text 404 and a 401 as DatasourceHttpError with what to check', async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(404, '404 page not found\n')
        .get('/loki/api/v1/query')
        .query(true)
        .reply(401, 'no org id\n');

      const notFound = await caught(source().countErrors(Q));
      const unauthorized = await caught(source().countErrors(Q));

      expect(notFound).toBeInstanceOf(DatasourceHttpError);
      expect(notFound.message).toContain('path prefix');
      expect(unauthorized).toBeInstanceOf(DatasourceHttpError);
      expect(unauthorized).toMatchObject({ status: 401, retryable: false });
      expect(unauthorized.message).toContain('no org id');
      expect(unauthorized.message).toContain('tenant');
    });

    it.each([
      ['truncated JSON', '{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a"'],
      ['an HTML page (Grafana, not Loki)', '<!doctype html><html><head><title>Grafana</title></head></html>'],
      ['an empty body', ''],
      ['no envelope', JSON.stringify({ result: [] })],
      ['an unknown resultType', JSON.stringify(success('table', []))],
      ['a numeric timestamp', JSON.stringify(success('streams', [{ stream: {}, values: [[1795343400, 'x']] }]))],
      ['a millisecond-looking float', JSON.stringify(success('streams', [{ stream: {}, values: [['1.5', 'x']] }]))],
      ['labels that are not strings', JSON.stringify(success('streams', [{ stream: { a: 1 }, values: [] }]))],
      ['an error status in JSON', JSON.stringify({ status: 'error', error: 'x' })],
    ])('reports a 200 with %s as MalformedResponseError', async (_name, body) => {
      nock(BASE).get('/loki/api/v1/query_range').query(true).reply(200, body);

      const err = await caught(source().errorLines({ ...Q, limit: 5 }));

      expect(err).toBeInstanceOf(MalformedResponseError);
      expect(err).toMatchObject({ status: 200, retryable: false });
    });

    it('reports a log query answered with a matrix, or a count answered with streams, as malformed', async () => {
      nock(BASE)
        .get('/loki/api/v1/query_range')
        .query(true)
        .reply(200, success('matrix', []))
        .get('/loki/api/v1/query')
        .query(true)
        .reply(200, EMPTY_STREAMS);

      await expect(source().errorLines({ ...Q, limit: 5 })).rejects.toThrow(MalformedResponseError);
      await expect(source().countErrors(Q)).rejects.toThrow(MalformedResponseError);
    });

    it('reports a server slower than timeoutMs as DatasourceTimeoutError', async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).delay(500).reply(200, VECTOR_42);

      const err = await caught(source({ timeoutMs: 50 }).countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceTimeoutError);
      expect(err.status).toBeUndefined();
      expect(err.message).toContain('within 50 ms');
    });
  });

  describe('retries', () => {
    it.each([
      [500, 'internal error'],
      [429, 'too many outstanding requests'],
      [504, 'request timed out, decrease the duration of the request or add more label matchers, or increase timeout'],
    ])('retries once after a plain-text %i and returns the second answer (2 calls)', async (status, body) => {
      let calls = 0;
      const scope = nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(() => {
          calls++;
          return [status, body];
        })
        .get('/loki/api/v1/query')
        .query(true)
        .reply(() => {
          calls++;
          return [200, VECTOR_42];
        });

      await expect(source({ retries: 1 }).countErrors(Q)).resolves.toBe(42);
      expect(calls).toBe(2);
      scope.done();
    });

    it('retries after a timeout too', async () => {
      const scope = nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .delay(500)
        .reply(200, VECTOR_42)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(200, success('vector', []));

      await expect(source({ retries: 1, timeoutMs: 50 }).countErrors(Q)).resolves.toBe(0);
      scope.done();
    });

    it('does not retry a 400 (1 call)', async () => {
      let calls = 0;
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .times(2)
        .reply(() => {
          calls++;
          return [400, 'parse error at line 1, col 15: syntax error: unexpected IDENTIFIER'];
        });

      await expect(source({ retries: 1 }).countErrors(Q)).rejects.toThrow(QueryRejectedError);
      expect(calls).toBe(1);
    });

    it('retries only once by default, then throws the last error', async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).times(3).reply(500, 'boom');

      const err = await caught(new LokiLogSource({ url: BASE, retryBackoffMs: 1 }).countErrors(Q));

      expect(err).toBeInstanceOf(DatasourceInternalError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });
  });

  describe('abort signals', () => {
    it("stops at once and rethrows the run's DeadlineExceededError", async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).delay(5_000).reply(200, VECTOR_42);
      const controller = new AbortController();
      const deadline = new DeadlineExceededError('The run took longer than 60 s.');
      const started = performance.now();

      const pending = source({ retries: 1, timeoutMs: 10_000 }).countErrors(Q, { signal: controller.signal });
      setTimeout(() => controller.abort(deadline), 20);

      await expect(pending).rejects.toBe(deadline);
      expect(performance.now() - started).toBeLessThan(1_000);
    });

    it('turns an AbortSignal.timeout() reason into DeadlineExceededError', async () => {
      nock(BASE).get('/loki/api/v1/query_range').query(true).delay(5_000).reply(200, EMPTY_STREAMS);

      await expect(
        source({ timeoutMs: 10_000 }).errorLines({ ...Q, limit: 5 }, { signal: AbortSignal.timeout(20) }),
      ).rejects.toThrow(DeadlineExceededError);
    });

    it('sends nothing when the signal is already aborted', async () => {
      nock(BASE).get('/loki/api/v1/query').query(true).reply(200, VECTOR_42);
      const controller = new AbortController();
      controller.abort(new DeadlineExceededError('too late'));

      await expect(source().countErrors(Q, { signal: controller.signal })).rejects.toThrow('too late');
      expect(nock.pendingMocks()).toHaveLength(1);
    });

    it('does not retry once the signal aborts during the backoff', async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(429, 'too many outstanding requests')
        .get('/loki/api/v1/query')
        .query(true)
        .reply(200, VECTOR_42);

      await expect(
        source({ retries: 1, retryBackoffMs: 5_000 }).countErrors(Q, { signal: AbortSignal.timeout(50) }),
      ).rejects.toThrow(DeadlineExceededError);
      expect(nock.pendingMocks()).toHaveLength(1);
    });
  });

  describe('credentials', () => {
    const TOKEN = 's3cr3t-token-value';

    function leaks(err: unknown): string[] {
      const text = [
        err instanceof Error ? err.message : '',
        JSON.stringify(err),
        inspect(err, { depth: 6, showHidden: true }),
      ].join('\n');
      return ['secret', TOKEN].filter((s) => text.includes(s));
    }

    const credentialed = (overrides: Partial<ConstructorParameters<typeof LokiLogSource>[0]> = {}) =>
      source({
        url: 'http://user:secret@loki.example:3100',
        headers: { Authorization: `Bearer ${TOKEN}` },
        ...overrides,
      });

    it('keeps them out of errors, even when a body echoes them, and reports the URL without them', async () => {
      nock(BASE)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(400, `parse error: token ${TOKEN} for user:secret`)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(401, `invalid bearer token ${TOKEN}`)
        .get('/loki/api/v1/query')
        .query(true)
        .reply(200, '{"status":"succ')
        .get('/loki/api/v1/query')
        .query(true)
        .delay(500)
        .reply(200, VECTOR_42);

      const errors = [
        await caught(credentialed().countErrors(Q)),
        await caught(credentialed().countErrors(Q)),
        await caught(credentialed().countErrors(Q)),
        await caught(credentialed({ timeoutMs: 50 }).countErrors(Q)),
      ];

      expect(errors.map((e) => e.constructor.name)).toEqual([
        'QueryRejectedError',
        'DatasourceHttpError',
        'MalformedResponseError',
        'DatasourceTimeoutError',
      ]);
      for (const err of errors) {
        expect(err.url).toBe(BASE);
        expect(leaks(err)).toEqual([]);
      }
      expect(errors[0]?.message).toContain('***');
    });
  });

  describe('linkFor', () => {
    it('is undefined without grafanaUrl', () => {
      expect(source().linkFor(Q)).toBeUndefined();
    });

    it('builds a Grafana Explore link in the panes format', () => {
      const link = source({ grafanaUrl: 'https://grafana.example.com/', grafanaDatasourceUid: 'loki-uid' }).linkFor(Q);

      expect(link).toMatch(/^https:\/\/grafana\.example\.com\/explore\?schemaVersion=1&orgId=1&panes=/);
      const panes: unknown = JSON.parse(new URL(link ?? '').searchParams.get('panes') ?? '');
      expect(panes).toEqual({
        a1b: {
          datasource: 'loki-uid',
          queries: [{ refId: 'A', expr: LOG_QUERY, queryType: 'range', datasource: { type: 'loki', uid: 'loki-uid' } }],
          range: { from: '1795341600000', to: '1795343400000' },
        },
      });
    });

    it('keeps credentials out, omits the datasource without a uid, and skips unsafe services', () => {
      const loki = source({ grafanaUrl: 'https://admin:secret@grafana.example.com' });
      const link = loki.linkFor(Q) ?? '';

      expect(link).not.toContain('secret');
      expect(JSON.parse(new URL(link).searchParams.get('panes') ?? '')).not.toHaveProperty('a1b.datasource');
      expect(loki.linkFor({ service: '\uDC00', window: W })).toBeUndefined();
    });
  });

  describe('configuration', () => {
    it('rejects a bad URL, service label, error filter, tenant, timeout and retry count', () => {
      expect(() => source({ url: 'loki.example:3100' })).toThrow(ConfigError);
      expect(() => source({ serviceLabel: 'service.name' })).toThrow(ConfigError);
      expect(() => source({ serviceLabel: 'x"} or {a=~".+"' })).toThrow(ConfigError);
      expect(() => source({ errorFilter: '' })).toThrow(ConfigError);
      expect(() => source({ tenant: 'a b' })).toThrow(ConfigError);
      expect(() => source({ timeoutMs: 0 })).toThrow(ConfigError);
      expect(() => source({ retries: -1 })).toThrow(ConfigError);
      expect(() => source({ grafanaUrl: 'grafana' })).toThrow(ConfigError);
    });
  });
});
