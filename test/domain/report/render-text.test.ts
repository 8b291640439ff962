import { describe, expect, it } from 'vitest';
import type { DiagnosisOutcome } from '../../../src/domain/engine/types.js';
import { toDiagnosisJson } from '../../../src/domain/report/diagnosis-json.js';
import { renderNotMeasuredText, renderReport } from '../../../src/domain/report/render-text.js';
import { planThread } from '../../../src/domain/report/thread-plan.js';
import { TEXT_WIDTH } from '../../../src/domain/report/wrap.js';
import { evidence, hypothesis, outcome, step } from '../../support/diagnosis-factory.js';

function realShaped(overrides: Partial<DiagnosisOutcome> = {}): DiagnosisOutcome {
  const base = outcome(overrides);
  return {
    ...base,
    hypotheses: [
      hypothesis({ supporting: ['Every connection in the pool is in use. [Connection pool usage: 98%]'] }),
      ...base.hypotheses.slice(1),
    ],
  };
}

const widthOf = (line: string) => [...line].length;

describe('renderReport', () => {
  it('prints the abnormal findings under their hypothesis, and folds normal and unmeasured steps into a line each', () => {
    const report = renderReport(realShaped());
    const lines = report.split('\n');
    expect(lines).toContain('Supports: The connection pool is exhausted (78%, supported) — 1 finding');
    expect(lines.some((l) => /^✗ crit +Connection pool usage$/.test(l))).toBe(true);
    // The normal step is not printed on its own, only in the folded line.
    expect(report).not.toMatch(/^✓ ok/m);
    expect(lines).toContain('Checked and normal (1): request rate; which rules out traffic-surge');
    expect(lines.filter((l) => l.startsWith('Not measured'))).toEqual([
      'Not measured (2 of 5 steps): errored: error-logs (loki: connect ECONNREFUSED 10.0.4.2:3100) → check',
    ]);
    expect(report).not.toMatch(/^· no data/m);
    expect(report.indexOf('Supports:')).toBeLessThan(report.indexOf('Checked and normal'));
    expect(report.indexOf('Not measured')).toBeLessThan(report.indexOf('Hypotheses'));
  });

  it('wraps every line to 100 columns except the queries, which stay whole to be copied', () => {
    const long = 'a very long sentence that keeps going '.repeat(8);
    const query = `sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / ${'sum(rate(x[5m])) + '.repeat(6)}1`;
    const report = renderReport(
      realShaped({
        notes: [long],
        steps: [step({ evidence: [evidence({ summary: long, query })] })],
      }),
      { queries: true },
    );
    const lines = report.split('\n');
    const wide = lines.filter((l) => widthOf(l) > TEXT_WIDTH);
    expect(wide).toEqual([`           query: ${query}`]);
    expect(lines.filter((l) => l.startsWith('note: '))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith('      ') && l.includes('sentence'))).toBe(true);
  });

  it('wraps the not-measured line, keeping each step id whole', () => {
    const steps = Array.from({ length: 12 }, (_, i) =>
      step({
        id: `unmeasured-signal-number-${i}`,
        title: `Signal ${i}`,
        status: 'no_data',
        evidence: [],
        reason: `checkout exposes none of the metrics for "Signal ${i}" (looked for x)`,
      }),
    );
    const report = renderReport(realShaped({ steps }));
    const block = report.slice(report.indexOf('Not measured'), report.indexOf('\n\n', report.indexOf('Not measured')));
    for (const l of block.split('\n')) expect(widthOf(l)).toBeLessThanOrEqual(TEXT_WIDTH);
    for (let i = 0; i < 12; i++) expect(block).toContain(`unmeasured-signal-number-${i}`);
    expect(block).toContain('`triage signals explain --service checkout`');
  });

  it('leaves the --json output as it was', () => {
    const o = realShaped();
    const before = JSON.stringify(toDiagnosisJson(o));
    renderReport(o, { queries: true });
    expect(JSON.stringify(toDiagnosisJson(o))).toBe(before);
    expect(Object.keys(toDiagnosisJson(o))).not.toContain('thread');
  });

  it('names the failing data sources and the command that shows what was looked for', () => {
    const message = planThread(realShaped()).messages.find((m) => m.kind === 'not-measured');
    if (message?.kind !== 'not-measured') throw new Error('no not-measured message');
    expect(renderNotMeasuredText(message)).toBe(
      'Not measured (2 of 5 steps): errored: error-logs (loki: connect ECONNREFUSED 10.0.4.2:3100) → check that the data source answers, then re-run · no metrics: recent-deploy → map your metric names in a signals file; `triage signals explain --service checkout` shows what was looked for',
    );
  });
});
