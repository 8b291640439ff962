import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { limitViolations, measureMessage } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { renderPlanned } from '../../../../src/adapters/slack/blocks/plan-renderers.js';
import { renderFindingGroup } from '../../../../src/adapters/slack/blocks/render-finding-group.js';
import { renderNormalFold } from '../../../../src/adapters/slack/blocks/render-normal-fold.js';
import { renderNotMeasured } from '../../../../src/adapters/slack/blocks/render-not-measured.js';
import type { SlackMessage } from '../../../../src/adapters/slack/blocks/slack-message.js';
import { createThreadRenderers, threadRenderers } from '../../../../src/adapters/slack/thread-renderers.js';
import { readRecording, replayRecording } from '../../../../src/cli/replay-recording.js';
import type { DiagnosisOutcome, StepResult } from '../../../../src/domain/engine/types.js';
import { createRedactor } from '../../../../src/domain/redaction/redact.js';
import {
  type FindingGroupMessage,
  type NormalFoldMessage,
  type NotMeasuredMessage,
  planThread,
  type ThreadMessage,
} from '../../../../src/domain/report/thread-plan.js';
import {
  allTexts,
  erroredStep,
  evidence,
  hostile,
  hypothesis,
  outcome,
  step,
  unsafeMarkupIn,
} from '../../../support/diagnosis-factory.js';

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

function message<K extends ThreadMessage['kind']>(o: DiagnosisOutcome, kind: K): Extract<ThreadMessage, { kind: K }> {
  const found = planThread(o).messages.find((m) => m.kind === kind);
  if (!found) throw new Error(`no ${kind} message`);
  return found as Extract<ThreadMessage, { kind: K }>;
}

function sections(m: SlackMessage): string[] {
  return m.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('renderFindingGroup', () => {
  it('heads the group with its hypothesis and shows each finding with value, baseline, threshold and a labelled link', () => {
    const rendered = renderFindingGroup(message(realShaped(), 'finding-group'));
    const [head, finding] = sections(rendered);
    expect(head).toBe(':large_green_circle: *Supports: The connection pool is exhausted (78%, supported)* — 1 finding');
    expect(finding).toContain(':red_circle: *Connection pool usage* — critical');
    expect(finding).toContain('98% (orders-db); baseline 41% same time one day earlier; warn ≥ 80%, crit ≥ 95%');
    // The text sparkline stays as the picture when no chart is uploaded.
    expect(finding).toContain('`▁▁▂▄▅▇██`');
    expect(finding).toMatch(
      /<http:\/\/prometheus\.internal:9090\/graph\?g0\.expr=[^|>]+\|query: connection pool usage>/,
    );
    expect(rendered.text).toMatch(
      /^Supports "The connection pool is exhausted": 1 finding\(s\) — Connection pool usage/,
    );
    expect(limitViolations(rendered)).toEqual([]);
  });

  it('names the other hypotheses a finding bears on, and heads findings no hypothesis cites as other findings', () => {
    const o = realShaped();
    const cited: FindingGroupMessage = {
      ...message(o, 'finding-group'),
      hypothesis: null,
      relation: null,
    };
    const first = cited.findings[0];
    if (!first) throw new Error('no finding');
    cited.findings = [{ ...first, alsoFor: [{ cause: 'db-slow', relation: 'rules-out' }] }];
    const [head, finding] = sections(renderFindingGroup(cited));
    expect(head).toBe(':mag: *Other findings* — 1 finding no hypothesis relies on');
    expect(finding).toContain('_also rules out `db-slow`_');
  });

  it('stays within Slack limits and escapes every foreign value with 60 hostile findings', () => {
    const bad = evidence({
      summary: hostile(3500),
      note: hostile(3200),
      labels: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}<>`, hostile(500)])),
      query: hostile(3000),
      link: `https://prom.example/graph?q=${hostile(2500)}`,
    });
    const steps: StepResult[] = Array.from({ length: 60 }, (_, i) =>
      step({ id: `s${i}`, title: hostile(400), evidence: Array.from({ length: 8 }, () => bad) }),
    );
    const o = outcome({
      steps,
      hypotheses: [hypothesis({ title: hostile(500), supporting: [`x [${steps[0]?.title}: 1]`] })],
    });
    for (const group of planThread(o).messages.filter((m) => m.kind === 'finding-group')) {
      const rendered = renderFindingGroup(group);
      expect(limitViolations(rendered)).toEqual([]);
      expect(unsafeMarkupIn(rendered)).toEqual([]);
      expect(measureMessage(rendered).blocks).toBeLessThanOrEqual(50);
    }
  });
});

describe('renderFindingGroup with charts', () => {
  it('shows an uploaded chart under its finding, keeps the sparkline, and skips a malformed file id', () => {
    const group = message(realShaped(), 'finding-group');
    const rendered = renderFindingGroup(group, [
      { stepId: 'pool-saturation', fileId: 'F0123ABC', alt: 'Connection pool usage rose\nfrom 41% to 98%' },
      { stepId: 'pool-saturation', fileId: '<!channel>', alt: 'bad' },
      { stepId: 'elsewhere', fileId: 'F0999', alt: 'another finding' },
    ]);
    const images = rendered.blocks.filter((b) => b.type === 'image');
    expect(images).toEqual([
      { type: 'image', slack_file: { id: 'F0123ABC' }, alt_text: 'Connection pool usage rose from 41% to 98%' },
    ]);
    expect(rendered.blocks.findIndex((b) => b.type === 'image')).toBe(2);
    expect(sections(rendered)[1]).toContain('`▁▁▂▄▅▇██`');
    expect(limitViolations(rendered)).toEqual([]);
  });

  it('redacts the alt text through createThreadRenderers', () => {
    const redactor = createRedactor({ extraPatterns: [{ pattern: 'ACME-[0-9]{6}' }] });
    const rendered = createThreadRenderers(redactor).findingGroup(message(realShaped(), 'finding-group'), [
      { stepId: 'pool-saturation', fileId: 'F0123ABC', alt: 'pool of ACME-123456' },
    ]);
    expect(JSON.stringify(rendered)).not.toContain('ACME-123456');
  });
});

