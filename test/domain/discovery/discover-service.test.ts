/**
 * Service discovery against the real scenario Prometheus: every candidate name is asked for in one `/api/v1/series`
 * round-trip, the first known candidate wins, and an unknown name gets the closest known ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetricsSource } from '../../../src/adapters/prometheus/prometheus-metrics-source.js';
import { discoverService } from '../../../src/domain/discovery/discover-service.js';
import type { MetricsSource } from '../../../src/domain/ports.js';
import { scenarioById } from '../../scenarios/catalog.js';
import { requirePrometheus } from '../../support/prometheus/local-prometheus.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../../support/prometheus/scenario-server.js';

const prometheus = requirePrometheus();

/** Counts the calls that reach Prometheus, by endpoint. */
function counting(inner: MetricsSource) {
  const calls = { series: 0, labelValues: 0 };
  const source: MetricsSource = {
    queryRange: (...a) => inner.queryRange(...a),
    queryRangeAndEarlier: (...a) => inner.queryRangeAndEarlier(...a),
    queryInstant: (...a) => inner.queryInstant(...a),
    series: (...a) => {
      calls.series++;
      return inner.series(...a);
    },
    labelValues: (...a) => {
      calls.labelValues++;
      return inner.labelValues(...a);
    },
    linkFor: (...a) => inner.linkFor(...a),
  };
  return { source, calls };
}

describe.skipIf(!prometheus.available)('discoverService', () => {
  let server: ScenarioPrometheus;
  const scenario = scenarioById('dependency-failure-otel');
  const at = new Date(scenario.at);
  const window = { start: new Date(at.getTime() - 30 * 60_000), end: at };

  beforeAll(async () => {
    server = await startScenarioPrometheus();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('asks for every candidate in one round-trip and takes the first one Prometheus knows', async () => {
    const { source, calls } = counting(new PrometheusMetricsSource({ url: server.url }));
    const found = await discoverService(source, {
      candidates: ['shipping-quotes', 'shipping', 'kube-state-metrics'],
      window,
    });
    expect(found.found).toBe(true);
    if (!found.found) return;
    expect(found.profile.service).toBe('shipping');
    expect(found.tried).toEqual(['shipping-quotes', 'shipping']);
    // OTel metrics carry the service in `job`; kube-state-metrics' series name it in `deployment`, not `job`.
    expect(found.profile.families.get('http_server_request_duration_seconds_count')?.[0]).toEqual([
      { label: 'job', value: 'shipping' },
    ]);
    expect(found.profile.families.get('kube_deployment_metadata_generation')?.[0]).toEqual([
      { label: 'deployment', value: 'shipping' },
    ]);
    // One more request looks for the exporters of the peers shipping calls (the carrier's API has none here).
    expect(found.profile.callees).toEqual(['api.carrierhub.example', 'address-validation']);
    expect(calls).toEqual({ series: 2, labelValues: 0 });
  });

  it('prefers an earlier candidate when several are known', async () => {
    const { source } = counting(new PrometheusMetricsSource({ url: server.url }));
    const found = await discoverService(source, { candidates: ['kube-state-metrics', 'shipping'], window });
    expect(found.found && found.profile.service).toBe('kube-state-metrics');
  });

  it('names the closest known services when no candidate is known', async () => {
    const { source, calls } = counting(new PrometheusMetricsSource({ url: server.url }));
    const missing = await discoverService(source, { candidates: ['shiping'], window });
    expect(missing.found).toBe(false);
    if (missing.found) return;
    expect(missing.tried).toEqual(['shiping']);
    expect(missing.suggestions).toContain('shipping');
    expect(calls.series).toBe(1);
    expect(calls.labelValues).toBeGreaterThan(0);
  });
});
