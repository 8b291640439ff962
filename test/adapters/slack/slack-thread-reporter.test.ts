import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelPacer } from '../../../src/adapters/slack/channel-pacer.js';
import type { RunRecord } from '../../../src/adapters/slack/run-registry.js';
import { SlackThreadReporter, type ThreadRenderers } from '../../../src/adapters/slack/slack-thread-reporter.js';
import { decided, RunStates } from '../../../src/application/runs/run-state.js';
import type { DiagnosisOutcome, RunEvent } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, runRecord, step } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const silent = { warn: () => undefined };

function record(): RunRecord {
  return runRecord();
}

const render: ThreadRenderers = {
  root: (r) => ({ text: `root ${r.status} ${r.stepsDone}/${r.stepsTotal}`, blocks: [] }),
  findingGroup: (g) => ({ text: `findings ${g.hypothesis?.cause ?? 'other'}`, blocks: [] }),
  normalFold: () => ({ text: 'normal', blocks: [] }),
  notMeasured: () => ({ text: 'not measured', blocks: [] }),
  ledger: () => ({ text: 'ledger', blocks: [] }),
};

function fakeClient(options: { failPosts?: boolean } = {}) {
  const posts: string[] = [];
  const updates: string[] = [];
  const client = {
    chat: {
      postMessage: vi.fn(async (args: { text: string }) => {
        if (options.failPosts) throw Object.assign(new Error('x'), { data: { error: 'channel_not_found' } });
        posts.push(args.text);
        return { ok: true, ts: `2.${posts.length}` };
      }),
      update: vi.fn(async (args: { text: string }) => {
        updates.push(args.text);
        return { ok: true };
      }),
    },
  } as unknown as WebClient;
  return { client, posts, updates };
}

/** A run of `ids` steps, each `stepMs` apart on the fake clock. */
async function* run(ids: string[], stepMs: number, quiet: string[] = []): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  const steps = ids.map((id) => ({ id, title: id }));
  yield {
    type: 'run-started',
    runId: 'run-1',
    symptom: parseSymptom('502 on checkout', { now: T0 }),
    service: 'checkout',
    playbook: 'http-5xx',
    window: parseSymptom('502 on checkout', { now: T0 }).window,
    steps: steps as never,
    at: T0,
  };
  for (const id of ids) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const status = quiet.includes(id) ? 'no_data' : 'ok';
    yield { type: 'step-finished', runId: 'run-1', step: step({ id, status }), at: T0 };
    yield { type: 'hypotheses-updated', runId: 'run-1', hypotheses: [hypothesis()], at: T0 } as RunEvent;
  }
  // The outcome: the first step abnormal, the quiet ones unmeasured, the rest normal.
  const result = outcome({
    runId: 'run-1',
    steps: ids.map((id, i) => step({ id, status: quiet.includes(id) ? 'no_data' : i === 0 ? 'crit' : 'ok' })),
    hypotheses: [hypothesis({ cites: { supporting: ids.slice(0, 1), against: [] } })],
  });
  yield { type: 'run-finished', runId: 'run-1', result, at: T0 };
  return result;
}

