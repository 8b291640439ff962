import { describe, expect, it } from 'vitest';
import { loadPlaybooks } from '../../../src/adapters/playbook-files/load-playbooks.js';
import { runToEnd } from '../../../src/app/create-diagnoser.js';
import { diagnose } from '../../../src/application/diagnose/diagnose.js';
import type { RunEvent } from '../../../src/domain/engine/types.js';
import { DatasourceUnreachableError } from '../../../src/domain/errors.js';
import type { Series } from '../../../src/domain/ports.js';
import type { ParsedSymptom } from '../../../src/domain/symptom/symptom.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';
import { FakeClock } from '../../domain/engine/fake-clock.js';
import { ScriptedMetricsSource, stepResponder } from '../../support/scripted-metrics-source.js';

const AT = new Date('2026-11-01T14:00:00Z');
const WINDOW = { start: new Date('2026-11-01T13:30:00Z'), end: AT };
const FAMILIES = [
  'http_requests_total{code="200"}',
  'http_request_duration_seconds_bucket{le="0.1"}',
  'up',
  'process_start_time_seconds',
  'app_build_info',
];

function symptom(text: string, service = 'checkout'): ParsedSymptom {
  return {
    text,
    service,
    serviceCandidates: [service],
    kinds: ['errors'],
    statusCodes: [500],
    window: WINDOW,
    windowSource: 'default',
    notes: [],
  };
}

const responder = (values: Record<string, { usual: number; incident: number }>) => stepResponder(values, WINDOW);

async function run(source: ScriptedMetricsSource, text = '500s on checkout', deadlineMs = 10_000) {
  const playbooks = await loadPlaybooks('playbooks');
  const events: RunEvent[] = [];
  const gen = diagnose(
    { metrics: source, playbooks, clock: new FakeClock(AT), deadlineMs },
    { runId: 'r1', symptom: symptom(text) },
  );
  const result = await runToEnd(gen, (e) => events.push(e));
  return { events, result };
}

const BAD_DEPLOY = {
  'code=~"429"': { usual: 0, incident: 0 },
  'code=~"500"': { usual: 0.0001, incident: 0.2 },
  'code=~"50': { usual: 0, incident: 0 },
  'code=~"5.."': { usual: 0.0001, incident: 0.2 },
  'sum(rate(http_requests_total{job="checkout"}[5m]))': { usual: 10, incident: 10 },
  histogram_quantile: { usual: 0.2, incident: 0.25 },
  'avg(up': { usual: 1, incident: 1 },
  'changes(process_start_time_seconds': { usual: 0, incident: 3 },
  'time() - process_start_time_seconds': { usual: 0, incident: 1 },
  _build_info: { usual: 1, incident: 2 },
};

