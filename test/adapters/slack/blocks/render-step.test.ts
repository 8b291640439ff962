import type { SectionBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, limitViolations, measureMessage } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { renderStep } from '../../../../src/adapters/slack/blocks/render-step.js';
import type { SlackMessage } from '../../../../src/adapters/slack/blocks/slack-message.js';
import type { StepResult } from '../../../../src/domain/engine/types.js';
import { STEP_STATUSES } from '../../../../src/domain/playbook/schema.js';
import {
  allTexts,
  erroredStep,
  evidence,
  hostile,
  series,
  step,
  unsafeMarkupIn,
} from '../../../support/diagnosis-factory.js';

function sections(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('renderStep', () => {
  it('renders a critical step with its evidence', () => {
    expect(renderStep(step())).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "block_id": "triage_step_summary",
            "text": {
              "text": ":red_circle: *Connection pool usage* — critical",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "text": {
              "text": "• Connection pool usage: 98% (orders-db); baseline 41% same time one day earlier; warn ≥ 80%, crit ≥ 95%  \`▁▁▂▄▅▇██\`
         pool=\`orders-db\`
         <http://prometheus.internal:9090/graph?g0.expr=max%20by%20(pool)%20(db_pool_in_use%7Bservice%3D%22checkout%22%7D%20%2F%20db_pool_max%7Bservice%3D%22checkout%22%7D)&amp;g0.tab=0&amp;g0.range_input=30m&amp;g0.end_input=2026-11-01%2014%3A00%3A00&amp;g0.stacked=0|query>",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "block_id": "triage_step_context",
            "elements": [
              {
                "text": "step \`pool-saturation\` · 184 ms",
                "type": "mrkdwn",
                "verbatim": true,
              },
              {
                "text": "_Why:_ An exhausted pool makes requests wait for a connection, then time out upstream as 502s.",
                "type": "mrkdwn",
                "verbatim": true,
              },
            ],
            "type": "context",
          },
        ],
        "text": "critical: Connection pool usage — Connection pool usage: 98% (orders-db); baseline 41% same time one day earlier; warn ≥ 80%, crit ≥ 95%",
      }
    `);
  });

  it('puts the status emoji and the title first, for every status', () => {
    const emoji = {
      ok: ':white_check_mark:',
      warn: ':warning:',
      crit: ':red_circle:',
      no_data: ':grey_question:',
      errored: ':x:',
      skipped: ':fast_forward:',
    };
    for (const status of STEP_STATUSES) {
      const first = sections(renderStep(step({ status })))[0] ?? '';
      expect(first.startsWith(`${emoji[status]} *Connection pool usage* — `)).toBe(true);
    }
  });

  it('draws the sparkline only for a series of two points or more', () => {
    const two = sections(renderStep(step({ evidence: [evidence({ series: series([1, 2]) })] })))[1];
    expect(two).toContain('`▁█`');
    const one = sections(renderStep(step({ evidence: [evidence({ series: series([1]) })] })))[1];
    expect(one).not.toMatch(/[▁▂▃▄▅▆▇█]/);
  });

  it('links to the query with an escaped URL', () => {
    const text = sections(renderStep(step()))[1] ?? '';
    expect(text).toMatch(
      /<http:\/\/prometheus\.internal:9090\/graph\?g0\.expr=[^|<>\s]+&amp;g0\.tab=0[^|<>\s]*\|query>/,
    );
    const odd = sections(renderStep(step({ evidence: [evidence({ link: 'https://prom.example/graph?x=a|b>c' })] })))[1];
    expect(odd).toContain('<https://prom.example/graph?x=a%7Cb%3Ec|query>');
  });

  it('drops an invalid link and shows the query itself instead', () => {
    for (const link of ['javascript:alert(1)', 'not a url', '<https://evil.example|click>']) {
      const text = sections(renderStep(step({ evidence: [evidence({ link, query: 'up{job="a<b>"}' })] })))[1] ?? '';
      expect(text).not.toContain('|query>');
      expect(text).toContain('query `up{job="a&lt;b&gt;"}`');
    }
  });

  it('says which source failed and why for an errored step', () => {
    const message = renderStep(erroredStep());
    expect(sections(message)[0]).toBe(
      ':x: *Error log lines* — errored\n*Could not run:* `loki` failed — connect ECONNREFUSED 10.0.4.2:3100 (`datasource_unreachable`)',
    );
    expect(message.text).toBe('errored: Error log lines — connect ECONNREFUSED 10.0.4.2:3100');
    const noSource = renderStep(erroredStep({ error: { code: 'timeout', message: 'deadline exceeded' } }));
    expect(sections(noSource)[0]).toContain('*Could not run:* a data source failed — deadline exceeded');
    const { error: _error, ...withoutError } = erroredStep({ reason: 'unknown signal x' });
    const noError = renderStep(withoutError);
    expect(sections(noError)[0]).toContain('*Could not run:* unknown signal x');
  });

  it('gives the reason for no-data and skipped steps', () => {
    const noData = renderStep(step({ status: 'no_data', evidence: [], reason: 'the query returned no values' }));
    expect(sections(noData)[0]).toContain('*No data:* the query returned no values');
    const skipped = renderStep(step({ status: 'skipped', evidence: [], reason: 'no 5xx errors to break down' }));
    expect(sections(skipped)[0]).toContain('*Skipped:* no 5xx errors to break down');
  });

  it('shows the note and the labels, escaped', () => {
    const text =
      sections(
        renderStep(
          step({ evidence: [evidence({ note: 'p99 from <histogram>', labels: { peer: 'pay`ments<!here>' } })] }),
        ),
      )[1] ?? '';
    expect(text).toContain('_p99 from &lt;histogram&gt;_');
    expect(text).toContain('peer=`payˋments&lt;!here&gt;`');
  });

  it('stays within the limits with 200 hostile evidence items', () => {
    const hostileEvidence = evidence({
      summary: hostile(3500),
      note: hostile(3200),
      labels: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`l${i}<>`, hostile(3100)])),
      query: hostile(3000),
      link: `https://prom.example/graph?q=${hostile(2500)}`,
      series: series(Array.from({ length: 60 }, (_, i) => Math.sin(i))),
    });
    const message = renderStep(
      step({
        title: hostile(3000),
        reason: hostile(3000),
        explain: hostile(3000),
        evidence: Array.from({ length: 200 }, () => hostileEvidence),
      }),
    );
    expect(limitViolations(message)).toEqual([]);
    expect(unsafeMarkupIn(message)).toEqual([]);
    const m = measureMessage(message);
    expect(m.blocks).toBeLessThanOrEqual(LIMITS.blocks);
    expect(m.totalText).toBeLessThanOrEqual(LIMITS.totalText);
    expect(sections(message).at(-1)).toBe('_… 180 more evidence not shown_');
  });

  it('stays within the limits and escaped for any values (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 400 });
    const arbitraryStep = fc.record({
      title: text,
      summary: text,
      label: text,
      link: text,
      reason: text,
      status: fc.constantFrom(...STEP_STATUSES),
      count: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(arbitraryStep, (a) => {
        const s: StepResult = step({
          title: a.title,
          status: a.status,
          reason: a.reason,
          evidence: Array.from({ length: a.count }, () =>
            evidence({ summary: `${a.summary}<!channel>`, labels: { peer: a.label }, link: a.link }),
          ),
        });
        const message = renderStep(s);
        expect(limitViolations(message)).toEqual([]);
        expect(unsafeMarkupIn(message)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('uses the first evidence as the fallback text', () => {
    const message = renderStep(step());
    expect(message.text).toBe(
      'critical: Connection pool usage — Connection pool usage: 98% (orders-db); baseline 41% same time one day earlier; warn ≥ 80%, crit ≥ 95%',
    );
    expect(allTexts(message).every((t) => t.length > 0)).toBe(true);
    const first = message.blocks[0] as SectionBlock;
    expect(first.text?.type).toBe('mrkdwn');
  });
});

describe('renderStep with log patterns', () => {
  it('says of each pattern whether it is new or how often the baseline had it', () => {
    const logs: StepResult = {
      ...step(),
      id: 'log-patterns',
      title: 'Top error patterns',
      patterns: [
        {
          template: 'No instances available for inventory-service',
          count: 110,
          samples: ['No instances available for inventory-service'],
          signatures: [],
          baselineCount: 0,
          isNew: true,
          anomalous: true,
        },
        {
          template: 'Recommendation widget timed out',
          count: 7,
          samples: ['Recommendation widget timed out'],
          signatures: [],
          baselineCount: 6,
          isNew: false,
          anomalous: false,
        },
      ],
    };
    const texts = sections(renderStep(logs));
    expect(texts).toContainEqual(
      expect.stringContaining('*110×* No instances available for inventory-service _(new: none in the baseline)_'),
    );
    expect(texts).toContainEqual(expect.stringContaining('*7×* Recommendation widget timed out _(6 in the baseline)_'));
  });
});
