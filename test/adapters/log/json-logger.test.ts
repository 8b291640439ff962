import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../src/adapters/log/json-logger.js';

describe('the JSON logger', () => {
  it('writes one JSON object per line with level, ISO time, message and fields', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((l) => lines.push(l));
    logger.info({ runId: 'run-1', steps: 3 }, 'run finished');
    logger.warn({ runId: 'run-1' }, 'a thread reply could not be delivered');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] ?? '');
    expect(first).toMatchObject({ level: 'info', msg: 'run finished', runId: 'run-1', steps: 3 });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ level: 'warn', runId: 'run-1' });
  });

  it('never writes a token, a password or a bearer header, in the message or any field', () => {
    const lines: string[] = [];
    const logger = createJsonLogger((l) => lines.push(l));
    logger.error(
      {
        runId: 'run-2',
        error: 'invalid_auth for xoxb-1234567890-abcdefghijklmnop',
        request: {
          headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz0123456789' },
          dsn: 'postgres://u:hunter2@db/x',
        },
      },
      'posting failed with xapp-1-A0123-456789-abcdef',
    );
    const line = lines.join('');
    for (const secret of ['xoxb-1234567890', 'abcdefghijklmnopqrstuvwxyz0123456789', 'hunter2', 'xapp-1-A0123'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ level: 'error', runId: 'run-2' });
  });
});
