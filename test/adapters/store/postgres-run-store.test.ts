import { describe, expect, it } from 'vitest';
import { openRunStore } from '../../../src/adapters/store/open-run-store.js';
import { openPostgresRunStore } from '../../../src/adapters/store/postgres-run-store.js';
import { freshSchema, requirePostgres } from '../../support/postgres.js';
import { runStoreContract } from './run-store-contract.js';

const postgres = requirePostgres();

describe.skipIf(!postgres.available)('PostgreSQL run store', () => {
  runStoreContract('PostgreSQL, two pools', async () => {
    const schema = await freshSchema('contract');
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

  it('says which database it could not reach, without the password', async () => {
    const url = 'postgres://triage:s3cret-pass@127.0.0.1:1/triage';
    const failure = openRunStore({ databaseUrl: url, sqlitePath: ':memory:' });
    await expect(failure).rejects.toThrow(
      /could not open the PostgreSQL run store at postgres:\/\/triage:\*\*\*@127\.0\.0\.1:1\/triage: /,
    );
    await expect(failure).rejects.not.toThrow(/s3cret-pass/);
  });

  it('refuses a schema name that is not a plain SQL name', async () => {
    await expect(openPostgresRunStore(postgres.url, { schema: 'x; DROP TABLE runs' })).rejects.toThrow(
      /schema must be a lower-case SQL name/,
    );
  });
});
