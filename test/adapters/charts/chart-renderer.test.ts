import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chartOption, subtitleOf, valueRange } from '../../../src/adapters/charts/chart-option.js';
import { createChartRenderer } from '../../../src/adapters/charts/chart-renderer.js';
import { stableIds } from '../../../src/adapters/charts/echarts-svg.js';
import type { ChartSpec } from '../../../src/domain/report/chart-spec.js';

const FROM = Date.parse('2026-11-01T13:30:00Z') / 1000;

/** The pool scenario's chart: a fixed spec, so its SVG is a golden file. */
function spec(overrides: Partial<ChartSpec> = {}): ChartSpec {
  const values = [0.41, 0.42, 0.45, 0.51, 0.63, 0.77, 0.9, 0.97, 0.98, 0.98, 0.99, 0.98];
  return {
    id: 'pool-saturation-checkout-orders-db',
    title: 'Connection pool usage — checkout (orders-db)',
    signal: 'pool-saturation',
    unit: 'ratio',
    from: FROM,
    to: FROM + 1800,
    series: values.map((v, i) => ({ t: FROM + i * 150, v })),
    baseline: 0.41,
    thresholds: { warn: 0.8, crit: 0.95 },
    onset: FROM + 6 * 150,
    verdict: 'crit',
    alt: 'Connection pool usage of checkout (orders-db) rose from 41% (baseline) to 98% (threshold 95%) from 13:45 UTC',
    ...overrides,
  };
}

interface DecodedPng {
  width: number;
  height: number;
  /** Filtered scanlines, one filter byte then four bytes a pixel each. */
  raw: Buffer;
}

/** Decodes a PNG far enough to trust it: signature, IHDR, every chunk in bounds, IDAT inflating to the right size. */
function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (offset < buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    expect(data.length).toBe(length);
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8 bits, RGBA
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  expect(types[0]).toBe('IHDR');
  expect(types.at(-1)).toBe('IEND');
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (1 + width * 4));
  return { width, height, raw };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the chart renderer', () => {
  const renderer = createChartRenderer();

  it('draws a PNG that decodes, at the stated size, with the alt text and a file name', async () => {
    const image = await renderer.render(spec());
    const png = decodePng(image.png);
    expect([png.width, png.height]).toEqual([800, 360]);
    expect([image.width, image.height]).toEqual([800, 360]);
    expect(image.filename).toBe('pool-saturation-checkout-orders-db.png');
    expect(image.alt).toBe(spec().alt);
    const small = await createChartRenderer({ width: 640, height: 300 }).render(spec());
    expect(decodePng(small.png)).toMatchObject({ width: 640, height: 300 });
  });

  it('draws a different picture for a different series, and the same one for the same spec', async () => {
    const a = await renderer.render(spec());
    const again = await renderer.render(spec());
    const b = await renderer.render(spec({ series: spec().series.map((p, i) => ({ t: p.t, v: i < 6 ? 0.4 : 0.99 })) }));
    expect(Buffer.from(again.png).equals(Buffer.from(a.png))).toBe(true);
    expect(again.svg).toBe(a.svg);
    expect(Buffer.from(b.png).equals(Buffer.from(a.png))).toBe(false);
    expect(decodePng(b.png).raw.equals(decodePng(a.png).raw)).toBe(false);
  });

  it('draws the series, the baseline dashed, both levels and the onset, in UTC and in the unit', async () => {
    const { svg } = await renderer.render(spec());
    for (const text of ['Connection pool usage — checkout (orders-db)', 'baseline 41%', 'warn 80%', 'crit 95%'])
      expect(svg).toContain(text);
    expect(svg).toContain('onset 13:45 UTC');
    expect(svg).toMatch(/>13:30</);
    expect(svg).toMatch(/>14:00</);
    expect(svg).toMatch(/>60%</);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain("font-family:'DejaVu Sans', sans-serif");
    expect(svg).toMatch(/^<svg role="img" aria-label="Connection pool usage of checkout \(orders-db\) rose from 41%/);
  });

  it('formats the value axis by unit: seconds as ms or s, bytes in KiB, MiB…', async () => {
    const seconds = await renderer.render(
      spec({
        unit: 'seconds',
        baseline: 0.2,
        thresholds: { warn: 0.5 },
        series: [0.2, 0.3, 0.8].map((v, i) => ({ t: FROM + i * 600, v })),
      }),
    );
    expect(seconds.svg).toMatch(/>300 ms</);
    expect(seconds.svg).toMatch(/>1 s</);
    expect(seconds.svg).toContain('warn 500 ms');
    const bytes = await renderer.render(
      spec({
        unit: 'bytes',
        baseline: 300 * 2 ** 20,
        thresholds: null,
        series: [3e8, 6e8, 9e8].map((v, i) => ({ t: FROM + i * 600, v })),
      }),
    );
    expect(bytes.svg).toMatch(/>\d+ MiB</);
    expect(bytes.svg).toContain('baseline 300 MiB');
  });

  it('is the same SVG in any time zone (golden file)', async () => {
    const { svg } = await renderer.render(spec());
    vi.stubEnv('TZ', 'America/New_York');
    const elsewhere = await renderer.render(spec());
    expect(elsewhere.svg).toBe(svg);
    await expect(svg).toMatchFileSnapshot('./__snapshots__/pool-chart.svg.snap');
  });

  it('draws its text with the font Triage ships, never the machine’s', async () => {
    const withFont = await renderer.render(spec());
    const noFont = await createChartRenderer({ fontFiles: [] }).render(spec());
    // The same drawing without a font has no text at all: the shipped font is what draws the labels.
    expect(noFont.svg).toBe(withFont.svg);
    expect(Buffer.from(noFont.png).equals(Buffer.from(withFont.png))).toBe(false);
  });
});

