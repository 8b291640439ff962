import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { ChannelPacer } from '../../src/adapters/slack/channel-pacer.js';
import type { RunRecord } from '../../src/adapters/slack/run-registry.js';
import { type ReporterOutbox, SlackThreadReporter } from '../../src/adapters/slack/slack-thread-reporter.js';
import type { DiagnosisOutcome, RunEvent } from '../../src/domain/engine/types.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, step } from '../support/diagnosis-factory.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';

const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const T0 = new Date('2026-11-01T14:00:00Z');

let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack({ postMessageLimit: false, methodLimits: false });
  client = new WebClient(FAKE_SLACK_DEFAULTS.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  fake.setBehaviour({ postMessageLimit: false, methodLimits: false });
});

async function* twoSteps(runId: string): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  const steps = [step({ id: 'a', title: 'Step a', status: 'crit' }), step({ id: 'b', title: 'Step b', status: 'ok' })];
  for (const s of steps) yield { type: 'step-finished', runId, step: s, at: T0 };
  // Step a backs the hypothesis; step b stayed normal.
  const result = outcome({ runId, steps, hypotheses: [hypothesis({ cites: { supporting: ['a'], against: [] } })] });
  yield { type: 'run-finished', runId, result, at: T0 };
  return result;
}

async function reporterFor(outbox: ReporterOutbox) {
  const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'root' });
  const ts = String(posted.ts);
  const record: RunRecord = {
    runId: 'run-1',
    channel: CHANNEL,
    rootTs: ts,
    threadTs: ts,
    text: '502 on checkout',
    symptom: parseSymptom('502 on checkout', { now: T0 }),
    userId: 'U0ONCALL01',
    status: 'running',
    stepsDone: 0,
    stepsTotal: 2,
    dedupeKey: 'k',
    undelivered: 0,
    active: true,
  };
  const reporter = new SlackThreadReporter({
    client,
    pacer: new ChannelPacer(0, { sleep: async () => undefined }),
    render: {
      root: (r) => ({ text: `root ${r.status}`, blocks: [] }),
      findingGroup: (g) => ({ text: `findings ${g.hypothesis?.cause ?? 'other'}`, blocks: [] }),
      normalFold: () => ({ text: 'normal', blocks: [] }),
      notMeasured: () => ({ text: 'not measured', blocks: [] }),
      ledger: () => ({ text: 'ledger', blocks: [] }),
    },
    record,
    logger: silentLogger,
    outbox,
  });
  return { reporter, ts };
}

const refusingStore: ReporterOutbox['store'] = {
  enqueueOutbox: () => Promise.reject(new Error('SQLITE_BUSY: database is locked')),
  closeOutbox: () => Promise.reject(new Error('SQLITE_BUSY: database is locked')),
};

describe('SlackThreadReporter with an outbox', () => {
  it('sends directly, in order, when the run store cannot take a message', async () => {
    const sender = { deliver: () => Promise.resolve(undefined), isStopped: false };
    const { reporter, ts } = await reporterFor({ store: refusingStore, sender });
    await reporter.consume(twoSteps('run-1'));
    expect(
      fake
        .thread(CHANNEL, ts)
        .slice(1)
        .map((m) => m.text),
    ).toEqual(['findings connection-pool-exhausted', 'normal', 'ledger']);
    expect(fake.thread(CHANNEL, ts)[0]?.text).toBe('root finished');
  });

  it('sends nothing once the sender has stopped (shutdown past its grace)', async () => {
    const sender = { deliver: () => Promise.resolve(undefined), isStopped: true };
    const { reporter, ts } = await reporterFor({ store: refusingStore, sender });
    await reporter.consume(twoSteps('run-1'));
    expect(fake.thread(CHANNEL, ts).slice(1)).toEqual([]);
    expect(fake.callsTo('chat.update')).toEqual([]);
  });

  it('writes each message to the outbox in the thread’s order, the ledger closing the delivery', async () => {
    const written: string[] = [];
    const store: ReporterOutbox['store'] = {
      enqueueOutbox: async (_runId, messages, options) => {
        for (const m of messages) written.push(`${m.kind}:${m.payload.text}${options?.close ? ':close' : ''}`);
        return messages.map((_, i) => i + 1);
      },
      closeOutbox: async () => undefined,
    };
    const delivered: string[] = [];
    const sender = {
      deliver: async (runId: string) => {
        delivered.push(runId);
        return undefined;
      },
      isStopped: false,
    };
    const { reporter, ts } = await reporterFor({ store, sender });
    await reporter.consume(twoSteps('run-1'));
    expect(written.filter((w) => !w.startsWith('root'))).toEqual([
      'reply:findings connection-pool-exhausted',
      'reply:normal',
      'ledger:ledger:close',
    ]);
    // The root shows the conclusion before the thread is written: the replies follow it.
    expect(written.indexOf('root:root finished')).toBeGreaterThanOrEqual(0);
    expect(written.indexOf('root:root finished')).toBeLessThan(written.findIndex((w) => w.startsWith('reply:')));
    expect(delivered.every((id) => id === 'run-1')).toBe(true);
    expect(delivered.length).toBe(written.length);
    // Nothing is posted by the reporter itself: the sender does it.
    expect(fake.thread(CHANNEL, ts).slice(1)).toEqual([]);
  });
});
