/**
 * End to end: the real Bolt app on its HTTP receiver, requests signed as Slack signs them, the real Web API
 * client talking to a fake Slack that enforces Slack's limits, and a real Prometheus with a backfilled incident.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { textOf } from '../support/fake-slack/fake-slack-server.js';
import { appMentionEvent, signSlackRequest, slashCommandBody } from '../support/fake-slack/sign-request.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { SIGNING_SECRET, type SlackHarness, startSlackHarness } from './slack-harness.js';

const prometheus = requirePrometheus();
const CHANNEL = 'C0ALERTS01';
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);

describe.skipIf(!prometheus.available)('/diagnose in Slack', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let slack: SlackHarness;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    slack = await startSlackHarness({ prometheusUrl: server.url, now: () => AT });
  }, 300_000);

  afterAll(async () => {
    await slack?.stop();
    await server?.stop();
  });

  it('acks at once, then a calm thread: the charts, the findings by hypothesis, the normal fold, the ledger last', async () => {
    const ack = await slack.command(scenario.symptom);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Diagnosing') });
    await slack.fake.waitForCall('chat.postMessage');
    await slack.settled();

    const messages = slack.fake.channelMessages(CHANNEL);
    const root = messages.find((m) => m.thread_ts === undefined);
    expect(root, 'a root message in the channel').toBeDefined();
    if (!root) return;
    const thread = slack.fake.thread(CHANNEL, root.ts).slice(1);
    expect(thread.every((m) => m.thread_ts === root.ts)).toBe(true);
    // At most 8 messages in all, the root included.
    expect(thread.length + 1).toBeLessThanOrEqual(8);
    // The pictures first: one upload of the decisive evidence, each chart a PNG with its alt text.
    const [charts, ...replies] = thread;
    expect(charts?.files?.length ?? 0).toBeGreaterThan(0);
    expect(textOf(charts)).toMatch(/^Charts? of the decisive evidence/);
    const pngs = slack.fake.files.filter((f) => f.thread_ts === root.ts && f.filename.endsWith('.png'));
    expect(pngs.length).toBe(charts?.files?.length);
    for (const png of pngs) {
      expect(png.content?.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.alt_text).toMatch(/\S{10,}/);
    }
    // Then the abnormal findings, grouped by hypothesis, strongest first: the deploy's first.
    const texts = replies.map((m) => textOf(m));
    const firstGroup = texts.findIndex((t) => t.includes('Versions running'));
    expect(firstGroup).toBe(0);
    expect(texts[0]).toMatch(/deploy/i);
    // Every normal check folded into one reply, after the findings.
    const folds = texts.filter((t) => t.includes('Checked and normal'));
    expect(folds).toHaveLength(1);
    const fold = texts.indexOf(folds[0] as string);
    expect(fold).toBeGreaterThan(firstGroup);
    // The ledger last.
    const last = texts.at(-1) ?? '';
    expect(last).toMatch(/Hypothes|ledger/i);
    expect(last).toContain('bad-deploy');
    expect(texts.filter((t) => /Checked and normal|Not measured/.test(t)).length).toBeLessThanOrEqual(2);
    // No reply per step: nothing says "ok" on its own line any more.
    expect(texts.some((t) => /^✓/.test(t))).toBe(false);
    // The root was edited in place (live progress) and ends with the likely cause and the buttons.
    expect(root.edits.length).toBeGreaterThan(0);
    expect(textOf(root)).toMatch(/deploy/i);
    for (const id of [ACTIONS.rerun, ACTIONS.confirm, ACTIONS.reject, ACTIONS.exportPostmortem])
      expect(textOf(root)).toContain(id);
    // The root showed the conclusion before the thread went out.
    const finishedEdit = slack.fake
      .callsTo('chat.update')
      .find((c) => c.params.ts === root.ts && JSON.stringify(c.params).includes('Finished'));
    const threadPosts = slack.fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === root.ts);
    expect(finishedEdit?.time).toBeLessThanOrEqual(threadPosts[0]?.time ?? 0);
    // Paced within Slack's limits: the fake never had to answer 429.
    expect(slack.fake.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(slack.fake.calls.filter((c) => c.error)).toEqual([]);
  }, 120_000);

  it('records who confirmed the top hypothesis and shows it on the root', async () => {
    const record = [...Array(1)].map(() => slack.built.registry)[0];
    const root = slack.fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    if (!root || !record) throw new Error('no run');
    const run = record.byThreadTs(CHANNEL, root.ts);
    expect(run?.top?.cause).toBe('bad-deploy');
    const pressed = await slack.press(ACTIONS.confirm, run?.runId ?? '', { message_ts: root.ts });
    expect(pressed.status).toBe(200);
    await slack.fake.waitForCall('chat.update', { count: root.edits.length + 1 });
    // The registry holds the run's newest state (a state is never changed in place).
    expect(record.get(run?.runId ?? '')?.decision).toMatchObject({
      userId: 'U0ONCALL01',
      decision: 'confirmed',
      cause: 'bad-deploy',
    });
    expect(textOf(slack.fake.thread(CHANNEL, root.ts)[0])).toContain('U0ONCALL01');
  }, 30_000);

  it('uploads the post-mortem into the thread from Export post-mortem', async () => {
    const root = slack.fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    const run = root ? slack.built.registry.byThreadTs(CHANNEL, root.ts) : undefined;
    // The thread's charts were one upload already: wait for the export's own.
    const uploads = slack.fake.callsTo('files.completeUploadExternal').length;
    await slack.press(ACTIONS.exportPostmortem, run?.runId ?? '');
    // The Markdown, then the HTML: both in the thread before the next test counts its messages.
    // The Markdown, the HTML and each chart of the thread's beside them.
    const charts = slack.fake.thread(CHANNEL, root?.ts ?? '').find((m) => m.files?.length)?.files?.length ?? 0;
    await slack.fake.waitForCall('files.completeUploadExternal', {
      count: uploads + 2 + charts,
      timeoutMs: 10_000,
    });
    const file = slack.fake.files.find((f) => f.completed && f.filename.endsWith('.md'));
    expect(file).toMatchObject({ channel: CHANNEL, thread_ts: root?.ts });
    expect(file?.content?.toString('utf8')).toMatch(/^# Post-mortem: /);
    const html = slack.fake.files.find((f) => f.completed && f.filename.endsWith('.html'));
    expect(html).toMatchObject({ channel: CHANNEL, thread_ts: root?.ts });
    expect(html?.content?.toString('utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('explains the ledger when mentioned with "why?" in the thread, once per event id, retries ignored', async () => {
    const root = slack.fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    if (!root) throw new Error('no root');
    const before = slack.fake.thread(CHANNEL, root.ts).length;
    const event = appMentionEvent({ text: '<@U0TRIAGEBOT> why?', channel: CHANNEL, thread_ts: root.ts });
    expect(await slack.event(event, { event_id: 'Ev0WHY0001' })).toBe(200);
    expect(await slack.event(event, { event_id: 'Ev0WHY0001' })).toBe(200);
    expect(await slack.event(event, { event_id: 'Ev0WHY0002', retryNum: 1 })).toBe(200);
    await slack.fake
      .waitForCall('chat.postMessage', { count: slack.fake.callsTo('chat.postMessage').length + 1 })
      .catch(() => {});
    await slack.settled();
    const after = slack.fake.thread(CHANNEL, root.ts);
    expect(after.length).toBe(before + 1);
    expect(textOf(after.at(-1))).toContain('bad-deploy');
  }, 30_000);

  it('re-runs from the button into the same thread', async () => {
    const root = slack.fake.channelMessages(CHANNEL).find((m) => m.thread_ts === undefined);
    const run = root ? slack.built.registry.byThreadTs(CHANNEL, root.ts) : undefined;
    if (!root || !run) throw new Error('no run');
    const before = slack.fake.thread(CHANNEL, root.ts).length;
    const roots = slack.fake.channelMessages(CHANNEL).filter((m) => m.thread_ts === undefined).length;
    await slack.press(ACTIONS.rerun, run.runId, { message_ts: root.ts });
    await slack.fake.waitForCall('chat.postMessage', { count: slack.fake.callsTo('chat.postMessage').length + 1 });
    await slack.settled();
    const after = slack.fake.thread(CHANNEL, root.ts);
    expect(after.length).toBeGreaterThan(before + 2);
    // The re-run's root is a reply in the same thread, not a new message in the channel.
    expect(slack.fake.channelMessages(CHANNEL).filter((m) => m.thread_ts === undefined)).toHaveLength(roots);
  }, 120_000);

  it('rejects forged, stale and unsigned requests with 401 and starts nothing', async () => {
    const calls = slack.fake.calls.length;
    const body = slashCommandBody({ text: '502 on checkout', response_url: slack.responses.newUrl() });
    const good = signSlackRequest({ signingSecret: SIGNING_SECRET, body });
    const forged = signSlackRequest({ signingSecret: 'not-the-secret', body });
    const stale = signSlackRequest({
      signingSecret: SIGNING_SECRET,
      body,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(await slack.raw(body, { ...forged })).toBe(401);
    expect(await slack.raw(body, { ...stale })).toBe(401);
    expect(await slack.raw(body, { 'Content-Type': good['Content-Type'] })).toBe(401);
    expect(await slack.raw(`${body}&text=tampered`, { ...good })).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.fake.calls.length).toBe(calls);
    expect(slack.responses.requests.filter((r) => r.rawBody.includes('checkout'))).toEqual([]);
  });

  it('explains usage on /diagnose help and on an empty command', async () => {
    for (const text of ['help', '']) {
      const ack = await slack.command(text);
      expect(ack.status).toBe(200);
      expect(JSON.stringify(ack.body)).toContain('/diagnose 502 on checkout');
    }
  });

  it('answers /diagnose explain with what Triage reads for the service, to the user only, posting nothing', async () => {
    const posts = slack.fake.callsTo('chat.postMessage').length;
    const ack = await slack.command(`explain ${scenario.service}`);
    expect(JSON.stringify(ack.body)).toMatch(/Looking at what Prometheus has/);
    const [answer] = await slack.responses.waitForRequests({ url: ack.responseUrl });
    expect(answer?.body).toMatchObject({ response_type: 'ephemeral' });
    const text = JSON.stringify(answer?.body);
    expect(text).toContain(`What Triage reads for ${scenario.service}`);
    expect(text).toMatch(/prom-client: `http_requests_total\{job=\\"billing\\"\}`/);
    expect(text).toMatch(/Not measured/);
    const unknown = await slack.command('explain no-such-service-anywhere');
    const [none] = await slack.responses.waitForRequests({ url: unknown.responseUrl });
    expect(JSON.stringify(none?.body)).toMatch(/has no service called/);
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(posts);
  });

  it('answers a bad time with a clear message and starts nothing', async () => {
    const calls = slack.fake.callsTo('chat.postMessage').length;
    const ack = await slack.command('502 on checkout since 25:99');
    expect(JSON.stringify(ack.body)).toMatch(/25:99/);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(calls);
  });

  it('points a second /diagnose for the same service and window to the running thread', async () => {
    const first = await slack.command(scenario.symptom);
    const second = await slack.command(scenario.symptom);
    expect(JSON.stringify(first.body)).toMatch(/Diagnosing/);
    expect(JSON.stringify(second.body)).toMatch(/already running/);
    await slack.settled();
  }, 120_000);

  it('runs the general playbook for a symptom it cannot classify, and says so', async () => {
    slack.fake.addChannel({ id: 'C0VAGUE001' });
    await slack.command('billing is acting weird', { channel_id: 'C0VAGUE001' });
    await slack.fake.waitForCall('chat.postMessage', { count: slack.fake.callsTo('chat.postMessage').length + 1 });
    await slack.settled();
    const root = slack.fake.channelMessages('C0VAGUE001').find((m) => m.thread_ts === undefined);
    const thread = root ? slack.fake.thread('C0VAGUE001', root.ts) : [];
    const all = thread.map(textOf).join('\n');
    expect(all).toContain('general triage playbook');
    expect(all).toContain('bad-deploy');
  }, 90_000);

  it('suggests the closest names for an unknown service', async () => {
    const roots = slack.fake.channelMessages(CHANNEL).filter((m) => m.thread_ts === undefined).length;
    await slack.command('500 errors on biling');
    await slack.fake.waitForCall('chat.postMessage', { count: slack.fake.callsTo('chat.postMessage').length + 1 });
    await slack.settled();
    const root = slack.fake.channelMessages(CHANNEL).filter((m) => m.thread_ts === undefined)[roots];
    const thread = root ? slack.fake.thread(CHANNEL, root.ts) : [];
    expect(thread.map(textOf).join('\n')).toContain('billing');
  }, 60_000);

  it('tells the user how to invite the bot when it is not in the channel, and still answers', async () => {
    slack.fake.setChannelMembership('C0OUTSIDE1', false);
    const ack = await slack.command(scenario.symptom.replace('billing', 'billing for the last 45m'), {
      channel_id: 'C0OUTSIDE1',
    });
    expect(ack.status).toBe(200);
    const replies = await slack.responses.waitForRequests({ url: ack.responseUrl, count: 2, timeoutMs: 60_000 });
    expect(JSON.stringify(replies[0]?.body)).toMatch(/\/invite @Triage/);
    expect(JSON.stringify(replies[1]?.body)).toContain('bad-deploy');
    expect(slack.fake.channelMessages('C0OUTSIDE1')).toEqual([]);
  }, 90_000);

  it('honours 429 Retry-After mid-thread without losing or reordering replies', async () => {
    const start = slack.fake.callsTo('chat.postMessage').length;
    slack.fake.failNext('chat.postMessage', { retryAfter: 1 }, 1);
    await slack.command(scenario.symptom.replace('billing', 'billing for the last 40m'));
    await slack.fake.waitForCall('chat.postMessage', { count: start + 3 });
    await slack.settled();
    const posts = slack.fake.callsTo('chat.postMessage').slice(start);
    expect(posts.filter((c) => c.status === 429)).toHaveLength(1);
    const delivered = posts.filter((c) => c.status === 200);
    const root = delivered[0];
    const rootTs = (root?.response as { ts?: string } | undefined)?.ts ?? '';
    // The charts are an upload, not a post.
    const thread = slack.fake
      .thread(CHANNEL, rootTs)
      .slice(1)
      .filter((m) => !m.files?.length);
    // Every reply that was attempted arrived, exactly once, and the ledger is still last.
    expect(thread).toHaveLength(delivered.length - 1);
    expect(textOf(thread.at(-1))).toContain('bad-deploy');
    const titles = thread.map((m) => m.text);
    expect(new Set(titles).size).toBe(titles.length);
  }, 120_000);
});

describe.skipIf(!prometheus.available)('/diagnose when Prometheus is down', () => {
  it('says which source failed, in the thread', async () => {
    const slack = await startSlackHarness({ prometheusUrl: 'http://127.0.0.1:9', now: () => AT, replyIntervalMs: 50 });
    try {
      await slack.command('502 on checkout');
      await slack.fake.waitForCall('chat.postMessage');
      await slack.settled();
      const all = slack.fake.channelMessages(CHANNEL).map(textOf).join('\n');
      expect(all).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:9 could not be reached/);
    } finally {
      await slack.stop();
    }
  }, 60_000);
});

it.runIf(!prometheus.available)('needs Prometheus for the Slack end-to-end suite', () => {
  if (process.env.CI) throw new Error(`CI must run the Slack end-to-end suite: ${prometheus.reason}`);
});
