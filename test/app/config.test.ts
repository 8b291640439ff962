import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { ConfigError } from '../../src/domain/errors.js';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'secret',
  PROMETHEUS_URL: 'http://prometheus:9090',
};

describe('loadConfig', () => {
  it('parses a valid environment with defaults, frozen', () => {
    const config = loadConfig(VALID);
    expect(config).toMatchObject({
      port: 3000,
      deadlineMs: 60_000,
      prometheus: { url: VALID.PROMETHEUS_URL, timeoutMs: 5000 },
    });
    expect(config.slack.appToken).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
  });

  it('names everything that is missing and points to the demo', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    try {
      loadConfig({});
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/SLACK_BOT_TOKEN is required/);
      expect(message).toMatch(/PROMETHEUS_URL must be set/);
      expect(message).toMatch(/npm run demo/);
    }
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'abc' }, /SLACK_BOT_TOKEN must be a bot token starting with xoxb-/],
    [{ SLACK_APP_TOKEN: 'nope' }, /SLACK_APP_TOKEN must be an app-level token/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ TRIAGE_TIMEZONE: 'Mars/Olympus' }, /TRIAGE_TIMEZONE must be an IANA time zone/],
    [{ SLACK_API_URL: 'not a url' }, /SLACK_API_URL must be a URL/],
    [{ TRIAGE_REDACT_PATTERNS: 'ACME-[0-9]+' }, /TRIAGE_REDACT_PATTERNS must be a JSON array/],
    [{ TRIAGE_REDACT_PATTERNS: '["ok", "(unclosed"]' }, /not a valid regular expression: "\(unclosed"/],
    [{ SLACK_SIGNING_SECRET: '' }, /SLACK_SIGNING_SECRET is required for the HTTP receiver.*SLACK_APP_TOKEN/],
  ])('rejects %j with a readable message', (override, message) => {
    expect(() => loadConfig({ ...VALID, ...override })).toThrow(message);
  });

  it('reads extra redaction patterns', () => {
    expect(loadConfig({ ...VALID, TRIAGE_REDACT_PATTERNS: '["ACME-[0-9]{6}"]' }).redactPatterns).toEqual([
      'ACME-[0-9]{6}',
    ]);
  });

  it('accepts Socket Mode without a signing secret', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1-A',
      PROMETHEUS_URL: 'http://p:9090',
    });
    expect(config.slack.appToken).toBe('xapp-1-A');
  });

  it('never echoes a token in its errors', () => {
    expect(() => loadConfig({ ...VALID, SLACK_APP_TOKEN: 'xoxb-secret-token' })).toThrow(
      /^(?![\s\S]*xoxb-secret-token)/,
    );
  });
});
