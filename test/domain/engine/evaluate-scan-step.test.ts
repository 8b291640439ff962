/**
 * The "what moved" step against an in-memory source that answers its batched queries from generated series: what
 * it sends (a few requests whatever the number of families, user values quoted), how it reads counters, levels and
 * resets, how it ranks, and what the names it reads mean.
 */
import { describe, expect, it } from 'vitest';
import type { ServiceProfile } from '../../../src/domain/discovery/service-profile.js';
import { evaluateScanStep } from '../../../src/domain/engine/evaluate-scan-step.js';
import { ScanStepSchema } from '../../../src/domain/playbook/schema.js';
import type { MetricsSource, QueryOptions, RangePair, RangePairRequest, Series } from '../../../src/domain/ports.js';
import { rangePairFromTwoQueries } from '../../../src/domain/range-pair.js';
import type { SignalCatalog } from '../../../src/domain/signals/signal.js';
import type { TimeWindow } from '../../../src/domain/time-window.js';

const AT = Date.parse('2026-10-12T12:00:00Z') / 1000;
const WINDOW_START = AT - 1800;
const DAY = 86_400;

/** A family the fake serves: a counter's rate or a gauge's level at time t (seconds). */
interface Family {
  name: string;
  counter: boolean;
  value: (t: number) => number;
}

/** Answers the scan's batched queries; `dayBefore: false` leaves the same window a day earlier empty. */
class GeneratedSource implements MetricsSource {
  readonly queries: string[] = [];
  fail?: Error;
  readonly #families: readonly Family[];
  readonly #options: { dayBefore?: boolean };
  constructor(families: readonly Family[], options: { dayBefore?: boolean } = {}) {
    this.#families = families;
    this.#options = options;
  }

