import type { ContextBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { renderRoot } from '../../../../src/adapters/slack/blocks/render-root.js';
import { rootState } from '../../../support/diagnosis-factory.js';

function context(state: Parameters<typeof renderRoot>[0]): string {
  const block = renderRoot(state).blocks.find((b) => b.type === 'context' && b.block_id === 'triage_root_context') as
    | ContextBlock
    | undefined;
  const [first] = block?.elements ?? [];
  return first && 'text' in first ? first.text : '';
}

describe('renderRoot of a slash command resumed after a restart', () => {
  it('says it was resumed after a Triage restart, with the time the command was asked', () => {
    const text = context({ ...rootState(), resumedFrom: new Date('2026-11-01T13:58:00Z') });
    expect(text).toContain(':repeat: resumed after a Triage restart (asked 2026-11-01 13:58 UTC)');
  });

  it('says nothing of the kind for a run that was not resumed', () => {
    expect(context(rootState())).not.toMatch(/resumed/);
  });
});