describe('diagnose', () => {
  it('ranks a deploy first when a new version and errors arrive together', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const { result } = await run(source);
    expect(result.playbook).toBe('http-5xx');
    expect(result.hypotheses[0]?.cause).toBe('bad-deploy');
    expect(result.hypotheses[0]?.confidence).toBeGreaterThanOrEqual(0.75);
    expect(result.conclusion.kind).toBe('likely-cause');
    const errorStep = result.steps.find((s) => s.id === 'error-ratio');
    expect(errorStep?.status).toBe('crit');
    expect(errorStep?.evidence[0]).toMatchObject({
      baselineSource: 'day-before',
      query: expect.stringContaining('job="checkout"'),
    });
    expect(errorStep?.evidence[0]?.link).toMatch(/^http:\/\/prom\.test\/graph/);
  });

  it('emits run-started first, a step-finished per step, ledgers, and run-finished last', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const { events, result } = await run(source);
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-finished');
    const finished = events.filter((e) => e.type === 'step-finished');
    expect(finished).toHaveLength(result.steps.length);
    expect(events.some((e) => e.type === 'hypotheses-updated')).toBe(true);
  });

  it('runs independent steps concurrently', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    await run(source);
    expect(source.maxInFlight).toBeGreaterThan(4);
  });

  it('sends the queries of a chain of dependent steps ahead of the independent ones', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const { result } = await run(source);
    const queryOf = (id: string) => result.steps.find((s) => s.id === id)?.evidence[0]?.query ?? '';
    // error-ratio gates the status-code drill-downs (and the look downstream); the request rate gates nothing.
    expect(source.priorities.get(queryOf('error-ratio'))).toBe(1);
    expect(source.priorities.get(queryOf('status-500'))).toBe(1);
    expect(source.priorities.get(queryOf('request-rate'))).toBe(0);
  });

  it('falls back to the hours before the window, asked for only when a day earlier has no data', async () => {
    const dayAgo = AT.getTime() - 86_400_000;
    const asked: { query: string; window: TimeWindow }[] = [];
    const usual = responder(BAD_DEPLOY);
    const source = new ScriptedMetricsSource('checkout', FAMILIES, (query, window, step) => {
      asked.push({ query, window });
      // Nothing a day earlier, as for a service deployed this morning.
      return window.end.getTime() <= dayAgo ? [] : usual(query, window, step);
    });
    const { result } = await run(source);
    const evidence = result.steps.find((s) => s.id === 'error-ratio')?.evidence[0];
    expect(evidence).toMatchObject({ baselineSource: 'preceding', baseline: 0.0001 });
    const windows = asked.filter((a) => a.query === evidence?.query).map((a) => a.window);
    expect(result.steps.find((s) => s.id === 'error-ratio')?.status).toBe('crit');
    // The window, the day before, then the two hours before the window.
    expect(windows.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      [WINDOW.start.toISOString(), WINDOW.end.toISOString()],
      ['2026-10-31T13:30:00.000Z', '2026-10-31T14:00:00.000Z'],
      ['2026-11-01T11:30:00.000Z', '2026-11-01T13:29:59.000Z'],
    ]);
  });

  it('errors a step whose fallback baseline cannot be read, naming the source', async () => {
    const dayAgo = AT.getTime() - 86_400_000;
    const usual = responder(BAD_DEPLOY);
    const source = new ScriptedMetricsSource('checkout', FAMILIES, (query, window, step) => {
      if (window.end.getTime() <= dayAgo) return [];
      if (window.end.getTime() < WINDOW.start.getTime()) {
        throw new DatasourceUnreachableError('Prometheus at http://prom.test could not be reached (ECONNRESET).', {
          source: 'prometheus',
          url: 'http://prom.test',
        });
      }
      return usual(query, window, step);
    });
    const { result } = await run(source);
    const step = result.steps.find((s) => s.id === 'error-ratio');
    expect(step?.status).toBe('errored');
    expect(step?.reason).toContain('could not be reached');
  });

  it('asks nothing before the window when a day earlier has data', async () => {
    const asked: string[] = [];
    const usual = responder(BAD_DEPLOY);
    const source = new ScriptedMetricsSource('checkout', FAMILIES, (query, window, step) => {
      asked.push(query);
      return usual(query, window, step);
    });
    const { result } = await run(source);
    const evidence = result.steps.find((s) => s.id === 'error-ratio')?.evidence[0];
    expect(evidence?.baselineSource).toBe('day-before');
    expect(asked.filter((q) => q === evidence?.query)).toHaveLength(2);
  });

  it('says "no anomaly found" for a healthy service, with no cause at 0.5', async () => {
    const healthy = Object.fromEntries(
      Object.entries(BAD_DEPLOY).map(([k, v]) => [k, { usual: v.usual, incident: v.usual }]),
    );
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(healthy));
    const { result } = await run(source);
    expect(result.steps.filter((s) => s.status === 'warn' || s.status === 'crit').map((s) => s.id)).toEqual([]);
    expect(result.conclusion.kind).toBe('no-anomaly');
    expect(result.hypotheses.every((h) => h.confidence < 0.5)).toBe(true);
    expect(result.steps.find((s) => s.id === 'status-502')?.status).toBe('skipped');
  });

  it('reports signals no convention provides as no data, never guessed', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const { result } = await run(source);
    const pool = result.steps.find((s) => s.id === 'pool-usage');
    expect(pool?.status).toBe('no_data');
    expect(pool?.reason).toMatch(/exposes none of the metrics.*hikaricp_connections_active/);
  });

  it('turns a failing data source into errored steps and still finishes', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, () => {
      throw new DatasourceUnreachableError('Prometheus at http://prom.test could not be reached (ECONNREFUSED).', {
        source: 'prometheus',
        url: 'http://prom.test',
      });
    });
    const { result } = await run(source);
    const ran = result.steps.filter((s) => s.status !== 'no_data' && s.status !== 'skipped');
    expect(ran.length).toBeGreaterThan(0);
    expect(ran.every((s) => s.status === 'errored' && s.error?.code === 'datasource_unreachable')).toBe(true);
    expect(result.conclusion.kind).toBe('inconclusive');
    expect(result.conclusion.summary).toMatch(/could not run/);
  });

  it('stops at the deadline its clock sets, with the unfinished steps errored', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, () => new Promise<Series[]>(() => {}));
    const playbooks = await loadPlaybooks('playbooks');
    const clock = new FakeClock(AT);
    const gen = diagnose(
      { metrics: source, playbooks, clock, deadlineMs: 30_000 },
      { runId: 'd1', symptom: symptom('500s on checkout') },
    );
    const events: RunEvent[] = [];
    const finished = runToEnd(gen, (e) => events.push(e));
    // The queries hang: nothing finishes until the clock reaches the deadline, however long the wall clock waits.
    for (let i = 0; i < 1000 && source.queries.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(source.queries.length).toBeGreaterThan(0);
    clock.advance(29_999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.some((e) => e.type === 'run-finished')).toBe(false);
    clock.advance(1);
    const result = await finished;
    expect(result.steps.some((s) => s.status === 'errored' && s.error?.code === 'deadline_exceeded')).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('times each step by its clock, not by the wall clock', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const playbooks = await loadPlaybooks('playbooks');
    // Every reading of the monotonic clock moves it on by 7 s: a step read twice lasted 7 s whatever the wall says.
    const clock = new FakeClock(AT, 7000);
    const result = await runToEnd(
      diagnose({ metrics: source, playbooks, clock }, { runId: 'd2', symptom: symptom('500s on checkout') }),
    );
    expect(result.steps.length).toBeGreaterThan(0);
    for (const step of result.steps) expect(step.durationMs % 7000).toBe(0);
    expect(result.steps.some((s) => s.durationMs >= 7000)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('suggests the closest known names for an unknown service', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const playbooks = await loadPlaybooks('playbooks');
    const gen = diagnose(
      { metrics: source, playbooks, clock: new FakeClock(AT) },
      { runId: 'r2', symptom: symptom('500s on chekout', 'chekout') },
    );
    const result = await runToEnd(gen);
    expect(result.conclusion.kind).toBe('unknown-service');
    expect(result.suggestions[0]).toBe('checkout');
  });

  it('refuses a service name that cannot be written safely, and queries nothing with it', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, responder(BAD_DEPLOY));
    const playbooks = await loadPlaybooks('playbooks');
    const gen = diagnose(
      { metrics: source, playbooks, clock: new FakeClock(AT) },
      { runId: 'r3', symptom: symptom('500s on bad', 'bad\uD800') },
    );
    const result = await runToEnd(gen);
    expect(result.conclusion.kind).toBe('failed');
    expect(result.error?.code).toBe('query_unsafe');
    expect(result.conclusion.summary).toMatch(/lone UTF-16 surrogate/);
    expect(source.queries).toEqual([]);
  });
});

