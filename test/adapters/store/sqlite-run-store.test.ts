import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../../../src/adapters/store/open-run-store.js';
import { openSqliteRunStore } from '../../../src/adapters/store/sqlite-run-store.js';
import { newRun, runStoreContract } from './run-store-contract.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-sqlite-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

runStoreContract('SQLite file, opened twice', async () => {
  const path = join(dir, 'contract', 'runs.sqlite');
  const store = await openSqliteRunStore(path);
  const other = await openSqliteRunStore(path);
  return {
    store,
    other,
    cleanup: async () => {
      await store.close();
      await other.close();
    },
  };
});

runStoreContract('SQLite in memory', async () => {
  const store = await openSqliteRunStore(':memory:');
  return { store, other: store, cleanup: () => store.close() };
});

describe('the SQLite run store file', () => {
  it('is created with its directory, in WAL mode, and keeps runs across a reopen', async () => {
    const path = join(dir, 'a', 'b', 'triage.sqlite');
    expect(existsSync(path)).toBe(false);
    const store = await openSqliteRunStore(path);
    const run = await store.createRun(newRun());
    await store.appendEvent(run.id, { type: 'interrupted', reason: 'test', at: new Date() });
    await store.close();
    expect(existsSync(path)).toBe(true);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const reopened = await openSqliteRunStore(path);
    expect(await reopened.getRun(run.id)).toEqual({ ...run, updatedAt: expect.any(Date) });
    expect(await reopened.events(run.id)).toHaveLength(1);
    await reopened.close();
  });

  it('fails, rather than hanging, under a directory that cannot hold one (a pseudo file system)', async () => {
    await expect(openSqliteRunStore('/proc/triage-nope/runs.sqlite')).rejects.toThrow(/triage-nope/);
  }, 5_000);

  it('says which file it could not open and why', async () => {
    const blocker = join(dir, 'not-a-dir');
    await (await import('node:fs/promises')).writeFile(blocker, 'x');
    await expect(openRunStore({ sqlitePath: join(blocker, 'runs.sqlite') })).rejects.toThrow(
      /could not open the run store at .*not-a-dir\/runs\.sqlite: /,
    );
  });
});
