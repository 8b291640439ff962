import type { ServiceProfile } from '../discovery/service-profile.js';
import { DeadlineExceededError } from '../errors.js';
import type { Playbook, Step } from '../playbook/schema.js';
import type { Clock, LogSource, MetricsSource } from '../ports.js';
import { scoreHypotheses } from '../scoring/score-hypotheses.js';
import type { TimeWindow } from '../time-window.js';
import { evaluateCondition, stepsReferenced } from './conditions.js';
import { evaluateStep } from './evaluate-step.js';
import { describeError } from './step-context.js';
import type { HypothesisResult, RunEvent, StepResult } from './types.js';

export interface EngineOptions {
  /** Rate range for `rate()`; default 5 minutes. */
  rateSeconds?: number;
  /** Look-back for trends; default 2 hours. */
  trendSeconds?: number;
  /** Baseline period before the window when no day-before data exists; default 2 hours. */
  precedingSeconds?: number;
}

export interface RunPlaybookInput {
  runId: string;
  playbook: Playbook;
  profile: ServiceProfile;
  window: TimeWindow;
  metrics: MetricsSource;
  logs?: LogSource;
  /** Aborted at the run's deadline: unfinished steps become `errored`. */
  signal: AbortSignal;
  /** Stamps the events and times the steps. */
  clock: Clock;
  emit: (event: RunEvent) => void;
  options?: EngineOptions;
}

export interface PlaybookOutcome {
  steps: StepResult[];
  hypotheses: HypothesisResult[];
}

/** Steps each step waits for: those its `when:` reads. */
export function dependenciesOf(step: Step): string[] {
  return step.when ? [...new Set(stepsReferenced(step.when))] : [];
}

/**
 * Each step's priority for query slots: the number of steps on the longest chain of dependent steps through it,
 * less one (0 for a step nothing waits on and that waits on nothing; a scan counts as two steps). The steps of the longest chain go first,
 * so a step others wait for is not queued behind independent ones, nor are its dependents once it is done.
 */
export function chainPriorities(steps: readonly Step[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const dependents = new Map<string, string[]>();
  for (const step of steps) {
    for (const id of dependenciesOf(step)) dependents.set(id, [...(dependents.get(id) ?? []), step.id]);
  }
  /** Steps on the longest chain from `id` following `next`, less one. */
  const longest = (id: string, next: (id: string) => readonly string[], memo: Map<string, number>): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    // Playbooks with cycles are refused when loaded; the 0 set first only stops a malformed one from recursing.
    memo.set(id, 0);
    const value =
      Math.max(
        -1,
        ...next(id)
          .filter((n) => byId.has(n))
          .map((n) => longest(n, next, memo)),
      ) + 1;
    memo.set(id, value);
    return value;
  };
  const above = new Map<string, number>();
  const below = new Map<string, number>();
  const upward = (id: string) => {
    const step = byId.get(id);
    return step ? dependenciesOf(step) : [];
  };
  const downward = (id: string) => dependents.get(id) ?? [];
  // The "what moved" scan reads every family at once: a round-trip about twice a step's, so it counts as two.
  const own = (s: Step) => (s.kind === 'scan' ? 1 : 0);
  return new Map(steps.map((s) => [s.id, longest(s.id, upward, above) + longest(s.id, downward, below) + own(s)]));
}

/**
 * Runs a playbook's steps, each as soon as the steps its `when:` reads have finished (so independent steps run
 * concurrently), emitting an event per step and a new ledger whenever it changes.
 */
export async function runPlaybook(input: RunPlaybookInput): Promise<PlaybookOutcome> {
  const { playbook, emit, runId, clock } = input;
  const now = () => clock.now();
  const results = new Map<string, StepResult>();
  const started = new Map<string, Promise<void>>();
  const priorities = chainPriorities(playbook.steps);
  let lastLedger = '';

  const publishLedger = () => {
    const hypotheses = scoreHypotheses(playbook.hypotheses, results);
    const key = JSON.stringify(hypotheses.map((h) => [h.cause, h.confidence]));
    if (key !== lastLedger) {
      lastLedger = key;
      emit({ type: 'hypotheses-updated', runId, hypotheses, at: now() });
    }
  };

  const finish = (step: Step, result: Omit<StepResult, 'durationMs'>, t0: number) => {
    const full: StepResult = { ...result, durationMs: Math.max(0, Math.round(clock.elapsedMs() - t0)) };
    results.set(step.id, full);
    emit({ type: 'step-finished', runId, step: full, at: now() });
    publishLedger();
  };

  const runStep = (step: Step): Promise<void> => {
    const existing = started.get(step.id);
    if (existing) return existing;
    const promise = (async () => {
      await Promise.all(
        dependenciesOf(step)
          .map((id) => playbook.steps.find((s) => s.id === id))
          .filter((s): s is Step => s !== undefined)
          .map(runStep),
      );
      const t0 = clock.elapsedMs();
      const base = { id: step.id, title: step.title, evidence: [] };
      if (step.when && evaluateCondition(step.when, results) !== true) {
        finish(step, { ...base, status: 'skipped', reason: 'its condition on earlier steps did not hold' }, t0);
        return;
      }
      if (input.signal.aborted) {
        const error = describeError(new DeadlineExceededError('The run reached its deadline before this step ran.'));
        finish(step, { ...base, status: 'errored', reason: error.message, error }, t0);
        return;
      }
      emit({ type: 'step-started', runId, stepId: step.id, title: step.title, at: now() });
      const result = await evaluateStep(step, {
        metrics: input.metrics,
        ...(input.logs ? { logs: input.logs } : {}),
        profile: input.profile,
        signals: playbook.signals,
        window: input.window,
        rateSeconds: input.options?.rateSeconds ?? 300,
        trendSeconds: input.options?.trendSeconds ?? 7200,
        precedingSeconds: input.options?.precedingSeconds ?? 7200,
        signal: input.signal,
        priority: priorities.get(step.id) ?? 0,
      }).catch((err: unknown) => {
        const error = describeError(err);
        return { ...base, status: 'errored' as const, reason: error.message, error };
      });
      finish(step, result, t0);
    })();
    started.set(step.id, promise);
    return promise;
  };

  // Started longest chain first, so the first query slots go to what the run will wait for longest.
  const byPriority = [...playbook.steps].sort((a, b) => (priorities.get(b.id) ?? 0) - (priorities.get(a.id) ?? 0));
  await Promise.all(byPriority.map(runStep));
  const steps = playbook.steps.map((s) => results.get(s.id)).filter((r): r is StepResult => r !== undefined);
  return { steps, hypotheses: scoreHypotheses(playbook.hypotheses, results) };
}
