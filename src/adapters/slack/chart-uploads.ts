import type { WebClient } from '@slack/web-api';
import type { ChartImage, ChartRenderer } from '../../application/ports/chart-renderer.js';
import type { ChartSpec } from '../../domain/report/chart-spec.js';
import { describeSlackError, type ReporterLogger } from './slack-error.js';

/** Where a run's charts go: its thread. */
export interface ChartTarget {
  runId: string;
  channel: string;
  threadTs: string;
}

/** What became of a run's charts: how many Slack took, and why none were when they were not. */
export type ChartUpload = { uploaded: number } | { uploaded: 0; failed: string };

/** The line above the charts in the thread. */
export function chartsComment(specs: readonly ChartSpec[]): string {
  const what = specs.map((s) => s.title).join('; ');
  return specs.length === 1 ? `Chart of the decisive evidence: ${what}.` : `Charts of the decisive evidence: ${what}.`;
}

/**
 * Draws the decisive evidence of a run and uploads it into the run's thread, all charts in one message
 * (`files.uploadV2`, each with its alt text). A chart that cannot be drawn, or an upload Slack refuses (no
 * `files:write`, a workspace that forbids uploads), leaves the thread as it was: its findings already carry text
 * sparklines. Never rejects.
 */
export async function uploadCharts(
  deps: { client: WebClient; renderer: ChartRenderer; logger: ReporterLogger },
  target: ChartTarget,
  specs: readonly ChartSpec[],
): Promise<ChartUpload> {
  if (specs.length === 0) return { uploaded: 0 };
  let images: ChartImage[];
  try {
    images = await Promise.all(specs.map((spec) => deps.renderer.render(spec)));
  } catch (err) {
    const failed = err instanceof Error ? err.message : String(err);
    deps.logger.warn(
      { runId: target.runId, error: failed },
      'the charts could not be drawn; the thread keeps its text',
    );
    return { uploaded: 0, failed };
  }
  try {
    await deps.client.filesUploadV2({
      channel_id: target.channel,
      thread_ts: target.threadTs,
      initial_comment: chartsComment(specs),
      file_uploads: images.map((image, i) => ({
        file: Buffer.from(image.png),
        filename: image.filename,
        title: specs[i]?.title ?? image.filename,
        alt_text: image.alt,
      })),
    });
    return { uploaded: images.length };
  } catch (err) {
    const failed = describeSlackError(err);
    deps.logger.warn(
      { runId: target.runId, error: failed },
      'the charts could not be uploaded; the thread keeps its text sparklines',
    );
    return { uploaded: 0, failed };
  }
}
