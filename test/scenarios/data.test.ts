/**
 * The scenario data, checked in a real Prometheus with plain PromQL: every scenario is queryable at its `at`, and
 * each carries the evidence its description promises (and healthy services stay within the DESIGN thresholds).
 * These queries are written here on purpose, independently of the engine's playbooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/domain/causes.js';
import { requirePrometheus, startLocalPrometheus } from '../support/prometheus/local-prometheus.js';
import { OpenMetricsWriter } from '../support/prometheus/openmetrics-writer.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { SCENARIOS, type Scenario, scenarioById } from './catalog.js';

const prometheus = requirePrometheus();
const q = (value: string) => JSON.stringify(value);

function shift(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

interface Sample {
  metric: Record<string, string>;
  value: number;
}

async function instant(url: string, expr: string, time: string): Promise<Sample[]> {
  const response = await fetch(`${url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: expr, time }),
  });
  const json = (await response.json()) as {
    status: string;
    error?: string;
    data: { resultType: string; result: unknown };
  };
  if (json.status !== 'success') throw new Error(`${expr}: ${json.error ?? response.status}`);
  if (json.data.resultType === 'scalar') {
    const [, v] = json.data.result as [number, string];
    return [{ metric: {}, value: Number(v) }];
  }
  return (json.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
  }));
}

describe('scenario catalogue', () => {
  it('covers every cause, the required conventions and realistic times', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(16);
    const causes = new Set(SCENARIOS.map((s) => s.cause));
    for (const cause of CAUSES) expect(causes, cause).toContain(cause);
    const healthy = new Set(SCENARIOS.filter((s) => s.cause === 'healthy').map((s) => s.convention));
    for (const convention of ['prom-client', 'micrometer', 'otel'] as const) expect(healthy).toContain(convention);
    const causesIn = (convention: string) =>
      new Set(SCENARIOS.filter((s) => s.convention === convention && s.cause !== 'healthy').map((s) => s.cause));
    expect(causesIn('micrometer').size).toBeGreaterThanOrEqual(3);
    expect(causesIn('otel').size).toBeGreaterThanOrEqual(3);
    expect(SCENARIOS.some((s) => s.convention === 'istio' || s.convention === 'ingress-nginx')).toBe(true);
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    expect(new Set(SCENARIOS.map((s) => s.service)).size).toBe(SCENARIOS.length);
    const withBaseline = SCENARIOS.filter((s) => s.dayEarlierBaseline).length;
    expect(withBaseline).toBeGreaterThanOrEqual(SCENARIOS.length * 0.4);
    expect(withBaseline).toBeLessThanOrEqual(SCENARIOS.length * 0.6);
    for (const s of SCENARIOS) {
      expect(s.symptom, s.id).toContain(s.service);
      expect(s.service, s.id).not.toContain(s.cause);
      const at = Date.parse(s.at);
      expect(at, s.id).toBeGreaterThanOrEqual(Date.parse('2026-10-01T00:00:00Z'));
      expect(at, s.id).toBeLessThanOrEqual(Date.parse('2026-10-20T23:59:59Z'));
      const lead = (at - Date.parse(s.onset)) / 60_000;
      expect(lead, s.id).toBeGreaterThanOrEqual(5);
      expect(lead, s.id).toBeLessThanOrEqual(20);
      const historyHours = (at - Date.parse(s.historyStart)) / 3_600_000;
      expect(historyHours, s.id).toBeGreaterThanOrEqual(
        s.cause === 'memory-leak' || s.cause === 'resource-leak' ? 8 : 3,
      );
    }
  });
});

describe.skipIf(!prometheus.available)('scenario data in a real Prometheus', () => {
  let server: ScenarioPrometheus;
  const query = (expr: string, time: string) => instant(server.url, expr, time);
  /** The single value of an expression that must return exactly one sample. */
  async function one(expr: string, time: string): Promise<number> {
    const result = await query(expr, time);
    expect(result, expr).toHaveLength(1);
    return result[0]?.value ?? Number.NaN;
  }
  async function values(expr: string, time: string): Promise<number[]> {
    return (await query(expr, time)).map((s) => s.value);
  }

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    const t = server.timings;
    process.stderr.write(
      `[scenario prometheus] render ${Math.round(t.generateMs)} ms, backfill ${Math.round(t.backfillMs)} ms` +
        `${t.cached ? ' (cached)' : ''}, start-up ${Math.round(t.startupMs)} ms\n`,
    );
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  describe.each(SCENARIOS.map((s) => [s.id, s] as const))('%s', (_id, s: Scenario) => {
    it('has up, process, cAdvisor, kube-state-metrics and build-info series at `at`', async () => {
      const job = q(s.job ?? s.service);
      const container = q(s.service);
      const lacks = new Set(s.lacks ?? []);
      const onKubernetes = !lacks.has('kubernetes');
      if (!lacks.has('up')) {
        const targets = await values(`up{job=${job}}`, s.at);
        if (onKubernetes) expect(targets).toHaveLength(3);
        else expect(targets.length).toBeGreaterThanOrEqual(1);
        // Three scrape targets (one per VM host) for (nearly) 3 h; a rollout swaps them, so count samples over all of them.
        expect(await one(`sum(count_over_time(up{job=${job}}[3h]))`, s.at)).toBeGreaterThanOrEqual(
          targets.length * 175,
        );
      }
      if (!lacks.has('process'))
        expect(await one(`count(process_start_time_seconds{job=${job}})`, s.at)).toBeGreaterThanOrEqual(
          onKubernetes ? 2 : 1,
        );
      if (onKubernetes) {
        expect(
          await one(`count(container_memory_working_set_bytes{container=${container}})`, s.at),
        ).toBeGreaterThanOrEqual(2);
        expect(await one(`count(kube_pod_container_status_restarts_total{container=${container}})`, s.at)).toBe(3);
        expect(await one(`count(kube_deployment_metadata_generation{deployment=${container}})`, s.at)).toBe(1);
      } else {
        // A VM-hosted service: nothing from cAdvisor or kube-state-metrics names it.
        expect(await query(`{__name__=~"container_.+|kube_.+",container=${container}}`, s.at)).toEqual([]);
        expect(await query(`{__name__=~"kube_.+",deployment=${container}}`, s.at)).toEqual([]);
      }
      if (!lacks.has('build-info')) {
        const builds = await query(`{__name__=~".+_build_info",job=${job}}`, s.at);
        expect(builds.some((b) => b.metric.version !== undefined && b.metric.__name__ !== 'go_build_info')).toBe(true);
      }
    });

    it(s.dayEarlierBaseline ? 'has the same window one day earlier' : 'has no data one day earlier', async () => {
      const earlier = await query(`up{job=${q(s.job ?? s.service)}} offset 1d`, s.at);
      expect(earlier.length > 0).toBe(s.dayEarlierBaseline);
    });
  });

  const httpErrorRatio = (s: Scenario): string => {
    if (s.healthChecks) return s.healthChecks.errorRatio;
    const job = q(s.job ?? s.service);
    switch (s.convention) {
      case 'micrometer':
        return `(sum(rate(http_server_requests_seconds_count{job=${job},status=~"5.."}[5m])) or vector(0)) / sum(rate(http_server_requests_seconds_count{job=${job}}[5m]))`;
      case 'otel':
        return `sum(rate(http_server_request_duration_seconds_count{job=${job},http_response_status_code=~"5.."}[5m])) / sum(rate(http_server_request_duration_seconds_count{job=${job}}[5m]))`;
      default:
        return `(sum(rate(http_requests_total{job=${job},code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{job=${job}}[5m]))`;
    }
  };

  describe.each(SCENARIOS.filter((s) => s.cause === 'healthy').map((s) => [s.id, s] as const))(
    'healthy %s',
    (_id, s) => {
      const job = q(s.job ?? s.service);
      const container = q(s.service);
      const worst = (expr: string) => one(`max_over_time((${expr})[3h:1m])`, s.at);

      it('keeps errors under 0.1 % and latency under 1 s for the whole history', async () => {
        expect(await worst(httpErrorRatio(s))).toBeLessThan(0.001);
        if (s.healthChecks) {
          expect(await worst(s.healthChecks.latency)).toBeLessThan(1);
        } else if (s.convention === 'micrometer') {
          expect(await worst(`max(http_server_requests_seconds_max{job=${job}})`)).toBeLessThan(1);
          expect(
            await worst(
              `sum(rate(http_server_requests_seconds_sum{job=${job}}[5m])) / sum(rate(http_server_requests_seconds_count{job=${job}}[5m]))`,
            ),
          ).toBeLessThan(0.1);
        } else {
          const family =
            s.convention === 'otel'
              ? 'http_server_request_duration_seconds_bucket'
              : 'http_request_duration_seconds_bucket';
          expect(await worst(`histogram_quantile(0.99, sum by (le) (rate(${family}{job=${job}}[5m])))`)).toBeLessThan(
            1,
          );
        }
      });

      it('keeps CPU under 70 %, memory under 80 % of the limit and pools under 80 %', async () => {
        expect(
          await worst(
            `max(sum by (pod) (rate(container_cpu_usage_seconds_total{container=${container}}[5m])) / on (pod) max by (pod) (kube_pod_container_resource_limits{container=${container},resource="cpu"}))`,
          ),
        ).toBeLessThan(0.7);
        expect(
          await worst(
            `max(max by (pod) (container_memory_working_set_bytes{container=${container}}) / on (pod) max by (pod) (container_spec_memory_limit_bytes{container=${container}}))`,
          ),
        ).toBeLessThan(0.8);
        if (s.convention === 'micrometer') {
          expect(
            await worst(`max(hikaricp_connections_active{job=${job}} / hikaricp_connections_max{job=${job}})`),
          ).toBeLessThan(0.8);
        }
        if (s.convention === 'otel') {
          expect(
            await worst(
              `max(db_client_connections_usage{job=${job},state="used"} / ignoring (state) db_client_connections_max{job=${job}})`,
            ),
          ).toBeLessThan(0.8);
        }
      });
    },
  );

  it('histogram_quantile works for prom-client and OTel; Micrometer has no _bucket series', async () => {
    for (const s of SCENARIOS) {
      const job = q(s.job ?? s.service);
      if (s.convention === 'prom-client' || s.convention === 'otel') {
        const family =
          s.convention === 'otel'
            ? 'http_server_request_duration_seconds_bucket'
            : 'http_request_duration_seconds_bucket';
        const p99 = await one(`histogram_quantile(0.99, sum by (le) (rate(${family}{job=${job}}[5m])))`, s.at);
        expect(Number.isFinite(p99) && p99 > 0, s.id).toBe(true);
        // Leaving `le` out of the grouping gives nothing, as datasources.md §4 says.
        expect(await query(`histogram_quantile(0.99, sum(rate(${family}{job=${job}}[5m])))`, s.at), s.id).toEqual([]);
      }
      if (s.convention === 'micrometer') {
        expect(
          await query(
            `{__name__=~"http_server_requests_seconds_bucket|http_server_requests_seconds_count",job=${job}}`,
            s.at,
          ),
          s.id,
        ).not.toEqual([]);
        expect(await query(`{__name__=~".+_bucket",job=${job}}`, s.at), s.id).toEqual([]);
      }
    }
  });

  it('app-crash (prom-client): one of three pods flaps, restarts rise, 502 at the ingress, no version change', async () => {
    const s = scenarioById('app-crash-prom-client');
    const minUp = await query(`min_over_time(up{job="checkout"}[16m])`, s.at);
    expect(minUp.map((m) => m.value).sort()).toEqual([0, 1, 1]);
    const flapping = minUp.find((m) => m.value === 0)?.metric.pod ?? '';
    expect(await one(`changes(up{job="checkout",pod=${q(flapping)}}[16m])`, s.at)).toBeGreaterThanOrEqual(4);
    expect(
      await one(
        `increase(kube_pod_container_status_restarts_total{container="checkout",pod=${q(flapping)}}[20m])`,
        s.at,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect(
      await values(
        `increase(kube_pod_container_status_restarts_total{container="checkout",pod!=${q(flapping)}}[20m])`,
        s.at,
      ),
    ).toEqual([0, 0]);
    expect(
      await one(`kube_pod_container_status_last_terminated_reason{container="checkout",reason="Error"}`, s.at),
    ).toBe(1);
    expect(await one(`count(count_over_time(app_build_info{job="checkout"}[3h])) by (version)`, s.at)).toBe(3);
    expect(await one(`changes(kube_deployment_metadata_generation{deployment="checkout"}[1d])`, s.at)).toBe(0);
    expect(
      await one(`sum(increase(nginx_ingress_controller_requests{ingress="checkout",status="502"}[16m]))`, s.at),
    ).toBeGreaterThan(100);
    expect(await query(`http_requests_total{job="checkout",code="502"}`, s.at)).toEqual([]);
  });

  it('app-crash (Istio only): 503 UH at the gateway, OOMKilled restarts on every pod', async () => {
    const s = scenarioById('app-crash-istio');
    expect(await query(`http_requests_total{job="storefront"}`, s.at)).toEqual([]);
    const flags = await query(
      `sum by (reporter, response_flags) (increase(istio_requests_total{destination_service_name="storefront",response_code="503"}[12m]))`,
      s.at,
    );
    const byFlag = Object.fromEntries(flags.map((f) => [`${f.metric.reporter}/${f.metric.response_flags}`, f.value]));
    expect(byFlag['source/UH']).toBeGreaterThan(100);
    expect(byFlag['destination/UF']).toBeGreaterThan(10);
    expect(
      await values(`increase(kube_pod_container_status_restarts_total{container="storefront"}[12m])`, s.at),
    ).toHaveLength(3);
    for (const v of await values(
      `increase(kube_pod_container_status_restarts_total{container="storefront"}[12m])`,
      s.at,
    )) {
      expect(v).toBeGreaterThanOrEqual(2);
    }
    expect(
      await values(`kube_pod_container_status_last_terminated_reason{container="storefront",reason="OOMKilled"}`, s.at),
    ).toEqual([1, 1, 1]);
    expect(await one(`min(min_over_time(up{job="storefront"}[12m]))`, s.at)).toBe(0);
  });

  it('bad-deploy: all pods replaced within a minute, new version and generation, then 5xx', async () => {
    const s = scenarioById('bad-deploy-prom-client');
    const starts = await values(`process_start_time_seconds{job="billing"}`, s.at);
    expect(starts).toHaveLength(3);
    const onset = Date.parse(s.onset) / 1000;
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThanOrEqual(60);
    for (const start of starts) {
      expect(start).toBeGreaterThan(onset - 5 * 60);
      expect(start).toBeLessThanOrEqual(onset);
    }
    // A rollout replaces pods: the new processes are new series, so changes() per series sees nothing …
    expect(await values(`changes(process_start_time_seconds{job="billing"}[30m])`, s.at)).toEqual([0, 0, 0, 0, 0, 0]);
    // … while the job as a whole does change.
    expect(await one(`changes(max(process_start_time_seconds{job="billing"})[30m:1m])`, s.at)).toBeGreaterThan(0);
    expect((await query(`app_build_info{job="billing"}`, s.at)).map((m) => m.metric.version)).toEqual([
      '3.8.0',
      '3.8.0',
      '3.8.0',
    ]);
    expect(await values(`count by (version) (count_over_time(app_build_info{job="billing"}[1h]))`, s.at)).toEqual([
      3, 3,
    ]);
    expect(await one(`changes(kube_deployment_metadata_generation{deployment="billing"}[1h])`, s.at)).toBe(1);
    expect(
      await one(`max_over_time(kube_deployment_status_replicas_unavailable{deployment="billing"}[30m])`, s.at),
    ).toBeGreaterThan(0);
    expect(await one(httpErrorRatio(s), s.at)).toBeGreaterThan(0.03);
    expect(await one(httpErrorRatio(s), shift(s.at, -86400))).toBeLessThan(0.001);
    expect(await one(httpErrorRatio(s), shift(s.onset, -5 * 60))).toBeLessThan(0.001);
  });

  it('app-error: 500s on one route only, no restarts or deploy for a day, no resource pressure', async () => {
    const s = scenarioById('app-error-prom-client');
    const failing = await query(
      `sum by (route) (rate(http_requests_total{job="catalog",status="500"}[5m])) > 0.05`,
      s.at,
    );
    expect(failing.map((f) => f.metric.route)).toEqual(['/api/products/:id/reviews']);
    for (const age of await values(`time() - process_start_time_seconds{job="catalog"}`, s.at))
      expect(age).toBeGreaterThan(86400);
    expect(await one(`changes(kube_deployment_metadata_generation{deployment="catalog"}[1d])`, s.at)).toBe(0);
    expect(
      await one(`max(sum by (pod) (rate(container_cpu_usage_seconds_total{container="catalog"}[5m])))`, s.at),
    ).toBeLessThan(0.5);
    expect(
      await one(`sum(rate(http_requests_total{job="catalog",status="500"}[5m] offset 1d)) or vector(0)`, s.at),
    ).toBeLessThan(0.05);
  });

  it('db-slow: DB operations slow, pool not saturated, 504s', async () => {
    const s = scenarioById('db-slow-otel');
    const p99 = `histogram_quantile(0.99, sum by (le) (rate(db_client_operation_duration_seconds_bucket{job="orders",db_collection_name="order_items"}[5m])))`;
    expect(await one(p99, s.at)).toBeGreaterThan(1);
    expect(await one(p99, shift(s.onset, -10 * 60))).toBeLessThan(0.1);
    expect(
      await one(
        `max(db_client_connections_usage{job="orders",state="used"} / ignoring (state) db_client_connections_max{job="orders"})`,
        s.at,
      ),
    ).toBeLessThan(0.8);
    expect(await one(`max(db_client_connections_pending_requests{job="orders"})`, s.at)).toBe(0);
    expect(await one(`max(pg_stat_activity_max_tx_duration{datname="orders",state="active"})`, s.at)).toBeGreaterThan(
      1,
    );
    expect(
      await one(
        `sum(rate(http_server_request_duration_seconds_count{job="orders",http_response_status_code="504"}[5m]))`,
        s.at,
      ),
    ).toBeGreaterThan(0.1);
  });

  it('connection-pool-exhausted: active == max, waiters, timeouts, DB fast, 503s', async () => {
    const s = scenarioById('connection-pool-exhausted-micrometer');
    expect(
      await values(`hikaricp_connections_active{job="payments"} / hikaricp_connections_max{job="payments"}`, s.at),
    ).toEqual([1, 1, 1]);
    for (const v of await values(`hikaricp_connections_pending{job="payments"}`, s.at)) expect(v).toBeGreaterThan(0);
    for (const v of await values(`increase(hikaricp_connections_timeout_total{job="payments"}[5m])`, s.at))
      expect(v).toBeGreaterThan(0);
    expect(await one(`max(pg_stat_activity_max_tx_duration{datname="payments",state="active"})`, s.at)).toBeLessThan(
      0.5,
    );
    expect(
      await one(`sum(pg_stat_activity_count{datname="payments"}) / max(pg_settings_max_connections)`, s.at),
    ).toBeLessThan(0.5);
    expect(
      await one(`sum(rate(http_server_requests_seconds_count{job="payments",status="503"}[5m]))`, s.at),
    ).toBeGreaterThan(1);
    expect(
      await one(
        `max(hikaricp_connections_active{job="payments"} offset 1d / hikaricp_connections_max{job="payments"} offset 1d)`,
        s.at,
      ),
    ).toBeLessThan(0.8);
  });

  it('memory-leak: memory rising linearly for 6 h+ toward the limit', async () => {
    const s = scenarioById('memory-leak-otel');
    const rising = await query(`deriv(process_resident_memory_bytes{job="inventory"}[2h])`, s.at);
    expect(rising).toHaveLength(3);
    for (const r of rising) expect(r.value * 3600).toBeGreaterThan(50 * 2 ** 20);
    const sixHours = await values(
      `process_resident_memory_bytes{job="inventory"} - process_resident_memory_bytes{job="inventory"} offset 6h > 400 * 2^20`,
      s.at,
    );
    expect(sixHours.length).toBeGreaterThanOrEqual(2);
    const near = await values(
      `max by (pod) (container_memory_working_set_bytes{container="inventory"}) / on (pod) max by (pod) (container_spec_memory_limit_bytes{container="inventory"}) > 0.85`,
      s.at,
    );
    expect(near.length).toBeGreaterThanOrEqual(2);
    expect(
      await values(
        `max by (pod) (predict_linear(container_memory_working_set_bytes{container="inventory"}[1h], 7200)) > on (pod) max by (pod) (container_spec_memory_limit_bytes{container="inventory"})`,
        s.at,
      ),
    ).not.toEqual([]);
    expect(await one(`max(deriv(go_goroutines{job="inventory"}[2h])) * 3600`, s.at)).toBeLessThan(5);
  });

  it('resource-leak (fds): open fds rising for hours to the max, errors near it', async () => {
    const s = scenarioById('resource-leak-prom-client');
    for (const v of await values(`deriv(process_open_fds{job="notifications"}[2h]) * 3600`, s.at))
      expect(v).toBeGreaterThan(3000);
    for (const v of await values(
      `process_open_fds{job="notifications"} / process_max_fds{job="notifications"}`,
      s.at,
    )) {
      expect(v).toBeGreaterThan(0.95);
    }
    for (const v of await values(
      `process_open_fds{job="notifications"} offset 6h / process_max_fds{job="notifications"}`,
      s.at,
    )) {
      expect(v).toBeLessThan(0.6);
    }
    expect(await one(httpErrorRatio(s), s.at)).toBeGreaterThan(0.05);
    expect(await one(httpErrorRatio(s), shift(s.onset, -5 * 60))).toBeLessThan(0.001);
  });

  it('resource-leak (threads): JVM threads rising for hours to the pids limit', async () => {
    const s = scenarioById('resource-leak-micrometer');
    for (const v of await values(
      `jvm_threads_live_threads{job="reporting"} - jvm_threads_live_threads{job="reporting"} offset 6h`,
      s.at,
    )) {
      expect(v).toBeGreaterThan(400);
    }
    for (const v of await values(
      `container_threads{container="reporting"} / container_threads_max{container="reporting"}`,
      s.at,
    )) {
      expect(v).toBeGreaterThan(0.95);
    }
    expect(
      await one(
        `sum(rate(http_server_requests_seconds_count{job="reporting",exception="OutOfMemoryError"}[5m]))`,
        s.at,
      ),
    ).toBeGreaterThan(0);
    expect(await one(`max(deriv(process_files_open_files{job="reporting"}[2h])) * 3600`, s.at)).toBeLessThan(10);
  });

  it('cpu-saturation: CPU at the quota, throttled, latency up, request rate flat', async () => {
    const s = scenarioById('cpu-saturation-prom-client');
    expect(
      await one(`min(sum by (pod) (rate(container_cpu_usage_seconds_total{container="pricing"}[5m])))`, s.at),
    ).toBeGreaterThan(0.9);
    expect(
      await one(
        `min(sum by (pod) (increase(container_cpu_cfs_throttled_periods_total{container="pricing"}[5m])) / sum by (pod) (increase(container_cpu_cfs_periods_total{container="pricing"}[5m])))`,
        s.at,
      ),
    ).toBeGreaterThan(0.25);
    const rate = `sum(rate(http_requests_total{job="pricing"}[5m]))`;
    const vsYesterday = await one(`${rate} / sum(rate(http_requests_total{job="pricing"}[5m] offset 1d))`, s.at);
    const vsHourBefore = await one(`${rate} / sum(rate(http_requests_total{job="pricing"}[5m] offset 1h))`, s.at);
    expect(vsYesterday).toBeGreaterThan(0.8);
    expect(vsYesterday).toBeLessThan(1.25);
    expect(vsHourBefore).toBeGreaterThan(0.8);
    expect(vsHourBefore).toBeLessThan(1.25);
    expect(
      await one(
        `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="pricing"}[5m])))`,
        s.at,
      ),
    ).toBeGreaterThan(1);
  });

  it('traffic-surge: ≥ 3× the rate of a day and an hour before, CPU and 503s follow', async () => {
    const s = scenarioById('traffic-surge-prom-client');
    const rate = `sum(rate(http_requests_total{job="search"}[5m]))`;
    expect(
      await one(`${rate} / sum(rate(http_requests_total{job="search"}[5m] offset 1d))`, s.at),
    ).toBeGreaterThanOrEqual(3);
    expect(
      await one(`${rate} / sum(rate(http_requests_total{job="search"}[5m] offset 1h))`, s.at),
    ).toBeGreaterThanOrEqual(3);
    expect(
      await one(`min(sum by (pod) (rate(container_cpu_usage_seconds_total{container="search"}[5m])))`, s.at),
    ).toBeGreaterThan(0.9);
    expect(await one(`sum(rate(http_requests_total{job="search",code="503"}[5m]))`, s.at)).toBeGreaterThan(1);
  });

  it('dependency-failure: one peer fails, the other is fine, our 5xx follow', async () => {
    const s = scenarioById('dependency-failure-otel');
    const failing = (peer: string) =>
      `sum(rate(http_client_request_duration_seconds_count{job="shipping",server_address=${q(peer)},http_response_status_code!~"[234].."}[5m])) / sum(rate(http_client_request_duration_seconds_count{job="shipping",server_address=${q(peer)}}[5m]))`;
    expect(await one(failing('api.carrierhub.example'), s.at)).toBeGreaterThan(0.3);
    expect(await query(failing('address-validation.logistics.svc.cluster.local'), s.at)).toEqual([]);
    expect(
      await one(`avg_over_time(probe_success{instance="https://api.carrierhub.example/v2/health"}[13m])`, s.at),
    ).toBeLessThan(0.8);
    expect(await one(httpErrorRatio(s), s.at)).toBeGreaterThan(0.1);
    expect(await one(httpErrorRatio(s), shift(s.onset, -5 * 60))).toBeLessThan(0.001);
  });

  it('rate-limited: 429s from the peer, retries, our 503s', async () => {
    const s = scenarioById('rate-limited-micrometer');
    const peer = `job="currency",client_name="api.fxrates.example"`;
    expect(
      await one(
        `sum(rate(http_client_requests_seconds_count{${peer},status="429"}[5m])) / sum(rate(http_client_requests_seconds_count{${peer}}[5m]))`,
        s.at,
      ),
    ).toBeGreaterThan(0.3);
    expect(
      await one(
        `sum(rate(http_client_requests_seconds_count{${peer}}[5m])) / sum(rate(http_client_requests_seconds_count{${peer}}[5m] offset 1d))`,
        s.at,
      ),
    ).toBeGreaterThan(1.5);
    expect(
      await one(
        `sum(rate(http_server_requests_seconds_count{job="currency",status="503",exception="TooManyRequests"}[5m]))`,
        s.at,
      ),
    ).toBeGreaterThan(1);
  });

  it('PromQL injection: a JSON-quoted hostile value matches nothing, the naive splice leaks every series', async () => {
    const s = scenarioById('app-crash-prom-client');
    const hostile = 'x"} or up{job=~".+"} #';
    expect(await query(`up{job=${JSON.stringify(hostile)}}`, s.at)).toEqual([]);
    const naive = await query(`up{job="${hostile}"}`, s.at);
    expect(naive.length).toBeGreaterThan(3);
  });
});

