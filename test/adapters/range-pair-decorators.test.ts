/**
 * The decorators between the engine and Prometheus pass the window-and-day-before pair on as one call; a source
 * that cannot send it in one request answers it from two range queries.
 */
import { describe, expect, it } from 'vitest';
import { CachedMetricsSource } from '../../src/adapters/cache/cached-metrics-source.js';
import { BreakerMetricsSource } from '../../src/adapters/resilience/breaker-sources.js';
import { CircuitBreaker } from '../../src/adapters/resilience/circuit-breaker.js';
import { countingSource } from '../../src/application/diagnose/counting-source.js';
import { DatasourceCircuitOpenError, DatasourceTimeoutError } from '../../src/domain/errors.js';
import type { RangePair, RangePairRequest } from '../../src/domain/ports.js';
import type { TimeWindow } from '../../src/domain/time-window.js';
import { FakeMetricsSource } from '../support/fake-metrics-source.js';

const DAY = 86_400;
const W: TimeWindow = { start: new Date('2026-11-22T10:00:03Z'), end: new Date('2026-11-22T10:30:03Z') };
const UP: RangePairRequest = { query: 'up', window: W, stepSeconds: 30, shiftSeconds: DAY };

/** A fake that also answers the pair in one call, recording each. */
class PairingFake extends FakeMetricsSource {
  readonly pairs: RangePairRequest[] = [];
  pairFailure: Error | undefined;
  override async queryRangeAndEarlier(request: RangePairRequest): Promise<RangePair> {
    this.pairs.push(request);
    await Promise.resolve();
    if (this.pairFailure) throw this.pairFailure;
    return { current: this.seriesFor(request.query), earlier: [] };
  }
}

describe('the window-and-day-before pair through the decorators', () => {
  it('is asked for as two range queries, the second a day earlier, of a source that cannot send it in one', async () => {
    const fake = new FakeMetricsSource();
    const pair = await fake.queryRangeAndEarlier(UP);

    expect(pair.current).toEqual(fake.seriesFor('up'));
    expect(pair.earlier).toEqual(fake.seriesFor('up'));
    expect(fake.callsTo('queryRange').map((c) => c.method === 'queryRange' && c.window)).toEqual([
      W,
      { start: new Date(W.start.getTime() - DAY * 1000), end: new Date(W.end.getTime() - DAY * 1000) },
    ]);
  });

  it('is cached and de-duplicated as one request, over the window snapped to the step', async () => {
    const fake = new PairingFake();
    const cached = new CachedMetricsSource(fake);
    try {
      const [a, b] = await Promise.all([cached.queryRangeAndEarlier(UP), cached.queryRangeAndEarlier(UP)]);
      const c = await cached.queryRangeAndEarlier(UP);

      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(fake.pairs).toEqual([
        {
          ...UP,
          window: { start: new Date('2026-11-22T10:00:00Z'), end: new Date('2026-11-22T10:30:30Z') },
        },
      ]);
      expect(fake.callsTo('queryRange')).toHaveLength(0);
      expect(cached.stats()).toEqual({ hits: 1, misses: 1, deduplicated: 1, delegated: 1 });
    } finally {
      cached.close();
    }
  });

  it('is cached as one entry when the source below answers it from two range queries', async () => {
    const fake = new FakeMetricsSource();
    const cached = new CachedMetricsSource(fake);
    try {
      const first = await cached.queryRangeAndEarlier(UP);
      const again = await cached.queryRangeAndEarlier(UP);

      expect(again).toEqual(first);
      expect(fake.callsTo('queryRange')).toHaveLength(2);
      expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, delegated: 1 });
    } finally {
      cached.close();
    }
  });

  it('counts as one call to the source, and passes it on as one', async () => {
    const fake = new PairingFake();
    const counted = countingSource(fake);
    await counted.queryRangeAndEarlier(UP);
    await counted.queryRange('up', W, 30);

    expect(counted.count()).toBe(2);
    expect(fake.pairs).toEqual([UP]);
    expect(fake.callsTo('queryRange')).toHaveLength(1);
  });

  it('passes the circuit breaker once, which counts its failures and then refuses without asking', async () => {
    const fake = new PairingFake();
    const breaker = new CircuitBreaker('prometheus', 'http://prom.example:9090', { threshold: 2 });
    const source = new BreakerMetricsSource(fake, breaker);
    fake.pairFailure = new DatasourceTimeoutError('Prometheus did not answer', {
      source: 'prometheus',
      url: 'http://prom.example:9090',
    });

    for (let i = 0; i < 2; i++) {
      await expect(source.queryRangeAndEarlier(UP)).rejects.toBeInstanceOf(DatasourceTimeoutError);
    }
    await expect(source.queryRangeAndEarlier(UP)).rejects.toBeInstanceOf(DatasourceCircuitOpenError);
    expect(fake.pairs).toHaveLength(2);
    expect(fake.callsTo('queryRange')).toHaveLength(0);
  });
});
