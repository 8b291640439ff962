import { describe, expect, it } from 'vitest';
import { prometheusAvailability, requirePrometheus } from './local-prometheus.js';
import { escapeLabelValue, formatTimestamp, OpenMetricsWriter } from './openmetrics-writer.js';

describe('OpenMetricsWriter', () => {
  it('writes families once, samples in time order, and ends with "# EOF" and one newline', () => {
    const w = new OpenMetricsWriter();
    w.declare({ name: 'http_requests', type: 'counter', help: 'Requests.' });
    w.declare({ name: 'http_requests', type: 'counter', help: 'Requests.' });
    w.counter('http_requests', { job: 'a', code: '200' }, 1_790_000_120, 7);
    w.counter('http_requests', { job: 'a', code: '200' }, 1_790_000_060, 3);
    w.declare({ name: 'up', type: 'gauge', help: 'Up.' });
    w.gauge('up', { job: 'a', instance: '10.0.0.1:80' }, 1_790_000_060.25, 1);
    expect(w.toString()).toMatchInlineSnapshot(`
      "# HELP http_requests Requests.
      # TYPE http_requests counter
      http_requests_total{code="200",job="a"} 3 1790000060
      http_requests_total{code="200",job="a"} 7 1790000120
      # HELP up Up.
      # TYPE up gauge
      up{instance="10.0.0.1:80",job="a"} 1 1790000060.25
      # EOF
      "
    `);
    expect(w.toString().endsWith('# EOF\n')).toBe(true);
  });

  it('escapes backslashes, double quotes and newlines in label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const w = new OpenMetricsWriter();
    w.declare({ name: 'g', type: 'gauge', help: 'say "hi"\nthere' });
    w.gauge('g', { v: 'x"} or up{job=~".+"} # CodeHeap \'y\'' }, 1_790_000_000, 1);
    expect(w.toString()).toContain(`g{v="x\\"} or up{job=~\\".+\\"} # CodeHeap 'y'"} 1 1790000000`);
    expect(w.toString()).toContain('# HELP g say \\"hi\\"\\nthere');
  });

  it('writes seconds with at most millisecond precision and refuses millisecond timestamps', () => {
    expect(formatTimestamp(1_790_000_000.1234)).toBe('1790000000.123');
    expect(formatTimestamp(1_790_000_000)).toBe('1790000000');
    const w = new OpenMetricsWriter();
    w.declare({ name: 'g', type: 'gauge', help: 'g' });
    expect(() => w.gauge('g', {}, 1_790_000_000_000, 1)).toThrow(/milliseconds/);
  });

  it('refuses a decreasing counter unless the decrease is marked as a restart', () => {
    const w = new OpenMetricsWriter();
    w.declare({ name: 'c', type: 'counter', help: 'c' });
    w.counter('c', { i: '1' }, 100, 10);
    w.counter('c', { i: '1' }, 160, 4);
    expect(() => w.toString()).toThrow(/decreases at 160/);
    const ok = new OpenMetricsWriter();
    ok.declare({ name: 'c', type: 'counter', help: 'c' });
    ok.counter('c', { i: '1' }, 100, 10);
    ok.counter('c', { i: '1' }, 160, 4, { reset: true });
    expect(ok.toString()).toContain('c_total{i="1"} 4 160');
  });

  it('writes classic histograms with cumulative buckets, +Inf = _count, _sum', () => {
    const w = new OpenMetricsWriter();
    w.declare({ name: 'h_seconds', type: 'histogram', help: 'h' });
    w.histogram('h_seconds', { job: 'a' }, 100, {
      buckets: [
        [0.1, 2],
        [1, 5],
      ],
      sum: 1.5,
      count: 6,
    });
    const text = w.toString();
    expect(text).toContain('h_seconds_bucket{job="a",le="0.1"} 2 100');
    expect(text).toContain('h_seconds_bucket{job="a",le="1"} 5 100');
    expect(text).toContain('h_seconds_bucket{job="a",le="+Inf"} 6 100');
    expect(text).toContain('h_seconds_count{job="a"} 6 100');
    expect(text).toContain('h_seconds_sum{job="a"} 1.5 100');
    expect(() =>
      w.histogram('h_seconds', { job: 'b' }, 100, {
        buckets: [
          [0.1, 3],
          [1, 2],
        ],
        sum: 1,
        count: 3,
      }),
    ).toThrow(/cumulative/);
  });

  it('keeps one copy of identical duplicates and refuses conflicting ones', () => {
    const w = new OpenMetricsWriter();
    w.declare({ name: 'up', type: 'gauge', help: 'up' });
    w.gauge('up', { job: 'kubelet' }, 100, 1);
    w.gauge('up', { job: 'kubelet' }, 100, 1);
    expect(w.toString().match(/^up\{/gm)).toHaveLength(1);
    w.gauge('up', { job: 'kubelet' }, 100, 0);
    expect(() => w.toString()).toThrow(/two different values/);
  });

  it('refuses undeclared families, foreign sample names and type changes', () => {
    const w = new OpenMetricsWriter();
    expect(() => w.gauge('nope', {}, 1, 1)).toThrow(/not declared/);
    w.declare({ name: 'c', type: 'counter', help: 'c' });
    expect(() => w.add('c', 'c_bucket', {}, 1, 1)).toThrow(/does not belong/);
    expect(() => w.declare({ name: 'c', type: 'gauge', help: 'c' })).toThrow(/declared as counter/);
    expect(() => w.declare({ name: 'x_total', type: 'counter', help: 'x' })).toThrow(/_total/);
  });
});

describe('prometheusAvailability / requirePrometheus', () => {
  const missing = {
    PATH: '/nonexistent',
    PROMETHEUS_BIN: '/nonexistent/prometheus',
    PROMTOOL_BIN: '/nonexistent/promtool',
  };

  it('reports missing binaries with a reason that says how to fix it', () => {
    const a = prometheusAvailability(missing);
    expect(a.available).toBe(false);
    expect(a.reason).toMatch(/apt-get install prometheus/);
  });

  it('fails in CI and skips elsewhere when Prometheus is missing', () => {
    expect(() => requirePrometheus({ ...missing, CI: 'true' })).toThrow(/must run in CI/);
    expect(requirePrometheus({ ...missing, CI: 'false' })).toEqual({ available: false, reason: expect.any(String) });
    expect(requirePrometheus({ ...missing })).toEqual({ available: false, reason: expect.any(String) });
  });
});
