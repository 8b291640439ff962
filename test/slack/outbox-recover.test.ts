import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { withRun } from '../../src/adapters/log/run-context.js';
import { ChannelPacer, type Sleep } from '../../src/adapters/slack/channel-pacer.js';
import { RunRegistry } from '../../src/adapters/slack/run-registry.js';
import { threadRenderers } from '../../src/adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../../src/adapters/slack/thread-runner.js';
import { recoverRuns } from '../../src/app/recover-runs.js';
import type { DiagnoseRequest } from '../../src/application/diagnose/diagnose.js';
import { RunJournal } from '../../src/application/diagnose/run-journal.js';
import type { DiagnosisOutcome, RunEvent } from '../../src/domain/engine/types.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, step } from '../support/diagnosis-factory.js';
import { FAKE_SLACK_DEFAULTS, textOf } from '../support/fake-slack/fake-slack-server.js';
import { useOutboxFixture } from './outbox-fixture.js';

const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const T0 = new Date('2026-11-01T14:00:00Z');
const STEPS = ['pool-saturation', 'error-ratio', 'latency', 'restarts'];
/**
 * The thread of that diagnosis: the pool finding (backing the pool hypothesis), the error finding (backing the
 * bug hypothesis), the normal latency folded, the unmeasured restarts, and the ledger — five messages.
 */
const MESSAGES = 5;
const STATUS = { 'pool-saturation': 'crit', 'error-ratio': 'warn', latency: 'ok', restarts: 'no_data' } as const;

const fx = useOutboxFixture('outbox-recover');