describe('renderNormalFold', () => {
  it('folds every normal check into one list, with what they ruled out', () => {
    const rendered = renderNormalFold(message(realShaped(), 'normal-fold'));
    expect(sections(rendered)).toEqual([':white_check_mark: *Checked and normal (1):* request rate']);
    expect(JSON.stringify(rendered.blocks[1])).toContain('_Which rules out:_ Load above capacity (5%)');
    expect(rendered.text).toBe('Checked and normal (1): request rate');
  });

  it('counts what does not fit, within the limits, with hostile names', () => {
    const fold: NormalFoldMessage = {
      kind: 'normal-fold',
      checks: Array.from({ length: 300 }, (_, i) => ({ stepId: `s${i}`, name: hostile(100) })),
      rulesOut: Array.from({ length: 30 }, () => ({
        cause: 'x',
        title: hostile(300),
        confidence: 0.01,
        verdict: 'ruled-out' as const,
      })),
    };
    const rendered = renderNormalFold(fold);
    expect(sections(rendered)[0]).toMatch(/^:white_check_mark: \*Checked and normal \(300\):\*/);
    expect(limitViolations(rendered)).toEqual([]);
    expect(unsafeMarkupIn(rendered)).toEqual([]);
  });
});

describe('renderNotMeasured', () => {
  it('says in one reply what could not be measured, grouped by why, with how to map it', () => {
    const rendered = renderNotMeasured(message(realShaped(), 'not-measured'));
    expect(sections(rendered)).toEqual([
      [
        ':grey_question: *Not measured (2 of 5 steps)*',
        '• _errored_ — `error-logs` (`loki`: connect ECONNREFUSED 10.0.4.2:3100) → check that the data source answers, then re-run',
        '• _no metrics_ — `recent-deploy` → map your metric names in a signals file (`/diagnose explain checkout` shows what was looked for)',
      ].join('\n'),
    ]);
    expect(rendered.text).toBe('Not measured (2 of 5 steps): errored (1), no metrics (1)');
  });

  it('stays within the limits with hostile ids, reasons and service names', () => {
    const steps = Array.from({ length: 80 }, (_, i) =>
      i % 2
        ? erroredStep({ id: `${hostile(80)}${i}`, error: { code: 'x', source: hostile(50), message: hostile(900) } })
        : step({ id: hostile(90), status: 'no_data', evidence: [], reason: `none of the metrics for ${hostile(400)}` }),
    );
    const m: NotMeasuredMessage = message(outcome({ steps, service: hostile(60) }), 'not-measured');
    const rendered = renderNotMeasured(m);
    expect(limitViolations(rendered)).toEqual([]);
    expect(unsafeMarkupIn(rendered)).toEqual([]);
  });
});

describe('the planned replies through createThreadRenderers', () => {
  it('redacts secrets in every planned reply', () => {
    const redactor = createRedactor({ extraPatterns: [{ pattern: 'ACME-[0-9]{6}' }] });
    const o = realShaped({
      service: 'checkout',
      steps: [
        step({ title: 'Pool ACME-123456', evidence: [evidence({ summary: 'customer ACME-123456 waits' })] }),
        step({ id: 'ok', title: 'Normal ACME-123456', status: 'ok', evidence: [] }),
        erroredStep({ error: { code: 'x', source: 'loki', message: 'token ACME-123456 refused' } }),
      ],
    });
    const renderers = createThreadRenderers(redactor);
    const texts = planThread(o).messages.flatMap((m) =>
      allTexts(renderPlanned(m, renderers, () => ({ text: 'ledger', blocks: [] }))),
    );
    expect(texts.join('\n')).not.toContain('ACME-123456');
    expect(texts.join('\n')).toContain('[redacted:custom]');
  });

  it('renders the ledger with the given renderer, last', () => {
    const rendered = planThread(realShaped()).messages.map((m) =>
      renderPlanned(m, threadRenderers, () => ({ text: 'the ledger', blocks: [] })),
    );
    expect(rendered.at(-1)?.text).toBe('the ledger');
    expect(rendered.slice(0, -1).every((m) => m.text !== 'the ledger')).toBe(true);
  });

  it('renders every recorded incident within the limits', async () => {
    const dir = 'fixtures/recordings';
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const result = await replayRecording(await readRecording(`${dir}/${name}`), 'playbooks');
      for (const m of planThread(result).messages) {
        const rendered = renderPlanned(m, threadRenderers, () => threadRenderers.ledger(result, {} as never));
        expect(limitViolations(rendered), `${name} ${m.kind}`).toEqual([]);
        expect(unsafeMarkupIn(rendered), `${name} ${m.kind}`).toEqual([]);
      }
    }
  }, 120_000);
});
