/**
 * What a real Alertmanager (Debian's 0.25 in CI) POSTs to a webhook receiver: headers, the version "4" payload for a
 * firing and then a resolved alert, and which receiver answers make it try again. The firing and resolved bodies are
 * kept verbatim in test/fixtures/alerts/ (see its README); this test checks the live bodies still match them.
 * `RECORD_ALERTMANAGER_FIXTURES=1` rewrites the fixtures from the live bodies instead.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalAlertmanager, requireAlertmanager, startAlertmanager } from './local-alertmanager.js';

const alertmanager = requireAlertmanager();
const RECORD = Boolean(process.env.RECORD_ALERTMANAGER_FIXTURES);
const FIRING_FIXTURE = new URL('../../fixtures/alerts/alertmanager-webhook-firing.real.json', import.meta.url);
const RESOLVED_FIXTURE = new URL('../../fixtures/alerts/alertmanager-webhook-resolved.real.json', import.meta.url);

const TOKEN = 'triage-test-token';
const WEBHOOK_PATH = '/alerts/alertmanager';
const LABELS = { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', namespace: 'shop' };
const ANNOTATIONS = {
  summary: 'checkout 5xx ratio above 5%',
  description: 'checkout answers 12.3% of requests with a 5xx status.',
  runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
};
const GENERATOR_URL = 'http://prometheus.example.com:9090/graph?g0.expr=job%3Ahttp_errors%3Aratio5m+%3E+0.05&g0.tab=1';
/** Alertmanager's zero time: what 0.25 sends as `endsAt` for every firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

interface Delivery {
  at: number;
  method: string | undefined;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** A webhook receiver on loopback that records every request and answers `status`. */
