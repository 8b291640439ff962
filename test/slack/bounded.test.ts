/**
 * Nothing left behind: after a batch of diagnoses through the real app, no timer, listener, queued post or
 * per-run object of the runner is still held, and what is kept on purpose (the run registry, caches) stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');

/** Active handles by kind (timers, sockets…), as Node reports them. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

const LISTENED = ['exit', 'SIGTERM', 'SIGINT', 'unhandledRejection', 'uncaughtException', 'warning'] as const;

describe.skipIf(!prometheus.available)('after many diagnoses', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => new Date(scenario.at),
      replyIntervalMs: 0,
      fake: { postMessageLimit: false, methodLimits: false },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it('holds no timer, listener, queued post or per-run state of the runner, and stays bounded', async () => {
    // One run first, so lazily created handles (keep-alive sockets, the cache's timers) exist in the baseline.
    await slack.command(scenario.symptom);
    await slack.settled(60_000);
    await new Promise((r) => setTimeout(r, 2500));
    const before = resources();
    const listeners = LISTENED.map((e) => process.listenerCount(e));

    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          slack.command(`${scenario.symptom} for the last ${35 + (round * 6 + i) * 5}m`),
        ),
      );
      await slack.settled(120_000);
    }
    expect(await slack.built.store.listRuns({ limit: 100 })).toHaveLength(19);

    // Root edits are spaced by timers that must all be gone once the runs are over.
    await until(
      'the runner to let go of every run',
      () => {
        const held = slack.built.runner.held();
        return held.rootEdits + held.queuedEdits + held.editTimes === 0 ? true : undefined;
      },
      10_000,
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect(slack.built.pacer.queued()).toBe(0);
    expect(slack.built.registry.inFlight()).toEqual([]);
    expect(slack.built.alerts.idle()).toBe(true);
    const after = resources();
    expect(after.get('Timeout') ?? 0).toBeLessThanOrEqual((before.get('Timeout') ?? 0) + 1);
    expect(after.get('TCPSocketWrap') ?? 0).toBeLessThanOrEqual((before.get('TCPSocketWrap') ?? 0) + 4);
    expect(LISTENED.map((e) => process.listenerCount(e))).toEqual(listeners);
    // Kept on purpose, and bounded: the registry keeps at most 1000 finished runs for the buttons.
    expect(slack.built.registry.size()).toBeLessThanOrEqual(1000);
  }, 300_000);
});
