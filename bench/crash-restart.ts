/**
 * Crash-restart figure: 50 diagnoses asked of the app running as a child process (against the fake Slack and the
 * scenario Prometheus behind a slow proxy), the child killed with SIGKILL at random moments (while diagnoses run and
 * while their replies go out), and restarted on the same SQLite file. At the end every thread is checked against the
 * run store and the fake Slack: complete, marked incomplete (messages Slack refused, counted on the root), or
 * interrupted (the diagnosis itself was killed; its root says so), and no message posted twice. Commands acknowledged
 * but killed before their root was posted are counted: recorded before the ack, they are resumed after the restart
 * (their root says so), so none should be lost.
 *
 * Run alone: `node --import tsx bench/crash-restart.ts` (BENCH_SEED, BENCH_CRASH_RUNS to vary it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIONS } from '../src/adapters/slack/ids.js';
import { openSqliteRunStore } from '../src/adapters/store/sqlite-run-store.js';
import type { StoredRun } from '../src/application/ports/run-store.js';
import { SCENARIOS } from '../test/scenarios/catalog.js';
import { seededRandom } from '../test/scenarios/model/noise.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../test/support/fake-slack/fake-slack-server.js';
import { signSlackRequest, slashCommandBody } from '../test/support/fake-slack/sign-request.js';
import { kill9, type PortReportingApp, startPortReportingApp } from '../test/support/local-process.js';
import { startScenarioPrometheus } from '../test/support/prometheus/scenario-server.js';
import { startSlowProxy } from '../test/support/slow-proxy.js';
import type { BenchRow } from './table.js';

const SECRET = 'crash-restart-bench-secret';
const APP = new URL('./crash-restart-app.ts', import.meta.url).pathname;
const REPLICA = 'crash-bench';

export interface CrashRestartOptions {
  /** Diagnoses asked in all (default 50). */
  runs?: number;
  /** Seed of the kill moments and channel choice (default 1). */
  seed?: number;
  /** Channels the diagnoses are spread over (default 8). */
  channels?: number;
  /** The scenario Prometheus URL; started here when absent. */
  prometheusUrl?: string;
}

export interface CrashRestartFigures {
  runs: number;
  kills: number;
  killsWhileDiagnosing: number;
  killsWhileDelivering: number;
  complete: number;
  incomplete: number;
  interrupted: number;
  stillOwed: number;
  postedTwice: number;
  outOfOrder: number;
  /** Commands Slack got an ack for. */
  accepted: number;
  /** Acknowledged commands that never got a root (nor an "ask again" note): lost between the ack and the root. */
  lostBetweenAckAndRoot: number;
  /** Commands whose root was posted after a restart (acknowledged by the killed process). */
  resumedCommands: number;
  /** Commands too old to run after the restart (the channel was told to ask again). */
  expiredCommands: number;
  /** Diagnosis roots posted more than once for one run. */
  rootsTwice: number;
  messages: number;
  wallMs: number;
}

/** A small seeded generator, so a run of the bench can be repeated. */
const random = seededRandom;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type AppProcess = PortReportingApp;

const startApp = (env: NodeJS.ProcessEnv) => startPortReportingApp(APP, env);

