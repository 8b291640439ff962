import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/adapters/resilience/circuit-breaker.js';
import {
  DatasourceCircuitOpenError,
  DatasourceHttpError,
  DatasourceTimeoutError,
  QueryRejectedError,
} from '../../../src/domain/errors.js';

const details = { source: 'loki' as const, url: 'http://loki:3100' };
const timeout = () => Promise.reject(new DatasourceTimeoutError('Loki did not answer within 300 ms', details));
const ok = () => Promise.resolve('ok');

function clock() {
  let t = 0;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('CircuitBreaker', () => {
  it('opens after 5 availability failures in a row and then refuses at once, saying why', async () => {
    const c = clock();
    const breaker = new CircuitBreaker('loki', details.url, { now: c.now });
    for (let i = 0; i < 4; i++) await expect(breaker.call(timeout)).rejects.toBeInstanceOf(DatasourceTimeoutError);
    expect(breaker.state()).toBe('closed');
    await expect(breaker.call(timeout)).rejects.toBeInstanceOf(DatasourceTimeoutError);
    expect(breaker.state()).toBe('open');
    let called = false;
    const refused = breaker.call(async () => {
      called = true;
      return 'x';
    });
    await expect(refused).rejects.toBeInstanceOf(DatasourceCircuitOpenError);
    await expect(refused).rejects.toThrow(
      'Loki is failing (5 failures in a row, last: Loki did not answer within 300 ms); Triage stopped querying it for 30 s',
    );
    expect(called).toBe(false);
    expect(breaker.stats()).toEqual({ rejected: 1, opened: 1, state: 'open' });
  });

  it('lets one trial call through after the cool-down: success closes it, failure opens it again', async () => {
    const c = clock();
    const breaker = new CircuitBreaker('loki', details.url, { now: c.now, threshold: 2, coolDownMs: 1000 });
    await breaker.call(timeout).catch(() => {});
    await breaker.call(timeout).catch(() => {});
    c.advance(1000);
    expect(breaker.state()).toBe('half-open');
    // Only one trial at a time.
    let release: (v: string) => void = () => {};
    const trial = breaker.call(() => new Promise<string>((r) => (release = r)));
    await expect(breaker.call(ok)).rejects.toBeInstanceOf(DatasourceCircuitOpenError);
    release('fine');
    expect(await trial).toBe('fine');
    expect(breaker.state()).toBe('closed');

    await breaker.call(timeout).catch(() => {});
    await breaker.call(timeout).catch(() => {});
    c.advance(1000);
    await expect(breaker.call(timeout)).rejects.toBeInstanceOf(DatasourceTimeoutError);
    expect(breaker.state()).toBe('open');
    c.advance(999);
    expect(breaker.state()).toBe('open');
  });

  it('does not count failures that are not the source being down: rejected queries, 4xx', async () => {
    const breaker = new CircuitBreaker('loki', details.url, { threshold: 2 });
    const rejected = () => Promise.reject(new QueryRejectedError('parse error', details));
    const notFound = () => Promise.reject(new DatasourceHttpError('404', { ...details, status: 404 }));
    for (let i = 0; i < 5; i++) {
      await breaker.call(rejected).catch(() => {});
      await breaker.call(notFound).catch(() => {});
    }
    expect(breaker.state()).toBe('closed');
    const serverError = () => Promise.reject(new DatasourceHttpError('502', { ...details, status: 502 }));
    await breaker.call(serverError).catch(() => {});
    await breaker.call(serverError).catch(() => {});
    expect(breaker.state()).toBe('open');
  });

  it('forgets failures after a success', async () => {
    const breaker = new CircuitBreaker('loki', details.url, { threshold: 3 });
    await breaker.call(timeout).catch(() => {});
    await breaker.call(timeout).catch(() => {});
    await breaker.call(ok);
    await breaker.call(timeout).catch(() => {});
    await breaker.call(timeout).catch(() => {});
    expect(breaker.state()).toBe('closed');
  });
});
