import { describe, expect, it } from 'vitest';
import { SelfMetrics } from '../../../src/adapters/metrics/self-metrics.js';
import type { DiagnosisOutcome, RunEvent, StepResult } from '../../../src/domain/engine/types.js';

function step(id: string, ms: number, error?: StepResult['error']): StepResult {
  return { id, title: id, status: error ? 'errored' : 'ok', evidence: [], durationMs: ms, ...(error ? { error } : {}) };
}

async function* events(): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  const at = new Date();
  yield {
    type: 'run-started',
    runId: 'r',
    symptom: {} as never,
    service: 'x',
    playbook: 'http-5xx',
    window: { start: at, end: at },
    steps: [],
    at,
  };
  yield { type: 'step-finished', runId: 'r', step: step('error-ratio', 120), at };
  yield {
    type: 'step-finished',
    runId: 'r',
    step: step('top-patterns', 40, { code: 'datasource_timeout', source: 'loki', message: 'timed out' }),
    at,
  };
  return {} as DiagnosisOutcome;
}

describe('SelfMetrics', () => {
  it('times steps by data source, counts data-source errors by type, runs, Slack calls and 429s', async () => {
    const metrics = new SelfMetrics({ runsInFlight: () => 2 });
    metrics.alertQueue({ queued: 4, running: 2 });
    metrics.runStarted('alert');
    const run = metrics.observe(events(), (_p, id) => (id === 'top-patterns' ? 'logs' : 'prometheus'));
    for (let next = await run.next(); !next.done; next = await run.next()) {}
    metrics.runEnded('alert', 'finished');
    metrics.slackCall('chat.postMessage', 200);
    metrics.slackCall('chat.postMessage', 429);
    metrics.undelivered();
    const text = await metrics.text();
    expect(text).toContain('triage_runs_started_total{trigger="alert"} 1');
    expect(text).toContain('triage_runs_ended_total{trigger="alert",status="finished"} 1');
    expect(text).toContain('triage_step_duration_seconds_count{source="prometheus"} 1');
    expect(text).toContain('triage_step_duration_seconds_count{source="logs"} 1');
    expect(text).toContain('triage_datasource_errors_total{source="loki",code="datasource_timeout"} 1');
    expect(text).toContain('triage_slack_calls_total{method="chat.postMessage",status="429"} 1');
    expect(text).toContain('triage_slack_rate_limited_total{method="chat.postMessage"} 1');
    expect(text).toContain('triage_slack_undelivered_total 1');
    expect(text).toContain('triage_alert_queue_depth 4');
    expect(text).toContain('triage_runs_in_flight 2');
    expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
    expect(text).toMatch(/process_resident_memory_bytes \d/);
  });

  it('shows the alert queue depth it was last told, 0 before it is told anything', async () => {
    const metrics = new SelfMetrics();
    expect(await metrics.text()).toContain('triage_alert_queue_depth 0');
    metrics.alertQueue({ queued: 7, running: 2 });
    metrics.alertQueue({ queued: 3, running: 2 });
    expect(await metrics.text()).toContain('triage_alert_queue_depth 3');
  });

  it('counts the Web API requests a client makes through its fetch, by method and status', async () => {
    const metrics = new SelfMetrics();
    const fake = async (input: string | URL | Request) =>
      new Response('{}', { status: String(input).includes('chat.update') ? 429 : 200 });
    const counted = metrics.countingFetch(fake as typeof fetch);
    await counted('http://127.0.0.1:1/api/chat.postMessage', { method: 'POST' });
    await counted('http://127.0.0.1:1/api/chat.update', { method: 'POST' });
    const text = await metrics.text();
    expect(text).toContain('triage_slack_calls_total{method="chat.postMessage",status="200"} 1');
    expect(text).toContain('triage_slack_rate_limited_total{method="chat.update"} 1');
  });
});