const pacer = () => new ChannelPacer(0, { sleep: async () => undefined });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SlackThreadReporter', () => {
  it('posts nothing in the thread while the run goes, then findings, the normal fold, the unmeasured, the ledger last', async () => {
    const { client, posts, updates } = fakeClient();
    const onBypassed = vi.fn();
    const rec = record();
    const reporter = new SlackThreadReporter({
      client,
      pacer: pacer(),
      render,
      record: rec,
      logger: silent,
      onBypassed,
    });
    const done = reporter.consume(run(['a', 'b', 'c'], 900, ['b']));
    await vi.advanceTimersByTimeAsync(2000);
    // Two steps in: the root moved, the thread did not.
    expect(posts).toEqual([]);
    expect(updates).toEqual(['root running 1/3']);
    await vi.runAllTimersAsync();
    await done;
    expect(posts).toEqual(['findings connection-pool-exhausted', 'normal', 'not measured', 'ledger']);
    expect(reporter.state).toMatchObject({ status: 'finished', stepsDone: 3, stepsTotal: 3, playbook: 'http-5xx' });
    // The state it started with is left as it was: every change replaced the state in the holder.
    expect(rec).toMatchObject({ status: 'running', stepsDone: 0, stepsTotal: 0 });
    // The first step edits at once; the next two fall within 2 s of it; the conclusion is shown at once.
    expect(updates).toEqual(['root running 1/3', 'root finished 3/3']);
    expect(reporter.pendingRootEdit).toBe(false);
    // Without an outbox every message is sent directly, and said so.
    expect(onBypassed).toHaveBeenCalledWith('root', 'the run has no outbox');
    expect(onBypassed).toHaveBeenCalledWith('ledger', 'the run has no outbox');
  });

  it('keeps the run’s state in the holder it is given, so a change made elsewhere shows on its root', async () => {
    const { client, updates } = fakeClient();
    const rec = record();
    const states = new RunStates([rec]);
    const withDecision: ThreadRenderers = {
      ...render,
      root: (r) => ({ text: `${render.root(r).text}${r.decision ? ` ${r.decision.decision}` : ''}`, blocks: [] }),
    };
    const reporter = new SlackThreadReporter({
      client,
      pacer: pacer(),
      render: withDecision,
      record: rec,
      states,
      logger: silent,
    });
    const done = reporter.consume(run(['a', 'b'], 1000));
    await vi.advanceTimersByTimeAsync(1500);
    // Someone confirms the cause while the diagnosis goes on (a button): the holder's state is replaced.
    states.update('run-1', decided({ userId: 'U2', decision: 'confirmed', cause: 'bad-deploy', at: T0 }));
    await vi.runAllTimersAsync();
    await done;
    expect(updates).toEqual(['root running 1/2', 'root finished 2/2 confirmed']);
    expect(states.get('run-1')).toMatchObject({
      status: 'finished',
      stepsDone: 2,
      decision: { decision: 'confirmed' },
    });
    expect(reporter.state).toBe(states.get('run-1'));
  });

  it('edits the root again once the throttle has passed', async () => {
    const { client, updates } = fakeClient();
    const reporter = new SlackThreadReporter({ client, pacer: pacer(), render, record: record(), logger: silent });
    const done = reporter.consume(run(['a', 'b'], 2500));
    await vi.runAllTimersAsync();
    await done;
    expect(updates).toEqual(['root running 1/2', 'root running 2/2', 'root finished 2/2']);
  });

  it('in a compact thread posts only the ledger and edits the root once, at the end', async () => {
    const { client, posts, updates } = fakeClient();
    const onFinished = vi.fn();
    const rec = record();
    const reporter = new SlackThreadReporter({
      client,
      pacer: pacer(),
      render,
      record: rec,
      logger: silent,
      compact: true,
      onFinished: () => onFinished(reporter.state.status),
    });
    const done = reporter.consume(run(['a', 'b'], 5000));
    await vi.runAllTimersAsync();
    await done;
    expect(posts).toEqual(['ledger']);
    expect(updates).toEqual(['root finished 2/2']);
    // Told when the diagnosis is over, while the run still shows as running.
    expect(onFinished).toHaveBeenCalledWith('running');
  });

  it('counts the posts Slack never got and goes on', async () => {
    const { client, updates } = fakeClient({ failPosts: true });
    const onUndelivered = vi.fn();
    const rec = record();
    const reporter = new SlackThreadReporter({
      client,
      pacer: pacer(),
      render,
      record: rec,
      logger: silent,
      onUndelivered,
    });
    const done = reporter.consume(run(['a'], 10));
    await vi.runAllTimersAsync();
    await done;
    expect(reporter.state.undelivered).toBe(2);
    expect(onUndelivered.mock.calls).toEqual([
      ['findings 1', 'channel_not_found'],
      ['ledger', 'channel_not_found'],
    ]);
    expect(updates.at(-1)).toContain('root finished 1/1');
  });
});
