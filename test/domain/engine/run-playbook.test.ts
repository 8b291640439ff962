/** The engine runs a playbook's steps on its clock: each step timed by it, each event stamped by it. */
import { describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/domain/engine/run-playbook.js';
import type { RunEvent } from '../../../src/domain/engine/types.js';
import { type Playbook, StepSchema } from '../../../src/domain/playbook/schema.js';
import type { RangePair } from '../../../src/domain/ports.js';
import { FakeClock } from './fake-clock.js';
import { AT, dayBefore, flat, NO_SIGNALS, profileWith, ScriptedMetrics, WINDOW } from './step-fakes.js';

const metricStep = (id: string, when?: object) =>
  StepSchema.parse({
    id,
    title: id,
    query: 'sum(rate(errors_total{$service}[$rate]))',
    requires: ['errors_total'],
    thresholds: { warn: 1, crit: 5 },
    ...(when ? { when } : {}),
  });

const PLAYBOOK: Playbook = {
  id: 'p',
  title: 'P',
  match: { kinds: [], codes: [] },
  steps: [metricStep('errors'), metricStep('drill-down', { step: 'errors', is: 'crit' })],
  hypotheses: [],
  sources: [],
  signals: NO_SIGNALS,
};

function start(metrics: ScriptedMetrics, clock: FakeClock, signal = new AbortController().signal) {
  const events: RunEvent[] = [];
  const outcome = runPlaybook({
    runId: 'r1',
    playbook: PLAYBOOK,
    profile: profileWith(['errors_total']),
    window: WINDOW,
    metrics,
    signal,
    clock,
    emit: (e) => events.push(e),
  });
  return { events, outcome };
}

describe('runPlaybook', () => {
  it('times each step by the clock, and stamps its events with the clock', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(6)];
    metrics.earlier = [dayBefore(flat(0.5))];
    const clock = new FakeClock(AT);
    // Each query takes 1.5 s on the clock, however long it takes on the wall.
    const answer = metrics.queryRangeAndEarlier.bind(metrics);
    metrics.queryRangeAndEarlier = async (request): Promise<RangePair> => {
      clock.advance(1500);
      return answer(request);
    };
    const { events, outcome } = start(metrics, clock);
    const { steps } = await outcome;
    expect(steps.map((s) => [s.id, s.status, s.durationMs])).toEqual([
      ['errors', 'crit', 1500],
      ['drill-down', 'crit', 1500],
    ]);
    const finished = events.filter((e) => e.type === 'step-finished');
    expect(finished.map((e) => e.at.getTime())).toEqual([AT.getTime() + 1500, AT.getTime() + 3000]);
    const started = events.find((e) => e.type === 'step-started');
    expect(started?.at).toEqual(AT);
  });

  it('skips a step whose condition does not hold, still timed by the clock', async () => {
    const metrics = new ScriptedMetrics();
    metrics.current = [flat(0.1)];
    metrics.earlier = [dayBefore(flat(0.1))];
    const { outcome } = start(metrics, new FakeClock(AT, 250));
    const { steps } = await outcome;
    expect(steps[0]).toMatchObject({ id: 'errors', status: 'ok', durationMs: 250 });
    expect(steps[1]).toMatchObject({ id: 'drill-down', status: 'skipped', durationMs: 250 });
  });

  it('errors the steps left when the run is past its deadline', async () => {
    const deadline = new AbortController();
    deadline.abort();
    const { outcome } = start(new ScriptedMetrics(), new FakeClock(AT), deadline.signal);
    const { steps } = await outcome;
    expect(steps[0]).toMatchObject({ status: 'errored', error: { code: 'deadline_exceeded' } });
  });
});
