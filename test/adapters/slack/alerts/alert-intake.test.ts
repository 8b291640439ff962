/**
 * The alert intake with the real Web API client and a fake Slack, and a scripted diagnosis whose end the test
 * controls: dedupe windows, grouping, severity, the queue bound and its storm summary, resolution, claim races.
 */
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/adapters/log/json-logger.js';
import { withRun } from '../../../../src/adapters/log/run-context.js';
import { AlertIntake, type AlertIntakeOptions } from '../../../../src/adapters/slack/alerts/alert-intake.js';
import { renderAlertNotes, renderStormSummary } from '../../../../src/adapters/slack/blocks/render-alert.js';
import { ChannelPacer } from '../../../../src/adapters/slack/channel-pacer.js';
import { RunRegistry } from '../../../../src/adapters/slack/run-registry.js';
import { threadRenderers } from '../../../../src/adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../../../../src/adapters/slack/thread-runner.js';
import { MemoryAlertThreadStore } from '../../../../src/adapters/store/memory-alert-threads.js';
import type { DiagnoseRequest } from '../../../../src/application/diagnose/diagnose.js';
import type { AlertQueueMetrics } from '../../../../src/application/ports/alert-queue-metrics.js';
import type { Alert, AlertNotification } from '../../../../src/domain/alerts/alert.js';
import type { DiagnosisOutcome, RunEvent } from '../../../../src/domain/engine/types.js';
import { outcome } from '../../../support/diagnosis-factory.js';
import { type FakeSlack, startFakeSlack, textOf } from '../../../support/fake-slack/fake-slack-server.js';

const CHANNEL = 'C0ALERTS01';
const T0 = new Date('2026-11-01T14:00:00Z');

function notification(
  alertname: string,
  service: string | null,
  overrides: Partial<AlertNotification> & { severity?: string; alert?: Partial<Alert> } = {},
): AlertNotification {
  const labels: Record<string, string> = { alertname, ...(service ? { service } : {}) };
  if (overrides.severity) labels.severity = overrides.severity;
  const status = overrides.status ?? 'firing';
  const title = `[${status === 'firing' ? 'FIRING:1' : 'RESOLVED'}] ${alertname}${service ? ` ${service}` : ''}`;
  return {
    source: 'alertmanager-webhook',
    status,
    title,
    groupKey: `{}:{alertname="${alertname}", service="${service ?? ''}"}`,
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: {},
    firingCount: status === 'firing' ? 1 : 0,
    resolvedCount: status === 'firing' ? 0 : 1,
    alerts: [{ status, alertname, labels, annotations: {}, ...overrides.alert }],
    truncatedAlerts: 0,
    ...overrides,
  };
}

