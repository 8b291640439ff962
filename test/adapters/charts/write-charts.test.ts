import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chartsFooter, writeCharts, writeDiagnosisCharts } from '../../../src/adapters/charts/write-charts.js';
import type { ChartRenderer } from '../../../src/application/ports/chart-renderer.js';
import { redact } from '../../../src/domain/redaction/redact.js';
import { chartSpecsOf } from '../../../src/domain/report/chart-spec.js';
import { outcome } from '../../support/diagnosis-factory.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-charts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Draws every chart as the bytes of its id, so the files say which chart they hold. */
const fakeRenderer: ChartRenderer = {
  render: async (spec) => ({
    filename: `${spec.id}.png`,
    png: new TextEncoder().encode(spec.id),
    svg: '<svg/>',
    width: 800,
    height: 360,
    alt: spec.alt,
  }),
};

describe('writeCharts', () => {
  it('writes one file per chart, in order, and returns their paths and alt texts', async () => {
    const specs = chartSpecsOf(outcome());
    const written = await writeCharts(specs, dir, fakeRenderer);
    expect(written.map((w) => w.path)).toEqual(specs.map((s) => join(dir, `${s.id}.png`)));
    expect(written.map((w) => w.alt)).toEqual(specs.map((s) => s.alt));
    for (const s of specs) expect(await readFile(join(dir, `${s.id}.png`), 'utf8')).toBe(s.id);
  });

  it('draws the real PNGs of a diagnosis', async () => {
    const written = await writeDiagnosisCharts(outcome(), dir, redact);
    expect((await readdir(dir)).sort()).toEqual(['error-ratio-checkout.png', 'pool-saturation-checkout-orders-db.png']);
    const png = await readFile(written[0]?.path ?? '');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('names the files in the report footer, or says there was nothing to draw', () => {
    expect(
      chartsFooter([
        { path: '/tmp/c/a.png', alt: 'A' },
        { path: '/tmp/c/b.png', alt: 'B' },
      ]),
    ).toBe('Charts:\n  /tmp/c/a.png\n  /tmp/c/b.png\n');
    expect(chartsFooter([])).toBe('Charts: none (no abnormal signal with a series to draw).\n');
  });
});
