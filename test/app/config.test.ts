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
      expect(message).toMatch(/PROMETHEUS_URL is required: the Prometheus base URL/);
      expect(message).toMatch(/npm run demo/);
    }
  });

  it.each([
    [{ SLACK_BOT_TOKEN: 'abc' }, /SLACK_BOT_TOKEN must be a bot token starting with xoxb-/],
    [{ SLACK_APP_TOKEN: 'nope' }, /SLACK_APP_TOKEN must be an app-level token/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ TRIAGE_TIMEZONE: 'Mars/Olympus' }, /TRIAGE_TIMEZONE must be an IANA time zone/],
    [{ SLACK_API_URL: 'not a url' }, /SLACK_API_URL must be an http\(s\) URL/],
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

describe('loadConfig reports every problem at once', () => {
  const message = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('loadConfig accepted the environment');
  };

  it('lists field problems and cross-variable problems together, each once, with a count', () => {
    const text = message({
      PORT: 'abc',
      PROMETHEUS_URL: 'nope',
      ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01',
      TRIAGE_REPLY_BURST: '11',
    });
    expect(text).toMatch(/^Triage cannot start: 6 configuration problems\./);
    expect(text).toContain('SLACK_BOT_TOKEN is required');
    expect(text).toContain('SLACK_SIGNING_SECRET is required for the HTTP receiver');
    expect(text).toContain('PORT must be a whole number from 0 to 65535; got "abc"');
    expect(text).toContain('PROMETHEUS_URL must be an http(s) URL such as http://prometheus:9090; got "nope"');
    expect(text).toContain('TRIAGE_REPLY_BURST must be a whole number from 1 to 10; got "11"');
    expect(text).toMatch(/ALERT_WEBHOOK_TOKEN is required when ALERT_WEBHOOK_CHANNEL is set/);
  });

  it.each([
    ['PORT', '80.5', 'must be a whole number from 0 to 65535; got "80.5"'],
    ['PORT', '70000', 'must be a whole number from 0 to 65535; got "70000"'],
    ['PORT', '3e3', 'must be a whole number from 0 to 65535; got "3e3"'],
    ['TRIAGE_QUERY_TIMEOUT_MS', '0', 'must be a whole number 1 or more; got "0"'],
    ['TRIAGE_DEADLINE_MS', '-5', 'must be a whole number 1 or more; got "-5"'],
    ['TRIAGE_SHUTDOWN_GRACE_MS', 'soon', 'must be a whole number from 0 to 600000; got "soon"'],
    ['ALERT_CONCURRENCY', '51', 'must be a whole number from 1 to 50; got "51"'],
  ])('numbers: %s=%s says it %s', (variable, value, expected) => {
    expect(message({ ...VALID, [variable]: value })).toContain(`${variable} ${expected}`);
  });

  it.each([
    ['PROMETHEUS_URL', 'nope'],
    ['PROMETHEUS_URL', 'ftp://prometheus:9090'],
    ['LOKI_URL', 'loki:3100'],
    ['ELASTICSEARCH_URL', 'es'],
    ['SLACK_API_URL', 'file:///etc/passwd'],
  ])('URLs: %s=%s must be http(s)', (variable, value) => {
    expect(message({ ...VALID, [variable]: value })).toContain(`${variable} must be an http(s) URL such as`);
  });

  it('names a missing required URL as missing, not as malformed', () => {
    const text = message({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(text).toContain('PROMETHEUS_URL is required: the Prometheus base URL, e.g. http://prometheus:9090');
    expect(text).toMatch(/^Triage cannot start: a configuration problem\./);
  });

  it('masks secrets: a bad token is shown by its length only, URL passwords never', () => {
    const text = message({
      ...VALID,
      SLACK_BOT_TOKEN: 'xoxa-very-secret-value',
      LOKI_URL: 'ftp://admin:hunter2-password@loki:3100',
    });
    expect(text).toContain(
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-; got a value (22 characters, masked)',
    );
    expect(text).not.toContain('very-secret');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('LOKI_URL must be an http(s) URL');
  });

  it('cuts a very long bad value', () => {
    const text = message({ ...VALID, PORT: '9'.repeat(500) });
    expect(text).toContain(`got "${'9'.repeat(119)}…"`);
    expect(text).not.toContain('9'.repeat(121));
  });

  it('flags: ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED must be true or false', () => {
    expect(message({ ...VALID, ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED: 'maybe' })).toContain(
      'ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED must be true or false; got "maybe"',
    );
  });

  it('refuses an open webhook unless ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED=true', () => {
    expect(message({ ...VALID, ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01' })).toMatch(
      /ALERT_WEBHOOK_TOKEN is required when ALERT_WEBHOOK_CHANNEL is set.*ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED=true/,
    );
    expect(
      message({ ...VALID, ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01', ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED: 'false' }),
    ).toMatch(/ALERT_WEBHOOK_TOKEN is required/);
    const open = loadConfig({
      ...VALID,
      ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01',
      ALERT_WEBHOOK_ALLOW_UNAUTHENTICATED: 'true',
    });
    expect(open.alerts.webhookUnauthenticated).toBe(true);
    expect(open.alerts.webhookToken).toBeUndefined();
    const closed = loadConfig({
      ...VALID,
      ALERT_WEBHOOK_CHANNEL: 'C0ALERTS01',
      ALERT_WEBHOOK_TOKEN: 'a-long-enough-secret-value',
    });
    expect(closed.alerts.webhookUnauthenticated).toBeUndefined();
  });

  it('still reads good numbers and URLs', () => {
    const config = loadConfig({ ...VALID, PORT: ' 8080 ', LOKI_URL: 'https://loki.example:3100' });
    expect(config.port).toBe(8080);
    expect(config.logs?.loki?.url).toBe('https://loki.example:3100');
  });
});
