import type { ContextBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { LIMITS, limitViolations, measureMessage } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { renderLedger } from '../../../../src/adapters/slack/blocks/render-ledger.js';
import type { SlackMessage } from '../../../../src/adapters/slack/blocks/slack-message.js';
import { CAUSES } from '../../../../src/domain/causes.js';
import type { HypothesisVerdict } from '../../../../src/domain/engine/types.js';
import { erroredStep, hostile, hypothesis, outcome, step, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

function sections(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function contextTexts(message: SlackMessage): string[] {
  const context = message.blocks.filter((b): b is ContextBlock => b.type === 'context');
  return context.flatMap((c) => c.elements.flatMap((e) => ('text' in e ? [e.text] : [])));
}

describe('renderLedger', () => {
  it('renders the ledger of a finished run', () => {
    expect(renderLedger(outcome())).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "block_id": "triage_ledger_conclusion",
            "text": {
              "text": "*Conclusion:* Likely cause: the connection pool is exhausted (78% confidence). Confidence is limited: error-logs could not be measured.",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": "*Hypothesis ledger* — 1 supported, 1 possible, 1 ruled out",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":large_green_circle: *Supported · 78%* — The connection pool is exhausted \`connection-pool-exhausted\`
         ✓ Connection pool usage 98% (crit ≥ 95%), baseline 41%
         _limited: signals not measured (error-logs)_",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":large_yellow_circle: *Possible · 30%* — A recent deploy or config change introduced the fault \`bad-deploy\`
         ✓ Errors began at 13:42
         _limited: signals not measured (recent-deploy)_",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": ":white_circle: *Ruled out · 5%* — Load above capacity \`traffic-surge\`
         ✗ Request rate 120/s, baseline 118/s",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "block_id": "triage_ledger_mitigations",
            "text": {
              "text": "*What to do — The connection pool is exhausted:*
      • Raise the pool size or lower per-request hold time
      • Find the slow queries holding connections (pg_stat_activity)
      • Shed load at the edge until the pool drains",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "block_id": "triage_ledger_unmeasured",
            "elements": [
              {
                "text": "*Not measured (2 of 5 steps):* \`error-logs\` errored (loki: connect ECONNREFUSED 10.0.4.2:3100), \`recent-deploy\` no data",
                "type": "mrkdwn",
                "verbatim": true,
              },
              {
                "text": "14 queries · 6.4 s · run \`run-7f3a\`",
                "type": "mrkdwn",
                "verbatim": true,
              },
            ],
            "type": "context",
          },
        ],
        "text": "Diagnosis: Likely cause: the connection pool is exhausted (78% confidence). Confidence is limited: error-logs could not be measured.",
      }
    `);
  });

  it('orders supported, possible, then ruled out, whatever the input order', () => {
    const verdicts: HypothesisVerdict[] = ['ruled-out', 'possible', 'supported', 'possible'];
    const result = outcome({
      hypotheses: verdicts.map((verdict, i) =>
        hypothesis({ cause: CAUSES[i] ?? 'app-error', verdict, confidence: 0.1 * (i + 1) }),
      ),
    });
    const heads = sections(renderLedger(result))
      .filter((t) => t.startsWith(':'))
      .map((t) => t.split(' — ')[0]);
    expect(heads).toEqual([
      ':large_green_circle: *Supported · 30%*',
      ':large_yellow_circle: *Possible · 40%*',
      ':large_yellow_circle: *Possible · 20%*',
      ':white_circle: *Ruled out · 10%*',
    ]);
  });

  it('gives supporting and against reasons and what limited a hypothesis', () => {
    const text = sections(renderLedger(outcome())).find((t) => t.includes('Possible')) ?? '';
    expect(text).toContain('   ✓ Errors began at 13:42');
    expect(text).toContain('   _limited: signals not measured (recent-deploy)_');
    const ruledOut = sections(renderLedger(outcome())).find((t) => t.includes('Ruled out')) ?? '';
    expect(ruledOut).toContain('   ✗ Request rate 120/s, baseline 118/s');
  });

  it('shows the mitigations of the concluded cause, not of the first hypothesis in the input', () => {
    const result = outcome({
      hypotheses: [
        hypothesis({ cause: 'db-slow', confidence: 0.8, mitigations: ['Add the missing index'] }),
        hypothesis({ cause: 'memory-leak', confidence: 0.7, mitigations: ['Restart the pods'] }),
      ],
      conclusion: { kind: 'likely-cause', cause: 'memory-leak', summary: 'Memory leak.', nextSteps: [] },
    });
    const text = sections(renderLedger(result)).find((t) => t.startsWith('*What to do')) ?? '';
    expect(text).toBe('*What to do — Memory grows without being released:*\n• Restart the pods');
  });

  it('falls back to the next steps when no cause stands', () => {
    const result = outcome({
      steps: [],
      hypotheses: [],
      suggestions: ['checkout-api', 'checkouts'],
      conclusion: {
        kind: 'unknown-service',
        summary: 'Prometheus has no metrics for a service called "chekout" in this window.',
        nextSteps: ['Did you mean "checkout-api"? Name it with "for service <name>".'],
      },
    });
    const texts = sections(renderLedger(result));
    expect(texts).toEqual([
      '*Conclusion:* Prometheus has no metrics for a service called "chekout" in this window.\n*Known services like it:* `checkout-api`, `checkouts`',
      '*What to do next:*\n• Did you mean "checkout-api"? Name it with "for service &lt;name&gt;".',
    ]);
  });

  it('says why the run failed', () => {
    const result = outcome({
      steps: [],
      hypotheses: [],
      error: { code: 'datasource_unreachable', source: 'prometheus', message: 'connect ECONNREFUSED' },
      conclusion: { kind: 'failed', summary: 'Could not look up the service: connect ECONNREFUSED', nextSteps: [] },
    });
    expect(sections(renderLedger(result))[0]).toContain(
      '*Run failed:* `prometheus` failed — connect ECONNREFUSED (`datasource_unreachable`)',
    );
  });

  it('summarises the unmeasured steps in one line', () => {
    const lines = contextTexts(renderLedger(outcome()));
    expect(lines[0]).toBe(
      '*Not measured (2 of 5 steps):* `error-logs` errored (loki: connect ECONNREFUSED 10.0.4.2:3100), `recent-deploy` no data',
    );
    expect(lines[0]).not.toContain('\n');
    expect(lines[1]).toBe('14 queries · 6.4 s · run `run-7f3a`');
    const allGood = contextTexts(renderLedger(outcome({ steps: [step()] })));
    expect(allGood).toEqual(['14 queries · 6.4 s · run `run-7f3a`']);
  });

  it('stays within the limits with 50 hostile hypotheses and 200 unmeasured steps', () => {
    const reasons = Array.from({ length: 20 }, () => hostile(3000));
    const result = outcome({
      symptom: hostile(3500),
      notes: [hostile(3000)],
      suggestions: Array.from({ length: 30 }, () => hostile(100)),
      steps: Array.from({ length: 200 }, (_, i) =>
        erroredStep({ id: `s${i}<!here>`, error: { code: 'x', source: hostile(200), message: hostile(3000) } }),
      ),
      hypotheses: Array.from({ length: 50 }, (_, i) =>
        hypothesis({
          cause: CAUSES[i % CAUSES.length] ?? 'app-error',
          title: hostile(3000),
          verdict: (['supported', 'possible', 'ruled-out'] as const)[i % 3] ?? 'possible',
          confidence: i / 50,
          supporting: reasons,
          against: reasons,
          mitigations: reasons,
          limitedBy: Array.from({ length: 40 }, () => hostile(100)),
        }),
      ),
      conclusion: { kind: 'inconclusive', summary: hostile(5000), nextSteps: reasons },
    });
    const message = renderLedger(result);
    expect(limitViolations(message)).toEqual([]);
    expect(unsafeMarkupIn(message)).toEqual([]);
    const m = measureMessage(message);
    expect(m.blocks).toBeLessThanOrEqual(LIMITS.blocks);
    expect(m.totalText).toBeLessThanOrEqual(LIMITS.totalText);
    expect(sections(message)).toContainEqual('_… 30 more hypotheses not shown (14 possible, 16 ruled out)_');
    // The mitigations and the unmeasured line survive the cut.
    expect(sections(message).some((t) => t.startsWith('*What to do — '))).toBe(true);
    expect(contextTexts(message)[0]).toMatch(/^\*Not measured \(200 of 200 steps\):\* /);
  });
});
