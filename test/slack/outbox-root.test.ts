/**
 * Root edits and alert lines through the durable outbox: a decision, an alert's repeat counter and "interrupted"
 * written before they are sent, so a process killed before Slack got them has them applied once after the restart;
 * pending edits of one root coalesce into one chat.update with the latest content; and a store that refuses the
 * outbox write still gets the message to Slack, counted and said, never claimed durable. On a SQLite file and on
 * PostgreSQL, each "process" with its own store connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { withRun } from '../../src/adapters/log/run-context.js';
import { SelfMetrics } from '../../src/adapters/metrics/self-metrics.js';
import { ChannelPacer } from '../../src/adapters/slack/channel-pacer.js';
import type { MethodBudget } from '../../src/adapters/slack/method-budget.js';
import { type RunRecord, RunRegistry } from '../../src/adapters/slack/run-registry.js';
import { threadRenderers } from '../../src/adapters/slack/thread-renderers.js';
import { ThreadRunner } from '../../src/adapters/slack/thread-runner.js';
import { openPostgresRunStore } from '../../src/adapters/store/postgres-run-store.js';
import type { SqlRunStore } from '../../src/adapters/store/sql-run-store.js';
import { Readiness } from '../../src/app/readiness.js';
import { recoverRuns } from '../../src/app/recover-runs.js';
import { watchRunStore } from '../../src/app/watched-run-store.js';
import type { DiagnoseRequest } from '../../src/application/diagnose/diagnose.js';
import { RunJournal } from '../../src/application/diagnose/run-journal.js';
import type { RunAlertInfo, RunStore } from '../../src/application/ports/run-store.js';
import {
  alertIs,
  decided,
  interrupted,
  type RunState,
  type RunTransition,
} from '../../src/application/runs/run-state.js';
import type { DiagnosisOutcome, RunEvent } from '../../src/domain/engine/types.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';
import { hypothesis, outcome, step } from '../support/diagnosis-factory.js';
import { FAKE_SLACK_DEFAULTS, textOf } from '../support/fake-slack/fake-slack-server.js';
import { freshSchema, requirePostgres } from '../support/postgres.js';
import { useOutboxFixture } from './outbox-fixture.js';

const CHANNEL = FAKE_SLACK_DEFAULTS.channelId;
const T0 = new Date('2026-11-01T14:00:00Z');
const STEPS = ['pool-saturation', 'error-ratio'] as const;

const fx = useOutboxFixture('outbox-root');
const postgres = requirePostgres();

/** A diagnosis of two steps, then three replies (the finding, the fold, the ledger); `hold` keeps it going (the process dies mid-run). */
function diagnosis(hold?: Promise<void>) {
  const one = step({ id: 'pool-saturation', title: 'Step one', status: 'crit' });
  const two = step({ id: 'error-ratio', title: 'Step two', status: 'ok' });
  return async function* run(request: DiagnoseRequest): AsyncGenerator<RunEvent, DiagnosisOutcome> {
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
    yield {
      type: 'step-finished',
      runId: request.runId,
      step: one,
      at: T0,
    };
    if (hold) await hold;
    yield { type: 'step-finished', runId: request.runId, step: two, at: T0 };
    // Its thread: the pool finding, the normal check folded, the ledger (one message per step and the ledger).
    const result = outcome({
      runId: request.runId,
      steps: [one, two],
      hypotheses: [hypothesis({ cites: { supporting: ['pool-saturation'], against: [] } })],
    });
    yield { type: 'run-finished', runId: request.runId, result, at: T0 };
    return result;
  };
}

/** A chat.update budget that can be frozen: a process "killed" while its root edit waits for its turn. */
function freezableBudget(): Pick<MethodBudget, 'take'> & { frozen: boolean } {
  const budget = {
    frozen: false,
    take: () => (budget.frozen ? new Promise<void>(() => undefined) : Promise.resolve()),
  };
  return budget;
}

