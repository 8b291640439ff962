/**
 * Discovery on a Prometheus index in memory: the service found however its name is written, what belongs to it
 * (its data stores, the peers it calls, a team's mappings), what is inferred from names no convention knows, and
 * what it costs in requests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPromql } from '../../../src/adapters/playbook-files/check-promql.js';
import { loadCatalog } from '../../../src/adapters/playbook-files/load-playbooks.js';
import { discoverService } from '../../../src/domain/discovery/discover-service.js';
import type { ServiceProfile } from '../../../src/domain/discovery/service-profile.js';
import { expandTemplate, resolveVariant } from '../../../src/domain/signals/resolve-signal.js';
import type { SignalCatalog } from '../../../src/domain/signals/signal.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { FakeSeriesIndex, family } from '../../support/fake-series-index.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const WINDOW = { start: new Date('2026-12-02T08:00:00Z'), end: NOW };
let catalog: SignalCatalog;

beforeAll(async () => {
  catalog = (await loadCatalog()).signals;
});

async function discover(
  index: FakeSeriesIndex,
  text: string,
  extra: Parameters<typeof discoverService>[1] | object = {},
) {
  const symptom = parseSymptom(text, { now: NOW });
  return discoverService(index, {
    candidates: symptom.serviceCandidates,
    window: WINDOW,
    knownFamilies: catalog.knownFamilies,
    ...extra,
  });
}

function found(d: Awaited<ReturnType<typeof discoverService>>): ServiceProfile {
  if (!d.found) throw new Error(`not found: ${JSON.stringify(d)}`);
  return d.profile;
}

function queryFor(profile: ServiceProfile, signal: string): string | undefined {
  const s = catalog.signals.get(signal);
  if (!s) throw new Error(signal);
  const r = resolveVariant([...s.variants, ...(profile.inferred?.get(signal) ?? [])], profile);
  return r.ok
    ? expandTemplate(r.variant.query, {
        selector: r.selector,
        windowSeconds: 1800,
        rateSeconds: 300,
        trendSeconds: 7200,
      })
    : undefined;
}

const OTEL_PAYMENTS = [
  ...family('http_server_request_duration_seconds_count', { job: 'shop/payments', instance: 'a1' }, [
    { http_response_status_code: '200', http_route: '/pay' },
    { http_response_status_code: '500', http_route: '/pay' },
  ]),
  ...family('http_server_request_duration_seconds_bucket', { job: 'shop/payments', instance: 'a1', le: '0.1' }),
  ...family('up', { job: 'otel-collector', instance: 'c:8889' }),
];

describe('discoverService', () => {
  it('finds "payments svc throwing 500s" as job="shop/payments" in one request', async () => {
    const index = new FakeSeriesIndex(OTEL_PAYMENTS);
    const d = await discover(index, 'payments svc throwing 500s');
    const profile = found(d);
    expect(profile.service).toBe('payments');
    expect(profile.families.get('http_server_request_duration_seconds_count')?.[0]).toEqual([
      { label: 'job', value: 'shop/payments' },
    ]);
    expect(d.found && d.notes).toContain('payments was found in Prometheus as job="shop/payments".');
    expect(queryFor(profile, 'http_5xx_ratio')).toContain('job="shop/payments"');
    expect(index.requests).toHaveLength(1);
  });

  it('ties data stores named after the service, and the stores its client metrics call, with one more request', async () => {
    const index = new FakeSeriesIndex([
      ...family('http_requests_total', { job: 'carts', instance: 'p1:8080' }, [{ code: '200' }]),
      ...family('db_client_operation_duration_seconds_count', {
        job: 'carts',
        instance: 'p1:8080',
        server_address: 'orders-cache.shop.svc.cluster.local',
      }),
      ...family('redis_up', { job: 'carts-redis', instance: '10.1.1.1:9121' }),
      ...family('redis_up', { job: 'orders-cache', instance: '10.1.1.2:9121' }),
      ...family('pg_stat_activity_count', {
        job: 'postgres-exporter',
        instance: 'pg:9187',
        datname: 'carts',
        state: 'active',
      }),
      ...family('pg_up', { job: 'postgres-exporter', instance: 'pg:9187' }),
    ]);
    const profile = found(await discover(index, 'carts slow'));
    expect(profile.dependencies.map((d) => [d.name, d.via])).toEqual([
      ['carts-redis', 'name'],
      ['carts database', 'name'],
      ['orders-cache', 'calls'],
    ]);
    expect(profile.callees).toEqual(['orders-cache']);
    // The database is tied by datname; its exporter's own pg_up (no datname) comes with it.
    expect(profile.dependencies[1]?.families.get('pg_up')).toEqual([
      [
        { label: 'job', value: 'postgres-exporter' },
        { label: 'instance', value: 'pg:9187' },
      ],
    ]);
    expect(index.requests.map((r) => r.method)).toEqual(['series', 'series']);
  });

  it('uses a team mapping: an alias names the service, and a dependency is selected by its matchers', async () => {
    const index = new FakeSeriesIndex([
      ...family('http_requests_total', { job: 'legacy-billing-svc', instance: 'b:1' }, [{ code: '200' }]),
      ...family('mysql_up', { job: 'mysqld', instance: 'db-7:9104' }),
    ]);
    const mappings = [
      {
        service: 'billing',
        aliases: ['legacy-billing-svc'],
        dependencies: [{ name: 'billing MySQL', match: { job: 'mysqld', instance: 'db-7:9104' } }],
      },
    ];
    const d = await discover(index, 'billing errors', { mappings });
    const profile = found(d);
    expect(profile.service).toBe('billing');
    expect(profile.dependencies).toEqual([expect.objectContaining({ name: 'billing MySQL', via: 'mapping' })]);
    expect(d.found && d.notes[0]).toMatch(/alias of billing/);
  });

  it('infers request and latency signals from names no convention knows, and says so', async () => {
    const index = new FakeSeriesIndex([
      ...family('acme_cart_requests_total', { job: 'cart', instance: 'c:9' }, [
        { status: '200', endpoint: '/add' },
        { status: '503', endpoint: '/add' },
      ]),
      ...family('acme_cart_request_latency_ms_bucket', { job: 'cart', instance: 'c:9', le: '50' }),
      ...family('acme_cart_request_latency_ms_sum', { job: 'cart', instance: 'c:9' }),
      ...family('acme_cart_request_latency_ms_count', { job: 'cart', instance: 'c:9' }),
    ]);
    const profile = found(await discover(index, 'cart 503s'));
    expect(queryFor(profile, 'http_503_ratio')).toBe(
      '(sum(rate(acme_cart_requests_total{job="cart",status=~"503"}[5m])) or vector(0)) / sum(rate(acme_cart_requests_total{job="cart"}[5m]))',
    );
    expect(queryFor(profile, 'latency_p99')).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(acme_cart_request_latency_ms_bucket{job="cart"}[5m]))) / 1000',
    );
    const variant = profile.inferred?.get('latency_p99')?.[0];
    expect(variant?.inferredFrom).toBe('acme_cart_request_latency_ms_bucket');
    expect(variant?.note).toMatch(
      /inferred from acme_cart_request_latency_ms_bucket: a latency histogram in milliseconds/,
    );
  });

  it('writes a label value with quotes and regex characters only as a quoted literal', async () => {
    const weird = 'we"ird|svc.*';
    const index = new FakeSeriesIndex(family('http_requests_total', { job: weird, instance: 'x' }, [{ code: '200' }]));
    const profile = found(await discoverService(index, { candidates: [weird], window: WINDOW }));
    const query = queryFor(profile, 'request_rate') ?? '';
    expect(query).toBe(`sum(rate(http_requests_total{job=${JSON.stringify(weird)}}[5m]))`);
    expect(checkPromql(query)).toBeNull();
  });

  it('lists the closest real names when no candidate exists, in at most 10 requests among 5,000 other names', async () => {
    const noise = Array.from({ length: 5000 }, (_, i) => ({
      __name__: `app_metric_${i}_total`,
      job: `svc-${i % 400}`,
    }));
    const index = new FakeSeriesIndex([...noise, ...family('up', { job: 'checkout', instance: 'c:1' })]);
    const d = await discover(index, '502 on chekout');
    expect(d.found).toBe(false);
    expect(!d.found && d.suggestions).toContain('checkout');
    expect(index.requests.length).toBeLessThanOrEqual(10);
  });

  it("finds a VM service by its host, and leaves the exporter's own process out of it", async () => {
    const host = { job: 'node', instance: 'reports-01:9100' };
    const index = new FakeSeriesIndex([
      ...family('node_memory_MemAvailable_bytes', host),
      ...family('node_exporter_build_info', host, [{ version: '1.8.2' }]),
      ...family('process_resident_memory_bytes', host),
      ...family('go_goroutines', host),
    ]);
    const d = await discover(index, 'reports-01 memory keeps climbing, reports getting slow');
    const profile = found(d);
    expect(profile.service).toBe('reports');
    expect([...profile.families.keys()].sort()).toEqual(['node_exporter_build_info', 'node_memory_MemAvailable_bytes']);
    expect(profile.families.get('node_memory_MemAvailable_bytes')?.[0]).toEqual([
      { label: 'instance', value: 'reports-01:9100' },
    ]);
  });

  it("reads a pod name with a suffix of generated letters as the service's own", async () => {
    const index = new FakeSeriesIndex(
      family('survey_requests_total', { job: 'statsd', pod: 'survey-api-sl56j2xhln-dnlbs' }),
    );
    const profile = found(await discover(index, 'survey-api slow for the last 15 min'));
    expect(profile.families.get('survey_requests_total')?.[0]).toEqual([
      { label: 'pod', value: 'survey-api-sl56j2xhln-dnlbs' },
    ]);
  });

  it('takes the name carried by most families when only metric names carry it, selected by name alone', async () => {
    const index = new FakeSeriesIndex([
      ...family('acme_journal_postings_total', { job: 'fin-apps', instance: 'a' }, [
        { result: 'ok' },
        { result: 'error' },
      ]),
      ...family('acme_journal_posting_duration_seconds_count', { job: 'fin-apps', instance: 'a' }),
      ...family('acme_journal_batches_total', { job: 'fin-apps', instance: 'a' }),
    ]);
    const profile = found(await discover(index, 'journal postings erroring since 4pm'));
    expect(profile.service).toBe('journal');
    expect(profile.families.get('acme_journal_batches_total')).toEqual([[]]);
  });

  it("ties the queue a worker's own series name to it, for the scan, in the one follow-up request", async () => {
    const index = new FakeSeriesIndex([
      ...family('celery_task_received_total', { job: 'celery-exporter', hostname: 'billing-worker-6f9c7b5d8-kq2zt' }, [
        { queue_name: 'invoices', name: 'billing.render' },
      ]),
      ...family('celery_queue_length', { job: 'celery-exporter', queue_name: 'invoices' }),
      ...family('celery_queue_length', { job: 'celery-exporter', queue_name: 'emails' }),
    ]);
    const profile = found(await discover(index, 'billing-worker jobs piling up'));
    expect(profile.scan).toContainEqual({
      entity: 'queue_name invoices',
      via: 'dependency',
      selector: [{ label: 'queue_name', value: 'invoices' }],
      families: ['celery_queue_length'],
    });
    expect(index.requests.length).toBe(2);
  });
});
