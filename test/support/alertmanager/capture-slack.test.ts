/**
 * The Slack and webhook fixtures in test/fixtures/alerts/*.real.json were captured from a real Alertmanager
 * (scripts/capture-alert-fixtures.ts). This test captures them again and checks that what Alertmanager posts now
 * still matches them, apart from what changes from run to run (times, the recorder's port).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureSlackNotifications, fixtureSteps } from './capture-slack.js';
import { requireAlertmanager } from './local-alertmanager.js';

const alertmanager = requireAlertmanager();

/** The payload without what differs between captures. */
function comparable(body: string): unknown {
  const text = body
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://alertmanager.example.com:9093')
    .replace(/"(startsAt|endsAt)":"[^"]*"/g, '"$1":"…"');
  const json = JSON.parse(text) as Record<string, unknown>;
  // The webhook's group key and fingerprints are stable; nothing else varies.
  return json;
}

describe.skipIf(!alertmanager.available)('captured Alertmanager notifications', () => {
  it('still match the fixtures', async () => {
    const { notifications } = await captureSlackNotifications(fixtureSteps(new Date()));
    expect(notifications).toHaveLength(fixtureSteps(new Date()).length * 3);
    for (const n of notifications) {
      const name = n.template === 'webhook' ? `alertmanager-webhook-${n.step}` : `slack-am-${n.template}-${n.step}`;
      const saved = readFileSync(new URL(`../../fixtures/alerts/${name}.real.json`, import.meta.url), 'utf8');
      expect(comparable(n.body), name).toEqual(comparable(JSON.stringify(JSON.parse(saved))));
    }
  }, 120_000);
});