describe('the chart option', () => {
  it('keeps a level far above the series off the scale, and says so', () => {
    const low = spec({ series: [0.001, 0.03, 0.042].map((v, i) => ({ t: FROM + i * 600, v })), baseline: 0.0005 });
    expect(valueRange(low)).toEqual({ min: 0, max: 0.05 });
    expect(subtitleOf(low)).toBe('2026-11-01 13:30–14:00 UTC · crit · warn 80%, crit 95% off the scale');
    expect(valueRange(spec())).toEqual({ min: 0, max: 1.2 });
  });

  it('leaves gaps for samples that are not numbers, and an onset outside the window unmarked', () => {
    const option = chartOption(
      spec({
        series: [
          { t: FROM, v: 0.5 },
          { t: FROM + 60, v: Number.NaN },
        ],
        onset: FROM - 60,
      }),
    );
    const [series] = option.series as { data: unknown[]; markLine: { data: { name: string }[] } }[];
    expect(series?.data).toEqual([
      [FROM * 1000, 0.5],
      [(FROM + 60) * 1000, null],
    ]);
    expect(series?.markLine.data.map((l) => l.name)).toEqual(['baseline', 'warn', 'crit']);
  });

  it('names the baseline on the left and the levels on the right, beside the series rather than on it', () => {
    const labels = (s: ChartSpec) =>
      (
        chartOption(s).series as {
          markLine: { data: { name: string; label: { formatter: string; position: string; show?: boolean } }[] };
        }[]
      )[0]?.markLine.data.map((l) => [l.name, l.label.show === false ? '' : l.label.formatter, l.label.position]);
    // The series ends above both levels (their labels go under the lines) and starts on its baseline (above it).
    expect(labels(spec({ onset: null }))).toEqual([
      ['baseline', 'baseline 41%', 'insideStartTop'],
      ['warn', 'warn 80%', 'insideEndBottom'],
      ['crit', 'crit 95%', 'insideEndBottom'],
    ]);
    expect(labels(spec({ onset: null, baseline: 0.3 }))?.[0]?.[2]).toBe('insideStartBottom');
    // Two levels a few pixels apart share one label, on the upper line.
    const close = spec({
      onset: null,
      thresholds: { warn: 0.9, crit: 0.93 },
      series: [
        { t: FROM, v: 0.5 },
        { t: FROM + 60, v: 0.6 },
      ],
    });
    expect(labels(close)?.slice(1)).toEqual([
      ['warn', '', 'insideEndTop'],
      ['crit', 'warn 90% · crit 93%', 'insideEndTop'],
    ]);
  });

  it('turns two labels outwards when they would face each other between close lines', () => {
    const errors = spec({
      onset: null,
      baseline: 0.0002,
      thresholds: { warn: 0.001, crit: 0.01 },
      series: [0.0002, 0.03, 0.07].map((v, i) => ({ t: FROM + i * 600, v })),
    });
    const markLines = (
      chartOption(errors).series as { markLine: { data: { name: string; label: { position: string } }[] } }[]
    )[0]?.markLine.data;
    // The series ends above crit (its label would go under it) and warn sits on the axis (its label must go over it).
    expect(markLines?.map((l) => [l.name, l.label.position])).toEqual([
      ['baseline', 'insideStartTop'],
      ['warn', 'insideEndTop'],
      ['crit', 'insideEndTop'],
    ]);
  });

  it('renumbers ECharts ids in order of appearance', () => {
    expect(
      stableIds('<g class="zr7-cls-12"><path class="zr7-cls-3"/><use class="zr7-cls-12" clip-path="url(#zr7-c4)"/>'),
    ).toBe('<g class="chart-cls-0"><path class="chart-cls-1"/><use class="chart-cls-0" clip-path="url(#chart-c-0)"/>');
  });
});
