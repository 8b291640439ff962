import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { installProcessGuards, runIdOf } from '../../src/app/process-guards.js';
import { Readiness } from '../../src/app/readiness.js';
import { watchRunStore } from '../../src/app/watched-run-store.js';
import type { RunStore } from '../../src/application/ports/run-store.js';

describe('Readiness', () => {
  it('is ready only when no component has a reason, and lists every reason', () => {
    const r = new Readiness({ startup: 'starting' });
    expect(r.ready).toBe(false);
    r.set('slack', 'Slack is out of reach');
    expect(r.why()).toEqual(['startup: starting', 'slack: Slack is out of reach']);
    r.set('startup', undefined);
    r.set('slack', undefined);
    expect(r.ready).toBe(true);
    expect(r.why()).toEqual([]);
  });
});

describe('watchRunStore', () => {
  it('reports a failing write until a write succeeds, and passes results and errors through', async () => {
    let failing = true;
    const inner = {
      updateRun: vi.fn(async () => {
        if (failing) throw new Error('SQLITE_FULL: database or disk is full');
        return undefined;
      }),
      getRun: vi.fn(async () => undefined),
      close: vi.fn(async () => {}),
    };
    const readiness = new Readiness();
    const failures: string[] = [];
    const store = watchRunStore(inner as unknown as RunStore, readiness, (method) => failures.push(method));
    await expect(store.updateRun('r1', { status: 'failed' })).rejects.toThrow(/disk is full/);
    expect(readiness.why()).toEqual(['store: the run store failed (updateRun): SQLITE_FULL: database or disk is full']);
    expect(failures).toEqual(['updateRun']);
    // A read that succeeds proves nothing about writes.
    await store.getRun('r1');
    expect(readiness.ready).toBe(false);
    failing = false;
    await expect(store.updateRun('r1', { status: 'failed' })).resolves.toBeUndefined();
    expect(readiness.ready).toBe(true);
    expect(inner.updateRun).toHaveBeenCalledTimes(2);
  });
});

describe('installProcessGuards', () => {
  it('logs an unhandled rejection as one line, marks its run failed, and keeps going', async () => {
    const target = new EventEmitter();
    const lines: unknown[] = [];
    const markRunFailed = vi.fn(async () => true);
    const onFatal = vi.fn();
    const remove = installProcessGuards(
      {
        logger: { info: () => {}, warn: () => {}, error: (obj, msg) => lines.push({ ...obj, msg }) },
        markRunFailed,
        onFatal,
      },
      target,
    );
    const err = Object.assign(new Error('boom'), { runId: 'run-42', code: 'x_failed' });
    target.emit('unhandledRejection', err);
    await new Promise((r) => setTimeout(r, 0));
    expect(lines).toEqual([
      {
        kind: 'unhandledRejection',
        errorName: 'Error',
        error: 'boom',
        code: 'x_failed',
        runId: 'run-42',
        msg: 'unhandledRejection: logged, not silent',
      },
    ]);
    expect(markRunFailed).toHaveBeenCalledWith('run-42', 'Triage hit an unexpected error: boom');
    expect(onFatal).not.toHaveBeenCalled();
    target.emit('uncaughtException', new Error('broken state'));
    await new Promise((r) => setTimeout(r, 0));
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(markRunFailed).toHaveBeenCalledTimes(1);
    remove();
    expect(target.listenerCount('unhandledRejection')).toBe(0);
  });

  it("marks failed the run whose code left a rejection unhandled, from the run's own async context", () => {
    // A real process: the handler must see the run the rejected promise was created in, after awaits and timers.
    const script = [
      `import { withRun } from ${JSON.stringify(resolve('src/adapters/log/run-context.ts'))};`,
      `import { installProcessGuards } from ${JSON.stringify(resolve('src/app/process-guards.ts'))};`,
      'const quiet = () => {};',
      'installProcessGuards({',
      '  logger: { info: quiet, warn: quiet, error: quiet },',
      "  markRunFailed: async (runId, reason) => { process.stdout.write('failed ' + runId + ': ' + reason + '\\n'); },",
      '  onFatal: () => process.exit(1),',
      '});',
      "withRun('run-7', async () => {",
      '  await new Promise((r) => setTimeout(r, 5));',
      "  void Promise.reject(new Error('lost in run 7'));",
      '});',
      "void Promise.reject(new Error('outside any run'));",
      'setTimeout(() => {}, 50);',
    ].join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'triage-guards-')), 'guards.mts');
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(['failed run-7: Triage hit an unexpected error: lost in run 7']);
  });

  it('finds the run id on the error or its causes', () => {
    expect(runIdOf(new Error('x', { cause: { runId: 'r2' } }))).toBe('r2');
    expect(runIdOf('text')).toBeUndefined();
    expect(runIdOf(new Error('plain'))).toBeUndefined();
  });
});
