/**
 * Discovery cost on a real Prometheus holding 5,000 other metric names: how many requests (and how long) finding a
 * service takes, written plainly, as a namespaced composite (`shop/checkout`), with its data stores and callees, and
 * when no such service exists (the "did you mean" path).
 */
import { loadCatalog } from '../src/adapters/playbook-files/load-playbooks.js';
import { PrometheusMetricsSource } from '../src/adapters/prometheus/prometheus-metrics-source.js';
import { countingSource } from '../src/application/diagnose/counting-source.js';
import { discoverService } from '../src/domain/discovery/discover-service.js';
import { parseSymptom } from '../src/domain/symptom/parse-symptom.js';
import { startLocalPrometheus } from '../test/support/prometheus/local-prometheus.js';
import { OpenMetricsWriter } from '../test/support/prometheus/openmetrics-writer.js';

const AT = Date.parse('2026-10-10T12:00:00Z') / 1000;
const OTHER_NAMES = 5000;

/** 5,000 metric names spread over 400 other jobs, plus the services the cases look for. */
function document(): Iterable<string> {
  const w = new OpenMetricsWriter();
  const gauge = (name: string, labels: Record<string, string>) => {
    w.declare({ name, type: 'gauge', help: name });
    const s = w.series(name, name, labels);
    for (let t = AT - 3 * 3600; t <= AT; t += 60) s.add(t, 1);
  };
  for (let i = 0; i < OTHER_NAMES; i++)
    gauge(`team_${i % 97}_metric_${i}`, { job: `svc-${i % 400}`, instance: `10.0.${i % 250}.1:9100` });
  for (const [name, labels] of [
    ['up', { job: 'shop/checkout', instance: 'a' }],
    [
      'http_server_request_duration_seconds_count',
      { job: 'shop/checkout', instance: 'a', http_response_status_code: '200' },
    ],
    [
      'db_client_operation_duration_seconds_count',
      { job: 'shop/checkout', instance: 'a', server_address: 'orders-cache' },
    ],
    ['redis_up', { job: 'checkout-redis', instance: 'r' }],
    ['redis_up', { job: 'orders-cache', instance: 'o' }],
    ['up', { job: 'payments', instance: 'p' }],
    ['http_requests_total', { job: 'payments', instance: 'p', code: '200' }],
  ] as const) {
    gauge(name, labels);
  }
  return w.chunks();
}

export interface DiscoveryCase {
  text: string;
  found: string;
  requests: number;
  ms: number;
}

export async function benchDiscovery(): Promise<{ cases: DiscoveryCase[]; otherNames: number }> {
  const prometheus = await startLocalPrometheus({ openMetrics: document() });
  try {
    const catalog = await loadCatalog();
    const now = new Date(AT * 1000);
    const cases: DiscoveryCase[] = [];
    for (const text of ['errors on payments', 'checkout svc throwing 500s', 'checkout slow', '502 on chekout']) {
      const source = countingSource(new PrometheusMetricsSource({ url: prometheus.url, timeoutMs: 10_000 }));
      const symptom = parseSymptom(text, { now });
      const t0 = performance.now();
      const d = await discoverService(source, {
        candidates: symptom.serviceCandidates,
        window: { start: new Date(now.getTime() - 2.5 * 3_600_000), end: now },
        knownFamilies: catalog.signals.knownFamilies,
      });
      const ms = performance.now() - t0;
      const found = d.found
        ? `${d.profile.service}${d.profile.dependencies.length ? ` + ${d.profile.dependencies.map((x) => x.name).join(', ')}` : ''}`
        : `not found; did you mean ${d.suggestions.join(', ')}`;
      cases.push({ text, found, requests: source.count(), ms });
    }
    return { cases, otherNames: OTHER_NAMES };
  } finally {
    await prometheus.stop();
  }
}
