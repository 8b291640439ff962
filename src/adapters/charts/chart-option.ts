import { formatValue } from '../../domain/engine/format-value.js';
import type { ChartSpec } from '../../domain/report/chart-spec.js';
import type { Unit } from '../../domain/signals/signal.js';

/** The one font the charts name: shipped with Triage (DejaVu Sans), so a machine without fonts draws the same text. */
export const CHART_FONT = 'DejaVu Sans';
/** What the SVG asks for: the shipped font, else any sans-serif (a browser showing the SVG of an export). */
const FONT_STACK = `'${CHART_FONT}', sans-serif`;

export const CHART_COLORS = {
  series: '#2563eb',
  baseline: '#6b7280',
  warn: '#d97706',
  crit: '#dc2626',
  onset: '#7c3aed',
  text: '#1f2937',
  grid: '#e5e7eb',
} as const;

/** "14:02" in UTC, whatever the machine's time zone. */
export function utcClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** An axis label in the signal's unit: 0.05 ratio → 5%, 0.35 s → 350 ms, 1536 bytes → 1.5 KiB. */
export function axisLabel(value: number, unit: Unit): string {
  if (value === 0) return unit === 'ratio' ? '0%' : '0';
  return formatValue(value, unit);
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten) at or above x. */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10])
    if (step * magnitude >= x * (1 - 1e-12)) return step * magnitude;
  return 10 * magnitude;
}

/** A level further than this many times the highest value is left off the scale (and named in the subtitle). */
const FAR_LEVEL = 3;

function levelsOf(spec: ChartSpec): { name: 'warn' | 'crit'; value: number }[] {
  const { warn, crit } = spec.thresholds ?? {};
  const out: { name: 'warn' | 'crit'; value: number }[] = [];
  if (warn !== undefined && Number.isFinite(warn)) out.push({ name: 'warn', value: warn });
  if (crit !== undefined && Number.isFinite(crit)) out.push({ name: 'crit', value: crit });
  return out;
}

/**
 * The value axis: from zero (or the lowest negative value) to a round number above the series, its baseline and the
 * levels near them. A level far above everything the series did (a warn-by-change at 4 % under a 95 % line) would
 * flatten the line the chart is for, so it stays off the scale.
 */
export function valueRange(spec: ChartSpec): { min: number; max: number } {
  const values = spec.series.map((p) => p.v).filter((v) => Number.isFinite(v));
  if (spec.baseline !== null && Number.isFinite(spec.baseline)) values.push(spec.baseline);
  const top = Math.max(0, ...values);
  for (const level of levelsOf(spec)) if (top === 0 || level.value <= top * FAR_LEVEL) values.push(level.value);
  const hi = Math.max(0, ...values);
  const lo = Math.min(0, ...values);
  const max = hi === 0 ? 1 : niceCeil(hi * 1.08);
  const min = lo === 0 ? 0 : -niceCeil(-lo * 1.08);
  return { min, max };
}

interface MarkLine {
  name: string;
  xAxis?: number;
  yAxis?: number;
  lineStyle: { color: string; type: 'solid' | 'dashed'; width: number };
  label: {
    show?: boolean;
    formatter: string;
    position: string;
    color: string;
    fontSize: number;
    backgroundColor: string;
    padding: number[];
  };
}

/** The plot area's margins, in pixels. */
const GRID = { left: 72, right: 36, top: 78, bottom: 40 };
/** Two level labels closer than this many pixels would overlap: the upper line carries both. */
const LABEL_GAP = 15;
/** Labels sit on a white box, readable where they cross the series or another line. */
const LABEL_BOX = { backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] };

function horizontal(
  name: string,
  value: number,
  color: string,
  type: 'solid' | 'dashed',
  text: string,
  position: string,
): MarkLine {
  return {
    name,
    yAxis: value,
    lineStyle: { color, type, width: name === 'baseline' ? 1.5 : 1.2 },
    label: {
      ...(text === '' ? { show: false } : {}),
      formatter: text,
      position,
      color,
      fontSize: 11,
      ...LABEL_BOX,
    },
  };
}

