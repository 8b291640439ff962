/**
 * The alert storm figures: 300 Alertmanager posts in one alert channel over one minute, against the fake Slack
 * with Slack's per-channel limit enforced strictly (a second post within a second is answered 429), the default
 * alert settings (ALERT_QUEUE_MAX 20, ALERT_CONCURRENCY 2) and the local scenario Prometheus.
 */
import type { Scenario } from '../test/scenarios/catalog.js';
import { startSlackHarness } from '../test/slack/slack-harness.js';
import { describeStorm, runAlertStorm, type StormReport } from '../test/support/alert-storm.js';

export async function benchAlertStorm(
  prometheusUrl: string,
  scenarios: readonly Scenario[],
  out: (line: string) => void,
): Promise<{ quietFirstReplyMs: number; storm: StormReport }> {
  const at = new Date(scenarios[0]?.at ?? Date.now());
  const known = [...new Set(scenarios.map((s) => s.service))];
  // Services Prometheus knows and a few it does not (those diagnoses end quickly with the closest names).
  const services = [...known, 'search', 'auth', 'ledger', 'gateway', 'mailer', 'media'];
  const slack = await startSlackHarness({
    prometheusUrl,
    now: () => at,
    env: { ALERT_CHANNELS: 'C0ALERTS01,C0QUIET001' },
    fake: {
      postMessageLimit: { burst: 1, perSecond: 1 },
      channels: [{ id: 'C0ALERTS01' }, { id: 'C0QUIET001' }],
    },
  });
  try {
    // One alert on a quiet channel: how soon its thread gets the first reply.
    const quiet = await runAlertStorm(slack, {
      channel: 'C0QUIET001',
      alerts: 1,
      durationMs: 0,
      services: [scenarios.find((s) => s.cause === 'bad-deploy')?.service ?? known[0] ?? 'billing'],
      alertnames: ['HighErrorRate'],
    });
    out(
      `one alert on a quiet channel → first thread reply: ${quiet.firstReplyMs[0]?.toFixed(0)} ms; whole thread posted in ${(quiet.handledInMs / 1000).toFixed(1)} s`,
    );
    slack.fake.reset();
    const report = await runAlertStorm(slack, {
      channel: 'C0ALERTS01',
      alerts: Number(process.env.BENCH_STORM_ALERTS ?? 300),
      durationMs: Number(process.env.BENCH_STORM_MS ?? 60_000),
      services,
      alertnames: ['HighErrorRate', 'HighLatency', 'PodCrashLooping', 'HighMemoryUsage', 'CPUThrottlingHigh'],
    });
    out(`alert storm (${services.length} services, one channel): ${describeStorm(report)}`);
    return { quietFirstReplyMs: quiet.firstReplyMs[0] ?? Number.NaN, storm: report };
  } finally {
    await slack.stop();
  }
}
