/**
 * A database created by an older schema version upgrades on open, without losing a run or an event, on both
 * engines; migrating is idempotent, and replicas migrating at once apply each version once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../../src/adapters/store/migrations.js';
import { openPostgresRunStore } from '../../../src/adapters/store/postgres-run-store.js';
import { openSqliteRunStore } from '../../../src/adapters/store/sqlite-run-store.js';
import type { RunStore } from '../../../src/application/ports/run-store.js';
import { freshSchema, requirePostgres } from '../../support/postgres.js';
import { newRun } from './run-store-contract.js';

const postgres = requirePostgres();

/** Fills a version-1 database with runs and events, and returns what it wrote. */
async function fillVersion1(store: RunStore) {
  expect(await store.schemaVersion()).toBe(1);
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const run = await store.createRun(newRun({ status: i % 2 ? 'finished' : 'running' }));
    for (let e = 0; e < 3; e++)
      await store.appendEvent(run.id, { type: 'delivery-failed', what: `post ${e}`, error: 'x', at: new Date() });
    runs.push({ run: await store.getRun(run.id), events: await store.events(run.id) });
  }
  return runs;
}

async function expectIntact(store: RunStore, before: Awaited<ReturnType<typeof fillVersion1>>) {
  expect(await store.schemaVersion()).toBe(LATEST_VERSION);
  for (const { run, events } of before) {
    expect(await store.getRun(run?.id ?? '')).toEqual(run);
    expect(await store.events(run?.id ?? '')).toEqual(events);
  }
  // What version 2 added works on the upgraded database.
  const thread = {
    id: 'upgraded-thread',
    channel: 'C0ALERTS01',
    threadTs: null,
    service: 'checkout',
    title: 'HighErrorRate',
    openedAt: new Date(),
    lastSeenAt: new Date(),
    status: 'firing' as const,
    firing: ['fp:1'],
  };
  expect(await store.claim([{ key: 'fp:1', since: new Date(0) }], thread)).toEqual({ holder: null });
  expect(await store.claimKey('event:Ev1', 'a', 60_000)).toBe(true);
  // Runs from before the outbox owe nothing (no thread to resume), and what version 3 added works.
  expect(await store.undeliveredRuns({ owner: 'replica-a' })).toEqual([]);
  const finished = before.find(({ run }) => run?.status === 'finished')?.run;
  expect(await store.outbox(finished?.id ?? '')).toEqual([]);
  expect(
    await store.enqueueOutbox(finished?.id ?? '', [
      { kind: 'root', channel: 'C0ALERTS01', threadTs: null, targetTs: '1.1', payload: { text: 'edit' } },
    ]),
  ).toEqual([1]);
  expect((await store.getRun(finished?.id ?? ''))?.status).toBe('delivering');
  expect(await store.migrate()).toBe(LATEST_VERSION);
}

describe('migrations on SQLite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'triage-migrate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('upgrades a version-1 file to the latest version without losing runs or events', async () => {
    const path = join(dir, 'v1.sqlite');
    const old = await openSqliteRunStore(path, { upTo: 1 });
    const before = await fillVersion1(old);
    await old.close();
    const upgraded = await openSqliteRunStore(path);
    await expectIntact(upgraded, before);
    await upgraded.close();
  });
});

describe.skipIf(!postgres.available)('migrations on PostgreSQL', () => {
  it('upgrades a version-1 schema to the latest version without losing runs or events', async () => {
    const schema = await freshSchema('migrate');
    try {
      const old = await openPostgresRunStore(postgres.url, { schema: schema.schema, upTo: 1 });
      const before = await fillVersion1(old);
      await old.close();
      const upgraded = await openPostgresRunStore(postgres.url, { schema: schema.schema });
      await expectIntact(upgraded, before);
      await upgraded.close();
    } finally {
      await schema.drop();
    }
  });

  it('applies each version once when several replicas start together', async () => {
    const schema = await freshSchema('migrate_race');
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresRunStore(postgres.url, { schema: schema.schema, max: 2 })),
      );
      for (const store of stores) expect(await store.schemaVersion()).toBe(LATEST_VERSION);
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT version FROM ${schema.schema}.schema_migrations ORDER BY version`);
        expect(rows.map((r: { version: number }) => r.version)).toEqual(
          Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
        );
      } finally {
        await client.end();
      }
    } finally {
      await schema.drop();
    }
  });
});