function linesOf(spec: ChartSpec, range: { min: number; max: number }, plotHeight: number): MarkLine[] {
  const fmt = (v: number) => formatValue(v, spec.unit);
  const inRange = (v: number) => v >= range.min && v <= range.max;
  const px = (v: number) => ((v - range.min) / (range.max - range.min)) * plotHeight;
  const finite = spec.series.filter((p) => Number.isFinite(p.v));
  // The baseline is named on the left and the levels on the right, each on the side of its line the series is not.
  const place = (value: number, end: 'Start' | 'End'): string => {
    const near = (end === 'Start' ? finite[0] : finite.at(-1))?.v;
    const roomBelow = px(value) > LABEL_GAP;
    const roomAbove = plotHeight - px(value) > LABEL_GAP;
    const below = (near !== undefined && near > value && roomBelow) || !roomAbove;
    return `inside${end}${below ? 'Bottom' : 'Top'}`;
  };
  const lines: MarkLine[] = [];
  if (spec.baseline !== null && Number.isFinite(spec.baseline) && inRange(spec.baseline))
    lines.push(
      horizontal(
        'baseline',
        spec.baseline,
        CHART_COLORS.baseline,
        'dashed',
        `baseline ${fmt(spec.baseline)}`,
        place(spec.baseline, 'Start'),
      ),
    );
  const levels = levelsOf(spec).filter((l) => inRange(l.value));
  const positions = levels.map((l) => place(l.value, 'End'));
  // Index of the upper and the lower level when there are two.
  const [h, l] = (levels[1]?.value ?? Number.NEGATIVE_INFINITY) > (levels[0]?.value ?? 0) ? [1, 0] : [0, 1];
  const hi = levels[h];
  const lo = levels[l];
  let shared = false;
  if (hi !== undefined && lo !== undefined) {
    const gap = px(hi.value) - px(lo.value);
    const roomAbove = plotHeight - px(hi.value) > LABEL_GAP;
    const roomBelow = px(lo.value) > LABEL_GAP;
    const facing = positions[h] === 'insideEndBottom' && positions[l] === 'insideEndTop';
    // Two labels facing each other between lines too close for both turn outwards; with no room, they share one.
    if (gap < LABEL_GAP) shared = true;
    else if (facing && gap < 2 * LABEL_GAP) {
      if (roomAbove) positions[h] = 'insideEndTop';
      else if (roomBelow) positions[l] = 'insideEndBottom';
      else shared = true;
    }
    if (shared) positions[l] = positions[h] = place(hi.value, 'End');
  }
  const both = levels.map((l) => `${l.name} ${fmt(l.value)}`).join(' · ');
  levels.forEach((level, i) => {
    const text = !shared ? `${level.name} ${fmt(level.value)}` : i === h ? both : '';
    lines.push(
      horizontal(level.name, level.value, CHART_COLORS[level.name], 'solid', text, positions[i] ?? 'insideEndTop'),
    );
  });
  if (spec.onset !== null && spec.onset >= spec.from && spec.onset <= spec.to)
    lines.push({
      name: 'onset',
      xAxis: spec.onset * 1000,
      lineStyle: { color: CHART_COLORS.onset, type: 'solid', width: 1.5 },
      label: {
        formatter: `onset ${utcClock(spec.onset * 1000)} UTC`,
        position: 'end',
        color: CHART_COLORS.onset,
        fontSize: 11,
        ...LABEL_BOX,
      },
    });
  return lines;
}

/** The window as a subtitle: "2026-11-01 13:30–14:00 UTC · crit", and the levels left off the scale, if any. */
export function subtitleOf(spec: ChartSpec, range: { min: number; max: number } = valueRange(spec)): string {
  const from = new Date(spec.from * 1000).toISOString();
  const to = new Date(spec.to * 1000).toISOString();
  const sameDay = from.slice(0, 10) === to.slice(0, 10);
  const end = sameDay ? to.slice(11, 16) : `${to.slice(0, 10)} ${to.slice(11, 16)}`;
  const off = levelsOf(spec)
    .filter((l) => l.value > range.max || l.value < range.min)
    .map((l) => `${l.name} ${formatValue(l.value, spec.unit)}`);
  const offText = off.length ? ` · ${off.join(', ')} off the scale` : '';
  return `${from.slice(0, 10)} ${from.slice(11, 16)}–${end} UTC · ${spec.verdict}${offText}`;
}

/**
 * The ECharts option that draws a chart spec: the series as a line, the baseline dashed, the warn and crit levels as
 * lines, the onset as a vertical line with its time, the time axis in UTC and the value axis in the signal's unit.
 * Plain data and label functions, no randomness and no clock: the same spec gives the same drawing.
 */
export function chartOption(spec: ChartSpec, height = 360): Record<string, unknown> {
  const range = valueRange(spec);
  const { min, max } = range;
  const data = spec.series.map((p) => [p.t * 1000, Number.isFinite(p.v) ? p.v : null]);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    useUTC: true,
    textStyle: { fontFamily: FONT_STACK, color: CHART_COLORS.text },
    title: {
      text: spec.title,
      subtext: subtitleOf(spec, range),
      left: 16,
      top: 10,
      textStyle: { fontFamily: FONT_STACK, fontSize: 15, fontWeight: 'bold', color: CHART_COLORS.text },
      subtextStyle: { fontFamily: FONT_STACK, fontSize: 11, color: CHART_COLORS.baseline },
    },
    grid: GRID,
    xAxis: {
      type: 'time',
      min: spec.from * 1000,
      max: spec.to * 1000,
      name: 'UTC',
      nameGap: 8,
      nameTextStyle: { fontFamily: FONT_STACK, color: CHART_COLORS.baseline, fontSize: 11 },
      splitNumber: 6,
      axisLabel: { formatter: (ms: number) => utcClock(ms), fontFamily: FONT_STACK, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min,
      max,
      splitNumber: 4,
      axisLabel: { formatter: (v: number) => axisLabel(v, spec.unit), fontFamily: FONT_STACK },
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
    series: [
      {
        type: 'line',
        name: spec.title,
        data,
        showSymbol: data.length <= 2,
        connectNulls: false,
        silent: true,
        lineStyle: { color: CHART_COLORS.series, width: 2 },
        itemStyle: { color: CHART_COLORS.series },
        markLine: {
          symbol: ['none', 'none'],
          silent: true,
          animation: false,
          data: linesOf(spec, range, height - GRID.top - GRID.bottom),
        },
      },
    ],
  };
}
