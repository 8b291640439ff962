/**
 * How long one evidence chart takes to draw (ECharts' SVG renderer, then resvg to a PNG of 800 × 360): the first
 * chart of the process, which loads both libraries and the font, then the median of the next ones.
 *
 * Run alone: `node --import tsx bench/charts.ts`; `npm run bench` adds its rows to the table.
 */
import { pathToFileURL } from 'node:url';
import { createChartRenderer } from '../src/adapters/charts/chart-renderer.js';
import type { ChartSpec } from '../src/domain/report/chart-spec.js';
import { type BenchRow, median, percentile, printTable } from './table.js';

const FROM = Date.parse('2026-11-01T13:30:00Z') / 1000;

/** A 30-minute window at one sample every 30 s (the most an evidence series holds is 60 points). */
function specOf(i: number): ChartSpec {
  const series = Array.from({ length: 60 }, (_, k) => ({
    t: FROM + k * 30,
    v: k < 24 ? 0.002 + ((k * 7 + i) % 5) * 0.0004 : 0.05 + ((k * 13 + i) % 9) * 0.01,
  }));
  return {
    id: `error-ratio-${i}`,
    title: 'HTTP 5xx ratio — checkout',
    signal: 'http-error-ratio',
    unit: 'ratio',
    from: FROM,
    to: FROM + 1800,
    series,
    baseline: 0.002,
    thresholds: { warn: 0.01, crit: 0.05 },
    onset: FROM + 24 * 30,
    verdict: 'crit',
    alt: 'HTTP 5xx ratio of checkout rose from 0.2% (baseline) to 13% (threshold 5%) from 13:42 UTC',
  };
}

export interface ChartTimes {
  coldMs: number;
  warm: number[];
}

/** The first render in this process (cold: it loads ECharts, resvg and the font), then `runs` more. */
export async function timeCharts(runs = 20): Promise<ChartTimes> {
  const renderer = createChartRenderer();
  let t0 = performance.now();
  await renderer.render(specOf(0));
  const coldMs = performance.now() - t0;
  const warm: number[] = [];
  for (let i = 1; i <= runs; i++) {
    t0 = performance.now();
    await renderer.render(specOf(i));
    warm.push(performance.now() - t0);
  }
  return { coldMs, warm };
}

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

export async function benchCharts(runs = 20): Promise<BenchRow[]> {
  const { coldMs, warm } = await timeCharts(runs);
  return [
    {
      figure: 'one chart, SVG + PNG 800×360, first in the process (loads ECharts, resvg, the font)',
      value: fmt(coldMs),
      goal: '< 2000 ms',
      pass: coldMs < 2000,
    },
    {
      figure: `one chart, SVG + PNG 800×360, warm (median / p90 of ${runs})`,
      value: `${fmt(median(warm))} / ${fmt(percentile(warm, 90))}`,
      goal: 'median < 150 ms',
      pass: median(warm) < 150,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchCharts(Number(process.env.BENCH_CHART_RUNS ?? 20)), (line) =>
    process.stdout.write(`${line}\n`),
  );
}
