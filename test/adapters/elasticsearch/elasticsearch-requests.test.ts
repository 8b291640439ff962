/**
 * The Elasticsearch adapter over a fake request function: the searches it builds and how it reads answers and
 * error objects. Sending (timeouts, retries, credentials) is the transport's, tested apart.
 */
import { describe, expect, it } from 'vitest';
import { ElasticsearchLogSource } from '../../../src/adapters/elasticsearch/elasticsearch-log-source.js';
import { DatasourceInternalError, QueryRejectedError } from '../../../src/domain/errors.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { fakeRequest, type Scripted } from '../http/fake-request.js';

const BASE = 'http://es.example:9200';
const W: TimeWindow = { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:00Z') };
const Q = { service: 'checkout', window: W };

function source(script: Scripted[]) {
  const fake = fakeRequest(script);
  return { es: new ElasticsearchLogSource({ url: BASE, index: 'app-*', request: fake.request }), ...fake };
}

describe('ElasticsearchLogSource with an injected request function', () => {
  it('posts a JSON count search to the index and reads hits.total', async () => {
    const { es, calls } = source([{ status: 200, body: { hits: { total: { value: 7, relation: 'eq' }, hits: [] } } }]);

    await expect(es.countErrors(Q)).resolves.toBe(7);

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call).toMatchObject({ method: 'POST', path: '/app-*/_search' });
    expect(call?.query).toBe(call?.json);
    expect(JSON.parse(call?.json ?? '')).toEqual({ size: 0, track_total_hits: true, query: es.searchQuery(Q) });
  });

  it('reads an error object: a 400 is a rejected search, a 500 an internal error', async () => {
    const error = (status: number, reason: string) => ({
      status,
      body: { error: { type: 'search_phase_execution_exception', reason }, status },
    });
    const { es } = source([error(400, 'No mapping found for [log.level]'), error(500, 'shard failure')]);

    const rejected = await es.countErrors(Q).catch((e: unknown) => e);
    const internal = await es.countErrors(Q).catch((e: unknown) => e);

    expect(rejected).toBeInstanceOf(QueryRejectedError);
    expect((rejected as Error).message).toContain('search_phase_execution_exception: No mapping found for [log.level]');
    expect(internal).toBeInstanceOf(DatasourceInternalError);
    expect(internal).toMatchObject({ status: 500, source: 'elasticsearch', url: BASE });
  });
});
