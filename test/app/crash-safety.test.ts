/**
 * Crash safety: a `triage diagnose` child process recording into a SQLite file is killed with SIGKILL mid-run. What
 * it recorded must be intact; a restart of the app (same replica id, same file) marks the run interrupted; and the
 * run's post-mortem exports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import type { RunStore, StoredEvent } from '../../src/application/ports/run-store.js';
import { EXIT, runCli } from '../../src/cli/run-cli.js';
import { SCENARIOS } from '../scenarios/catalog.js';
import { type SlackHarness, startSlackHarness } from '../slack/slack-harness.js';
import { waitForExit } from '../support/local-process.js';
import { requirePrometheus } from '../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../support/prometheus/scenario-server.js';
import { type SlowProxy, startSlowProxy } from '../support/slow-proxy.js';
import { until } from '../support/until.js';

const prometheus = requirePrometheus();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const REPLICA = 'crash-test-replica';
const TRIAGE = new URL('../../bin/triage.js', import.meta.url).pathname;

describe.skipIf(!prometheus.available)('a diagnosis killed with SIGKILL', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let proxy: SlowProxy;
  let dir: string;
  let dbPath: string;
  let child: ChildProcess | undefined;
  let slack: SlackHarness | undefined;
  let store: RunStore | undefined;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    // Each query waits, so the run is still going when it is killed.
    proxy = await startSlowProxy(server.url, { delayMs: 300 });
    dir = await mkdtemp(join(tmpdir(), 'triage-crash-'));
    dbPath = join(dir, 'runs', 'triage.sqlite');
  }, 300_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await slack?.stop();
    await store?.close();
    await proxy?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every recorded event, is marked interrupted on restart, and exports its post-mortem', async () => {
    let stderr = '';
    child = spawn(
      process.execPath,
      [TRIAGE, 'diagnose', scenario.symptom, '--prometheus-url', proxy.url, '--at', scenario.at, '--db', dbPath],
      { env: { ...process.env, TRIAGE_REPLICA_ID: REPLICA }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });

    // Wait for the child to have recorded the start and a few steps, then kill it without warning.
    const observer = await until(
      'the run store file',
      async () => {
        try {
          return await openRunStore({ sqlitePath: dbPath });
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    store = observer;
    const run = await until(
      'a few recorded steps',
      async () => {
        const [latest] = await observer.listRuns({ limit: 1 });
        if (!latest) return undefined;
        const steps = (await observer.events(latest.id)).filter((e) => e.type === 'step-finished');
        return steps.length >= 2 ? latest : undefined;
      },
      60_000,
    );
    expect(child.exitCode, `the child ended before it was killed: ${stderr}`).toBeNull();
    child.kill('SIGKILL');
    expect(await waitForExit(child, 10_000)).toBe(true);
    expect(child.signalCode).toBe('SIGKILL');

    const recorded: StoredEvent[] = await observer.events(run.id);
    expect(recorded.map((e) => e.seq)).toEqual(recorded.map((_, i) => i + 1));
    expect(recorded[0]?.type).toBe('run-started');
    expect(recorded.some((e) => e.type === 'run-finished')).toBe(false);
    expect((await observer.getRun(run.id))?.status).toBe('running');
    expect(run).toMatchObject({ owner: REPLICA, trigger: 'cli', text: scenario.symptom });

    // Restart: the app with the same replica id and file marks the run interrupted.
    slack = await startSlackHarness({
      prometheusUrl: server.url,
      now: () => new Date(),
      env: { TRIAGE_DB_PATH: dbPath, TRIAGE_REPLICA_ID: REPLICA },
    });
    const after = await observer.events(run.id);
    expect(after.slice(0, recorded.length)).toEqual(recorded);
    expect(after).toHaveLength(recorded.length + 1);
    expect(after.at(-1)).toMatchObject({ seq: recorded.length + 1, type: 'interrupted' });
    expect(await observer.getRun(run.id)).toMatchObject({ status: 'interrupted' });

    // Its post-mortem exports, from what was recorded before the crash.
    const out = join(dir, 'postmortem.md');
    const io = { stdout: () => {}, stderr: () => {} };
    expect(await runCli(['postmortem', run.id, '--db', dbPath, '--out', out], {}, io)).toBe(EXIT.ok);
    const markdown = await readFile(out, 'utf8');
    expect(markdown).toMatch(/^# Post-mortem: /);
    expect(markdown).toMatch(/interrupted/i);
    const firstStep = recorded.find((e) => e.data.type === 'step-finished');
    if (firstStep?.data.type !== 'step-finished') throw new Error('no step recorded');
    expect(markdown.toLowerCase()).toContain(firstStep.data.step.title.toLowerCase());
  }, 180_000);
});
