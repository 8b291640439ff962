import { describe, expect, it } from 'vitest';
import { calleeOf, comparePatterns } from '../../../src/domain/logs/compare-patterns.js';
import type { LogLine } from '../../../src/domain/ports.js';

const T0 = 1_790_000_000;

function many(n: number, text: (i: number) => string, from = T0, every = 20, labels: Record<string, string> = {}) {
  return Array.from({ length: n }, (_, i): LogLine => ({ time: from + i * every, line: text(i), labels }));
}

describe('comparePatterns', () => {
  it('calls a pattern absent from the baseline news, whatever its count', () => {
    const now = [
      ...many(45, (i) => `ERROR bounce for message ${i}`),
      ...many(2, (i) => `ERROR render failed for order ${i}`),
    ];
    const before = many(47, (i) => `ERROR bounce for message ${i}`);
    const { patterns } = comparePatterns(now, before);
    expect(patterns[0]).toMatchObject({
      template: 'render failed for order <num>',
      count: 2,
      isNew: true,
      anomalous: true,
      baselineCount: 0,
    });
    expect(patterns[1]).toMatchObject({
      template: 'bounce for message <num>',
      count: 45,
      isNew: false,
      anomalous: false,
      baselineCount: 47,
    });
  });

  it('judges counts by chance: 52 against 47 is nothing, 30 against 3 is news', () => {
    const usual = comparePatterns(
      many(52, () => 'ERROR token expired'),
      many(47, () => 'ERROR token expired'),
    );
    expect(usual.patterns[0]).toMatchObject({ anomalous: false });
    // Four where one was seen is four times as many, and still chance.
    const few = comparePatterns(
      many(4, () => 'ERROR token expired'),
      many(1, () => 'ERROR token expired'),
    );
    expect(few.patterns[0]).toMatchObject({ anomalous: false });
    const rose = comparePatterns(
      many(30, () => 'ERROR token expired'),
      many(3, () => 'ERROR token expired'),
    );
    expect(rose.patterns[0]).toMatchObject({ anomalous: true, isNew: false });
    expect(rose.patterns[0]?.z).toBeGreaterThan(3);
  });

  it('takes every pattern as evidence when there is no baseline at all', () => {
    const { patterns, baselineEvents } = comparePatterns(
      many(3, () => 'ERROR boom'),
      null,
    );
    expect(baselineEvents).toBeNull();
    expect(patterns[0]).toMatchObject({ anomalous: true, baselineCount: null });
  });

  it('does not call a pattern new on a few lines when the baseline read was cut at its limit', () => {
    const { patterns } = comparePatterns(
      many(2, () => 'ERROR rare'),
      many(500, () => 'ERROR common'),
      {
        baselineTruncated: true,
      },
    );
    expect(patterns[0]).toMatchObject({ isNew: false });
  });

  it('leaves lines at info and below out, and keeps warnings', () => {
    const { events } = comparePatterns(
      [
        { time: T0, line: 'time="x" level=info msg="page rendered failed=0"', labels: {} },
        { time: T0 + 1, line: '{"level":"warn","msg":"retrying"}', labels: {} },
      ],
      [],
    );
    expect(events).toBe(1);
  });

  it('puts the pattern whose message names a cause outside the code ahead of an equal count of generic ones', () => {
    const now = [
      ...many(95, () => 'ERROR Servlet.service() threw exception [CannotCreateTransactionException] with root cause'),
      ...many(95, () => 'ERROR HikariPool-1 - Connection is not available, request timed out after 30000ms.', T0 + 1),
    ];
    const { patterns } = comparePatterns(now, []);
    expect(patterns[0]?.template).toContain('Connection is not available');
    expect(patterns[0]?.signatures).toContain('pool-timeout');
  });

  it('reads what happened from messages and causes, not from the class names of stack frames', () => {
    const { patterns } = comparePatterns(
      many(
        5,
        () => 'ERROR No enum constant X\n\tat org.springframework.jdbc.core.JdbcTemplate.query(JdbcTemplate.java:1)',
      ),
      [],
    );
    expect(patterns[0]?.signatures).toEqual(['exception']);
  });

  it('counts separate occurrences a minute or more apart', () => {
    const { patterns } = comparePatterns(
      many(3, () => 'FATAL ERROR: JavaScript heap out of memory', T0, 300),
      [],
    );
    expect(patterns[0]).toMatchObject({ episodes: 3, signatures: ['out-of-memory'] });
  });

  it('names the rollout when every new line came from pods the baseline never saw, and old pods ran in the window', () => {
    const old = { pod: 'orders-7c9d5b8f4-x2kqp' };
    const fresh = { pod: 'orders-5f6b7c9d8-m9zzt' };
    const before = many(10, () => 'ERROR card declined', T0 - 86_400, 20, old);
    const now = [
      ...many(5, () => 'ERROR card declined', T0, 20, old),
      ...many(20, () => 'ERROR No enum constant X', T0 + 200, 20, fresh),
    ];
    const { patterns } = comparePatterns(now, before);
    expect(patterns[0]).toMatchObject({ template: 'No enum constant X', rollout: 'pods orders-5f6b7c9d8-*' });
    expect(patterns[0]?.findings).toEqual(['new-errors', 'rollout']);
    // The card declines, as usual, show nothing.
    expect(patterns[1]?.findings).toEqual([]);
    // The same pods logging it a day earlier too: no rollout in the window.
    const again = comparePatterns(
      many(20, () => 'ERROR No enum constant X', T0, 20, fresh),
      many(3, () => 'ERROR card declined', T0 - 86_400, 20, fresh),
    );
    expect(again.patterns[0]?.rollout).toBeUndefined();
  });
});

describe('calleeOf', () => {
  const named = (line: string, self?: string) => calleeOf([{ time: T0, line, labels: {} }], self);

  it.each([
    [
      'Availability lookup failed: java.lang.IllegalStateException: No instances available for inventory-service',
      'inventory-service',
    ],
    [
      'Rate lookup failed: ResourceAccessException: I/O error on POST request for "http://rates-api:8080/v1/quotes": Connection refused',
      'rates-api',
    ],
    [
      'tax lookup failed: Post "http://tax-service.finance.svc.cluster.local:8080/v1/tax/quote": context deadline exceeded',
      'tax-service',
    ],
    [
      'connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.9, upstream: "http://10.0.3.7:8080/api/products/1"',
      '10.0.3.7:8080',
    ],
    ['payment authorization failed: 503 Service Unavailable from payments-api', 'payments-api'],
    ['dial tcp 10.0.0.7:5432: connect: connection refused', '10.0.0.7:5432'],
    ['connect ECONNREFUSED 127.0.0.1:6379', undefined],
    ['search timed out: failed to re-index catalogue to read-model', undefined],
  ])('%s → %s', (line, callee) => {
    expect(named(line)).toBe(callee);
  });

  it('never names the service itself', () => {
    expect(named('GET "http://checkout:8080/health" failed: connection refused', 'checkout')).toBeUndefined();
  });
});
