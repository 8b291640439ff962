import type { Redactor } from '../../domain/redaction/redact.js';
import { chartSpecsOf } from '../../domain/report/chart-spec.js';
import type { ChartImage, ChartRenderer } from '../ports/chart-renderer.js';
import { type PostmortemInput, renderPostmortem } from './postmortem.js';
import { renderPostmortemHtml } from './render-html.js';

/** Most evidence charts one post-mortem carries. */
export const MAX_POSTMORTEM_CHARTS = 3;

export interface PostmortemDocuments {
  /** File names without extension, e.g. `postmortem-checkout-2026-11-01-1a2b3c4d`. */
  basename: string;
  markdown: string;
  /** One self-contained file: inline CSS, the charts inline. */
  html: string;
  /** The charts the Markdown references by file name (empty without a renderer, or when none was drawn). */
  charts: ChartImage[];
  /** Charts that could not be drawn, with why (the documents are complete without them). */
  chartErrors: string[];
}

export function postmortemBasename(run: PostmortemInput['run']): string {
  const day = run.startedAt.toISOString().slice(0, 10);
  const service = (run.service ?? 'diagnosis').replace(/[^\w.-]+/g, '-').slice(0, 60);
  return `postmortem-${service}-${day}-${run.id.slice(0, 8)}`;
}

async function drawCharts(
  input: PostmortemInput,
  renderer: ChartRenderer | undefined,
  redactor: Redactor,
  prefix: string,
): Promise<{ charts: ChartImage[]; errors: string[] }> {
  if (!renderer || !input.run.result) return { charts: [], errors: [] };
  const specs = chartSpecsOf(input.run.result, MAX_POSTMORTEM_CHARTS, redactor);
  const charts: ChartImage[] = [];
  const errors: string[] = [];
  for (const spec of specs) {
    try {
      const image = await renderer.render(spec);
      charts.push({
        ...image,
        filename: `${prefix}-${image.filename.replace(/[^\w.-]+/g, '-')}`,
        alt: redactor(image.alt),
        svg: redactor(image.svg),
      });
    } catch (err) {
      errors.push(`${spec.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { charts, errors };
}

/**
 * The post-mortem of a run as Markdown (charts referenced as attached files) and as one HTML file (charts inline),
 * with the chart images. Without a chart renderer the documents carry no charts and say nothing of them. Every text
 * passes the redactor.
 */
export async function postmortemDocuments(
  input: PostmortemInput & { redactor: Redactor },
  renderer?: ChartRenderer,
  options: { referenceCharts?: boolean } = {},
): Promise<PostmortemDocuments> {
  const basename = postmortemBasename(input.run);
  const { charts, errors } = await drawCharts(input, renderer, input.redactor, `${basename}-chart`);
  // The Markdown names the charts as files beside it; only when they travel with it.
  const refs = options.referenceCharts === false ? [] : charts.map((c) => ({ filename: c.filename, alt: c.alt }));
  const markdown = renderPostmortem({ ...input, charts: refs });
  const html = renderPostmortemHtml(markdown, charts);
  return { basename, markdown, html, charts, chartErrors: errors };
}