const ALERT: RunAlertInfo = {
  source: 'alertmanager-webhook',
  title: 'HighErrorRate checkout',
  alertname: 'HighErrorRate',
  status: 'firing',
  repeats: 0,
  grouped: [],
};

/** Every method of the run store that writes. */
const WRITES = new Set([
  'createRun',
  'updateRun',
  'appendEvent',
  'markInterrupted',
  'claimKey',
  'releaseKey',
  'enqueueOutbox',
  'closeOutbox',
  'markSending',
  'settleOutbox',
  'claimDelivery',
  'releaseDelivery',
]);

/** The store with `methods` refusing while `full.on` (disk full, PostgreSQL down). */
function refusing(store: RunStore, full: { on: boolean }, methods: ReadonlySet<string>): RunStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      return (...args: unknown[]) =>
        full.on && typeof property === 'string' && methods.has(property)
          ? Promise.reject(new Error('SQLITE_FULL: database or disk is full'))
          : fn.apply(target, args);
    },
  });
}

async function bypassedCount(metrics: SelfMetrics): Promise<number> {
  const exposition = await metrics.registry.metrics();
  return Number(/^triage_slack_outbox_bypassed_total (\d+)/m.exec(exposition)?.[1] ?? 0);
}

interface Engine {
  name: string;
  /** Opens a connection to this test's database (again, for a restart). */
  open(): Promise<SqlRunStore>;
}

const engines: { name: string; available: boolean; make(): Promise<Engine & { cleanup(): Promise<void> }> }[] = [
  {
    name: 'SQLite file',
    available: true,
    async make() {
      return { name: 'SQLite file', open: () => fx.open(), cleanup: async () => undefined };
    },
  },
  {
    name: 'PostgreSQL',
    available: postgres.available,
    async make() {
      const schema = await freshSchema('outbox_root');
      const opened: SqlRunStore[] = [];
      return {
        name: 'PostgreSQL',
        async open() {
          const store = await openPostgresRunStore(postgres.url, { schema: schema.schema });
          opened.push(store);
          return store;
        },
        async cleanup() {
          for (const s of opened) await s.close().catch(() => undefined);
          await schema.drop();
        },
      };
    },
  },
];

