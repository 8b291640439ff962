import { describe, expect, it, vi } from 'vitest';
import type { ChartRenderer } from '../../../src/application/ports/chart-renderer.js';
import type { StoredRun } from '../../../src/application/ports/run-store.js';
import type { ChatFile, ChatPort } from '../../../src/application/runs/chat-port.js';
import { type ChatImageFile, exportPostmortem } from '../../../src/application/runs/export-postmortem.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { outcome as outcome_ } from '../../support/diagnosis-factory.js';

const T0 = new Date('2026-11-01T14:00:00Z');

function run(overrides: Partial<StoredRun> = {}): StoredRun {
  return {
    id: 'run-1234abcd',
    trigger: 'command',
    text: '502 on checkout',
    symptom: parseSymptom('502 on checkout', { now: T0 }),
    service: 'checkout',
    playbook: 'http-5xx',
    status: 'finished',
    channel: 'C1',
    rootTs: '1.1',
    threadTs: '1.1',
    userId: 'U0ONCALL01',
    alert: null,
    owner: 'a',
    startedAt: T0,
    updatedAt: T0,
    finishedAt: T0,
    result: null,
    decision: null,
    undelivered: 0,
    ...overrides,
  };
}

function chat(overrides: Partial<ChatPort> = {}) {
  const uploads: ChatFile[] = [];
  const port: ChatPort = {
    threadMessages: async () => [
      { userId: 'U0SRE0002', userName: 'dana', text: 'rolled back', ts: '2.2', at: T0, bot: false },
    ],
    displayName: vi.fn(async (id: string) => (id === 'U0ONCALL01' ? 'sam' : undefined)),
    upload: async (file) => {
      uploads.push(file);
      return { fileId: 'F1' };
    },
    link: (channel, ts) => `https://chat.example/${channel}/${ts}`,
    post: async () => ({ ts: '9.9' }),
    ...overrides,
  };
  return { port, uploads };
}

const deps = (stored: StoredRun | undefined) => ({
  store: { getRun: async () => stored, events: async () => [] },
  redactor: (text: string) => text.replace(/hunter2/g, '[redacted]'),
  now: () => T0,
  logger: { warn: vi.fn() },
});

describe('exportPostmortem', () => {
  it('shares the document in the run’s thread, naming the people and the discussion', async () => {
    const { port, uploads } = chat();
    const outcome = await exportPostmortem(port, deps(run({ text: '502 hunter2' })), { runId: 'x', channel: 'C9' });
    expect(outcome).toMatchObject({
      ok: true,
      fileId: 'F1',
      discussion: true,
      filename: 'postmortem-checkout-2026-11-01-run-1234.md',
    });
    expect(uploads.map((u) => u.filename)).toEqual([
      'postmortem-checkout-2026-11-01-run-1234.md',
      'postmortem-checkout-2026-11-01-run-1234.html',
    ]);
    expect(outcome).toMatchObject({ files: uploads.map((u) => u.filename) });
    const [file, html] = uploads;
    expect(html?.content).toMatch(/^<!DOCTYPE html>/);
    expect(html?.content).toContain('rolled back');
    expect(html?.content).not.toContain('hunter2');
    expect(html?.content).not.toMatch(/\b(?:src|href)="(?!data:|https:\/\/chat\.example)/);
    expect(file).toMatchObject({ channel: 'C1', threadTs: '1.1', title: 'Post-mortem: 502 [redacted]' });
    expect(file?.content).toContain('rolled back');
    expect(file?.content).toContain('https://chat.example/C1/1.1');
    expect(file?.content).not.toContain('hunter2');
    expect(port.displayName).toHaveBeenCalledWith('U0ONCALL01');
    expect(port.displayName).not.toHaveBeenCalledWith('U0SRE0002');
  });

  it('draws the charts with the injected renderer: inline in the HTML, attached as PNGs named by the Markdown', async () => {
    const { port, uploads } = chat();
    const images: ChatImageFile[] = [];
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const charts: ChartRenderer = {
      render: async (spec) => ({
        filename: `${spec.id}.png`,
        png,
        svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>hunter2</text></svg>',
        width: 600,
        height: 240,
        alt: `${spec.alt} hunter2`,
      }),
    };
    const outcome = await exportPostmortem(
      port,
      {
        ...deps(run({ result: outcome_() })),
        charts,
        uploadImage: async (file: ChatImageFile) => {
          images.push(file);
          return {};
        },
      },
      { runId: 'x', channel: 'C9' },
    );
    expect(outcome.ok).toBe(true);
    expect(images.map((i) => i.filename)).toEqual([
      'postmortem-checkout-2026-11-01-run-1234-chart-pool-saturation-checkout-orders-db.png',
      'postmortem-checkout-2026-11-01-run-1234-chart-error-ratio-checkout.png',
    ]);
    expect(images[0]).toMatchObject({ channel: 'C1', threadTs: '1.1', bytes: png });
    const [md, html] = uploads;
    for (const image of images) expect(md?.content).toContain(`](${image.filename})`);
    expect(html?.content).toContain(`src="data:image/png;base64,iVBORwECAw=="`);
    expect(md?.content).not.toContain('hunter2');
    expect(html?.content).not.toContain('hunter2');
  });

  it('without a renderer, carries no charts and says nothing of them', async () => {
    const { port, uploads } = chat();
    await exportPostmortem(port, deps(run({ result: outcome_() })), { runId: 'x', channel: 'C9' });
    expect(uploads).toHaveLength(2);
    for (const file of uploads) expect(file.content).not.toMatch(/chart|\.png/i);
  });

  it('exports without the discussion when the thread cannot be read', async () => {
    const { port, uploads } = chat({ threadMessages: () => Promise.reject(new Error('missing_scope')) });
    const given = deps(run());
    const outcome = await exportPostmortem(port, given, { runId: 'x', channel: 'C9' });
    expect(outcome).toMatchObject({ ok: true, discussion: false });
    expect(uploads[0]?.comment).toContain('the discussion is missing');
    expect(given.logger.warn).toHaveBeenCalledWith(
      { runId: 'run-1234abcd', error: 'missing_scope' },
      'the thread could not be read; exporting without it',
    );
  });

  it('says how to print it when the upload fails', async () => {
    const { port } = chat({ upload: () => Promise.reject(new Error('not_in_channel')) });
    const outcome = await exportPostmortem(port, deps(run()), { runId: 'x', channel: 'C9' });
    expect(outcome).toEqual({
      ok: false,
      message: 'I could not upload the post-mortem (not_in_channel). `triage postmortem run-1234abcd` prints it.',
    });
  });

  it('has nothing to export for an unknown run', async () => {
    const { port, uploads } = chat();
    const outcome = await exportPostmortem(port, deps(undefined), { runId: 'x', channel: 'C9' });
    expect(outcome.ok).toBe(false);
    expect(uploads).toEqual([]);
  });
});
