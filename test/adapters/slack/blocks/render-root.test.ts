import type { ActionsBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { LIMITS, limitViolations, measureMessage } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { formatWindow, renderRoot } from '../../../../src/adapters/slack/blocks/render-root.js';
import { ACTIONS } from '../../../../src/adapters/slack/ids.js';
import { hostile, rootState, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

function summary(state: Parameters<typeof renderRoot>[0]): string {
  const block = renderRoot(state).blocks.find((b) => b.type === 'section') as SectionBlock;
  return block.text?.text ?? '';
}

function buttons(state: Parameters<typeof renderRoot>[0]) {
  const block = renderRoot(state).blocks.find((b) => b.type === 'actions') as ActionsBlock;
  return block.elements.map((e) =>
    e.type === 'button' ? { action: e.action_id, value: e.value, text: e.text.text } : e,
  );
}

describe('renderRoot', () => {
  it('renders a running diagnosis', () => {
    expect(renderRoot(rootState())).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "block_id": "triage_root_header",
            "text": {
              "emoji": true,
              "text": "Triage: 502 on checkout",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "block_id": "triage_root_summary",
            "text": {
              "text": "*Status:* :hourglass_flowing_sand: Running — 3 of 9 steps done
      *Leading hypothesis so far:* The connection pool is exhausted — *62%* confidence \`connection-pool-exhausted\`
      *What to do next:*
      • Raise the pool size or lower per-request hold time",
              "type": "mrkdwn",
              "verbatim": true,
            },
            "type": "section",
          },
          {
            "block_id": "triage_root_context",
            "elements": [
              {
                "text": "service *checkout* · playbook \`http-5xx\` · window 2026-11-01 13:30–14:00 UTC · run \`run-7f3a\`",
                "type": "mrkdwn",
                "verbatim": true,
              },
            ],
            "type": "context",
          },
          {
            "block_id": "triage_root_actions",
            "elements": [
              {
                "action_id": "triage_rerun",
                "text": {
                  "emoji": true,
                  "text": "Re-run",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "run-7f3a",
              },
              {
                "action_id": "triage_confirm",
                "style": "primary",
                "text": {
                  "emoji": true,
                  "text": "Confirm cause",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "run-7f3a",
              },
              {
                "action_id": "triage_reject",
                "style": "danger",
                "text": {
                  "emoji": true,
                  "text": "Reject cause",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "run-7f3a",
              },
              {
                "action_id": "triage_export_postmortem",
                "text": {
                  "emoji": true,
                  "text": "Export post-mortem",
                  "type": "plain_text",
                },
                "type": "button",
                "value": "run-7f3a",
              },
            ],
            "type": "actions",
          },
        ],
        "text": "Triage: 502 on checkout — running · Leading hypothesis so far: The connection pool is exhausted (62%)",
      }
    `);
  });

  it('shows the likely cause, the finding and who confirmed it once finished', () => {
    const text = summary(
      rootState({
        status: 'finished',
        stepsDone: 9,
        top: { cause: 'connection-pool-exhausted', title: 'The connection pool is exhausted', confidence: 0.78 },
        conclusion: {
          kind: 'likely-cause',
          cause: 'connection-pool-exhausted',
          confidence: 0.78,
          summary: 'Likely cause: the connection pool is exhausted (78% confidence).',
          nextSteps: [],
        },
        decision: { userId: 'U0ONCALL', decision: 'confirmed' },
      }),
    );
    expect(text).toContain('*Status:* :white_check_mark: Finished — 9 steps');
    expect(text).toContain('*Likely cause:* The connection pool is exhausted — *78%* confidence');
    expect(text).toContain(':white_check_mark: Cause confirmed by <@U0ONCALL>');
    // The summary of a likely-cause conclusion would repeat the cause line.
    expect(text).not.toContain('*Finding:*');
  });

  it('names no cause below 50% once the run has ended: the finding says what was found', () => {
    const text = summary(
      rootState({
        status: 'finished',
        top: { cause: 'bad-deploy', title: 'A recent deploy', confidence: 0.3 },
        conclusion: { kind: 'inconclusive', summary: 'Anomalies found, but no cause reached 50%.', nextSteps: [] },
        decision: { userId: 'U0ONCALL', decision: 'rejected' },
      }),
    );
    expect(text).not.toContain('A recent deploy');
    expect(text).not.toContain('30%');
    expect(text).toContain('*Finding:* Anomalies found, but no cause reached 50%.');
    expect(text).toContain(':no_entry_sign: Cause rejected by <@U0ONCALL>');
  });

  it('says "no anomaly found" for a healthy service, never a 10% best guess, in the blocks and the fallback text', () => {
    const state = rootState({
      status: 'finished',
      top: { cause: 'connection-pool-exhausted', title: 'The connection pool is exhausted', confidence: 0.1 },
      conclusion: {
        kind: 'no-anomaly',
        summary: 'No anomaly found: every signal measured (9 of 9) is within its thresholds and its baseline.',
        nextSteps: [],
      },
      nextSteps: ['Check that the symptom is visible from here.'],
      decision: null,
    });
    const text = summary(state);
    const { text: fallback } = renderRoot(state);
    for (const shown of [text, fallback]) {
      expect(shown).toContain('No anomaly found');
      expect(shown).not.toMatch(/pool|10%|best guess/i);
    }
    expect(buttons(state).map((b) => 'action' in b && b.action)).toEqual([ACTIONS.rerun, ACTIONS.exportPostmortem]);
  });

  it('shows a leading hypothesis while running only once it is worth reading', () => {
    const weak = rootState({ top: { cause: 'bad-deploy', title: 'A recent deploy', confidence: 0.1 } });
    expect(summary(weak)).toContain('_No strong hypothesis yet._');
    expect(summary(weak)).not.toContain('A recent deploy');
    expect(summary(weak)).not.toContain('What to do next');
    expect(summary(rootState())).toContain('*Leading hypothesis so far:*');
  });

  it('describes failed and interrupted runs', () => {
    expect(summary(rootState({ status: 'failed', stepsDone: 0, stepsTotal: 0, top: null }))).toContain(
      '*Status:* :x: Failed',
    );
    expect(summary(rootState({ status: 'interrupted', stepsDone: 4, stepsTotal: 9 }))).toContain(
      'Interrupted after 4 of 9 steps (Triage stopped mid-run) — partial results; press *Re-run* to diagnose again',
    );
    expect(summary(rootState({ top: null }))).toContain('_No hypothesis yet._');
  });

  it('offers confirm and reject only when there is a top hypothesis; every button carries the run id', () => {
    expect(buttons(rootState())).toEqual([
      { action: ACTIONS.rerun, value: 'run-7f3a', text: 'Re-run' },
      { action: ACTIONS.confirm, value: 'run-7f3a', text: 'Confirm cause' },
      { action: ACTIONS.reject, value: 'run-7f3a', text: 'Reject cause' },
      { action: ACTIONS.exportPostmortem, value: 'run-7f3a', text: 'Export post-mortem' },
    ]);
    expect(buttons(rootState({ top: null })).map((b) => 'action' in b && b.action)).toEqual([
      ACTIONS.rerun,
      ACTIONS.exportPostmortem,
    ]);
  });

  it('lists at most five next steps and counts the rest', () => {
    const text = summary(rootState({ nextSteps: Array.from({ length: 8 }, (_, i) => `do ${i}`) }));
    expect(text).toContain('• do 4');
    expect(text).not.toContain('• do 5');
    expect(text).toContain('_… 3 more in the thread_');
  });

  it('formats the window in UTC, with both dates across midnight', () => {
    expect(formatWindow({ start: new Date('2026-11-01T23:30:00Z'), end: new Date('2026-11-02T00:30:00Z') })).toBe(
      '2026-11-01 23:30 → 2026-11-02 00:30 UTC',
    );
    expect(formatWindow({ start: new Date('bad'), end: new Date() })).toBe('unknown window');
  });

  it('survives hostile values within the limits and escapes all of them', () => {
    const state = rootState({
      symptom: hostile(3500),
      service: hostile(3200),
      playbook: hostile(300),
      runId: 'run-<!channel>',
      top: { cause: 'app-error', title: hostile(3100), confidence: 0.9 },
      conclusion: { kind: 'inconclusive', summary: hostile(4000), nextSteps: [] },
      nextSteps: Array.from({ length: 200 }, () => hostile(3000)),
      decision: { userId: '<!channel>', decision: 'confirmed' },
      stepsDone: 200,
      stepsTotal: 200,
    });
    const message = renderRoot(state);
    expect(limitViolations(message)).toEqual([]);
    expect(unsafeMarkupIn(message)).toEqual([]);
    const m = measureMessage(message);
    expect(m.maxHeaderText).toBeLessThanOrEqual(LIMITS.headerText);
    expect(m.totalText).toBeLessThanOrEqual(LIMITS.totalText);
    const header = message.blocks[0];
    expect(header?.type === 'header' && header.text.text.startsWith('Triage: &lt;!channel&gt;')).toBe(true);
    // The run id stays whole in the button values even when it contains markup.
    expect(buttons(state).every((b) => 'value' in b && b.value === 'run-<!channel>')).toBe(true);
  });

  it('mentions only a well-formed user id', () => {
    const message = renderRoot(rootState({ decision: { userId: 'U123> <!here', decision: 'rejected' } }));
    expect(unsafeMarkupIn(message)).toEqual([]);
    expect(summary(rootState({ decision: { userId: 'U123> <!here', decision: 'rejected' } }))).toContain(
      'Cause rejected by `U123&gt; &lt;!here`',
    );
  });
});