describe.skipIf(!prometheus.available)('startLocalPrometheus', () => {
  it('round-trips escaped label values and reuses the cached TSDB', async () => {
    const writer = new OpenMetricsWriter();
    writer.declare({ name: 'escape_test', type: 'gauge', help: 'Label values with "quotes", \\ and\nnewlines.' });
    const odd = ['a"b', 'back\\slash', 'line\nbreak', "CodeHeap 'non-nmethods'", '☃ 🚀', '{job=~".+"}'];
    const t0 = 1_790_000_000;
    odd.forEach((value, i) => {
      for (let k = 0; k < 10; k++) writer.gauge('escape_test', { job: 'escape', value }, t0 + k * 60, i);
    });
    const text = writer.toString();
    const first = await startLocalPrometheus({ openMetrics: text });
    try {
      const time = new Date((t0 + 540) * 1000).toISOString();
      const all = await instant(first.url, 'escape_test', time);
      expect(all.map((s) => s.metric.value).sort()).toEqual([...odd].sort());
      for (const value of odd) {
        expect(await instant(first.url, `escape_test{value=${JSON.stringify(value)}}`, time), value).toHaveLength(1);
      }
    } finally {
      await first.stop();
    }
    const second = await startLocalPrometheus({ openMetrics: text });
    try {
      expect(second.backfill.cached).toBe(true);
      expect(second.backfill.sha256).toBe(first.backfill.sha256);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
