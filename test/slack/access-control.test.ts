/**
 * Access control on every interactive surface: /diagnose, the buttons and mentions. Requests outside the
 * allow-lists get a polite refusal and start nothing; allowed ones (including members of an allowed user group)
 * work as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_REFUSAL } from '../../src/adapters/slack/access-control.js';
import { ACTIONS } from '../../src/adapters/slack/ids.js';
import { appMentionEvent } from '../support/fake-slack/sign-request.js';
import { closedPort } from '../support/local-process.js';
import { until } from '../support/until.js';
import { type SlackHarness, startSlackHarness } from './slack-harness.js';

const CHANNEL = 'C0ALERTS01';
const OTHER_CHANNEL = 'C0RANDOM01';
const ONCALL = 'U0ONCALL01';
const GROUP_MEMBER = 'U0SRE00001';
const STRANGER = 'U0STRANGER';

describe('access control', () => {
  let slack: SlackHarness;
  const roots = () => slack.fake.channelMessages(CHANNEL).filter((m) => m.source === 'api' && !m.thread_ts);

  beforeAll(async () => {
    slack = await startSlackHarness({
      prometheusUrl: `http://127.0.0.1:${await closedPort()}`,
      now: () => new Date(),
      fake: {
        channels: [
          { id: CHANNEL, name: 'alerts' },
          { id: OTHER_CHANNEL, name: 'random' },
        ],
        userGroups: { S0ONCALLSRE: [GROUP_MEMBER] },
      },
      env: {
        TRIAGE_ALLOWED_TEAMS: 'T0FAKE0001',
        TRIAGE_ALLOWED_CHANNELS: CHANNEL,
        TRIAGE_ALLOWED_USERS: `${ONCALL} S0ONCALLSRE`,
      },
    });
  });

  afterAll(async () => {
    await slack?.stop();
  });

  it('refuses /diagnose from someone not on the list, and from another channel or workspace; nothing runs', async () => {
    const posts = slack.fake.callsTo('chat.postMessage').length;
    for (const extra of [
      { user_id: STRANGER },
      { user_id: ONCALL, channel_id: OTHER_CHANNEL },
      { user_id: ONCALL, team_id: 'T0ELSEWHERE' },
    ]) {
      const ack = await slack.command('502 on checkout', extra);
      expect(ack.status).toBe(200);
      expect(ack.body).toEqual({ response_type: 'ephemeral', text: ACCESS_REFUSAL });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(posts);
    expect(await slack.built.store.listRuns()).toEqual([]);
  });

  it('lets a listed user and a member of a listed user group run /diagnose', async () => {
    const before = roots().length;
    const direct = await slack.command('502 on checkout', { user_id: ONCALL });
    expect(JSON.stringify(direct.body)).toMatch(/Diagnosing/);
    const viaGroup = await slack.command('errors on billing', { user_id: GROUP_MEMBER });
    expect(JSON.stringify(viaGroup.body)).toMatch(/Diagnosing/);
    await slack.settled();
    expect(roots().length).toBe(before + 2);
    expect(slack.fake.callsTo('usergroups.users.list').length).toBe(1);
  });

  it('refuses a button pressed by someone not on the list, and changes nothing', async () => {
    const [run] = await slack.built.store.listRuns({ channel: CHANNEL, limit: 1 });
    if (!run) throw new Error('no run');
    const posts = slack.fake.callsTo('chat.postMessage').length;
    const ephemerals = slack.fake.ephemerals.length;
    await slack.press(ACTIONS.rerun, run.id, { user_id: STRANGER });
    await slack.press(ACTIONS.confirm, run.id, { user_id: STRANGER });
    await until('the refusals', () => (slack.fake.ephemerals.length >= ephemerals + 2 ? true : undefined), 5000);
    expect(slack.fake.ephemerals.slice(ephemerals).map((e) => [e.user, e.text])).toEqual([
      [STRANGER, ACCESS_REFUSAL],
      [STRANGER, ACCESS_REFUSAL],
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(posts);
    expect((await slack.built.store.getRun(run.id))?.decision).toBeNull();
  });

  it('refuses a mention from someone not on the list with an ephemeral note, and starts nothing', async () => {
    const posts = slack.fake.callsTo('chat.postMessage').length;
    const ephemerals = slack.fake.ephemerals.length;
    await slack.event(appMentionEvent({ text: '<@U0TRIAGEBOT> 502 on checkout', channel: CHANNEL, user: STRANGER }));
    await until('the refusal', () => (slack.fake.ephemerals.length > ephemerals ? true : undefined), 5000);
    expect(slack.fake.ephemerals.at(-1)).toMatchObject({ channel: CHANNEL, user: STRANGER, text: ACCESS_REFUSAL });
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.fake.callsTo('chat.postMessage').length).toBe(posts);
  });

  it('answers a mention from a listed user', async () => {
    const posts = slack.fake.callsTo('chat.postMessage').length;
    await slack.event(appMentionEvent({ text: '<@U0TRIAGEBOT> help', channel: CHANNEL, user: ONCALL }));
    await until('the help', () => (slack.fake.callsTo('chat.postMessage').length > posts ? true : undefined), 5000);
  });
});
