import type { WebClient } from '@slack/web-api';
import { describe, expect, it, vi } from 'vitest';
import { chartsComment, uploadCharts } from '../../../src/adapters/slack/chart-uploads.js';
import type { ChartRenderer } from '../../../src/application/ports/chart-renderer.js';
import type { ChartSpec } from '../../../src/domain/report/chart-spec.js';

const target = { runId: 'run-1', channel: 'C1', threadTs: '1.000100' };

function spec(id: string, title: string): ChartSpec {
  return {
    id,
    title,
    signal: 'error_ratio',
    unit: 'ratio',
    from: 0,
    to: 600,
    series: [
      { t: 0, v: 0.01 },
      { t: 300, v: 0.2 },
    ],
    baseline: 0.01,
    thresholds: { warn: 0.02, crit: 0.05 },
    onset: 300,
    verdict: 'crit',
    alt: `${title} rose past its threshold`,
  };
}

const renderer: ChartRenderer = {
  render: async (s) => ({
    filename: `${s.id}.png`,
    png: new Uint8Array([0x89, 0x50, 0x4e, 0x47, s.id.length]),
    svg: '<svg/>',
    width: 800,
    height: 360,
    alt: s.alt,
  }),
};

function client(upload: (args: unknown) => Promise<unknown>) {
  const filesUploadV2 = vi.fn(upload);
  return { client: { filesUploadV2 } as unknown as WebClient, filesUploadV2 };
}

describe('uploadCharts', () => {
  it('uploads every chart in one message into the thread, each with its alt text', async () => {
    const { client: c, filesUploadV2 } = client(async () => ({ ok: true }));
    const warn = vi.fn();
    const specs = [spec('errors', 'Error ratio — checkout'), spec('latency', 'p99 latency — checkout')];
    const result = await uploadCharts({ client: c, renderer, logger: { warn } }, target, specs);
    expect(result).toEqual({ uploaded: 2 });
    expect(filesUploadV2).toHaveBeenCalledTimes(1);
    const args = filesUploadV2.mock.calls[0]?.[0] as {
      channel_id: string;
      thread_ts: string;
      initial_comment: string;
      file_uploads: { filename: string; alt_text: string; title: string; file: Buffer }[];
    };
    expect(args.channel_id).toBe('C1');
    expect(args.thread_ts).toBe('1.000100');
    expect(args.initial_comment).toBe(chartsComment(specs));
    expect(args.file_uploads.map((f) => [f.filename, f.alt_text, f.title])).toEqual([
      ['errors.png', 'Error ratio — checkout rose past its threshold', 'Error ratio — checkout'],
      ['latency.png', 'p99 latency — checkout rose past its threshold', 'p99 latency — checkout'],
    ]);
    expect(Buffer.isBuffer(args.file_uploads[0]?.file)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('does nothing without charts', async () => {
    const { client: c, filesUploadV2 } = client(async () => ({ ok: true }));
    expect(await uploadCharts({ client: c, renderer, logger: { warn: vi.fn() } }, target, [])).toEqual({
      uploaded: 0,
    });
    expect(filesUploadV2).not.toHaveBeenCalled();
  });

  it('says why when Slack refuses the upload, without throwing', async () => {
    const refused = Object.assign(new Error('An API error occurred: missing_scope'), {
      data: { error: 'missing_scope' },
    });
    const { client: c } = client(async () => {
      throw refused;
    });
    const warn = vi.fn();
    const result = await uploadCharts({ client: c, renderer, logger: { warn } }, target, [spec('errors', 'Errors')]);
    expect(result).toEqual({ uploaded: 0, failed: 'missing_scope' });
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ runId: 'run-1', error: 'missing_scope' }),
      expect.any(String),
    );
  });

  it('uploads nothing when a chart cannot be drawn', async () => {
    const { client: c, filesUploadV2 } = client(async () => ({ ok: true }));
    const broken: ChartRenderer = { render: async () => Promise.reject(new Error('no font')) };
    const result = await uploadCharts({ client: c, renderer: broken, logger: { warn: vi.fn() } }, target, [
      spec('errors', 'Errors'),
    ]);
    expect(result).toEqual({ uploaded: 0, failed: 'no font' });
    expect(filesUploadV2).not.toHaveBeenCalled();
  });
});
