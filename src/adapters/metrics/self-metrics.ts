import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertQueueMetrics } from '../../application/ports/alert-queue-metrics.js';
import type { RunMetrics } from '../../application/runs/run-metrics.js';
import type { DiagnosisOutcome, RunEvent } from '../../domain/engine/types.js';

/** Figures read when /metrics is scraped (runs in flight, cache counters, breaker states…). */
export interface MetricsSources {
  runsInFlight?: () => number;
  caches?: () => { source: string; hits: number; misses: number; deduplicated: number }[];
  breakers?: () => { source: string; state: 'closed' | 'open' | 'half-open' }[];
  storeFailures?: () => number;
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * Triage's own metrics, on a registry of its own (prom-client), for GET /metrics: runs by trigger and outcome, step
 * durations by data source, data-source errors by type, cache hits and misses, Slack calls and 429s, undelivered
 * posts, queue depth, breaker states, event-loop lag and the process metrics.
 */
export class SelfMetrics implements RunMetrics, AlertQueueMetrics {
  readonly registry = new Registry();
  private readonly runsStarted: Counter<'trigger'>;
  private readonly runsEnded: Counter<'trigger' | 'status'>;
  private readonly stepSeconds: Histogram<'source'>;
  private readonly sourceErrors: Counter<'source' | 'code'>;
  private readonly slackCalls: Counter<'method' | 'status'>;
  private readonly slackRateLimited: Counter<'method'>;
  private readonly undeliveredPosts: Counter;
  private readonly bypassedPosts: Counter;
  private readonly alertQueueDepth: Gauge;

  /** `sources`: what the gauges read at scrape time; the alert queue is told as it changes (`alertQueue`). */
  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    this.runsStarted = new Counter({
      name: 'triage_runs_started_total',
      help: 'Diagnoses started, by what started them.',
      labelNames: ['trigger'],
      registers,
    });
    this.runsEnded = new Counter({
      name: 'triage_runs_ended_total',
      help: 'Diagnoses ended, by trigger and status (finished, failed, interrupted).',
      labelNames: ['trigger', 'status'],
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'triage_step_duration_seconds',
      help: 'Playbook step durations, by data source.',
      labelNames: ['source'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.sourceErrors = new Counter({
      name: 'triage_datasource_errors_total',
      help: 'Steps that could not be measured, by data source and error code.',
      labelNames: ['source', 'code'],
      registers,
    });
    this.slackCalls = new Counter({
      name: 'triage_slack_calls_total',
      help: 'Slack Web API requests (retries included), by method and HTTP status.',
      labelNames: ['method', 'status'],
      registers,
    });
    this.slackRateLimited = new Counter({
      name: 'triage_slack_rate_limited_total',
      help: 'Slack Web API answers 429 (rate limited), by method.',
      labelNames: ['method'],
      registers,
    });
    this.undeliveredPosts = new Counter({
      name: 'triage_slack_undelivered_total',
      help: 'Thread posts Slack never got, after the retries.',
      registers,
    });
    this.bypassedPosts = new Counter({
      name: 'triage_slack_outbox_bypassed_total',
      help: 'Slack messages sent directly because the run store refused their outbox write (not resumable after a crash).',
      registers,
    });
    this.alertQueueDepth = new Gauge({
      name: 'triage_alert_queue_depth',
      help: 'Alert diagnoses waiting for a slot.',
      registers,
    });
    this.alertQueueDepth.set(0);
    new Gauge({
      name: 'triage_runs_in_flight',
      help: 'Diagnoses running now.',
      registers,
      collect() {
        this.set(sources.runsInFlight?.() ?? 0);
      },
    });
    new Gauge({
      name: 'triage_query_cache_requests',
      help: 'Query cache lookups since start, by data source and result (hit, miss, joined an identical query in flight).',
      labelNames: ['source', 'result'],
      registers,
      collect() {
        for (const c of sources.caches?.() ?? []) {
          this.set({ source: c.source, result: 'hit' }, c.hits);
          this.set({ source: c.source, result: 'miss' }, c.misses);
          this.set({ source: c.source, result: 'joined' }, c.deduplicated);
        }
      },
    });
    new Gauge({
      name: 'triage_datasource_breaker_open',
      help: 'Circuit breaker state per data source (1 for the current state).',
      labelNames: ['source', 'state'],
      registers,
      collect() {
        for (const b of sources.breakers?.() ?? [])
          for (const state of BREAKER_STATES) this.set({ source: b.source, state }, b.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'triage_store_write_failures',
      help: 'Run store writes that failed since start (the runs went on).',
      registers,
      collect() {
        this.set(sources.storeFailures?.() ?? 0);
      },
    });
  }

  /** The alert intake's queue, as it changes. */
  alertQueue(figures: { readonly queued: number; readonly running: number }): void {
    this.alertQueueDepth.set(figures.queued);
  }

  runStarted(trigger: string): void {
    this.runsStarted.inc({ trigger });
  }

  runEnded(trigger: string, status: string): void {
    this.runsEnded.inc({ trigger, status });
  }

  undelivered(): void {
    this.undeliveredPosts.inc();
  }

  /** Counts one Slack message sent without the durable outbox (the store refused it). */
  outboxBypassed(): void {
    this.bypassedPosts.inc();
  }

  /** Counts one Slack Web API response. */
  slackCall(method: string, status: number): void {
    this.slackCalls.inc({ method, status: String(status) });
    if (status === 429) this.slackRateLimited.inc({ method });
  }

  /**
   * Passes a run's events through, timing its steps by data source (`sourceOf` tells a step's source from the
   * playbook) and counting the steps a data source failed.
   */
  async *observe(
    run: AsyncGenerator<RunEvent, DiagnosisOutcome>,
    sourceOf: (playbook: string, stepId: string) => string,
  ): AsyncGenerator<RunEvent, DiagnosisOutcome> {
    let playbook = '';
    while (true) {
      const next = await run.next();
      if (next.done) return next.value;
      const event = next.value;
      if (event.type === 'run-started') playbook = event.playbook;
      if (event.type === 'step-finished') {
        const { step } = event;
        if (step.status !== 'skipped')
          this.stepSeconds.observe({ source: sourceOf(playbook, step.id) }, step.durationMs / 1000);
        if (step.error)
          this.sourceErrors.inc({ source: step.error.source ?? sourceOf(playbook, step.id), code: step.error.code });
      }
      yield event;
    }
  }

  /** A fetch for the Web API client that counts every request by method and status. */
  countingFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const method = /\/api\/([\w.]+)/.exec(url)?.[1] ?? 'upload';
      try {
        const response = await inner(input, init);
        this.slackCall(method, response.status);
        return response;
      } catch (err) {
        this.slackCall(method, 0);
        throw err;
      }
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
