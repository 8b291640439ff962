import { LineChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TitleComponent } from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartSpec } from '../../domain/report/chart-spec.js';
import { chartOption } from './chart-option.js';

// Only what a line chart with marked lines needs: named imports let the CLI bundle leave the rest of ECharts out.
// This module is itself loaded on the first chart (chart-renderer.ts imports it dynamically).
use([LineChart, GridComponent, MarkLineComponent, TitleComponent, SVGRenderer]);

/**
 * ECharts numbers its instances and style classes from a counter shared by the process (`zr3-cls-12`), so the same
 * chart drawn twice would differ. The ids are renumbered in order of first appearance: the same spec gives the same
 * SVG, byte for byte.
 */
export function stableIds(svg: string): string {
  const seen = new Map<string, string>();
  const counts = { c: 0, cls: 0 };
  return svg.replace(/\bzr\d+-(cls-|c)\d+\b/g, (id, kind: string) => {
    let renamed = seen.get(id);
    if (renamed === undefined) {
      const k = kind === 'c' ? 'c' : 'cls';
      renamed = `chart-${k}-${counts[k]++}`;
      seen.set(id, renamed);
    }
    return renamed;
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The alt text on the document itself (`role="img"`, `aria-label`), for the SVG embedded in an HTML export. */
function labelled(svg: string, alt: string): string {
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeXml(alt)}" `);
}

/** Draws a chart spec as an SVG document with ECharts' server-side renderer (no DOM, no browser). */
export function renderSvg(spec: ChartSpec, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(spec, height) as EChartsCoreOption);
    return labelled(stableIds(chart.renderToSVGString()), spec.alt);
  } finally {
    chart.dispose();
  }
}