  async queryRange(query: string, window: TimeWindow, stepSeconds: number): Promise<Series[]> {
    this.queries.push(query);
    if (this.fail) throw this.fail;
    // The day before comes as the same query over the window a day earlier (the source has no paired request).
    const dayBefore = window.end.getTime() / 1000 <= AT - DAY + 60;
    if (dayBefore && this.#options.dayBefore === false) return [];
    const out: Series[] = [];
    // One batch: `label_replace(sum by (...) ({__name__=~"a|b",…}), "triage_scan_group", "0", "", "") or …`.
    for (const part of query.split('\nor\n')) {
      const names = /__name__=~"([^"]*)"/.exec(part)?.[1]?.split('|') ?? [];
      const group = /"triage_scan_group", "(\d+)"/.exec(part)?.[1] ?? '0';
      for (const family of this.#families) {
        const sample = family.counter ? `${family.name}_total` : family.name;
        if (!names.includes(sample)) continue;
        const samples = [];
        for (let t = window.start.getTime() / 1000; t <= window.end.getTime() / 1000; t += stepSeconds) {
          samples.push({ t, v: family.counter ? cumulative(family, t) : family.value(t) });
        }
        out.push({ labels: { __name__: sample, triage_scan_group: group }, samples });
      }
    }
    return out;
  }
  queryRangeAndEarlier(request: RangePairRequest, options?: QueryOptions): Promise<RangePair> {
    return rangePairFromTwoQueries(this, request, options);
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

/** A counter's value at t: its rate summed every 15 s from two days back (no reset unless `value` says so). */
const totals = new WeakMap<Family, number[]>();
function cumulative(family: Family, t: number): number {
  const from = AT - 2 * DAY;
  let prefix = totals.get(family);
  if (!prefix) {
    prefix = [0];
    for (let x = from; x <= AT; x += 15) prefix.push((prefix.at(-1) ?? 0) + family.value(x) * 15);
    totals.set(family, prefix);
  }
  return Math.round(prefix[Math.max(0, Math.floor((t - from) / 15) + 1)] ?? 0);
}

/** Deterministic jitter in [-1, 1] for a family at a time. */
function jitter(seed: number, t: number): number {
  const x = Math.sin(seed * 12.9898 + t * 78.233) * 43758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

function steady(name: string, level: number, seed: number, counter = false): Family {
  return { name, counter, value: (t) => level * (1 + 0.1 * jitter(seed, t)) };
}

function profileOf(families: readonly Family[], selectorValue = 'billing'): ServiceProfile {
  const selector = [{ label: 'job', value: selectorValue }];
  return {
    name: 'billing',
    service: 'billing',
    families: new Map(families.map((f) => [f.counter ? `${f.name}_total` : f.name, [selector]])),
    dependencies: [],
    callees: [],
  };
}

const NO_CONVENTIONS: SignalCatalog = { signals: new Map(), conventions: [], knownFamilies: new Set() };

async function scan(
  families: readonly Family[],
  options: { dayBefore?: boolean; maxFamilies?: number; selectorValue?: string; source?: GeneratedSource } = {},
) {
  const source = options.source ?? new GeneratedSource(families, options);
  const step = ScanStepSchema.parse({
    id: 'what-moved',
    title: 'What moved',
    kind: 'scan',
    ...(options.maxFamilies ? { maxFamilies: options.maxFamilies } : {}),
  });
  const result = await evaluateScanStep(step, {
    metrics: source,
    profile: profileOf(families, options.selectorValue),
    signals: NO_CONVENTIONS,
    window: { start: new Date(WINDOW_START * 1000), end: new Date(AT * 1000) },
    rateSeconds: 300,
    trendSeconds: 7200,
    precedingSeconds: 7200,
    signal: new AbortController().signal,
  });
  return { result, source };
}

/** 1 at and after `from`, 0 before. */
const stepUp = (from: number) => (t: number) => (t >= from ? 1 : 0);

describe('the what-moved scan', () => {
  it('ranks a failure counter that jumped first and reads its name as errors', async () => {
    const failing = stepUp(AT - 900);
    const families = [
      { name: 'billing_invoices_failed', counter: true, value: (t: number) => 0.2 + 6 * failing(t) },
      steady('billing_invoices', 40, 1, true),
      steady('billing_cache_entries', 5000, 2),
    ];
    const { result } = await scan(families);
    expect(result.status).toBe('crit');
    expect(result.evidence[0]?.labels?.family).toBe('billing_invoices_failed_total');
    expect(result.evidence[0]?.summary).toMatch(/reads as errors/);
    expect(result.moved).toEqual(['errors']);
    expect(result.evidence.map((e) => e.labels?.family)).not.toContain('billing_cache_entries');
  });

  it('sends three requests whatever the number of families (the window and the day before as a pair where the source can)', async () => {
    const many = Array.from({ length: 120 }, (_, i) => steady(`billing_thing_${i}`, 10 + i, i, i % 2 === 0));
    const { source, result } = await scan(many);
    expect(source.queries).toHaveLength(3);
    expect(result.scanned).toEqual({ families: 120, leftOut: 0 });
    expect(result.status).toBe('ok');
    expect(result.reason).toMatch(/nothing moved beyond its usual range among 120 families/);
  });

  it('caps the families read, keeps those whose names mean something, and says so', async () => {
    const failing = stepUp(AT - 900);
    const many = [
      ...Array.from({ length: 30 }, (_, i) => steady(`billing_thing_${i}`, 10, i)),
      { name: 'billing_payouts_errors', counter: true, value: (t: number) => 0.1 + 5 * failing(t) },
    ];
    const { result } = await scan(many, { maxFamilies: 10 });
    expect(result.scanned).toEqual({ families: 10, leftOut: 21 });
    expect(result.reason).toMatch(/read 10 of 31 families: the 21 others were left out/);
    expect(result.evidence[0]?.labels?.family).toBe('billing_payouts_errors_total');
  });

  it('does not flag a daily wave that the same window a day earlier also had', async () => {
    // Traffic triples over the window, every day at this hour.
    const wave = (t: number) => 1 + 2 * Math.max(0, Math.min(1, ((t % DAY) - (WINDOW_START % DAY)) / 1800));
    const families = [
      { name: 'billing_requests', counter: true, value: (t: number) => 30 * wave(t) * (1 + 0.05 * jitter(3, t)) },
      { name: 'billing_inflight', counter: false, value: (t: number) => 8 * wave(t) * (1 + 0.1 * jitter(4, t)) },
    ];
    const { result } = await scan(families);
    expect(result.evidence.filter((e) => e.verdict === 'crit')).toEqual([]);
    expect(result.moved).toEqual([]);
  });

  it('reads a counter reset by a restart as a restart, not as a move', async () => {
    // The process restarted 10 minutes ago: its counter starts again from zero at the same rate.
    const restarted: Family = { name: 'billing_requests', counter: true, value: () => 20 };
    const source = new GeneratedSource([restarted]);
    const inner = source.queryRange.bind(source);
    source.queryRange = async (query, window, step) => {
      const answer = await inner(query, window, step);
      if (query.includes('offset')) return answer;
      return answer.map((s) => ({
        ...s,
        samples: s.samples.map((x) => (x.t >= AT - 600 ? { t: x.t, v: (x.t - (AT - 600)) * 20 } : x)),
      }));
    };
    const { result } = await scan([restarted], { source });
    expect(result.status).toBe('ok');
  });

  it('calls a pool busy at its limit saturated, and one busy below its limit not', async () => {
    const busy = stepUp(AT - 1200);
    const atLimit = [
      { name: 'billing_worker_pool_busy', counter: false, value: (t: number) => 6 + 26 * busy(t) },
      { name: 'billing_worker_pool_max', counter: false, value: () => 32 },
    ];
    expect((await scan(atLimit)).result.moved).toEqual(['saturated']);
    const below = [
      { name: 'billing_worker_pool_busy', counter: false, value: (t: number) => 6 + 12 * busy(t) },
      { name: 'billing_worker_pool_max', counter: false, value: () => 64 },
    ];
    const { result } = await scan(below);
    expect(result.evidence[0]?.labels?.family).toBe('billing_worker_pool_busy');
    expect(result.moved).toEqual([]);
  });

  it('falls back to the hours before the window when a day earlier has no data', async () => {
    const families = [
      { name: 'billing_queue_depth', counter: false, value: (t: number) => 3 + 400 * stepUp(AT - 900)(t) },
    ];
    const { result } = await scan(families, { dayBefore: false });
    expect(result.evidence[0]?.baselineSource).toBe('preceding');
    expect(result.evidence[0]?.summary).toMatch(/before the window/);
    expect(result.moved).toEqual(['backlog']);
  });

  it('quotes the selector value as a string literal', async () => {
    const hostile = 'billing"} or up{job=~".+';
    const { source } = await scan([steady('billing_requests', 5, 1, true)], { selectorValue: hostile });
    for (const q of source.queries) expect(q).toContain(`job=${JSON.stringify(hostile)}`);
  });

  it('reports a failing source as errored, with no evidence', async () => {
    const source = new GeneratedSource([steady('billing_requests', 5, 1, true)]);
    source.fail = new Error('connect ECONNREFUSED 127.0.0.1:9090');
    const { result } = await scan([steady('billing_requests', 5, 1, true)], { source });
    expect(result.status).toBe('errored');
    expect(result.evidence).toEqual([]);
    expect(result.reason).toMatch(/ECONNREFUSED/);
  });

  it('has nothing to read for a service with no families', async () => {
    const { result, source } = await scan([]);
    expect(result.status).toBe('no_data');
    expect(source.queries).toEqual([]);
  });
});
