/**
 * An alert storm: 300 Alertmanager posts in one alert channel within a minute, against a fake Slack that answers 429
 * as soon as posts in a channel exceed one per second. Every alert must end up threaded (a diagnosis under it),
 * in a thread (a repeat or an alert grouped with its service's diagnosis), or counted in the one storm summary:
 * none lost, none posted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { describeStorm, isDiagnosisRoot, runAlertStorm } from '../support/alert-storm.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const AT = new Date(SCENARIOS[0]?.at ?? '2026-01-01T00:00:00Z');
const STORM = 300;

describe.skipIf(!prometheus.available)('alert storm', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      // A small queue, so the first burst of new services overflows it and the storm summary has to count.
      env: { ALERT_CHANNELS: CHANNEL, ALERT_QUEUE_MAX: '3', ALERT_CONCURRENCY: '2' },
      // Slack's per-channel limit, strictly: a second post within the same second is answered 429.
      fake: { postMessageLimit: { burst: 1, perSecond: 1 } },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it('threads, groups or counts every one of 300 alerts, posting nothing twice', async () => {
    const report = await runAlertStorm(slack, {
      channel: CHANNEL,
      alerts: STORM,
      // 300 in half a minute: ten a second, faster than any channel may be posted to.
      durationMs: 30_000,
      services: ['billing', 'checkout', 'catalog', 'orders', 'payments', 'inventory', 'storefront', 'search'],
      alertnames: ['HighErrorRate', 'HighLatency', 'PodCrashLooping', 'HighMemoryUsage', 'CPUThrottlingHigh'],
    });
    const alerts = new Set(report.alerts);
    // Threaded: a diagnosis root under the alert, never two under one alert.
    expect(new Set(report.threaded).size).toBe(report.threaded.length);
    expect(report.threaded.every((ts) => alerts.has(ts))).toBe(true);
    // In a thread: each repeat or grouped alert is linked from exactly one line.
    expect(new Set(report.noted).size).toBe(report.noted.length);
    expect(report.noted.every((ts) => alerts.has(ts))).toBe(true);
    expect(report.threaded.filter((ts) => report.noted.includes(ts))).toEqual([]);
    // Counted: one storm summary.
    expect(report.summaries).toBe(1);
    expect(report.notDiagnosed).toBeGreaterThan(0);
    // None lost.
    expect(report.threaded.length + report.noted.length + report.notDiagnosed).toBe(STORM);

    const stats = slack.built.alerts.stats();
    expect(stats).toMatchObject({ received: STORM, diagnosed: report.threaded.length, dropped: report.notDiagnosed });
    expect(stats.repeats + stats.grouped).toBe(report.noted.length);
    // Every diagnosis finished with its ledger; every post Triage made is in Slack exactly once.
    for (const ts of report.threaded) {
      const thread = slack.fake.thread(CHANNEL, ts);
      expect(thread.filter(isDiagnosisRoot)).toHaveLength(1);
      expect(thread.some((m) => JSON.stringify(m.blocks ?? []).includes('triage_ledger_conclusion'))).toBe(true);
    }
    const delivered = slack.fake.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.error === undefined);
    const posted = slack.fake.channelMessages(CHANNEL).filter((m) => m.source === 'api');
    // Chart uploads are messages too, each from one files.completeUploadExternal.
    const charts = posted.filter((m) => m.files?.length);
    const uploads = slack.fake.callsTo('files.completeUploadExternal').filter((c) => c.status === 200 && !c.error);
    expect(charts.length).toBe(uploads.length);
    expect(delivered.length).toBe(posted.length - charts.length);
    console.log(`alert storm: ${describeStorm(report)}`);
  }, 900_000);
});
