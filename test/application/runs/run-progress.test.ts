import { describe, expect, it } from 'vitest';
import { advance, type RunProgress, replay } from '../../../src/application/runs/run-progress.js';
import type { RunEvent } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, step } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const symptom = parseSymptom('502 on checkout', { now: T0 });
const start: RunProgress = { status: 'running', stepsDone: 0, stepsTotal: 0 };

const started: RunEvent = {
  type: 'run-started',
  runId: 'r',
  symptom,
  service: 'checkout',
  playbook: 'http-5xx',
  window: symptom.window,
  steps: [
    { id: 'a', title: 'A' },
    { id: 'b', title: 'B' },
  ] as never,
  at: T0,
};

describe('run progress', () => {
  it('counts steps, follows the leader and ends with the outcome', () => {
    const leader = hypothesis();
    const result = outcome({ runId: 'r', service: 'checkout-api' });
    const progress = replay(start, [
      started,
      { type: 'step-finished', runId: 'r', step: step({ id: 'a' }), at: T0 },
      { type: 'hypotheses-updated', runId: 'r', hypotheses: [leader], at: T0 } as RunEvent,
      { type: 'step-finished', runId: 'r', step: step({ id: 'b' }), at: T0 },
      { type: 'run-finished', runId: 'r', result, at: T0 },
    ]);
    expect(progress).toMatchObject({
      status: 'finished',
      stepsDone: 2,
      stepsTotal: 2,
      playbook: 'http-5xx',
      service: 'checkout-api',
      top: leader,
      result,
    });
  });

  it('says failed when the diagnosis concluded it failed', () => {
    const failed = outcome({ runId: 'r' });
    const result = { ...failed, conclusion: { ...failed.conclusion, kind: 'failed' } } as typeof failed;
    expect(advance(start, { type: 'run-finished', runId: 'r', result, at: T0 }).status).toBe('failed');
  });

  it('keeps the leader when a ranking comes empty, and leaves the given progress as it was', () => {
    const leader = hypothesis();
    const before = { ...start, top: leader };
    const after = advance(before, { type: 'hypotheses-updated', runId: 'r', hypotheses: [], at: T0 } as RunEvent);
    expect(after.top).toBe(leader);
    const next = advance(before, { type: 'step-finished', runId: 'r', step: step(), at: T0 });
    expect(next.stepsDone).toBe(1);
    expect(before.stepsDone).toBe(0);
  });

  it('is not moved by the journal’s notes', () => {
    const note = { type: 'human-decision', userId: 'U1', decision: 'confirmed', cause: 'x', at: T0 } as const;
    expect(advance(start, note)).toEqual(start);
  });
});
