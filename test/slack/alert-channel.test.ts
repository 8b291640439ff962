/**
 * Alert channels end to end: alert messages arrive as signed Events API callbacks at Bolt's real HTTP receiver,
 * the diagnosis runs against a real Prometheus with a backfilled incident, and threads land in the fake Slack.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../scenarios/catalog.js';
import { textOf } from '../support/fake-slack/fake-slack-server.js';
import { messageEvent } from '../support/fake-slack/sign-request.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const QUIET_CHANNEL = 'C0RANDOM01';
const ALERTMANAGER_BOT = 'B0ALERTMGR';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

/** Alertmanager's default Slack notification (slack.md §7): values-only title, empty text, danger/good colour. */
function alertmanagerAttachments(title: string): Record<string, unknown>[] {
  const link = 'http://alertmanager.example:9093/#/alerts?receiver=slack-alerts';
  return [
    {
      title,
      title_link: link,
      pretext: '',
      text: '',
      fallback: `${title} | ${link}`,
      callback_id: '',
      footer: '',
      color: title.startsWith('[RESOLVED]') ? 'good' : 'danger',
      mrkdwn_in: ['fallback', 'pretext', 'text'],
    },
  ];
}

describe.skipIf(!prometheus.available)('alert channels', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;

  /** Posts an alert as Alertmanager's incoming webhook would (bot_message), and delivers the event. */
  const postAlert = async (
    title: string,
    options: { channel?: string; event_id?: string; retryNum?: number; bot_id?: string; thread_ts?: string } = {},
  ) => {
    const channel = options.channel ?? CHANNEL;
    const attachments = alertmanagerAttachments(title);
    const botId = options.bot_id ?? ALERTMANAGER_BOT;
    const ts = slack.fake.seedMessage(channel, {
      subtype: 'bot_message',
      bot_id: botId,
      username: 'Alertmanager',
      text: '',
      attachments,
      ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
    });
    const event = messageEvent({
      channel,
      ts,
      subtype: 'bot_message',
      bot_id: botId,
      username: 'Alertmanager',
      text: '',
      attachments,
      ...(options.thread_ts ? { thread_ts: options.thread_ts } : {}),
    });
    const sent = performance.now();
    const status = await slack.event(event, {
      ...(options.event_id ? { event_id: options.event_id } : {}),
      ...(options.retryNum ? { retryNum: options.retryNum } : {}),
    });
    return { ts, status, event, sent };
  };

  /** Diagnosis roots Triage posted (in any thread) in a channel. */
  const roots = (channel = CHANNEL) =>
    slack.fake
      .channelMessages(channel)
      .filter(
        (m) => m.source === 'api' && (m.blocks ?? []).some((b) => JSON.stringify(b).includes('triage_root_header')),
      );

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => AT,
      env: { ALERT_CHANNELS: `${CHANNEL}`, ALERT_DEDUP_WINDOW: '1h' },
      fake: {
        channels: [
          { id: CHANNEL, name: 'alerts' },
          { id: QUIET_CHANNEL, name: 'random' },
        ],
      },
    });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  afterEach(async () => {
    await slack.settled();
  });

  it('opens a diagnosis in the thread of an Alertmanager alert, and edits it when the alert resolves', async () => {
    const alert = await postAlert('[FIRING:1] HighErrorRate billing (critical production)');
    expect(alert.status).toBe(200);
    const first = await slack.fake.waitForCall('chat.postMessage', { timeoutMs: 10_000 });
    expect(first.params.thread_ts).toBe(alert.ts);
    await slack.settled();

    const thread = slack.fake.thread(CHANNEL, alert.ts);
    const root = thread[1];
    expect(root?.source).toBe('api');
    expect(textOf(root)).toContain('HighErrorRate');
    expect(textOf(root)).toContain('billing');
    expect(textOf(root)).toContain('critical');
    // The diagnosis ran: steps, then the ledger naming the deploy.
    expect(thread.length).toBeGreaterThan(4);
    expect(textOf(thread.at(-1))).toContain('bad-deploy');
    expect(roots()).toHaveLength(1);

    // Alertmanager's update_message edits the same post into [RESOLVED]: the summary says so.
    const resolvedAttachments = alertmanagerAttachments('[RESOLVED] HighErrorRate billing (critical production)');
    const edits = root?.edits.length ?? 0;
    const status = await slack.event({
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: CHANNEL,
      ts: '1700009999.000100',
      event_ts: '1700009999.000100',
      message: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: ALERTMANAGER_BOT,
        username: 'Alertmanager',
        text: '',
        ts: alert.ts,
        attachments: resolvedAttachments,
      },
      previous_message: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: ALERTMANAGER_BOT,
        text: '',
        ts: alert.ts,
        attachments: alertmanagerAttachments('[FIRING:1] HighErrorRate billing (critical production)'),
      },
    });
    expect(status).toBe(200);
    await slack.settled();
    const after = slack.fake.thread(CHANNEL, alert.ts);
    expect(after[1]?.edits.length).toBeGreaterThan(edits);
    expect(textOf(after[1])).toMatch(/resolved/i);
    expect(textOf(after.at(-1))).toMatch(/resolved: \[RESOLVED\] HighErrorRate billing/);
    expect(roots()).toHaveLength(1);
  }, 120_000);

  it('does not open a second thread for the same alert within the window: the repeat is one line in the first', async () => {
    const before = roots().length;
    const original = roots().at(-1);
    const threadOf = original?.thread_ts ?? '';
    const again = await postAlert('[FIRING:1] HighErrorRate billing (critical production)');
    await slack.settled();
    expect(roots()).toHaveLength(before);
    expect(slack.fake.thread(CHANNEL, again.ts)).toHaveLength(1);
    const last = slack.fake.thread(CHANNEL, threadOf).at(-1);
    expect(textOf(last)).toMatch(/firing again after it resolved|fired again/);
    // The root counts the repeat.
    expect(textOf(slack.fake.thread(CHANNEL, threadOf)[1])).toMatch(/fired again 1×|firing/);
  }, 60_000);

  it('starts nothing new for Slack retries and repeated event ids', async () => {
    const before = slack.fake.callsTo('chat.postMessage').length;
    const alert = await postAlert('[FIRING:1] HighLatency catalog (warning)', { event_id: 'Ev0RETRY0001' });
    await slack.settled();
    const afterFirst = slack.fake.callsTo('chat.postMessage').length;
    expect(afterFirst).toBeGreaterThan(before);
    // The same event again, as Slack redelivers it: same event_id, then with X-Slack-Retry-Num.
    expect(await slack.event(alert.event, { event_id: 'Ev0RETRY0001' })).toBe(200);
    expect(await slack.event(alert.event, { event_id: 'Ev0RETRY0002', retryNum: 1 })).toBe(200);
    await slack.settled();
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(afterFirst);
    expect(roots().filter((r) => r.thread_ts === alert.ts)).toHaveLength(1);
  }, 60_000);

  it('ignores thread replies, people, non-alert bot messages, its own messages and other channels', async () => {
    const before = slack.fake.callsTo('chat.postMessage').length;
    // A human pasting an alert title.
    await slack.event(messageEvent({ channel: CHANNEL, text: '[FIRING:1] HighErrorRate payments (critical)' }));
    // Another bot's chatter.
    const chatterTs = slack.fake.seedMessage(CHANNEL, {
      bot_id: 'B0DEPLOYBOT',
      text: 'Deployed payments 1.4.2 to prod',
    });
    await slack.event(
      messageEvent({ channel: CHANNEL, ts: chatterTs, bot_id: 'B0DEPLOYBOT', text: 'Deployed payments 1.4.2 to prod' }),
    );
    // An alert posted as a thread reply.
    const parent = slack.fake.seedMessage(CHANNEL, { user: 'U0ONCALL01', text: 'looking at payments' });
    await postAlert('[FIRING:1] HighErrorRate payments (critical)', { thread_ts: parent });
    // An alert-looking message from Triage itself.
    await postAlert('[FIRING:1] HighErrorRate payments (critical)', { bot_id: slack.fake.botId });
    // An alert in a channel that is not an alert channel.
    await postAlert('[FIRING:1] HighErrorRate payments (critical)', { channel: QUIET_CHANNEL });
    await slack.settled();
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(before);
  }, 60_000);

  it('records a [RESOLVED] post in the thread of the alert it resolves instead of starting anything', async () => {
    const before = roots().length;
    const firing = await postAlert('[FIRING:2] PodCrashLooping checkout (critical)');
    await slack.settled();
    expect(roots()).toHaveLength(before + 1);
    const resolved = await postAlert('[RESOLVED] PodCrashLooping checkout (critical)');
    await slack.settled();
    expect(roots()).toHaveLength(before + 1);
    expect(slack.fake.thread(CHANNEL, resolved.ts)).toHaveLength(1);
    const thread = slack.fake.thread(CHANNEL, firing.ts);
    expect(textOf(thread.at(-1))).toMatch(/resolved/i);
    expect(textOf(thread[1])).toMatch(/resolved/i);
  }, 120_000);

  it('diagnoses a Grafana contact-point alert posted with a bot token (no subtype), from its labels', async () => {
    const before = roots().length;
    const fixture = JSON.parse(
      readFileSync(new URL('../fixtures/alerts/slack-grafana-firing.json', import.meta.url), 'utf8'),
    ) as { attachments: Record<string, unknown>[] };
    // A service no other test here alerts on, so the alert is not grouped into an earlier diagnosis.
    const attachments = JSON.parse(JSON.stringify(fixture.attachments).replaceAll('checkout', 'orders')) as Record<
      string,
      unknown
    >[];
    const ts = slack.fake.seedMessage(CHANNEL, { bot_id: 'B0GRAFANA1', username: 'Grafana', attachments });
    await slack.event(
      messageEvent({
        channel: CHANNEL,
        ts,
        bot_id: 'B0GRAFANA1',
        user: 'U0GRAFANA1',
        username: 'Grafana',
        attachments,
      }),
    );
    await slack.settled();
    expect(roots()).toHaveLength(before + 1);
    const thread = slack.fake.thread(CHANNEL, ts);
    expect(textOf(thread[1])).toContain('Grafana alert');
    expect(textOf(thread[1])).toContain('orders');
    expect(textOf(thread[1])).toContain('(critical)');
    expect(textOf(thread.at(-1))).toContain('triage_ledger_conclusion');
  }, 120_000);
});
