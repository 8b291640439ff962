import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

describe('triage demo prints the calm thread', () => {
  it('shows the abnormal findings grouped by hypothesis, then one folded line each for normal and unmeasured', async () => {
    const r = await cli(['demo', 'bad-deploy-prom-client']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    // No reply per normal step any more.
    expect(out).not.toMatch(/✓ ok/);
    expect(out).toMatch(/└ Supports: A recent deploy or config change introduced the fault \(\d+%, supported\)/);
    expect(out.match(/└ Checked and normal \(\d+\): /g)).toHaveLength(1);
    expect(out.match(/└ Not measured \(\d+ of \d+ steps\): /g)).toHaveLength(1);
    const order = ['└ Supports: A recent deploy', '└ Checked and normal', '└ Not measured', '└ Hypotheses'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The thread itself is wrapped to 100 columns (the banner and the edited root line are left as they are).
    const thread = out.slice(out.indexOf('└ thread'), out.indexOf('#incidents  Triage (root message'));
    for (const line of thread.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(100);
  });
});
