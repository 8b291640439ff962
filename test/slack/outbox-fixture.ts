/**
 * What the outbox tests share: the fake Slack (its per-channel and method limits off, reset before each test), a
 * WebClient on it without retries, a fresh SQLite file per test, and the stores opened on it closed after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SqlRunStore } from '../../src/adapters/store/sql-run-store.js';
import { openSqliteRunStore } from '../../src/adapters/store/sqlite-run-store.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlack, startFakeSlack } from '../support/fake-slack/fake-slack-server.js';

export interface OutboxFixture {
  readonly fake: FakeSlack;
  readonly client: WebClient;
  /** This test's SQLite file. */
  readonly path: string;
  /** Opens a store on this test's file (again, for a "restart"); closed after the test. */
  open(): Promise<SqlRunStore>;
}

export function useOutboxFixture(name: string): OutboxFixture {
  let dir = '';
  let fake: FakeSlack | undefined;
  let client: WebClient | undefined;
  let path = '';
  let stores: SqlRunStore[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `triage-${name}-`));
    fake = await startFakeSlack({ postMessageLimit: false, methodLimits: false });
    client = new WebClient(FAKE_SLACK_DEFAULTS.token, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  });

  afterAll(async () => {
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake?.reset();
    fake?.setBehaviour({ postMessageLimit: false, methodLimits: false });
    path = join(dir, `runs-${Math.random().toString(16).slice(2)}.sqlite`);
  });

  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
  });

  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the outbox fixture is used before its beforeAll ran');
    return x;
  };
  return {
    get fake() {
      return started(fake);
    },
    get client() {
      return started(client);
    },
    get path() {
      return path;
    },
    async open() {
      const store = await openSqliteRunStore(path);
      stores.push(store);
      return store;
    },
  };
}