describe('diagnose with logs only', () => {
  it('runs the log steps for a service Prometheus does not know, and says so', async () => {
    const source = new ScriptedMetricsSource('checkout', FAMILIES, () => []);
    const logs = {
      name: 'loki' as const,
      countErrors: async () => 120,
      // The pool timeouts are in the window only: a day earlier and in the window before, no error lines.
      errorLines: async (q: { window: { end: Date } }) =>
        q.window.end.getTime() < AT.getTime() - 60_000
          ? []
          : [
              {
                time: 1,
                line: 'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
                labels: {},
              },
              {
                time: 2,
                line: 'HikariPool-1 - Connection is not available, request timed out after 30001ms.',
                labels: {},
              },
            ],
      linkFor: () => undefined,
    };
    const playbooks = await loadPlaybooks('playbooks');
    const result = await runToEnd(
      diagnose(
        { metrics: source, logs, playbooks, clock: new FakeClock(AT) },
        { runId: 'l1', symptom: symptom('500s on billing', 'billing') },
      ),
    );
    expect(result.notes).toContain('Prometheus has no metrics for "billing"; only the log steps could run.');
    expect(result.steps.find((s) => s.id === 'log-patterns')?.signatures).toContain('pool-timeout');
    expect(result.hypotheses[0]?.cause).toBe('connection-pool-exhausted');
    expect(result.steps.find((s) => s.id === 'error-ratio')?.status).toBe('no_data');
  });
});
