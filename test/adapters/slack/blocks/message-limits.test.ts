import type { Button, KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  enforceLimits,
  LIMITS,
  limitViolations,
  measureMessage,
} from '../../../../src/adapters/slack/blocks/message-limits.js';
import type { SlackMessage } from '../../../../src/adapters/slack/blocks/slack-message.js';
import { BLOCKS } from '../../../../src/adapters/slack/ids.js';
import { escapeMrkdwn } from '../../../../src/adapters/slack/mrkdwn.js';
import { hostile, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

function section(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function button(text: string, value = 'run-1'): Button {
  return { type: 'button', text: { type: 'plain_text', text }, action_id: 'triage_rerun', value };
}

const actions: KnownBlock = { type: 'actions', block_id: 'acts', elements: [button('Re-run')] };

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

describe('enforceLimits', () => {
  it('leaves a message within the limits as it is', () => {
    const message: SlackMessage = { text: 'hello', blocks: [section('a'), actions] };
    expect(enforceLimits(message)).toEqual(message);
  });

  it('folds blocks past 50 into a "… N more" section and keeps the buttons last', () => {
    const blocks = [...Array.from({ length: 80 }, (_, i) => section(`block ${i}`)), actions];
    const out = enforceLimits({ text: 'x', blocks });
    expect(out.blocks).toHaveLength(LIMITS.blocks);
    expect(out.blocks.at(-1)).toEqual(actions);
    const more = out.blocks.at(-2) as SectionBlock;
    expect(more.block_id).toBe(BLOCKS.more);
    expect(more.text?.text).toBe('_… 32 more_');
    expect(sectionTexts(out).slice(0, 48)).toEqual(Array.from({ length: 48 }, (_, i) => `block ${i}`));
  });

  it('uses the given wording for folded blocks', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => section(`block ${i}`));
    const out = enforceLimits({ text: 'x', blocks }, { more: (n) => `${n} steps not shown` });
    expect(sectionTexts(out).at(-1)).toBe('11 steps not shown');
  });

  it('caps section text, header, ids, buttons and context elements', () => {
    const message: SlackMessage = {
      text: 'x',
      blocks: [
        { type: 'header', block_id: 'h'.repeat(300), text: { type: 'plain_text', text: 'H'.repeat(400) } },
        section(escapeMrkdwn('<&>'.repeat(2000))),
        {
          type: 'context',
          elements: Array.from({ length: 15 }, (_, i) => ({ type: 'mrkdwn' as const, text: `c${i}` })),
        },
        { type: 'actions', elements: [{ ...button('B'.repeat(100)), action_id: 'a'.repeat(300) }] },
        {
          type: 'section',
          fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: 'f'.repeat(2500) })),
        },
      ],
    };
    const out = enforceLimits(message);
    const m = measureMessage(out);
    expect(m.maxHeaderText).toBe(LIMITS.headerText);
    expect(m.maxSectionText).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(m.maxId).toBe(255);
    expect(m.maxButtonText).toBe(LIMITS.buttonText);
    expect(m.maxContextElements).toBe(10);
    expect(m.maxSectionFields).toBe(10);
    expect(m.maxFieldText).toBeLessThanOrEqual(LIMITS.sectionFieldText);
    const context = out.blocks[2];
    expect(context?.type === 'context' && context.elements.at(-1)).toEqual({
      type: 'mrkdwn',
      text: 'c9 · c10 · c11 · c12 · c13 · c14',
    });
    // The escaped section was cut between entities, never inside one.
    const cut = sectionTexts(out)[0] ?? '';
    expect(cut).toMatch(/^(&lt;|&amp;|&gt;)+…$/);
    expect(limitViolations(out)).toEqual([]);
  });

  it('keeps the total text within the budget by cutting the longest texts first', () => {
    const short = Array.from({ length: 5 }, (_, i) => section(`short ${i} ${'s'.repeat(40)}`));
    const long = Array.from({ length: 4 }, (_, i) => section(`long ${i} ${'l'.repeat(2990)}`));
    const before = measureMessage({ text: 'x', blocks: [...short, ...long] });
    expect(before.totalText).toBeGreaterThan(LIMITS.totalText);
    const out = enforceLimits({ text: 'x', blocks: [...short, ...long] });
    const m = measureMessage(out);
    expect(m.totalText).toBeLessThanOrEqual(LIMITS.totalText);
    expect(m.totalText).toBeGreaterThan(LIMITS.totalText - 20);
    const texts = sectionTexts(out);
    expect(texts.slice(0, 5)).toEqual(short.map((s) => s.text?.text));
    for (const t of texts.slice(5)) {
      expect(t.endsWith('…')).toBe(true);
      expect(t.length).toBeLessThan(2800);
    }
  });

  it('gives a non-empty fallback text of at most 3000 characters', () => {
    expect(enforceLimits({ text: '', blocks: [section('first words')] }).text).toBe('first words');
    expect(enforceLimits({ text: '  ', blocks: [] }).text).toBe('Triage');
    expect(enforceLimits({ text: 'y'.repeat(50_000), blocks: [] }).text).toHaveLength(LIMITS.fallbackText);
  });

  it('replaces empty section text, which Slack rejects', () => {
    const out = enforceLimits({ text: 'x', blocks: [section('')] });
    expect(measureMessage(out).emptyTexts).toBe(0);
  });

  it('drops a button whose value is too long rather than sending a cut run id, and empty actions blocks', () => {
    const out = enforceLimits({
      text: 'x',
      blocks: [
        { type: 'actions', elements: [button('ok'), button('too long', 'r'.repeat(2001))] },
        { type: 'actions', elements: [button('alone', 'r'.repeat(2001))] },
      ],
    });
    expect(out.blocks).toHaveLength(1);
    expect(out.blocks[0]?.type === 'actions' && out.blocks[0].elements).toHaveLength(1);
  });

  it('does not modify its input and is idempotent', () => {
    const message: SlackMessage = {
      text: 'x',
      blocks: Array.from({ length: 70 }, () => section(hostile(100).replace(/[<>&]/g, '.').repeat(30))),
    };
    const copy = structuredClone(message);
    const once = enforceLimits(message);
    expect(message).toEqual(copy);
    expect(enforceLimits(once)).toEqual(once);
  });

  it('keeps escaped hostile text escaped through every cut', () => {
    const blocks = Array.from({ length: 60 }, () => section(escapeMrkdwn(hostile(3500))));
    const out = enforceLimits({ text: escapeMrkdwn(hostile(5000)), blocks });
    expect(limitViolations(out)).toEqual([]);
    expect(unsafeMarkupIn(out)).toEqual([]);
  });
});

describe('measureMessage and limitViolations', () => {
  it('counts blocks, the longest section and the total text', () => {
    const message: SlackMessage = {
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Title' } },
        section('abc'),
        section('abcdef'),
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'ctx' }] },
        actions,
      ],
    };
    expect(measureMessage(message)).toMatchObject({
      blocks: 5,
      maxSectionText: 6,
      maxHeaderText: 5,
      maxContextElements: 1,
      maxButtonText: 6,
      totalText: 5 + 3 + 6 + 3 + 6,
      fallbackText: 8,
    });
    expect(limitViolations(message)).toEqual([]);
  });

  it('reports what is over the limits', () => {
    const message: SlackMessage = {
      text: '',
      blocks: Array.from({ length: 51 }, () => section('z'.repeat(3001))),
    };
    expect(limitViolations(message)).toEqual([
      '51 blocks > 50',
      'section text 3001 > 3000',
      'total text 153051 > 11000',
      'fallback text length 0',
    ]);
  });
});
