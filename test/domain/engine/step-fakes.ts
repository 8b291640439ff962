/** Fakes for the step evaluators: a metrics source and a log store that answer what each test scripts. */
import type { ServiceProfile } from '../../../src/domain/discovery/service-profile.js';
import type { StepContext } from '../../../src/domain/engine/step-context.js';
import type {
  LogLine,
  LogQuery,
  LogSource,
  MetricsSource,
  RangePair,
  RangePairRequest,
  Sample,
  Series,
} from '../../../src/domain/ports.js';
import type { SignalCatalog } from '../../../src/domain/signals/signal.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';

export const AT = new Date('2026-10-12T12:00:00Z');
export const WINDOW: TimeWindow = { start: new Date(AT.getTime() - 1_800_000), end: AT };
const START_S = WINDOW.start.getTime() / 1000;
const END_S = AT.getTime() / 1000;
export const DAY_MS = 86_400_000;

/** A series at one level over [fromS, toS], a point every 60 s. */
export function flat(value: number, fromS = START_S, toS = END_S, labels: Record<string, string> = {}): Series {
  const samples: Sample[] = [];
  for (let t = fromS; t <= toS; t += 60) samples.push({ t, v: value });
  return { labels, samples };
}

/** The same series a day earlier (the timestamps of the earlier window). */
export function dayBefore(series: Series): Series {
  return { labels: series.labels, samples: series.samples.map((s) => ({ t: s.t - 86_400, v: s.v })) };
}

/** Answers range queries from a script: the window and the day before in one request, the hours before on their own. */
export class ScriptedMetrics implements MetricsSource {
  readonly pairs: RangePairRequest[] = [];
  readonly ranges: { query: string; window: TimeWindow }[] = [];
  current: Series[] = [];
  earlier: Series[] = [];
  preceding: Series[] = [];
  fail?: Error;

  async queryRangeAndEarlier(request: RangePairRequest): Promise<RangePair> {
    this.pairs.push(request);
    if (this.fail) throw this.fail;
    return { current: this.current, earlier: this.earlier };
  }
  async queryRange(query: string, window: TimeWindow): Promise<Series[]> {
    this.ranges.push({ query, window });
    if (this.fail) throw this.fail;
    return this.preceding;
  }
  async queryInstant(): Promise<Series[]> {
    return [];
  }
  async series(): Promise<Record<string, string>[]> {
    return [];
  }
  async labelValues(): Promise<string[]> {
    return [];
  }
  linkFor(query: string): string {
    return `fake://graph?q=${encodeURIComponent(query)}`;
  }
}

/** A log store whose counts and lines depend on how many days before the incident window a query asks. */
export class ScriptedLogs implements LogSource {
  readonly name = 'loki' as const;
  readonly asked: LogQuery[] = [];
  /** Error counts for the window, the day before and the window just before. */
  counts = { window: 0, dayBefore: 0, before: 0 };
  lines: { window: LogLine[]; dayBefore: LogLine[]; before: LogLine[] } = { window: [], dayBefore: [], before: [] };
  fail?: Error;

  #which(window: TimeWindow): 'window' | 'dayBefore' | 'before' {
    if (window.end.getTime() === AT.getTime()) return 'window';
    return window.end.getTime() === AT.getTime() - DAY_MS ? 'dayBefore' : 'before';
  }
  async countErrors(query: LogQuery): Promise<number> {
    this.asked.push(query);
    if (this.fail) throw this.fail;
    return this.counts[this.#which(query.window)];
  }
  async errorLines(query: LogQuery & { limit: number }): Promise<LogLine[]> {
    this.asked.push(query);
    if (this.fail) throw this.fail;
    return this.lines[this.#which(query.window)];
  }
  linkFor(): string {
    return 'fake://logs';
  }
}

/** A service whose `job="billing"` series have the given families. */
export function profileWith(families: readonly string[]): ServiceProfile {
  const selector = [{ label: 'job', value: 'billing' }];
  return {
    name: 'billing',
    service: 'billing',
    families: new Map(families.map((f) => [f, [selector]])),
    dependencies: [],
    callees: [],
  };
}

export const NO_SIGNALS: SignalCatalog = { signals: new Map(), conventions: [], knownFamilies: new Set() };

export function contextFor(
  parts: { metrics?: MetricsSource; logs?: LogSource; profile?: ServiceProfile; signal?: AbortSignal } = {},
): StepContext {
  return {
    metrics: parts.metrics ?? new ScriptedMetrics(),
    ...(parts.logs ? { logs: parts.logs } : {}),
    profile: parts.profile ?? profileWith(['errors_total']),
    signals: NO_SIGNALS,
    window: WINDOW,
    rateSeconds: 300,
    trendSeconds: 7200,
    precedingSeconds: 7200,
    signal: parts.signal ?? new AbortController().signal,
  };
}
