/**
 * `triage diagnose` starts the diagnosis before its run store is open (the store opens while the first queries are
 * answered): the record must still hold the run from its start, and every event the progress showed, in order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import { EXIT } from '../../src/cli/run-cli.js';
import type { Scenario } from '../scenarios/catalog.js';
import { cli } from '../support/cli.js';
import { type ScenarioPrometheus, startScenarioPrometheus } from '../support/prometheus/scenario-server.js';

let server: ScenarioPrometheus;
let scenario: Scenario;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-cli-record-'));
  server = await startScenarioPrometheus();
  const first = server.scenarios[0];
  if (!first) throw new Error('no scenario');
  scenario = first;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a diagnosis recorded while it runs', () => {
  it('stores the run from its start and every event it showed, in order, and the outcome', async () => {
    const db = join(dir, 'runs.sqlite');
    const before = Date.now();
    const r = await cli(
      ['diagnose', scenario.symptom, '--prometheus-url', server.url, '--at', scenario.at, '--db', db],
      {},
    );
    expect(r.stderr).not.toContain('not recording');
    expect(r.code).toBe(EXIT.ok);
    const runId = /Recorded as run ([0-9a-f-]{36})/.exec(r.stderr)?.[1];
    expect(runId).toBeDefined();

    const store = await openRunStore({ sqlitePath: db });
    try {
      const run = await store.getRun(runId as string);
      expect(run?.status).toBe('finished');
      expect(run?.playbook).toBeTruthy();
      expect(run?.startedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(run?.finishedAt?.getTime()).toBeGreaterThanOrEqual(run?.startedAt.getTime() ?? Number.NaN);
      const types = (await store.events(runId as string)).map((e) => e.type);
      expect(types[0]).toBe('run-started');
      expect(types.at(-1)).toBe('run-finished');
      // One progress line on stderr per finished step, each stored before it was shown.
      const shownSteps = r.stderr.split('\n').filter((line) => /^ {2}(✓|✗|!|·|-) /.test(line)).length;
      expect(shownSteps).toBeGreaterThan(10);
      expect(types.filter((t) => t === 'step-finished')).toHaveLength(shownSteps);
    } finally {
      await store.close();
    }
  });
});
