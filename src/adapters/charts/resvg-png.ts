import { createRequire } from 'node:module';
import { CHART_FONT } from './chart-option.js';

interface RenderedImage {
  asPng(): Uint8Array;
  readonly width: number;
  readonly height: number;
}

interface ResvgModule {
  renderAsync(svg: string, options: Record<string, unknown>): Promise<RenderedImage>;
}

// resvg is a native module: it is loaded from node_modules at run time, never bundled, and only on the first chart.
const requireHere = createRequire(import.meta.url);
let resvg: ResvgModule | undefined;

/** DejaVu Sans and its bold, from the dejavu-fonts-ttf package (its licence allows redistribution). */
export function bundledFontFiles(): string[] {
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => requireHere.resolve(`dejavu-fonts-ttf/ttf/${f}`));
}

/**
 * Rasterises an SVG to a PNG of `width` pixels with resvg, off the event loop. Text is drawn with the given font
 * files only, never the machine's fonts: the same SVG gives the same PNG on a laptop and in a slim container.
 */
export async function svgToPng(svg: string, width: number, fontFiles: readonly string[]): Promise<RenderedImage> {
  resvg ??= requireHere('@resvg/resvg-js') as ResvgModule;
  return resvg.renderAsync(svg, {
    fitTo: { mode: 'width', value: width },
    background: '#ffffff',
    font: {
      loadSystemFonts: false,
      fontFiles: [...fontFiles],
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
      serifFamily: CHART_FONT,
      monospaceFamily: CHART_FONT,
    },
    logLevel: 'off',
  });
}