async function startReceiver(status: number): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        at: performance.now(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `receiver` has at least `count` deliveries; fails with Alertmanager's log after `timeoutMs`. */
async function waitForDeliveries(receiver: Receiver, count: number, am: LocalAlertmanager, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  while (receiver.deliveries.length < count) {
    if (performance.now() > deadline) {
      throw new Error(
        `expected ${count} deliveries within ${timeoutMs} ms, got ${receiver.deliveries.length}. Alertmanager log:\n${am.log}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return receiver.deliveries.slice(0, count);
}

/** Watches `receiver` for `ms` and returns how many deliveries it had then (stops early once it exceeds `max`). */
async function countDeliveriesOver(receiver: Receiver, ms: number, max: number): Promise<number> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && receiver.deliveries.length <= max) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return receiver.deliveries.length;
}

/** A whole second in the past, as RFC 3339 without fractions (Alertmanager echoes `…:SSZ`). */
function secondsAgo(seconds: number): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The fixture with the run-dependent values (port, times) taken from the live payload. */
function expectedFromFixture(fixture: unknown, live: Record<string, unknown>): unknown {
  const expected = structuredClone(fixture) as Record<string, unknown> & { alerts: Array<Record<string, unknown>> };
  const liveAlerts = live.alerts as Array<Record<string, unknown>>;
  expected.externalURL = live.externalURL;
  expected.alerts = expected.alerts.map((alert, i) => ({
    ...alert,
    startsAt: liveAlerts[i]?.startsAt,
    ...(alert.endsAt === ZERO_TIME ? {} : { endsAt: liveAlerts[i]?.endsAt }),
  }));
  return expected;
}

async function checkAgainstFixture(file: URL, body: string): Promise<void> {
  if (RECORD) {
    await writeFile(file, body); // verbatim: the exact bytes Alertmanager sent
    return;
  }
  const live = JSON.parse(body) as Record<string, unknown>;
  const fixture: unknown = JSON.parse(await readFile(file, 'utf8'));
  // toMatchObject: newer Alertmanagers add fields (notification_reason, routeLabels); the recorded ones must stay.
  expect(live).toMatchObject(expectedFromFixture(fixture, live) as Record<string, unknown>);
}

describe.skipIf(!alertmanager.available)('a real Alertmanager posting to a webhook receiver', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(status: number, groupInterval: string) {
    const receiver = await startReceiver(status);
    cleanups.push(() => receiver.close());
    const am = await startAlertmanager({
      webhookUrl: `${receiver.url}${WEBHOOK_PATH}`,
      bearerToken: TOKEN,
      groupInterval,
    });
    cleanups.push(() => am.stop());
    return { receiver, am };
  }

  it('sends one firing notification, then a resolved one, as version "4" JSON with the bearer token', async () => {
    // group_interval 1s: the resolved notification goes out at the next flush after the resolve arrives.
    const { receiver, am } = await setUp(200, '1s');
    // startsAt older than group_wait: a new group is flushed at once instead of after group_wait.
    const startsAt = secondsAgo(60);
    const alert = { labels: LABELS, annotations: ANNOTATIONS, startsAt, generatorURL: GENERATOR_URL };
    await am.postAlerts([alert]);

    const [firing] = await waitForDeliveries(receiver, 1, am);
    if (!firing) throw new Error('unreachable');
    expect(firing.method).toBe('POST');
    expect(firing.path).toBe(WEBHOOK_PATH);
    expect(firing.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(firing.headers['content-type']).toBe('application/json');
    expect(firing.headers['user-agent']).toMatch(/^Alertmanager\/\d+\.\d+\.\d+/);

    const groupKey = '{}:{alertname="HighErrorRate", service="checkout"}';
    const payload = JSON.parse(firing.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      version: '4',
      groupKey,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: am.receiver,
      groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
      commonLabels: LABELS,
      commonAnnotations: ANNOTATIONS,
      externalURL: am.url,
    });
    const alerts = payload.alerts as Array<Record<string, unknown>>;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toEqual({
      status: 'firing',
      labels: LABELS,
      annotations: ANNOTATIONS,
      startsAt,
      endsAt: ZERO_TIME, // not startsAt + resolve_timeout, which the API shows (below)
      generatorURL: GENERATOR_URL,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const held = (await am.alerts()) as Array<{ fingerprint: string; endsAt: string; status: { state: string } }>;
    expect(held).toHaveLength(1);
    expect(held[0]?.fingerprint).toBe(alerts[0]?.fingerprint);
    expect(held[0]?.status.state).toBe('active');
    expect(Date.parse(held[0]?.endsAt ?? '')).toBeGreaterThan(Date.now()); // the API keeps the real deadline
    await checkAgainstFixture(FIRING_FIXTURE, firing.body);

    // Flushes every second; the unchanged group is not notified again (repeat_interval 1h).
    expect(await countDeliveriesOver(receiver, 2_500, 1)).toBe(1);

    // The same alert with endsAt in the past resolves it.
    const endsAt = secondsAgo(1);
    await am.postAlerts([{ ...alert, endsAt }]);
    const [, resolved] = await waitForDeliveries(receiver, 2, am);
    if (!resolved) throw new Error('unreachable');
    expect(resolved.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const resolvedPayload = JSON.parse(resolved.body) as Record<string, unknown>;
    expect(resolvedPayload).toMatchObject({
      version: '4',
      groupKey,
      status: 'resolved',
      commonLabels: LABELS,
      alerts: [
        {
          status: 'resolved',
          labels: LABELS,
          startsAt,
          endsAt,
          fingerprint: alerts[0]?.fingerprint,
        },
      ],
    });
    await checkAgainstFixture(RESOLVED_FIXTURE, resolved.body);
    expect(await countDeliveriesOver(receiver, 1_500, 2)).toBe(2);
  });

  // group_interval 1m for both: a failed flush is sent again at the next group_interval (4xx included), so a long
  // interval leaves only the notifier's own retries (500 ms initial backoff, ×1.5, jittered) in the window.
  it('does not retry a notification the receiver answers 400', async () => {
    const { receiver, am } = await setUp(400, '1m');
    await am.postAlerts([{ labels: LABELS, annotations: ANNOTATIONS, startsAt: secondsAgo(60) }]);
    await waitForDeliveries(receiver, 1, am);
    expect(await countDeliveriesOver(receiver, 3_000, 1)).toBe(1);
    expect(am.log).toMatch(/unexpected status code 400/);
  });

  it('retries a notification the receiver answers 500', async () => {
    const { receiver, am } = await setUp(500, '1m');
    await am.postAlerts([{ labels: LABELS, annotations: ANNOTATIONS, startsAt: secondsAgo(60) }]);
    const attempts = await waitForDeliveries(receiver, 3, am);
    // The same notification each time.
    expect(new Set(attempts.map((d) => d.body)).size).toBe(1);
    expect(am.log).toMatch(/unexpected status code 500/);
  });
});
