/**
 * Re-captures the Slack payloads in test/fixtures/alerts/slack-am-*.real.json from a real Alertmanager (Debian's
 * prometheus-alertmanager): its default Slack template and the community kube-prometheus template, for the steps
 * of test/support/alertmanager/capture-slack.ts. Each file holds the body Alertmanager POSTed, parsed as JSON, with
 * the recorder's ephemeral loopback URL replaced by http://alertmanager.example.com:9093 so re-captures compare.
 *
 *   npx tsx scripts/capture-alert-fixtures.ts
 */
import { writeFile } from 'node:fs/promises';
import { captureSlackNotifications, fixtureSteps } from '../test/support/alertmanager/capture-slack.js';

const OUT = new URL('../test/fixtures/alerts/', import.meta.url);

const { notifications, version } = await captureSlackNotifications(fixtureSteps(new Date()));
for (const n of notifications) {
  const body = n.body.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://alertmanager.example.com:9093');
  const name = n.template === 'webhook' ? `alertmanager-webhook-${n.step}` : `slack-am-${n.template}-${n.step}`;
  const file = new URL(`${name}.real.json`, OUT);
  await writeFile(file, `${JSON.stringify(JSON.parse(body), null, 2)}\n`);
  process.stdout.write(`${file.pathname}\n`);
}
process.stdout.write(`Alertmanager ${version}: ${notifications.length} payloads\n`);
