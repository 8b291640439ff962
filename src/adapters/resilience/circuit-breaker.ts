import {
  DatasourceCircuitOpenError,
  DatasourceError,
  type DatasourceHttpError,
  type DatasourceName,
} from '../../domain/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive availability failures that open the circuit; default 5. */
  threshold?: number;
  /** How long it stays open before one trial call; default 30 s. */
  coolDownMs?: number;
  now?: () => number;
}

/**
 * Failures that say the source itself is in trouble (down, slow, erroring, answering garbage), as opposed to a
 * query the source rejected (the playbook's problem) or a run that was cancelled.
 */
function isAvailabilityFailure(err: unknown): err is DatasourceError {
  if (!(err instanceof DatasourceError)) return false;
  switch (err.code) {
    case 'datasource_unreachable':
    case 'datasource_timeout':
    case 'datasource_malformed':
    case 'datasource_internal':
    case 'datasource_unavailable':
      return true;
    case 'datasource_http':
      return (err as DatasourceHttpError).retryable;
    default:
      return false;
  }
}

const SOURCE_NAMES: Readonly<Record<DatasourceName, string>> = {
  prometheus: 'Prometheus',
  loki: 'Loki',
  elasticsearch: 'Elasticsearch',
};

/**
 * A circuit breaker for one data source, shared by every run of the process: after `threshold` availability
 * failures in a row it opens and calls fail at once with a message saying so; after `coolDownMs` one trial call
 * goes through (half-open), and its success closes the circuit again.
 */
export class CircuitBreaker {
  readonly source: DatasourceName;
  private readonly url: string;
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private failures = 0;
  private openedAt = 0;
  private trial = false;
  private lastError = '';
  private rejectedCalls = 0;
  private opened = 0;

  constructor(source: DatasourceName, url: string, options: BreakerOptions = {}) {
    this.source = source;
    this.url = url;
    this.threshold = options.threshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  state(): BreakerState {
    if (this.failures < this.threshold) return 'closed';
    return this.now() - this.openedAt >= this.coolDownMs ? 'half-open' : 'open';
  }

  /** Calls refused while open, and times it opened, since start. */
  stats(): { rejected: number; opened: number; state: BreakerState } {
    return { rejected: this.rejectedCalls, opened: this.opened, state: this.state() };
  }

  async call<T>(work: () => Promise<T>): Promise<T> {
    const state = this.state();
    if (state === 'open' || (state === 'half-open' && this.trial)) throw this.refusal();
    const isTrial = state === 'half-open';
    if (isTrial) this.trial = true;
    try {
      const result = await work();
      this.failures = 0;
      return result;
    } catch (err) {
      if (isAvailabilityFailure(err)) this.failed(err);
      else if (isTrial) this.failures = 0;
      throw err;
    } finally {
      if (isTrial) this.trial = false;
    }
  }

  private failed(err: DatasourceError): void {
    this.lastError = err.message;
    this.failures++;
    if (this.failures >= this.threshold) {
      if (this.failures === this.threshold) this.opened++;
      // A failed trial (or a failure that raced the opening) starts a new cool-down.
      this.openedAt = this.now();
    }
  }

  private refusal(): DatasourceCircuitOpenError {
    this.rejectedCalls++;
    const name = SOURCE_NAMES[this.source];
    const seconds = Math.round(this.coolDownMs / 1000);
    return new DatasourceCircuitOpenError(
      `${name} is failing (${this.failures} failures in a row, last: ${this.lastError}); Triage stopped querying it for ${seconds} s`,
      { source: this.source, url: this.url },
    );
  }
}
