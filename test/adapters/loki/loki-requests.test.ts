/**
 * The Loki adapter over a fake request function: the LogQL requests it builds and how it reads Loki's answers and
 * plain-text errors. Sending (timeouts, retries, credentials) is the transport's, tested apart.
 */
import { describe, expect, it } from 'vitest';
import { LokiLogSource } from '../../../src/adapters/loki/loki-log-source.js';
import { DatasourceUnavailableError, MalformedResponseError, QueryRejectedError } from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { fakeRequest, type Scripted } from '../http/fake-request.js';

const BASE = 'http://loki.example:3100';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const Q = { service: 'checkout', window: W };

function source(script: Scripted[], secrets: readonly string[] = []) {
  const fake = fakeRequest(script, secrets);
  return { loki: new LokiLogSource({ url: BASE, request: fake.request }), ...fake };
}

describe('LokiLogSource with an injected request function', () => {
  it('counts error lines with one GET instant query at the window end, in nanoseconds', async () => {
    const vector = { resultType: 'vector', result: [{ metric: {}, value: [1795343400, '42'] }] };
    const { loki, calls } = source([{ status: 200, body: { status: 'success', data: vector } }]);

    await expect(loki.countErrors(Q)).resolves.toBe(42);

    const query = loki.countQuery(Q);
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: '/loki/api/v1/query', query })]);
    expect(Object.fromEntries(calls[0]?.params ?? [])).toEqual({ query, time: '1795343400000000000' });
  });

  it('reads error lines newest first across streams', async () => {
    const streams = {
      resultType: 'streams',
      result: [
        { stream: { pod: 'a' }, values: [['1795343000000000000', 'older']] },
        { stream: { pod: 'b' }, values: [['1795343100000000000', 'newer']] },
      ],
    };
    const { loki, calls } = source([{ status: 200, body: { status: 'success', data: streams } }]);

    const lines = await loki.errorLines({ ...Q, limit: 10 });

    expect(lines.map((l) => l.line)).toEqual(['newer', 'older']);
    expect(calls[0]?.params?.get('direction')).toBe('backward');
  });

  it('reads a plain-text 400 as the rejection reason and a 429 as rate limiting, masked', async () => {
    const { loki } = source(
      [
        { status: 400, body: 'parse error at line 1', contentType: 'text/plain' },
        { status: 429, body: 'too many outstanding requests for tenant t0ken', contentType: 'text/plain' },
      ],
      ['t0ken'],
    );

    const rejected = await loki.countErrors(Q).catch((e: unknown) => e);
    const limited = await loki.countErrors(Q).catch((e: unknown) => e);

    expect(rejected).toBeInstanceOf(QueryRejectedError);
    expect((rejected as Error).message).toContain('rejected the query: parse error at line 1.');
    expect(limited).toBeInstanceOf(DatasourceUnavailableError);
    expect((limited as Error).message).toContain('for tenant ***');
  });

  it('reads a 200 page from another service as a malformed answer naming it', async () => {
    const page = '<html><title>Grafana</title></html>';
    const { loki } = source([{ status: 200, body: page, contentType: 'text/html' }]);

    const err = await loki.countErrors(Q).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as Error).message).toContain('with an HTML page ("Grafana") instead of JSON');
  });
});
