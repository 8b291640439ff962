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
    expect(config.store.retentionDays).toBe(90);
    expect(loadConfig({ ...VALID, TRIAGE_RUN_RETENTION_DAYS: '0' }).store.retentionDays).toBe(0);
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
    [{ ALERT_CHANNELS: 'C0ALERTS01,#alerts' }, /ALERT_CHANNELS must list channel ids.*"#alerts"/],
    [{ ALERT_WEBHOOK_CHANNEL: 'alerts' }, /ALERT_WEBHOOK_CHANNEL must be a channel id/],
    [{ ALERT_WEBHOOK_TOKEN: 'short' }, /ALERT_WEBHOOK_TOKEN must be at least 16 characters/],
    [
      { ALERT_WEBHOOK_TOKEN: 'a-long-enough-secret-value' },
      /ALERT_WEBHOOK_CHANNEL is required when ALERT_WEBHOOK_TOKEN/,
    ],
    [{ ALERT_DEDUP_WINDOW: 'an hour' }, /ALERT_DEDUP_WINDOW must be a duration such as 30m/],
    [{ ALERT_GROUP_WINDOW: '0m' }, /ALERT_GROUP_WINDOW must be a duration/],
    [{ ALERT_MIN_SEVERITY: 'urgent' }, /ALERT_MIN_SEVERITY must be one of info, warning, error, critical/],
    [{ ALERT_QUEUE_MAX: '0' }, /ALERT_QUEUE_MAX/],
    [{ TRIAGE_RUN_RETENTION_DAYS: '-1' }, /TRIAGE_RUN_RETENTION_DAYS/],
    [{ TRIAGE_RUN_RETENTION_DAYS: 'forever' }, /TRIAGE_RUN_RETENTION_DAYS/],
  ])('rejects %j with a readable message', (override, message) => {
    expect(() => loadConfig({ ...VALID, ...override })).toThrow(message);
  });

  it('reads the alert settings, with defaults', () => {
    expect(loadConfig(VALID).alerts).toEqual({
      channels: [],
      dedupeWindowMs: 3_600_000,
      groupWindowMs: 600_000,
      minSeverity: 'warning',
      queueMax: 20,
      concurrency: 2,
    });
    const config = loadConfig({
      ...VALID,
      ALERT_CHANNELS: ' C0ALERTS01, G0PRIVATE1 C0ALERTS01 ',
      ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01',
      ALERT_WEBHOOK_TOKEN: 'a-long-enough-secret-value',
      ALERT_DEDUP_WINDOW: '1h30m',
      ALERT_GROUP_WINDOW: '5m',
      ALERT_MIN_SEVERITY: 'Critical',
      ALERT_QUEUE_MAX: '100',
      ALERT_CONCURRENCY: '4',
    });
    expect(config.alerts).toEqual({
      channels: ['C0ALERTS01', 'G0PRIVATE1'],
      webhookChannel: 'C0ALERTS01',
      webhookToken: 'a-long-enough-secret-value',
      dedupeWindowMs: 5_400_000,
      groupWindowMs: 300_000,
      minSeverity: 'critical',
      queueMax: 100,
      concurrency: 4,
    });
    expect(Object.isFrozen(config.alerts)).toBe(true);
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
