import type { ChartImage, ChartRenderer } from '../../application/ports/chart-renderer.js';
import type { ChartSpec } from '../../domain/report/chart-spec.js';

export interface ChartRendererOptions {
  /** Pixels; 800 × 360 by default (Slack shows it full width without scaling up). */
  width?: number;
  height?: number;
  /** TTF or OTF files to draw text with; DejaVu Sans (shipped with Triage) by default. */
  fontFiles?: readonly string[];
}

/**
 * Draws evidence charts on the server: ECharts' SVG renderer, then resvg for the PNG. Both libraries are loaded on
 * the first chart, so commands that draw none do not pay for them.
 */
export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const width = options.width ?? 800;
  const height = options.height ?? 360;
  return {
    async render(spec: ChartSpec): Promise<ChartImage> {
      const [{ renderSvg }, { svgToPng, bundledFontFiles }] = await Promise.all([
        import('./echarts-svg.js'),
        import('./resvg-png.js'),
      ]);
      const svg = renderSvg(spec, width, height);
      const image = await svgToPng(svg, width, options.fontFiles ?? bundledFontFiles());
      return {
        filename: `${spec.id}.png`,
        png: new Uint8Array(image.asPng()),
        svg,
        width: image.width,
        height: image.height,
        alt: spec.alt,
      };
    },
  };
}
