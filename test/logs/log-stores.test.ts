/**
 * The log store fakes answer as the real APIs document: checked here on the raw HTTP answers, so the log suite's
 * failures are the engine's and not the fakes'.
 */
import { describe, expect, it } from 'vitest';
import { ElasticsearchLogSource } from '../../src/adapters/elasticsearch/elasticsearch-log-source.js';
import { LokiLogSource } from '../../src/adapters/loki/loki-log-source.js';
import { AT, CRI_MAX_LINE, esDocuments, lokiStreams, SERVICES, WINDOW } from '../fixtures/logs/services.js';
import { fakeElasticsearch, fakeLoki, parseLokiTime, toJsRegex } from '../support/log-stores.js';

const LOKI = 'http://loki.test:3100';
const ES = 'http://elasticsearch.test:9200';
const service = (name: string) => {
  const found = SERVICES.find((s) => s.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('the corpus', () => {
  it('has at least 13 services, 10 faults and 3 healthy ones, with window lines inside the window', () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(13);
    expect(SERVICES.filter((s) => s.cause !== 'healthy').length).toBeGreaterThanOrEqual(10);
    expect(SERVICES.filter((s) => s.cause === 'healthy').length).toBeGreaterThanOrEqual(3);
    const start = WINDOW.start.getTime() / 1000;
    const end = WINDOW.end.getTime() / 1000;
    for (const s of SERVICES) {
      for (const e of s.window) expect(e.time >= start && e.time < end, s.name).toBe(true);
      for (const e of s.baseline) expect(e.time >= start - 86_400 && e.time < end - 86_400, s.name).toBe(true);
    }
  });

  it('wraps lines as Docker json-file and CRI write them, splitting long CRI lines into P parts', () => {
    const docker = lokiStreams(service('orders-api')).flatMap((s) => s.entries);
    const record = JSON.parse(docker[0]?.line ?? '{}') as Record<string, string>;
    expect(Object.keys(record)).toEqual(['log', 'stream', 'time']);
    expect(record.log?.endsWith('\n')).toBe(true);
    expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const cri = lokiStreams(service('catalog-service')).flatMap((s) => s.entries.map((e) => e.line));
    const partial = cri.filter((l) => / stdout P /.test(l));
    expect(partial.length).toBeGreaterThan(0);
    for (const line of partial) expect(line.length).toBe(line.indexOf(' P ') + 3 + CRI_MAX_LINE);
    expect(cri.every((l) => /^\d{4}-\d\d-\d\dT[\d:.]{18}Z std(?:out|err) [PF] /.test(l))).toBe(true);
  });
});

describe('fake Loki', () => {
  it('reads times as Loki does and translates (?i)', () => {
    expect(parseLokiTime('1791302400', 0n)).toBe(1_791_302_400_000_000_000n);
    expect(parseLokiTime('1791302400.5', 0n)).toBe(1_791_302_400_500_000_000n);
    expect(parseLokiTime('1791302400000', 0n)).toBe(1_791_302_400_000n);
    expect(parseLokiTime('2026-10-06T16:00:00Z', 0n)).toBe(1_791_302_400_000_000_000n);
    expect(toJsRegex('(?i)(error|fail)').test('Connection FAILED')).toBe(true);
  });

  it('answers counts and lines, newest first within [start, end) and the limit, through the adapter', async () => {
    const fake = fakeLoki(LOKI, SERVICES.flatMap(lokiStreams), AT);
    const loki = new LokiLogSource({ url: LOKI, retries: 0 });
    const s = service('web-gateway');
    const count = await loki.countErrors({ service: s.name, window: WINDOW });
    expect(count).toBe(s.window.length);
    const lines = await loki.errorLines({ service: s.name, window: WINDOW, limit: 40 });
    expect(lines).toHaveLength(40);
    expect(lines.map((l) => l.time)).toEqual([...lines.map((l) => l.time)].sort((a, b) => b - a));
    expect(lines[0]?.time).toBeLessThan(AT.getTime() / 1000);
    const none = await loki.countErrors({ service: 'docs-site', window: WINDOW });
    expect(none).toBe(0);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/loki/api/v1/query',
      '/loki/api/v1/query_range',
      '/loki/api/v1/query',
    ]);
  });

  it('refuses a log query on the instant endpoint with a plain-text 400', async () => {
    fakeLoki(LOKI, [], AT);
    const response = await fetch(`${LOKI}/loki/api/v1/query?query=${encodeURIComponent('{job="x"}')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/log queries are not supported as an instant query/);
  });
});

describe('fake Elasticsearch', () => {
  it('filters, sorts, limits and filters _source as asked', async () => {
    const fake = fakeElasticsearch(ES, SERVICES.flatMap(esDocuments));
    const es = new ElasticsearchLogSource({ url: ES, retries: 0 });
    const s = service('checkout-web');
    expect(await es.countErrors({ service: s.name, window: WINDOW })).toBe(s.window.length);
    const lines = await es.errorLines({ service: s.name, window: WINDOW, limit: 25 });
    expect(lines).toHaveLength(25);
    expect(lines.map((l) => l.time)).toEqual([...lines.map((l) => l.time)].sort((a, b) => b - a));
    expect(lines[0]?.labels).toMatchObject({ level: 'error', service: s.name });
    expect(fake.requests.every((r) => r.path === '/logs-*/_search')).toBe(true);
  });

  it('computes the date histogram (empty buckets kept) and the error.type terms', async () => {
    fakeElasticsearch(ES, SERVICES.flatMap(esDocuments));
    const es = new ElasticsearchLogSource({ url: ES, retries: 0 });
    const timeline = await es.errorTimeline({ service: 'orders-api', window: WINDOW, stepSeconds: 60 });
    expect(timeline.points).toHaveLength(31);
    expect(timeline.points[0]).toEqual({ t: WINDOW.start.getTime() / 1000, v: expect.any(Number) });
    expect(timeline.points.reduce((sum, p) => sum + p.v, 0)).toBe(
      service('orders-api').window.filter((e) => e.level === 'ERROR').length,
    );
    expect(timeline.topTypes).toEqual([{ key: 'java.lang.IllegalArgumentException', count: 140 }]);
  });

  it('answers hits.total as {value, relation}, and leaves it out when track_total_hits is false', async () => {
    fakeElasticsearch(ES, SERVICES.flatMap(esDocuments));
    const search = async (body: unknown) =>
      (await (
        await fetch(`${ES}/logs-*/_search`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { hits: { total?: unknown; hits: unknown[] } };
    const query = { bool: { filter: [{ term: { 'service.name': 'accounts-api' } }] } };
    expect((await search({ size: 0, track_total_hits: true, query })).hits.total).toEqual({
      value: 99,
      relation: 'eq',
    });
    expect((await search({ size: 0, track_total_hits: 10, query })).hits.total).toEqual({ value: 10, relation: 'gte' });
    expect((await search({ size: 0, track_total_hits: false, query })).hits).not.toHaveProperty('total');
  });
});
