/**
 * The alert intake's messages about a run go through the run's durable outbox, end to end: an alert posted in an
 * alert channel (a signed Events API callback at Bolt's receiver, the diagnosis against a real Prometheus), then the
 * same alert again. The repeat's line in the thread and the root's counter are rows of the run's outbox, sent, with
 * the ts Slack gave them; nothing is sent around it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { textOf } from '../support/fake-slack/fake-slack-server.js';
import { messageEvent } from '../support/fake-slack/sign-request.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const ALERTMANAGER_BOT = 'B0ALERTMGR';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);
const TITLE = '[FIRING:1] HighErrorRate billing (critical production)';

describe.skipIf(!prometheus.available)('alert lines and counters through the outbox', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;

  /** Posts an alert as Alertmanager's incoming webhook would (bot_message), and delivers the event. */
  const postAlert = async (title: string) => {
    const attachments = [{ title, text: '', fallback: title, color: 'danger', mrkdwn_in: ['text'] }];
    const ts = slack.fake.seedMessage(CHANNEL, {
      subtype: 'bot_message',
      bot_id: ALERTMANAGER_BOT,
      username: 'Alertmanager',
      text: '',
      attachments,
    });
    const status = await slack.event(
      messageEvent({
        channel: CHANNEL,
        ts,
        subtype: 'bot_message',
        bot_id: ALERTMANAGER_BOT,
        username: 'Alertmanager',
        text: '',
        attachments,
      }),
    );
    return { ts, status };
  };

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      env: { ALERT_CHANNELS: CHANNEL, ALERT_DEDUP_WINDOW: '1h' },
      fake: { channels: [{ id: CHANNEL, name: 'alerts' }] },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it("writes a repeat's thread line and the root's counter to the run's outbox before sending them", async () => {
    const first = await postAlert(TITLE);
    expect(first.status).toBe(200);
    await slack.settled(120_000);
    const [run] = await slack.built.store.listRuns({ limit: 1 });
    if (!run?.rootTs || !run.threadTs) throw new Error('no alert run');
    expect(run.status).toBe('finished');
    const before = await slack.built.store.outbox(run.id);

    const again = await postAlert(TITLE);
    expect(again.status).toBe(200);
    await slack.settled(60_000);
    // The root edit is spaced from the run's last one: wait until the outbox has sent it.
    const end = Date.now() + 15_000;
    let rows = await slack.built.store.outbox(run.id);
    while (Date.now() < end && rows.some((r) => r.state === 'pending' || r.state === 'sending')) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await slack.built.store.outbox(run.id);
    }
    const added = rows.filter((r) => !before.some((b) => b.seq === r.seq));
    const line = added.find((r) => r.kind === 'reply' && r.payload.label === 'alert lines');
    expect(line).toMatchObject({ state: 'sent', threadTs: run.threadTs });
    const thread = slack.fake.thread(CHANNEL, run.threadTs);
    expect(thread.at(-1)?.ts).toBe(line?.slackTs);
    expect(textOf(thread.at(-1))).toMatch(/fired again/i);
    expect(thread.at(-1)?.metadata).toMatchObject({ event_payload: { run_id: run.id, seq: line?.seq } });
    const root = added.find((r) => r.kind === 'root');
    expect(root).toMatchObject({ state: 'sent', targetTs: run.rootTs });
    const rootMessage = slack.fake.channelMessages(CHANNEL).find((m) => m.ts === run.rootTs);
    expect(textOf(rootMessage)).toContain('fired again 1×');
    expect(await slack.built.store.getRun(run.id)).toMatchObject({ status: 'finished', undelivered: 0 });
  }, 240_000);
});
