/**
 * `triage signals list` and `triage signals explain`: what Triage can read, in general and for one service of the
 * real scenario Prometheus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run-cli.js';
import { scenarioById } from '../scenarios/catalog.js';
import { cli } from '../support/cli.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../support/prometheus/scenario-server.js';

describe('triage signals list', () => {
  it('prints every signal with its conventions in the order tried', async () => {
    const r = await cli(['signals', 'list']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^\d+ signals from \d+ conventions/);
    expect(r.stdout).toMatch(/^http_5xx_ratio {2}Share of requests answered with 5xx \[ratio\]$/m);
    expect(r.stdout).toMatch(/^ {4}istio\s+istio_requests_total$/m);
    expect(r.stdout).toMatch(/^datastore_up .*\(read on each data store, cache or queue of the service\)$/m);
  });

  it('adds a team convention for one service from --signals, and reports a broken file', async () => {
    const r = await cli(['signals', 'list', '--signals', 'test/fixtures/signals/valid', '--json']);
    const json = JSON.parse(r.stdout) as { signals: { id: string; conventions: { convention: string }[] }[] };
    const rate = json.signals.find((s) => s.id === 'request_rate');
    expect(rate?.conventions[0]?.convention).toBe('billing-odd-names');
    const bad = await cli(['signals', 'list', '--signals', 'test/fixtures/signals/invalid']);
    expect(bad.stderr).toMatch(/bad-promql\.yml at conventions\.0\.provides\.queue_lag\.query: PromQL syntax error/);
  });

  it('needs a service and a Prometheus URL to explain', async () => {
    expect((await cli(['signals', 'explain'])).code).toBe(EXIT.usage);
    const r = await cli(['signals', 'explain', '--service', 'checkout']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--prometheus-url/);
  });
});

const prometheus = requirePrometheus();

describe.skipIf(!prometheus.available)('triage signals explain on a real Prometheus', () => {
  let server: ScenarioPrometheus;
  beforeAll(async () => {
    server = await startScenarioPrometheus();
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('says which convention each signal matched and the series it reads, and what is missing', async () => {
    const scenario = scenarioById('connection-pool-exhausted-micrometer');
    const r = await cli([
      'signals',
      'explain',
      '--service',
      scenario.service,
      '--at',
      scenario.at,
      '--prometheus-url',
      server.url,
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(new RegExp(`^${scenario.service}: found as `, 'm'));
    expect(r.stdout).toMatch(
      new RegExp(
        `✓ pool_usage_ratio\\s+micrometer-hikaricp: hikaricp_connections_active\\{[a-z_]+="${scenario.service}"\\}`,
      ),
    );
    expect(r.stdout).toMatch(/✓ latency_p99\s+micrometer: http_server_requests_seconds_max/);
    expect(r.stdout).toMatch(/✗ eventloop_lag\s+looked for nodejs_eventloop_lag_p99_seconds/);
  });

  it('lists the closest names for an unknown service', async () => {
    const scenario = scenarioById('connection-pool-exhausted-micrometer');
    const typo = `${scenario.service.slice(0, -1)}x`;
    const r = await cli([
      'signals',
      'explain',
      '--service',
      typo,
      '--at',
      scenario.at,
      '--prometheus-url',
      server.url,
      '--json',
    ]);
    const json = JSON.parse(r.stdout) as { found: boolean; suggestions: string[] };
    expect(json.found).toBe(false);
    expect(json.suggestions).toContain(scenario.service);
  });
});

it.runIf(!prometheus.available)('needs Prometheus for the signals explain tests', () => {
  if (process.env.CI) throw new Error(`CI must run the real-Prometheus tests: ${prometheus.reason}`);
  console.warn(`skipping the signals explain tests: ${prometheus.reason}`);
});
