import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgresRunStore } from '../../../src/adapters/store/postgres-run-store.js';
import { openSqliteRunStore } from '../../../src/adapters/store/sqlite-run-store.js';
import { freshSchema, requirePostgres } from '../../support/postgres.js';
import { outboxContract } from './outbox-contract.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-outbox-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

outboxContract('SQLite file, opened twice', async () => {
  const path = join(dir, 'outbox', 'runs.sqlite');
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

const postgres = requirePostgres();

describe.skipIf(!postgres.available)('PostgreSQL', () => {
  outboxContract('PostgreSQL, two pools', async () => {
    const schema = await freshSchema('outbox');
    const [store, other] = await Promise.all([
      openPostgresRunStore(postgres.url, { schema: schema.schema }),
      openPostgresRunStore(postgres.url, { schema: schema.schema }),
    ]);
    return {
      store,
      other,
      cleanup: async () => {
        await store.close();
        await other.close();
        await schema.drop();
      },
    };
  });
});