/** A diagnosis of four steps, then its thread of `MESSAGES` replies, the ledger last. */
async function* diagnosis(request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome> {
  yield {
    type: 'run-started',
    runId: request.runId,
    symptom: request.symptom,
    service: 'checkout',
    playbook: 'http-errors',
    window: request.symptom.window,
    steps: STEPS.map((id) => ({ id, title: id })),
    at: T0,
  } as RunEvent;
  const steps = STEPS.map((id) => step({ id, title: `Step ${id}`, status: STATUS[id as keyof typeof STATUS] }));
  for (const s of steps) yield { type: 'step-finished', runId: request.runId, step: s, at: T0 };
  const result = outcome({
    runId: request.runId,
    steps,
    hypotheses: [
      hypothesis({ cites: { supporting: ['pool-saturation'], against: [] } }),
      hypothesis({ cause: 'app-error', confidence: 0.5, cites: { supporting: ['error-ratio'], against: [] } }),
    ],
  });
  yield { type: 'run-finished', runId: request.runId, result, at: T0 };
  return result;
}

/** One process of the app: its own store connection, registry, pacer and runner, as replica `replica`. */
async function processOf(options: { sleep?: Sleep; replica?: string; claimMs?: number; staleMs?: number } = {}) {
  const store = await fx.open();
  const registry = new RunRegistry();
  const journal = new RunJournal(store, { owner: options.replica ?? 'replica-a', now: () => T0, logger: silentLogger });
  const pacer = new ChannelPacer(options.sleep ? 1000 : 0, { sleep: options.sleep ?? (async () => undefined) });
  const runner = new ThreadRunner({
    run: diagnosis,
    registry,
    pacer,
    render: threadRenderers,
    logger: silentLogger,
    runScope: withRun,
    journal,
    ...(options.claimMs ? { deliveryClaimMs: options.claimMs } : {}),
  });
  const recover = () =>
    recoverRuns({
      store,
      replica: options.replica ?? 'replica-a',
      now: () => T0,
      staleMs: options.staleMs ?? 60_000,
      client: fx.client,
      runner,
      registry,
      logger: silentLogger,
      awaitDelivery: true,
    });
  return { store, registry, runner, recover };
}

const start = (runner: ThreadRunner) =>
  runner.start({
    client: fx.client,
    channel: CHANNEL,
    userId: 'U0ONCALL01',
    text: '502 on checkout',
    symptom: parseSymptom('502 on checkout', { now: T0 }),
  });

/** Every reply's text in the run's thread, in order. */
function replies(rootTs: string): string[] {
  return fx.fake
    .thread(CHANNEL, rootTs)
    .slice(1)
    .map((m) => m.text ?? '');
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the durable thread', () => {
  it('writes every message to the outbox before sending it, and the run is finished once its thread is', async () => {
    const app = await processOf();
    const record = await start(app.runner);
    expect(record).toBeDefined();
    const run = await app.store.getRun(record?.runId ?? '');
    expect(run).toMatchObject({ status: 'finished', undelivered: 0 });
    const rows = await app.store.outbox(run?.id ?? '');
    expect(rows.filter((r) => r.kind === 'reply')).toHaveLength(MESSAGES - 1);
    expect(rows.filter((r) => r.kind === 'ledger')).toHaveLength(1);
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    const thread = replies(record?.rootTs ?? '');
    expect(thread).toHaveLength(MESSAGES);
    expect(thread.at(-1)).toBe(rows.find((r) => r.kind === 'ledger')?.payload.text);
  });

  it('a process killed while replies go out: the restarted one completes the thread, nothing twice', async () => {
    // The first process's channel pace never lets a second post through: it is "killed" with replies still queued.
    const frozen: Sleep = () => new Promise(() => undefined);
    const first = await processOf({ sleep: frozen });
    void start(first.runner);
    await until(async () => {
      const [run] = await first.store.listRuns({ limit: 1 });
      return run?.status === 'delivering' && (await first.store.outbox(run.id)).some((r) => r.kind === 'ledger');
    });
    const [run] = await first.store.listRuns({ limit: 1 });
    const rootTs = run?.rootTs ?? '';
    expect(replies(rootTs).length).toBeLessThan(MESSAGES);

    const second = await processOf();
    await second.recover();
    expect(await second.store.getRun(run?.id ?? '')).toMatchObject({ status: 'finished', undelivered: 0 });
    const thread = replies(rootTs);
    expect(thread).toHaveLength(MESSAGES);
    expect(new Set(thread).size).toBe(thread.length);
    const posts = fx.fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === rootTs);
    expect(posts).toHaveLength(MESSAGES);
    // The root shows the conclusion.
    expect(textOf(fx.fake.thread(CHANNEL, rootTs)[0])).not.toContain('diagnosing');
  });

  it('a SIGTERM past its grace stops sending and leaves the rest pending; it goes out after the restart', async () => {
    const frozen: Sleep = () => new Promise(() => undefined);
    const first = await processOf({ sleep: frozen });
    const finished = start(first.runner);
    await until(async () => {
      const [run] = await first.store.listRuns({ limit: 1 });
      return run?.status === 'delivering' && (await first.store.outbox(run.id)).some((r) => r.kind === 'ledger');
    });
    await first.runner.sender?.stop(50);
    // The diagnosis's own wait for its thread ends: nothing more is sent by this process.
    await finished;
    const [run] = await first.store.listRuns({ limit: 1 });
    const rootTs = run?.rootTs ?? '';
    const sentBefore = replies(rootTs).length;
    const pending = (await first.store.outbox(run?.id ?? '')).filter((r) => r.state === 'pending');
    expect(pending.length).toBeGreaterThan(0);
    expect((await first.store.getRun(run?.id ?? ''))?.status).toBe('delivering');

    const second = await processOf();
    await second.recover();
    expect(await second.store.getRun(run?.id ?? '')).toMatchObject({ status: 'finished', undelivered: 0 });
    expect(replies(rootTs)).toHaveLength(MESSAGES);
    expect(sentBefore).toBeLessThan(MESSAGES);
    const posts = fx.fake.callsTo('chat.postMessage').filter((c) => c.params.thread_ts === rootTs);
    expect(posts).toHaveLength(MESSAGES);
  });

  it('queues the ledger of a run whose process died after the diagnosis ended but before the ledger was queued', async () => {
    const app = await processOf();
    const posted = await fx.client.chat.postMessage({ channel: CHANNEL, text: 'root' });
    const rootTs = String(posted.ts);
    const symptom = parseSymptom('502 on checkout', { now: T0 });
    const runId = 'run-no-ledger';
    await app.store.createRun({
      id: runId,
      trigger: 'command',
      text: '502 on checkout',
      symptom,
      service: 'checkout',
      playbook: 'http-errors',
      channel: CHANNEL,
      rootTs,
      threadTs: rootTs,
      userId: 'U0ONCALL01',
      alert: null,
      owner: 'replica-a',
      startedAt: T0,
    });
    await app.store.enqueueOutbox(runId, [], { open: true });
    await app.store.updateRun(runId, { status: 'finished', result: outcome({ runId }), finishedAt: T0 });
    expect((await app.store.getRun(runId))?.status).toBe('delivering');

    await app.recover();
    expect(await app.store.getRun(runId)).toMatchObject({ status: 'finished', undelivered: 0 });
    const rows = await app.store.outbox(runId);
    expect(rows.map((r) => [r.kind, r.state])).toEqual([
      ['ledger', 'sent'],
      ['root', 'sent'],
    ]);
    expect(replies(rootTs)).toEqual([rows[0]?.payload.text]);
  });

  it('marks what cannot be delivered failed and the root says how many', async () => {
    const frozen: Sleep = () => new Promise(() => undefined);
    const first = await processOf({ sleep: frozen });
    void start(first.runner);
    await until(async () => {
      const [run] = await first.store.listRuns({ limit: 1 });
      return run?.status === 'delivering' && (await first.store.outbox(run.id)).some((r) => r.kind === 'ledger');
    });
    const [run] = await first.store.listRuns({ limit: 1 });
    const rootTs = run?.rootTs ?? '';
    fx.fake.failNext('chat.postMessage', { error: 'message_not_found' }, 2);

    const second = await processOf();
    await second.recover();
    expect(await second.store.getRun(run?.id ?? '')).toMatchObject({ status: 'finished', undelivered: 2 });
    expect((await second.store.outbox(run?.id ?? '')).filter((r) => r.state === 'failed')).toHaveLength(2);
    expect(textOf(fx.fake.thread(CHANNEL, rootTs)[0])).toContain('2 updates could not be delivered');
  });

  it('takes over the thread of a replica that died, once its delivery claim has expired', async () => {
    const frozen: Sleep = () => new Promise(() => undefined);
    const dead = await processOf({ sleep: frozen, replica: 'replica-x', claimMs: 50 });
    void start(dead.runner);
    await until(async () => {
      const [run] = await dead.store.listRuns({ limit: 1 });
      return run?.status === 'delivering' && (await dead.store.outbox(run.id)).some((r) => r.kind === 'ledger');
    });
    const [run] = await dead.store.listRuns({ limit: 1 });
    await new Promise((r) => setTimeout(r, 80));
    const other = await processOf({ replica: 'replica-b', staleMs: 0 });
    await other.recover();
    expect(await other.store.getRun(run?.id ?? '')).toMatchObject({ status: 'finished', owner: 'replica-b' });
    expect(replies(run?.rootTs ?? '')).toHaveLength(MESSAGES);
  });

  it('leaves a run another live replica delivers to it', async () => {
    const app = await processOf();
    const posted = await fx.client.chat.postMessage({ channel: CHANNEL, text: 'root' });
    const rootTs = String(posted.ts);
    const run = await app.store.createRun({
      id: 'run-held',
      trigger: 'command',
      text: 'x',
      symptom: parseSymptom('502 on checkout', { now: T0 }),
      service: null,
      playbook: null,
      channel: CHANNEL,
      rootTs,
      threadTs: rootTs,
      userId: null,
      alert: null,
      owner: 'replica-a',
      startedAt: T0,
    });
    await app.store.enqueueOutbox(
      run.id,
      [{ kind: 'reply', channel: CHANNEL, threadTs: rootTs, targetTs: null, payload: { text: 'r' } }],
      { close: true },
    );
    await app.store.updateRun(run.id, { status: 'finished' });
    expect(await app.store.claimDelivery(run.id, 'replica-b', 60_000)).toBe(true);
    await app.recover();
    expect(replies(rootTs)).toEqual([]);
    expect((await app.store.getRun(run.id))?.status).toBe('delivering');
  });
});