for (const engine of engines) {
  describe.skipIf(!engine.available)(`root edits through the outbox (${engine.name})`, () => {
    let db: (Engine & { cleanup(): Promise<void> }) | undefined;
    afterEach(async () => {
      await db?.cleanup();
      db = undefined;
    });

    /** One process of the app on this test's database, as replica `replica-a`. */
    async function processOf(
      options: { hold?: Promise<void>; wrap?: (store: RunStore) => RunStore; metrics?: SelfMetrics } = {},
    ) {
      db ??= await engine.make();
      const raw = await db.open();
      const store = options.wrap ? options.wrap(raw) : raw;
      const registry = new RunRegistry();
      const journal = new RunJournal(store, { owner: 'replica-a', now: () => T0, logger: silentLogger });
      const updates = freezableBudget();
      const runner = new ThreadRunner({
        run: diagnosis(options.hold),
        registry,
        pacer: new ChannelPacer(0, { sleep: async () => undefined }),
        render: threadRenderers,
        logger: silentLogger,
        runScope: withRun,
        journal,
        updates,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      });
      const recover = () =>
        recoverRuns({
          store,
          replica: 'replica-a',
          now: () => T0,
          staleMs: 60_000,
          client: fx.client,
          runner,
          registry,
          logger: silentLogger,
          awaitDelivery: true,
        });
      return { raw, store, registry, journal, runner, updates, recover };
    }

    const start = (runner: ThreadRunner, alert?: RunAlertInfo) =>
      runner.start({
        client: fx.client,
        channel: CHANNEL,
        userId: 'U0ONCALL01',
        text: '502 on checkout',
        symptom: parseSymptom('502 on checkout', { now: T0 }),
        ...(alert ? { alert: { ...alert }, trigger: 'webhook' as const } : {}),
      });

    const rootText = (rootTs: string) => textOf(fx.fake.thread(CHANNEL, rootTs)[0]);
    const updatesOf = (rootTs: string, since = 0) =>
      fx.fake.callsTo('chat.update').filter((c) => c.params.ts === rootTs && c.seq > since);
    const lastSeq = () => fx.fake.calls.at(-1)?.seq ?? 0;

    const rowText = (row: { payload: { text: string; blocks?: unknown[] } } | undefined) =>
      `${row?.payload.text ?? ''}\n${JSON.stringify(row?.payload.blocks ?? [])}`;

    async function pendingRoot(store: RunStore, runId: string) {
      for (let i = 0; i < 500; i++) {
        const rows = (await store.outbox(runId)).filter((r) => r.kind === 'root' && r.state === 'pending');
        if (rows.length > 0) return rows;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no pending root edit in the outbox');
    }

    /** Changes a run's state in the process's registry, as the listeners do; the new state. */
    const change = (p: { registry: RunRegistry }, record: RunRecord, transition: RunTransition): RunState =>
      p.registry.update(record.runId, transition) ?? transition(record);
    /** The alert fired again: its run's state counts `n` repeats. */
    const repeated =
      (n: number): RunTransition =>
      (s) =>
        alertIs({ ...(s.alert ?? ALERT), repeats: n })(s);
    const confirmed = (record: RunRecord) =>
      decided({ userId: 'U0DECIDER1', decision: 'confirmed', cause: record.top?.cause ?? 'x', at: T0 });

    /** The first process decides (confirm) with its chat.update budget frozen, then "dies". */
    async function decideThenDie(first: Awaited<ReturnType<typeof processOf>>, record: RunRecord) {
      first.updates.frozen = true;
      const shown = change(first, record, confirmed(record));
      await first.journal.update(record.runId, { decision: shown.decision ?? null });
      void first.runner.refreshRoot(fx.client, shown);
      return pendingRoot(first.store, record.runId);
    }

    it('a decision whose root edit was pending when the process died is applied once after the restart', async () => {
      const first = await processOf();
      const record = await start(first.runner);
      if (!record) throw new Error('no run');
      expect(rootText(record.rootTs)).not.toContain('Cause confirmed');
      const mark = lastSeq();
      await decideThenDie(first, record);
      expect(updatesOf(record.rootTs, mark)).toHaveLength(0);

      const second = await processOf();
      await second.recover();
      const edits = updatesOf(record.rootTs, mark);
      expect(edits).toHaveLength(1);
      expect(rootText(record.rootTs)).toContain('Cause confirmed by <@U0DECIDER1>');
      expect(await second.store.getRun(record.runId)).toMatchObject({ status: 'finished', undelivered: 0 });
      expect((await second.store.outbox(record.runId)).every((r) => r.state === 'sent')).toBe(true);
    });

    it("an alert's repeat counter pending when the process died shows after the restart, in one edit", async () => {
      const first = await processOf();
      const record = await start(first.runner, ALERT);
      if (!record?.alert) throw new Error('no alert run');
      const mark = lastSeq();
      first.updates.frozen = true;
      // Three repeats, as the alert intake counts them: each changes the record and asks for a spaced root edit.
      for (let n = 1; n <= 3; n++) {
        const shown = change(first, record, repeated(n));
        await first.journal.update(record.runId, { alert: shown.alert ?? null });
        void first.runner.refreshRoot(fx.client, shown, { minIntervalMs: 3000 });
      }
      // Coalesced in the store: one pending edit, the latest.
      let rows = await pendingRoot(first.store, record.runId);
      for (let i = 0; i < 250 && !rowText(rows[0]).includes('fired again 3×'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        rows = await pendingRoot(first.store, record.runId);
      }
      expect(rows).toHaveLength(1);
      expect(rowText(rows[0])).toContain('fired again 3×');

      const second = await processOf();
      await second.recover();
      expect(updatesOf(record.rootTs, mark)).toHaveLength(1);
      expect(rootText(record.rootTs)).toContain('fired again 3×');
    });

    it('two pending edits of one root (a decision, then a repeat) go out as one chat.update with the latest', async () => {
      const first = await processOf();
      const record = await start(first.runner, ALERT);
      if (!record?.alert) throw new Error('no alert run');
      const mark = lastSeq();
      await decideThenDie(first, record);
      const shown = change(first, record, repeated(1));
      await first.journal.update(record.runId, { alert: shown.alert ?? null });
      void first.runner.refreshRoot(fx.client, shown, { minIntervalMs: 3000 });
      await new Promise((r) => setTimeout(r, 50));
      expect(
        (await first.store.outbox(record.runId)).filter((r) => r.kind === 'root' && r.state === 'pending'),
      ).toHaveLength(1);

      const second = await processOf();
      await second.recover();
      const edits = updatesOf(record.rootTs, mark);
      expect(edits).toHaveLength(1);
      const text = rootText(record.rootTs);
      expect(text).toContain('Cause confirmed by <@U0DECIDER1>');
      expect(text).toContain('fired again 1×');
    });

    it('spaces and coalesces edits in a live process: a burst of repeats waits its turn and goes out as one', async () => {
      const app = await processOf();
      const record = await start(app.runner, ALERT);
      if (!record?.alert) throw new Error('no alert run');
      const mark = lastSeq();
      await app.runner.refreshRoot(fx.client, change(app, record, repeated(1)), { minIntervalMs: 400 });
      const edits: Promise<void>[] = [];
      for (let n = 2; n <= 5; n++) {
        edits.push(app.runner.refreshRoot(fx.client, change(app, record, repeated(n)), { minIntervalMs: 400 }));
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(edits);
      const calls = updatesOf(record.rootTs, mark);
      // The first at once; the four that came within its spacing wait for it and go out together (a slow store may
      // split them once more), each edit at least the spacing after the one before.
      expect(JSON.stringify(calls[0]?.params)).toContain('fired again 1×');
      expect(calls.length).toBeGreaterThanOrEqual(2);
      expect(calls.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < calls.length; i++)
        expect((calls[i]?.time ?? 0) - (calls[i - 1]?.time ?? 0)).toBeGreaterThanOrEqual(380);
      expect(rootText(record.rootTs)).toContain('fired again 5×');
      expect(await app.store.getRun(record.runId)).toMatchObject({ status: 'finished' });
      // Nothing is held once the edits are done.
      await new Promise((r) => setTimeout(r, 450));
      expect(app.runner.held()).toEqual({ rootEdits: 0, queuedEdits: 0, editTimes: 0 });
    });

    it('"interrupted" at shutdown, pending when the process died, is shown once after the restart', async () => {
      // The diagnosis never ends in the first process.
      const hold = new Promise<void>(() => undefined);
      const first = await processOf({ hold });
      void start(first.runner);
      const record = await (async () => {
        for (let i = 0; i < 500; i++) {
          const [r] = first.registry.inFlight();
          if (r && r.stepsDone >= 1) return r;
          await new Promise((res) => setTimeout(res, 10));
        }
        throw new Error('the run did not start');
      })();
      // The shutdown of build-app: stop delivering, mark the run interrupted, say so on its root (budget frozen: the
      // process is killed before the edit goes out).
      await first.runner.stopDelivery();
      first.updates.frozen = true;
      await first.store.markInterrupted({ owner: 'replica-a', reason: 'shut down', at: T0 });
      const shown = change(first, record, interrupted);
      const mark = lastSeq();
      void first.runner.refreshRoot(fx.client, shown);
      await pendingRoot(first.store, record.runId);
      expect(updatesOf(record.rootTs, mark)).toHaveLength(0);

      const second = await processOf();
      await second.recover();
      expect(updatesOf(record.rootTs, mark)).toHaveLength(1);
      expect(rootText(record.rootTs)).toContain('Interrupted after 1 of 2 steps');
      expect((await second.store.getRun(record.runId))?.status).toBe('interrupted');
    });

    it('a store that refuses every write (disk full): the thread and the root reach Slack, counted, not ready', async () => {
      const readiness = new Readiness();
      const metrics = new SelfMetrics();
      const full = { on: false };
      const app = await processOf({
        metrics,
        wrap: (store) => watchRunStore(refusing(store, full, WRITES), readiness),
      });
      full.on = true;
      const record = await start(app.runner);
      if (!record) throw new Error('no run');
      // Every message of the thread reached Slack directly.
      const thread = fx.fake.thread(CHANNEL, record.rootTs);
      expect(thread.slice(1)).toHaveLength(STEPS.length + 1);
      expect(thread.at(-1)?.text).toBe(threadRenderers.ledger(record.result as DiagnosisOutcome, record).text);
      // A decision's root edit too.
      const mark = lastSeq();
      await app.runner.refreshRoot(fx.client, change(app, record, confirmed(record)));
      expect(updatesOf(record.rootTs, mark)).toHaveLength(1);
      expect(rootText(record.rootTs)).toContain('Cause confirmed by <@U0DECIDER1>');
      // Counted in /metrics, and /readyz's source names the store until a write succeeds again.
      expect(await bypassedCount(metrics)).toBeGreaterThanOrEqual(STEPS.length + 2);
      expect(readiness.ready).toBe(false);
      expect(readiness.why().join()).toMatch(/store: the run store failed \(\w+\): SQLITE_FULL/);
      full.on = false;
      await app.store.releaseKey('any');
      expect(readiness.ready).toBe(true);
    });

    it('a store that refuses only the outbox: sent directly, and the run says which messages were not durable', async () => {
      const metrics = new SelfMetrics();
      const full = { on: false };
      const app = await processOf({ metrics, wrap: (store) => refusing(store, full, new Set(['enqueueOutbox'])) });
      full.on = true;
      const record = await start(app.runner);
      if (!record) throw new Error('no run');
      expect(fx.fake.thread(CHANNEL, record.rootTs).slice(1)).toHaveLength(STEPS.length + 1);
      const bypassed = await bypassedCount(metrics);
      expect(bypassed).toBeGreaterThanOrEqual(STEPS.length + 2);
      // The notes are journalled in the background, as every note is.
      let notes = (await app.store.events(record.runId)).filter((e) => e.type === 'delivered-directly');
      for (let i = 0; i < 100 && notes.length < bypassed; i++) {
        await new Promise((r) => setTimeout(r, 20));
        notes = (await app.store.events(record.runId)).filter((e) => e.type === 'delivered-directly');
      }
      expect(notes).toHaveLength(bypassed);
      expect(notes.map((e) => (e.data as { what: string }).what)).toContain('ledger');
      expect((await app.store.outbox(record.runId)).filter((r) => r.kind !== 'root')).toHaveLength(0);
    });

    it('alert lines of a run are written to its outbox and delivered in its thread', async () => {
      const app = await processOf();
      const record = await start(app.runner, ALERT);
      if (!record) throw new Error('no run');
      await app.runner.postInThread(
        fx.client,
        { runId: record.runId, channel: CHANNEL, threadTs: record.threadTs },
        { text: 'HighErrorRate checkout fired again', blocks: [] },
        'alert lines',
      );
      const rows = (await app.store.outbox(record.runId)).filter((r) => r.payload.label === 'alert lines');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.state).toBe('sent');
      expect(fx.fake.thread(CHANNEL, record.threadTs).at(-1)?.text).toBe('HighErrorRate checkout fired again');
      expect(await app.store.getRun(record.runId)).toMatchObject({ status: 'finished' });
    });
  });
}
