/**
 * Run retention against a real SQLite store: a sweep on start and then every interval deletes finished runs past
 * the retention; 0 keeps everything; a failing store is logged and tried again; stop() ends the sweeps; the app
 * sweeps from its start with TRIAGE_RUN_RETENTION_DAYS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteRunStore } from '../../src/adapters/store/sqlite-run-store.js';
import { startRunRetention } from '../../src/app/run-retention.js';
import type { RunStore } from '../../src/application/ports/run-store.js';
import { newRun } from '../adapters/store/run-store-contract.js';
import { startSlackHarness } from '../slack/slack-harness.js';
import { until } from '../support/until.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

function logger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'info', obj, msg }),
    warn: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'warn', obj, msg }),
  };
}

describe('run retention', () => {
  let dir: string;
  let store: RunStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-retention-'));
    store = await openSqliteRunStore(join(dir, 'runs.sqlite'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deletes finished runs older than the retention on start, and keeps newer and running ones', async () => {
    const old = await store.createRun(newRun({ status: 'finished', startedAt: daysAgo(31) }));
    const stillRunning = await store.createRun(newRun({ startedAt: daysAgo(40) }));
    const recent = await store.createRun(newRun({ status: 'finished', startedAt: daysAgo(29) }));
    const log = logger();

    const retention = startRunRetention({ store, retentionDays: 30, now: () => NOW, logger: log });
    await retention.stop();

    expect(await store.getRun(old.id)).toBeUndefined();
    expect(await store.getRun(stillRunning.id)).toBeDefined();
    expect(await store.getRun(recent.id)).toBeDefined();
    expect(log.lines).toEqual([
      { level: 'info', obj: { runs: 1, retentionDays: 30 }, msg: 'deleted runs past retention' },
    ]);
  });

  it('keeps every run when the retention is 0', async () => {
    const ancient = await store.createRun(newRun({ status: 'finished', startedAt: daysAgo(3650) }));
    const retention = startRunRetention({ store, retentionDays: 0, now: () => NOW, logger: logger() });
    expect(await retention.sweep()).toBe(0);
    await retention.stop();
    expect(await store.getRun(ancient.id)).toBeDefined();
  });

  it('sweeps again every interval until stopped', async () => {
    vi.useFakeTimers();
    const deleteRunsBefore = vi.fn(async (_before: Date) => 0);
    const retention = startRunRetention({
      store: { deleteRunsBefore },
      retentionDays: 7,
      now: () => NOW,
      everyMs: 1000,
      logger: logger(),
    });
    await vi.advanceTimersByTimeAsync(2500);
    expect(deleteRunsBefore).toHaveBeenCalledTimes(3);
    expect(deleteRunsBefore).toHaveBeenLastCalledWith(daysAgo(7));
    await retention.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(deleteRunsBefore).toHaveBeenCalledTimes(3);
  });

  it('logs a failing store without throwing, and tries again at the next sweep', async () => {
    const deleteRunsBefore = vi
      .fn<(before: Date) => Promise<number>>()
      .mockRejectedValueOnce(new Error('database is locked'))
      .mockResolvedValueOnce(2);
    const log = logger();
    const retention = startRunRetention({ store: { deleteRunsBefore }, retentionDays: 7, now: () => NOW, logger: log });
    expect(await retention.sweep()).toBe(0);
    expect(await retention.sweep()).toBe(2);
    await retention.stop();
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'could not delete runs past retention; trying again later'],
      ['info', 'deleted runs past retention'],
    ]);
    expect(log.lines[0]?.obj.error).toContain('database is locked');
  });
});

describe('run retention in the app', () => {
  it('deletes the runs past TRIAGE_RUN_RETENTION_DAYS when the app starts, and stops sweeping when it stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'triage-retention-app-'));
    const path = join(dir, 'runs.sqlite');
    const store = await openSqliteRunStore(path);
    const old = await store.createRun(newRun({ status: 'finished', startedAt: daysAgo(15) }));
    const recent = await store.createRun(newRun({ status: 'finished', startedAt: daysAgo(13) }));
    const slack = await startSlackHarness({
      prometheusUrl: 'http://127.0.0.1:9',
      now: () => NOW,
      env: { TRIAGE_DB_PATH: path, TRIAGE_RUN_RETENTION_DAYS: '14' },
    });
    try {
      await until('the old run to be deleted', async () => ((await store.getRun(old.id)) ? undefined : true));
      expect(await store.getRun(recent.id)).toBeDefined();
    } finally {
      await slack.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
