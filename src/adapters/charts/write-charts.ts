import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartRenderer } from '../../application/ports/chart-renderer.js';
import type { DiagnosisOutcome } from '../../domain/engine/types.js';
import type { Redactor } from '../../domain/redaction/redact.js';
import { type ChartSpec, chartSpecsOf } from '../../domain/report/chart-spec.js';
import { createChartRenderer } from './chart-renderer.js';

export interface WrittenChart {
  path: string;
  alt: string;
}

/** Draws each chart and writes it as `<dir>/<id>.png`, in the order given; returns the files with their alt texts. */
export async function writeCharts(
  specs: readonly ChartSpec[],
  dir: string,
  renderer: ChartRenderer,
): Promise<WrittenChart[]> {
  const written: WrittenChart[] = [];
  for (const spec of specs) {
    const image = await renderer.render(spec);
    const path = join(dir, image.filename);
    await writeFile(path, image.png);
    written.push({ path, alt: image.alt });
  }
  return written;
}

/** The charts of a diagnosis's decisive evidence (at most three), written into `dir`. */
export function writeDiagnosisCharts(
  outcome: DiagnosisOutcome,
  dir: string,
  redactor: Redactor,
  renderer: ChartRenderer = createChartRenderer(),
): Promise<WrittenChart[]> {
  return writeCharts(chartSpecsOf(outcome, 3, redactor), dir, renderer);
}

/** The report's footer naming the files: "Charts:" and one path a line, or a line saying there was nothing to draw. */
export function chartsFooter(written: readonly WrittenChart[]): string {
  if (written.length === 0) return 'Charts: none (no abnormal signal with a series to draw).\n';
  return `Charts:\n${written.map((c) => `  ${c.path}\n`).join('')}`;
}
