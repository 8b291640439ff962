import { LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createBoltLogger } from '../../../src/adapters/log/bolt-logger.js';
import { createJsonLogger } from '../../../src/adapters/log/json-logger.js';
import { startFakeSlack } from '../../support/fake-slack/fake-slack-server.js';

describe('createBoltLogger', () => {
  it('writes Bolt and Web API lines as JSON through the same redaction, with their source', () => {
    const lines: string[] = [];
    const log = createBoltLogger(
      createJsonLogger((l) => lines.push(l)),
      { name: 'web-api:WebClient' },
    );
    log.warn('http request failed, token xoxb-1234567890-abcdefghijkl', new Error('socket hang up'));
    log.error({ retry: 2 });
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'warn', source: 'web-api:WebClient' });
    expect(String(first?.msg)).toContain('http request failed');
    expect(String(first?.msg)).toContain('socket hang up');
    expect(lines.join('')).not.toContain('xoxb-1234567890');
    expect(second).toMatchObject({ level: 'error', msg: '{"retry":2}' });
  });

  it('drops lines below its level; setLevel may raise it but not lower it; setName renames the source', () => {
    const lines: string[] = [];
    const log = createBoltLogger(createJsonLogger((l) => lines.push(l), { level: 'debug' }));
    log.info('connected');
    log.debug('details');
    expect(lines).toHaveLength(0);
    log.setLevel(LogLevel.ERROR);
    expect(log.getLevel()).toBe(LogLevel.ERROR);
    log.warn('ignored');
    expect(lines).toHaveLength(0);
    log.setLevel(LogLevel.DEBUG);
    expect(log.getLevel()).toBe(LogLevel.WARN);
    log.setName('bolt:App');
    log.warn('kept');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'warn', source: 'bolt:App', msg: 'kept' });
  });

  it("carries a real WebClient's warnings (a rate-limited call it retries) as JSON", async () => {
    const fake = await startFakeSlack({});
    try {
      const lines: string[] = [];
      const logger = createBoltLogger(
        createJsonLogger((l) => lines.push(l)),
        { name: 'web-api:WebClient' },
      );
      const client = new WebClient('xoxb-fake-bot-token', {
        slackApiUrl: fake.url,
        logger,
        retryConfig: { retries: 1, minTimeout: 1, maxTimeout: 1 },
      });
      fake.failNext('auth.test', { retryAfter: 1 }, 1);
      await client.auth.test();
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ source: 'web-api:WebClient' });
    } finally {
      await fake.stop();
    }
  });
});
