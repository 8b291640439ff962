import type { ServiceProfile } from '../discovery/service-profile.js';
import { AppError, DatasourceError, DeadlineExceededError } from '../errors.js';
import type { LogSource, MetricsSource } from '../ports.js';
import type { SignalCatalog } from '../signals/signal.js';
import { type TimeWindow, windowSeconds } from '../time-window.js';
import type { Evidence, StepError } from './types.js';

/** How far back the usual baseline is: the same window one day earlier (seconds). */
export const DAY = 86_400;

/** What every step evaluator reads: the sources, the service, the catalogue, the window and the run's signal. */
export interface StepContext {
  metrics: MetricsSource;
  /** The log store, when one is configured. */
  logs?: LogSource;
  profile: ServiceProfile;
  /** The signal catalogue the playbook was composed against. */
  signals: SignalCatalog;
  window: TimeWindow;
  /** Rate range for `rate()` (seconds). */
  rateSeconds: number;
  /** Look-back for trends such as `deriv()` (seconds). */
  trendSeconds: number;
  /** How far before the window the "preceding" baseline reaches (seconds). */
  precedingSeconds: number;
  signal: AbortSignal;
  /** The step's place in line for a query slot ({@link QueryOptions.priority}); default 0. */
  priority?: number;
}

/** Range-query step: about 60 points over the window, a multiple of 15 s so cache keys repeat. */
export function queryStepSeconds(window: TimeWindow): number {
  return Math.max(15, Math.round(windowSeconds(window) / 60 / 15) * 15);
}

/**
 * Settles with the promise, or rejects with DeadlineExceededError as soon as the run's signal aborts, so a data
 * source that ignores the signal can never hold a run past its deadline.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const deadline = () => new DeadlineExceededError('The run reached its deadline before this step finished.');
  if (signal.aborted) return Promise.reject(deadline());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A step's failure as the results carry it: the typed error's code and source, or `internal`. */
export function describeError(err: unknown): StepError {
  if (err instanceof DatasourceError) return { code: err.code, source: err.source, message: err.message };
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/**
 * The part of a step's evidence that says how it was judged: against which baseline, with which levels, and the
 * verdict. Metric and log steps build it alike.
 */
export function judgedEvidence(
  step: { thresholds?: Evidence['thresholds'] | undefined; change?: Evidence['change'] | undefined },
  verdict: { ratio: number | null; status: Evidence['verdict'] },
  baseline: number | null,
  baselineSource: Evidence['baselineSource'],
): Pick<Evidence, 'baseline' | 'baselineSource' | 'thresholds' | 'change' | 'ratio' | 'verdict'> {
  return {
    baseline,
    baselineSource,
    thresholds: step.thresholds ?? null,
    change: step.change ?? null,
    ratio: verdict.ratio,
    verdict: verdict.status,
  };
}
