import type { ChartSpec } from '../../domain/report/chart-spec.js';

/** One rendered evidence chart: the PNG to upload or write, the SVG it was drawn from, and its alt text. */
export interface ChartImage {
  /** A file name for the PNG, e.g. `error-ratio-checkout.png`. */
  filename: string;
  png: Uint8Array;
  svg: string;
  width: number;
  height: number;
  alt: string;
}

/** Draws a chart spec as an image (the adapter in src/adapters/charts renders on the server, no browser). */
export interface ChartRenderer {
  render(spec: ChartSpec): Promise<ChartImage>;
}