async function command(port: number, text: string, channel: string): Promise<boolean> {
  const body = slashCommandBody({ text, channel_id: channel, response_url: `http://127.0.0.1:${port}/unused` });
  try {
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      body,
      headers: { ...signSlackRequest({ signingSecret: SECRET, body }) },
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Runs the bench and returns its figures. */
export async function measureCrashRestart(options: CrashRestartOptions = {}): Promise<CrashRestartFigures> {
  const total = options.runs ?? 50;
  const rand = random(options.seed ?? 1);
  const channelIds = Array.from({ length: options.channels ?? 8 }, (_, i) => `C0CRASH${String(i).padStart(3, '0')}`);
  const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client') ?? SCENARIOS[0];
  if (!scenario) throw new Error('no scenario');
  const server = options.prometheusUrl ? undefined : await startScenarioPrometheus();
  const proxy = await startSlowProxy(options.prometheusUrl ?? server?.url ?? '', { delayMs: 60 });
  const fake: FakeSlack = await startFakeSlack({
    channels: channelIds.map((id) => ({ id })),
    postMessageLimit: { burst: 3, perSecond: 2 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'triage-crash-bench-'));
  const dbPath = join(dir, 'triage.sqlite');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: '',
    SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.url,
    PROMETHEUS_URL: proxy.url,
    PORT: '0',
    TRIAGE_DB_PATH: dbPath,
    TRIAGE_REPLICA_ID: REPLICA,
    TRIAGE_REPLY_INTERVAL_MS: '500',
    TRIAGE_REPLY_BURST: '1',
    TRIAGE_DEADLINE_MS: '60000',
    TRIAGE_QUERY_TIMEOUT_MS: '10000',
    BENCH_AT: scenario.at,
    LOG_LEVEL: 'error',
  };
  const t0 = performance.now();
  let asked = 0;
  let accepted = 0;
  let kills = 0;
  let killsWhileDiagnosing = 0;
  let killsWhileDelivering = 0;
  let app: AppProcess | undefined;
  const store = await openSqliteRunStore(dbPath);
  try {
    while (asked < total) {
      app = await startApp(env);
      const batch = Math.min(total - asked, 4 + Math.floor(rand() * 6));
      for (let i = 0; i < batch; i++) {
        const channel = channelIds[Math.floor(rand() * channelIds.length)] ?? channelIds[0] ?? '';
        // Each diagnosis asks about its own window, so the app does not fold them into one.
        if (await command(app.port, `${scenario.symptom} for the last ${20 + asked * 5}m`, channel)) accepted++;
        asked++;
        await sleep(50 + rand() * 150);
      }
      // Kill at a random moment: while diagnoses run (early) or while their replies go out (later).
      await sleep(200 + rand() * 6000);
      const runs = await store.listRuns({ limit: 1000 });
      if (runs.some((r) => r.status === 'running')) killsWhileDiagnosing++;
      if (runs.some((r) => r.status === 'delivering')) killsWhileDelivering++;
      await kill9(app);
      kills++;
    }
    // The last restart: everything owed goes out, and the commands left by the last kill are run.
    app = await startApp(env);
    const deadline = Date.now() + 300_000;
    const patience = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const runs = await store.listRuns({ limit: 1000 });
      const owed = await store.undeliveredRuns({ owner: REPLICA });
      const allThere = runs.length >= accepted || Date.now() > patience;
      if (allThere && owed.length === 0 && !runs.some((r) => r.status === 'running')) break;
      await sleep(500);
    }
    // Let the last root edits land, then stop it cleanly.
    await sleep(1000);
    const exited = new Promise((r) => app?.child.once('exit', r));
    app.child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    await kill9(app);

    const runs: StoredRun[] = await store.listRuns({ limit: 1000 });
    let complete = 0;
    let incomplete = 0;
    let interrupted = 0;
    let stillOwed = 0;
    let messages = 0;
    for (const run of runs) {
      const rows = await store.outbox(run.id);
      messages += rows.length;
      if (rows.some((r) => r.state === 'pending' || r.state === 'sending') || run.status === 'delivering') stillOwed++;
      else if (run.status === 'interrupted') interrupted++;
      else if (rows.some((r) => r.state === 'failed')) incomplete++;
      else complete++;
    }
    // Every thread message carries its run and order in its metadata: the same pair twice is a repeat.
    const seen = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    const outOfOrder = new Set<string>();
    for (const list of fake.messages.values()) {
      for (const m of list) {
        const meta = m.metadata as
          | { event_type?: string; event_payload?: { run_id?: string; seq?: number } }
          | undefined;
        if (meta?.event_type !== 'triage_outbox') continue;
        const runId = String(meta.event_payload?.run_id);
        const seq = Number(meta.event_payload?.seq);
        seen.set(`${runId}:${seq}`, (seen.get(`${runId}:${seq}`) ?? 0) + 1);
        // Messages of a thread reaching Slack out of their order: that thread counts as out of order.
        if (seq < (lastSeq.get(runId) ?? 0)) outOfOrder.add(runId);
        lastSeq.set(runId, seq);
      }
    }
    const postedTwice = [...seen.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    // Roots (top-level messages with the Re-run button, whose value is the run id) as first posted, those saying
    // they were resumed after a restart, and the notes about commands too old to run.
    const rootsOf = new Map<string, number>();
    let resumedCommands = 0;
    let expiredCommands = 0;
    for (const call of fake.callsTo('chat.postMessage')) {
      if (call.status !== 200 || call.error || call.params.thread_ts !== undefined) continue;
      if (/Triage restarted before it could diagnose/.test(String(call.params.text ?? ''))) expiredCommands++;
      const blocks = Array.isArray(call.params.blocks) ? (call.params.blocks as unknown[]) : undefined;
      const runId = rerunValue(blocks);
      if (!runId) continue;
      rootsOf.set(runId, (rootsOf.get(runId) ?? 0) + 1);
      if (/resumed after a Triage restart/.test(JSON.stringify(blocks))) resumedCommands++;
    }
    const rootsTwice = [...rootsOf.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const commandRuns = runs.filter((r) => r.trigger === 'command').length;
    return {
      runs: runs.length,
      kills,
      killsWhileDiagnosing,
      killsWhileDelivering,
      complete,
      incomplete,
      interrupted,
      stillOwed,
      postedTwice,
      outOfOrder: outOfOrder.size,
      accepted,
      lostBetweenAckAndRoot: Math.max(0, accepted - commandRuns - expiredCommands),
      resumedCommands,
      expiredCommands,
      rootsTwice,
      messages,
      wallMs: performance.now() - t0,
    };
  } finally {
    if (app) await kill9(app);
    await store.close();
    await fake.stop();
    await proxy.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The run id a root message's Re-run button carries, if it is a diagnosis root. */
function rerunValue(blocks: unknown[] | undefined): string | undefined {
  for (const block of blocks ?? []) {
    const elements = (block as { type?: string; elements?: { action_id?: string; value?: string }[] }).elements;
    const rerun = elements?.find((e) => e.action_id === ACTIONS.rerun);
    if (rerun?.value) return rerun.value;
  }
  return undefined;
}

/** The figures as rows of the bench table. */
export async function benchCrashRestart(options: CrashRestartOptions = {}): Promise<BenchRow[]> {
  const f = await measureCrashRestart(options);
  return [
    {
      figure: 'crash-restart: diagnoses recorded / asked',
      value: `${f.runs} / ${options.runs ?? 50} (${f.accepted} acknowledged)`,
      goal: '—',
      pass: null,
    },
    {
      figure: 'crash-restart: commands lost between ack and root',
      value: `${f.lostBetweenAckAndRoot} (${f.resumedCommands} resumed after a restart, ${f.expiredCommands} too old: told to ask again)`,
      goal: '0',
      pass: f.lostBetweenAckAndRoot === 0,
    },
    {
      figure: 'crash-restart: roots posted twice',
      value: String(f.rootsTwice),
      goal: '0',
      pass: f.rootsTwice === 0,
    },
    {
      figure: 'crash-restart: kill -9 (while diagnosing / while replies go out)',
      value: `${f.kills} (${f.killsWhileDiagnosing} / ${f.killsWhileDelivering})`,
      goal: '—',
      pass: null,
    },
    {
      figure: 'crash-restart: threads complete',
      value: `${f.complete} of ${f.runs} (${f.messages} outbox messages)`,
      goal: 'all whose diagnosis ended',
      pass: f.stillOwed === 0 && f.incomplete === 0,
    },
    {
      figure: 'crash-restart: threads marked incomplete',
      value: String(f.incomplete),
      goal: '0',
      pass: f.incomplete === 0,
    },
    {
      figure: 'crash-restart: diagnoses interrupted (root says so)',
      value: String(f.interrupted),
      goal: '—',
      pass: null,
    },
    { figure: 'crash-restart: threads still owed', value: String(f.stillOwed), goal: '0', pass: f.stillOwed === 0 },
    {
      figure: 'crash-restart: messages posted twice',
      value: String(f.postedTwice),
      goal: '0',
      pass: f.postedTwice === 0,
    },
    { figure: 'crash-restart: threads out of order', value: String(f.outOfOrder), goal: '0', pass: f.outOfOrder === 0 },
    { figure: 'crash-restart: wall time', value: `${(f.wallMs / 1000).toFixed(0)} s`, goal: '—', pass: null },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./table.js');
  const rows = await benchCrashRestart({
    runs: Number(process.env.BENCH_CRASH_RUNS ?? 50),
    seed: Number(process.env.BENCH_SEED ?? 1),
  });
  printTable(rows, (line) => process.stdout.write(`${line}\n`));
}
