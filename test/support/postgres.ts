/**
 * The PostgreSQL server on this machine, for the PostgreSQL run store and the two-replica tests. TEST_DATABASE_URL
 * names it (default postgres://root@127.0.0.1:5432/test); each test file works in a schema of its own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isCi } from './local-process.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

/**
 * Whether the server accepts connections, checked synchronously (so `describe.skipIf` can use it): a one-line
 * Node child opens a connection and runs `SELECT 1`.
 */
export function postgresAvailability(url: string): { available: boolean; reason?: string } {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import pg from 'pg'; const c = new pg.Client({ connectionString: process.env.URL, connectionTimeoutMillis: 3000 });
       try { await c.connect(); await c.query('SELECT 1'); await c.end(); } catch (e) { console.error(e.message); process.exit(1); }`,
    ],
    {
      env: { ...process.env, URL: url },
      encoding: 'utf8',
      timeout: 10_000,
      cwd: new URL('../..', import.meta.url).pathname,
    },
  );
  if (probe.status === 0) return { available: true };
  const why = (probe.stderr || probe.error?.message || 'no answer').trim().split('\n').at(-1);
  return {
    available: false,
    reason: `PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')} is not accepting connections (${why}); start it (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL`,
  };
}

let warned = false;

/**
 * For test files that need PostgreSQL: `describe.skipIf(!requirePostgres().available)(…)`. In CI an unavailable
 * server fails the test file with the reason; elsewhere the reason is printed once and the suite is skipped.
 */
export function requirePostgres(env: NodeJS.ProcessEnv = process.env): {
  available: boolean;
  reason?: string;
  url: string;
} {
  const url = env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const availability = postgresAvailability(url);
  if (availability.available) return { available: true, url };
  if (isCi(env)) throw new Error(`CI needs PostgreSQL: ${availability.reason}`);
  if (!warned) {
    warned = true;
    process.stderr.write(`[triage tests] skipping PostgreSQL tests: ${availability.reason}\n`);
  }
  return { ...availability, url };
}

/** A unique schema for one test file, and a way to drop it with everything in it. */
export async function freshSchema(
  prefix: string,
  url: string = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL,
): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `t_${prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30)}_${randomBytes(5).toString('hex')}`;
  return {
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