describe('AlertIntake', () => {
  let fake: FakeSlack;
  let client: WebClient;
  let now: Date;
  /** Diagnoses finish when the test releases them. */
  let release: () => void;
  let gate: Promise<void>;
  const runs: DiagnoseRequest[] = [];

  const run = async function* (request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome> {
    runs.push(request);
    yield {
      type: 'run-started',
      runId: request.runId,
      symptom: request.symptom,
      service: request.symptom.service,
      playbook: 'http-errors',
      window: request.symptom.window,
      steps: [],
      at: now,
    };
    await gate;
    const result = outcome({ runId: request.runId });
    yield { type: 'run-finished', runId: request.runId, result, at: now };
    return result;
  };

  const build = (options: Partial<AlertIntakeOptions> = {}, metrics?: AlertQueueMetrics) => {
    const registry = new RunRegistry();
    const pacer = new ChannelPacer(0);
    const runner = new ThreadRunner({
      run,
      registry,
      pacer,
      render: threadRenderers,
      logger: silentLogger,
      runScope: withRun,
    });
    const store = new MemoryAlertThreadStore();
    const intake = new AlertIntake({
      client,
      runner,
      registry,
      pacer,
      store,
      render: { notes: renderAlertNotes, storm: renderStormSummary },
      logger: silentLogger,
      now: () => now,
      ...(metrics ? { metrics } : {}),
      options: {
        dedupeWindowMs: 3_600_000,
        groupWindowMs: 600_000,
        minSeverity: 'warning',
        queueMax: 20,
        concurrency: 2,
        summaryEditMs: 0,
        ...options,
      },
    });
    return { intake, store, registry };
  };

  const idle = async (intake: AlertIntake) => {
    for (let i = 0; i < 400 && !intake.idle(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(intake.idle()).toBe(true);
  };

  const posts = () => fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && !c.error);
  const rootPosts = () => posts().filter((c) => JSON.stringify(c.params.blocks).includes('triage_root_header'));

  beforeAll(async () => {
    fake = await startFakeSlack({ postMessageLimit: false, methodLimits: false });
    client = new WebClient('xoxb-fake-bot-token', { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    runs.length = 0;
    now = T0;
    gate = new Promise((resolve) => {
      release = resolve;
    });
  });

  it('opens one thread per alert, and turns a repeat within the window into one line in it', async () => {
    const { intake } = build();
    release();
    expect(await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL })).toBe(
      'queued',
    );
    await idle(intake);
    now = new Date(T0.getTime() + 30 * 60_000);
    expect(await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL })).toBe(
      'repeat',
    );
    await idle(intake);
    expect(rootPosts()).toHaveLength(1);
    const root = fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    const thread = fake.thread(CHANNEL, root?.ts ?? '');
    expect(textOf(thread.at(-1))).toContain('fired again');
    expect(textOf(thread[0])).toContain('fired again 1×');
    // Past the window, the same alert is a new incident with its own thread.
    now = new Date(T0.getTime() + 61 * 60_000);
    expect(await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL })).toBe(
      'queued',
    );
    await idle(intake);
    expect(rootPosts()).toHaveLength(2);
  });

  it('groups another alert for the same service into the running diagnosis, and only then', async () => {
    const { intake } = build();
    await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL });
    expect(await intake.accept({ notification: notification('HighLatency', 'checkout'), channel: CHANNEL })).toBe(
      'grouped',
    );
    expect(await intake.accept({ notification: notification('HighLatency', 'payments'), channel: CHANNEL })).toBe(
      'queued',
    );
    // An alert naming no service is never grouped with another.
    expect(await intake.accept({ notification: notification('Watchdog', null), channel: CHANNEL })).toBe('queued');
    release();
    await idle(intake);
    expect(runs.map((r) => r.symptom.service)).toEqual(['checkout', 'payments', null]);
    const checkout = fake
      .channelMessages(CHANNEL)
      .find((m) => m.thread_ts === undefined && textOf(m).includes('checkout'));
    const thread = fake.thread(CHANNEL, checkout?.ts ?? '');
    expect(
      thread.some((m) =>
        textOf(m).includes('grouped into this diagnosis (same service): [FIRING:1] HighLatency checkout'),
      ),
    ).toBe(true);
    expect(textOf(thread[0])).toContain('1 more alert(s) for this service grouped here');
  });

  it('diagnoses only alerts at or above the minimum severity; no label counts as warning', async () => {
    const { intake } = build({ minSeverity: 'error' });
    release();
    expect(
      await intake.accept({
        notification: notification('DiskFilling', 'db', { severity: 'warning' }),
        channel: CHANNEL,
      }),
    ).toBe('below-severity');
    expect(await intake.accept({ notification: notification('NoSeverity', 'db'), channel: CHANNEL })).toBe(
      'below-severity',
    );
    expect(
      await intake.accept({ notification: notification('DbDown', 'db', { severity: 'P1' }), channel: CHANNEL }),
    ).toBe('queued');
    await idle(intake);
    expect(rootPosts()).toHaveLength(1);
    expect(intake.stats()).toMatchObject({ received: 3, belowSeverity: 2, diagnosed: 1 });
  });

  it('counts alerts past the queue bound in one storm summary, edited as more arrive, and drops none silently', async () => {
    const { intake } = build({ queueMax: 2, concurrency: 1 });
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++)
      outcomes.push(await intake.accept({ notification: notification('HighErrorRate', `svc-${i}`), channel: CHANNEL }));
    // One running, two waiting, five over the bound.
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'dropped', 'dropped', 'dropped', 'dropped', 'dropped']);
    await new Promise((r) => setTimeout(r, 100));
    release();
    await idle(intake);
    const summaries = fake.channelMessages(CHANNEL).filter((m) => textOf(m).includes('triage_storm_summary'));
    expect(summaries).toHaveLength(1);
    expect(textOf(summaries[0])).toContain('5 alert(s) were not diagnosed');
    expect(textOf(summaries[0])).toContain('HighErrorRate');
    expect(rootPosts()).toHaveLength(3);
    expect(intake.stats()).toMatchObject({ received: 8, diagnosed: 3, dropped: 5 });
  });

  it('tells its metrics the queue as it changes, and says when all its work is done', async () => {
    const told: { queued: number; running: number }[] = [];
    const { intake } = build({ concurrency: 1 }, { alertQueue: (figures) => told.push({ ...figures }) });
    for (const service of ['svc-a', 'svc-b', 'svc-c'])
      await intake.accept({ notification: notification('HighErrorRate', service), channel: CHANNEL });
    expect(told.at(-1)).toEqual({ queued: 2, running: 1 });
    let idleSaid = false;
    void intake.idleness.whenIdle().then(() => {
      idleSaid = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(idleSaid).toBe(false);
    expect(intake.idle()).toBe(false);
    release();
    await intake.idleness.whenIdle();
    expect(intake.idle()).toBe(true);
    expect(rootPosts()).toHaveLength(3);
    expect(told.at(-1)).toEqual({ queued: 0, running: 0 });
    expect(Math.max(...told.map((f) => f.queued))).toBe(2);
  });

  it('at shutdown, drops its queue from the figures and from the work it waits for', async () => {
    const told: { queued: number; running: number }[] = [];
    const { intake } = build({ concurrency: 1 }, { alertQueue: (figures) => told.push({ ...figures }) });
    for (const service of ['svc-a', 'svc-b'])
      await intake.accept({ notification: notification('HighErrorRate', service), channel: CHANNEL });
    expect(await intake.stopQueue()).toBe(1);
    expect(told.at(-1)).toEqual({ queued: 0, running: 1 });
    release();
    await intake.idleness.whenIdle();
    expect(runs).toHaveLength(1);
    expect(told.at(-1)).toEqual({ queued: 0, running: 0 });
  });

  it('resolves a thread when its last firing alert resolves, and says what is still firing before that', async () => {
    const { intake } = build();
    release();
    await intake.accept({
      notification: notification('HighErrorRate', 'checkout', { alert: { fingerprint: 'aa' } }),
      channel: CHANNEL,
    });
    await intake.accept({
      notification: notification('HighLatency', 'checkout', { alert: { fingerprint: 'bb' } }),
      channel: CHANNEL,
    });
    await idle(intake);
    expect(
      await intake.accept({
        notification: notification('HighLatency', 'checkout', { status: 'resolved', alert: { fingerprint: 'bb' } }),
        channel: CHANNEL,
      }),
    ).toBe('resolved');
    await idle(intake);
    const root = fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    let thread = fake.thread(CHANNEL, root?.ts ?? '');
    expect(textOf(thread.at(-1))).toMatch(
      /resolved: \[RESOLVED\] HighLatency checkout\. 1 alert\(s\) in this thread still firing/,
    );
    expect(textOf(thread[0])).not.toMatch(/resolved\*/);
    await intake.accept({
      notification: notification('HighErrorRate', 'checkout', { status: 'resolved', alert: { fingerprint: 'aa' } }),
      channel: CHANNEL,
    });
    await idle(intake);
    thread = fake.thread(CHANNEL, root?.ts ?? '');
    expect(textOf(thread.at(-1))).toContain('Nothing in this thread is firing any more');
    expect(textOf(thread[0])).toContain('*resolved*');
    // A resolution nobody opened a thread for changes nothing.
    expect(
      await intake.accept({ notification: notification('Other', 'mailer', { status: 'resolved' }), channel: CHANNEL }),
    ).toBe('unmatched-resolve');
  });

  it('opens exactly one thread when the same alert arrives twice at once', async () => {
    const { intake } = build();
    release();
    const both = await Promise.all([
      intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL }),
      intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL }),
    ]);
    expect(both.sort()).toEqual(['queued', 'repeat']);
    await idle(intake);
    expect(rootPosts()).toHaveLength(1);
  });

  it('releases the thread when the diagnosis cannot be posted, so the next delivery tries again', async () => {
    const { intake, store } = build();
    release();
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL });
    await idle(intake);
    expect(store.size()).toBe(0);
    expect(await intake.accept({ notification: notification('HighErrorRate', 'checkout'), channel: CHANNEL })).toBe(
      'queued',
    );
    await idle(intake);
    expect(rootPosts()).toHaveLength(1);
  });
});
