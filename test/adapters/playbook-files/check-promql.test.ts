import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPromql, validQueryHashes } from '../../../src/adapters/playbook-files/check-promql.js';

const sha1 = (q: string) => createHash('sha1').update(q).digest('hex');

describe('checkPromql', () => {
  it('accepts valid PromQL and records it for the build; names where invalid PromQL breaks, and records nothing', () => {
    const good = 'sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout"}[5m]))';
    const bad = 'sum by (le (rate(x[5m]))';
    expect(checkPromql(good)).toBeNull();
    expect(checkPromql(bad)).toMatch(/^unexpected input at 1:\d+ near /);
    expect(checkPromql('  ')).toBe('the query is empty');
    expect(validQueryHashes()).toContain(sha1(good));
    expect(validQueryHashes()).not.toContain(sha1(bad));
  });
});
