import { describe, expect, it } from 'vitest';
import { CachedLogSource } from '../../../src/adapters/cache/cached-log-source.js';
import type { LogLine, LogQuery, LogSource } from '../../../src/domain/ports.js';

class CountingLogSource implements LogSource {
  readonly name = 'loki' as const;
  calls: string[] = [];
  async countErrors(q: LogQuery): Promise<number> {
    this.calls.push(`count ${q.service} ${q.window.start.toISOString()}`);
    await new Promise((r) => setTimeout(r, 5));
    return 42;
  }
  async errorLines(q: LogQuery & { limit: number }): Promise<LogLine[]> {
    this.calls.push(`lines ${q.service} ${q.limit}`);
    return [{ time: 1, line: 'boom', labels: {} }];
  }
  linkFor(): string | undefined {
    return undefined;
  }
}

const window = { start: new Date('2026-11-01T13:30:03Z'), end: new Date('2026-11-01T14:00:07Z') };

describe('CachedLogSource', () => {
  it('runs identical concurrent calls once and serves repeats from the cache', async () => {
    const inner = new CountingLogSource();
    const cached = new CachedLogSource(inner);
    const [a, b] = await Promise.all([
      cached.countErrors({ service: 'checkout', window }),
      cached.countErrors({
        service: 'checkout',
        window: { start: new Date(window.start.getTime() + 2000), end: window.end },
      }),
    ]);
    expect([a, b]).toEqual([42, 42]);
    await cached.countErrors({ service: 'checkout', window });
    expect(inner.calls).toEqual(['count checkout 2026-11-01T13:30:00.000Z']);
    expect(cached.stats()).toMatchObject({ hits: 1, deduplicated: 1, delegated: 1 });
    cached.close();
  });

  it('keys by service and limit', async () => {
    const inner = new CountingLogSource();
    const cached = new CachedLogSource(inner);
    await cached.errorLines({ service: 'a', window, limit: 10 });
    await cached.errorLines({ service: 'b', window, limit: 10 });
    await cached.errorLines({ service: 'a', window, limit: 20 });
    await cached.errorLines({ service: 'a', window, limit: 10 });
    expect(inner.calls).toEqual(['lines a 10', 'lines b 10', 'lines a 20']);
    cached.close();
  });

  it('caches the error timeline when the source has one, and has none when it does not', async () => {
    let calls = 0;
    const inner = Object.assign(new CountingLogSource(), {
      errorTimeline: async () => {
        calls++;
        return { points: [{ t: 1, v: 2 }], topTypes: [{ key: 'ConnectException', count: 2 }] };
      },
    });
    const cached = new CachedLogSource(inner);
    const q = { service: 'a', window, stepSeconds: 30 };
    expect(await cached.errorTimeline?.(q)).toEqual({
      points: [{ t: 1, v: 2 }],
      topTypes: [{ key: 'ConnectException', count: 2 }],
    });
    await cached.errorTimeline?.(q);
    expect(calls).toBe(1);
    expect(new CachedLogSource(new CountingLogSource()).errorTimeline).toBeUndefined();
    cached.close();
  });
});
