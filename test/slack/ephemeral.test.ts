import { describe, expect, it, vi } from 'vitest';
import { cleanEphemeral, EPHEMERAL_TEXT_MAX, guardEphemeral } from '../../src/adapters/slack/ephemeral.js';
import { redact } from '../../src/domain/redaction/redact.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const TOKEN = 'xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx';

describe('ephemeral answers', () => {
  it('are redacted and clipped, as strings or message arguments', () => {
    const long = `${TOKEN} ${'x'.repeat(50_000)}`;
    const asString = cleanEphemeral(long, redact);
    expect(asString.length).toBeLessThanOrEqual(EPHEMERAL_TEXT_MAX);
    expect(asString).not.toContain(TOKEN);
    const asMessage = cleanEphemeral(
      { response_type: 'ephemeral', text: long, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: TOKEN } }] },
      redact,
    );
    expect(asMessage.text.length).toBeLessThanOrEqual(EPHEMERAL_TEXT_MAX);
    expect(JSON.stringify(asMessage)).not.toContain(TOKEN);
    expect(asMessage.response_type).toBe('ephemeral');
  });

  it('guardEphemeral passes the cleaned answer on, and a bare ack unchanged', async () => {
    const send = vi.fn(async (_m?: unknown) => {});
    const ack = guardEphemeral(send, redact);
    await ack();
    await ack({ text: `token ${TOKEN}` });
    expect(send.mock.calls[0]).toEqual([undefined]);
    expect(JSON.stringify(send.mock.calls[1])).not.toContain(TOKEN);
  });

  describe('the "Diagnosing…" answer to /diagnose', () => {
    let slack: SlackHarness | undefined;

    it('quotes a 50 KB command with a token clipped and redacted', async () => {
      slack = await startSlackHarness({
        prometheusUrl: 'http://127.0.0.1:9',
        now: () => new Date('2026-01-01T00:00:00Z'),
      });
      try {
        const text = `checkout errors ${TOKEN} ${'slow '.repeat(10_000)}`;
        const ack = await slack.command(text);
        expect(ack.status).toBe(200);
        const body = JSON.stringify(ack.body);
        expect(body).toMatch(/Diagnosing/);
        expect(body).not.toContain(TOKEN);
        expect(body.length).toBeLessThan(1000);
        await slack.settled(30_000).catch(() => {});
      } finally {
        await slack.stop();
      }
    }, 60_000);
  });
});
