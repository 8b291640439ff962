import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { renderHelp } from '../../../../src/adapters/slack/blocks/render-help.js';
import { allTexts, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

describe('renderHelp', () => {
  const message = renderHelp();
  const text = allTexts(message).join('\n');

  it('gives the usage with its placeholders escaped', () => {
    expect(text).toContain(
      '*Usage:* `/diagnose &lt;symptom&gt; [for &lt;service&gt;] [at &lt;time&gt;] [since &lt;duration&gt;]`',
    );
  });

  it('lists the examples and what to do in a thread', () => {
    for (const example of [
      '/diagnose 502 on checkout',
      '/diagnose p99 latency up on quotes since 14:05',
      '/diagnose errors for service checkout at 2026-11-01T14:00Z',
      '/diagnose memory keeps growing on mailer for the last 2h',
      '/diagnose export',
      '@triage why?',
      '@triage re-run',
    ]) {
      expect(text).toContain(`\`${example}\``);
    }
  });

  it('is within the limits, escaped, and has a fallback text', () => {
    expect(limitViolations(message)).toEqual([]);
    expect(unsafeMarkupIn(message)).toEqual([]);
    expect(message.text).toMatch(/^How to use \/diagnose/);
  });
});
