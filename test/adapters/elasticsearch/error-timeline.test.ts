import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ElasticsearchLogSource } from '../../../src/adapters/elasticsearch/elasticsearch-log-source.js';

const BASE = 'http://es.test:9200';
const window = { start: new Date('2026-11-01T13:30:00Z'), end: new Date('2026-11-01T13:33:00Z') };

describe('ElasticsearchLogSource.errorTimeline', () => {
  it('asks for a date_histogram and the top error types, and reads their buckets', async () => {
    let sent: Record<string, unknown> = {};
    const scope = nock(BASE)
      .post('/logs-*/_search', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(200, {
        took: 3,
        timed_out: false,
        hits: { total: { value: 0, relation: 'eq' }, hits: [] },
        aggregations: {
          per_step: {
            buckets: [
              { key_as_string: '2026-11-01T13:30:00.000Z', key: 1793539800000, doc_count: 2 },
              { key_as_string: '2026-11-01T13:31:00.000Z', key: 1793539860000, doc_count: 0 },
              { key_as_string: '2026-11-01T13:32:00.000Z', key: 1793539920000, doc_count: 40 },
            ],
          },
          types: {
            doc_count_error_upper_bound: 0,
            sum_other_doc_count: 1,
            buckets: [
              { key: 'java.net.ConnectException', doc_count: 38 },
              { key: 'java.lang.NullPointerException', doc_count: 3 },
            ],
          },
        },
      });
    const es = new ElasticsearchLogSource({ url: BASE, retries: 0 });
    const timeline = await es.errorTimeline({ service: 'checkout', window, stepSeconds: 60 });
    scope.done();
    expect(sent).toMatchObject({
      size: 0,
      aggs: {
        per_step: {
          date_histogram: {
            field: '@timestamp',
            fixed_interval: '60s',
            min_doc_count: 0,
            extended_bounds: { min: window.start.getTime(), max: window.end.getTime() },
          },
        },
        types: { terms: { field: 'error.type', size: 5 } },
      },
    });
    expect(JSON.stringify(sent)).toContain('"service.name":"checkout"');
    expect(timeline.points).toEqual([
      { t: 1793539800, v: 2 },
      { t: 1793539860, v: 0 },
      { t: 1793539920, v: 40 },
    ]);
    expect(timeline.topTypes).toEqual([
      { key: 'java.net.ConnectException', count: 38 },
      { key: 'java.lang.NullPointerException', count: 3 },
    ]);
  });

  it('gives empty results when there are no aggregations in the answer', async () => {
    nock(BASE)
      .post('/logs-*/_search')
      .reply(200, { hits: { total: 0, hits: [] } });
    const es = new ElasticsearchLogSource({ url: BASE, retries: 0 });
    await expect(es.errorTimeline({ service: 'checkout', window, stepSeconds: 60 })).resolves.toEqual({
      points: [],
      topTypes: [],
    });
  });

  it('rejects malformed buckets as a malformed answer', async () => {
    nock(BASE)
      .post('/logs-*/_search')
      .reply(200, { hits: { total: 0, hits: [] }, aggregations: { per_step: { buckets: [{ key: 'x' }] } } });
    const es = new ElasticsearchLogSource({ url: BASE, retries: 0 });
    await expect(es.errorTimeline({ service: 'checkout', window, stepSeconds: 60 })).rejects.toMatchObject({
      code: 'datasource_malformed',
    });
  });
});
