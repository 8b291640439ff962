import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPlanned } from '../../../src/adapters/slack/blocks/plan-renderers.js';
import type { RunRecord } from '../../../src/adapters/slack/run-registry.js';
import { createThreadRenderers, threadRenderers } from '../../../src/adapters/slack/thread-renderers.js';
import type { DiagnosisOutcome } from '../../../src/domain/engine/types.js';
import { createRedactor } from '../../../src/domain/redaction/redact.js';
import { shannonEntropy } from '../../../src/domain/redaction/vendor-checks.js';
import { toDiagnosisJson } from '../../../src/domain/report/diagnosis-json.js';
import { renderLedger, renderReport, renderStep } from '../../../src/domain/report/render-text.js';
import { planThread } from '../../../src/domain/report/thread-plan.js';
import { evidence, hypothesis, outcome, step, WINDOW } from '../../support/diagnosis-factory.js';

const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/);

/** Tokens of formats the redactor knows, as they would appear in a log line or a typed symptom. */
const token = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{10,24}$/).map((s) => `xoxb-1234567890-${s}`),
  fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `AKIA${s}`),
  fc.tuple(b64url, b64url).map(([p, s]) => `eyJhbGciOiJIUzI1NiJ9.${p}.${s}`),
  fc.stringMatching(/^[a-z]{4,10}$/).map((u) => `${u}.oncall@example.com`),
  // Vendor formats, caught in free text (built from pieces so that this file does not look like a leak).
  fc.stringMatching(/^[A-Za-z0-9]{24,40}$/).map((s) => ['sk', 'live', s].join('_')),
  fc.stringMatching(/^[A-Za-z0-9]{36}$/).map((s) => `gh${'p'}_${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{35}$/).map((s) => `AI${'za'}${s}`),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{22}$/), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))
    .map(([a, b]) => `S${'G'}.${a}.${b}`),
  fc.stringMatching(/^[A-Za-z0-9]{20}$/).map((s) => `gl${'pat'}-${s}`),
  // Keyword-gated: the whole phrase must not survive, and the hex part is what goes.
  fc
    .stringMatching(/^[0-9a-f]{32}$/)
    .filter((hex) => shannonEntropy(hex) >= 3)
    .map((hex) => `datadog api key ${hex}`),
);

function everyOutput(o: DiagnosisOutcome): string {
  const record = {
    runId: o.runId,
    channel: 'C1',
    rootTs: '1.1',
    threadTs: '1.1',
    text: o.symptom,
    symptom: {
      text: o.symptom,
      service: 'checkout',
      serviceCandidates: ['checkout'],
      kinds: [],
      statusCodes: [],
      window: WINDOW,
      windowSource: 'default',
      notes: [],
    },
    userId: 'U1',
    status: 'finished',
    stepsDone: 1,
    stepsTotal: 1,
    dedupeKey: 'k',
    undelivered: 0,
    active: false,
    result: o,
  } satisfies RunRecord;
  return [
    JSON.stringify(toDiagnosisJson(o)),
    renderReport(o, { queries: true }),
    ...o.steps.flatMap((s) => renderStep(s, { queries: true })),
    ...renderLedger(o.hypotheses),
    ...slackThread(o, threadRenderers),
    JSON.stringify(threadRenderers.ledger(o, record)),
    JSON.stringify(threadRenderers.root(record)),
  ].join('\n');
}

/** Every reply of the run's Slack thread (findings, folds, not measured; the ledger is checked on its own). */
function slackThread(o: DiagnosisOutcome, render: typeof threadRenderers): string[] {
  const ledger = () => ({ text: '', blocks: [] });
  return planThread(o)
    .messages.filter((m) => m.kind !== 'ledger')
    .map((m) => JSON.stringify(renderPlanned(m, render, ledger)));
}

describe('redaction on every output path', () => {
  it('no generated token survives the JSON, the CLI report, the demo lines or the Slack messages', () => {
    fc.assert(
      fc.property(token, (secret) => {
        const line = `2026-11-01T13:59:00Z ERROR auth failed for ${secret} while calling payments`;
        const o = outcome({
          symptom: `502 on checkout ${secret}`,
          notes: [`seen ${secret}`],
          steps: [
            step({
              id: 'log-patterns',
              evidence: [evidence({ summary: `1× ${line}` })],
              patterns: [{ template: 'auth failed for <str>', count: 1, samples: [line], signatures: [] }],
              signatures: [],
              reason: `failed with ${secret}`,
            }),
          ],
          hypotheses: [hypothesis({ supporting: [`token ${secret} was refused`] })],
        });
        const all = everyOutput(o);
        expect(all).not.toContain(secret);
        expect(all).toContain('[redacted:');
      }),
      { numRuns: 300 },
    );
  });

  it('applies configured extra patterns on the CLI and Slack paths', () => {
    const redactor = createRedactor({ extraPatterns: [{ pattern: 'ACME-[0-9]{6}' }] });
    const o = outcome({ steps: [step({ evidence: [evidence({ summary: 'customer ACME-123456 failed' })] })] });
    const outputs = [
      JSON.stringify(toDiagnosisJson(o, redactor)),
      renderReport(o, { redactor }),
      ...slackThread(o, createThreadRenderers(redactor)),
    ];
    for (const out of outputs) {
      expect(out).not.toContain('ACME-123456');
      expect(out).toContain('[redacted:custom]');
    }
    expect(slackThread(o, threadRenderers).join('\n')).toContain('ACME-123456');
  });
});
