import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm start', () => {
  it('exits non-zero without Slack credentials, naming what is missing and pointing to the demo', () => {
    const env = { ...process.env };
    for (const k of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'PROMETHEUS_URL']) delete env[k];
    const r = spawnSync(process.execPath, ['bin/triage-app.js'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SLACK_BOT_TOKEN is required/);
    expect(r.stderr).toMatch(/npm run demo/);
  });
});
