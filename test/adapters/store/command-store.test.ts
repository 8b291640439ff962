/**
 * Slash commands in the run store, on both engines: a command recorded before its ack is taken back after a restart
 * by its replica (or by any replica once it is stale), exactly once when replicas race, and never while the process
 * that accepted it is still alive; once its run exists (same id) it is an ordinary run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresRunStore } from '../../../src/adapters/store/postgres-run-store.js';
import type { SqlRunStore } from '../../../src/adapters/store/sql-run-store.js';
import { openSqliteRunStore } from '../../../src/adapters/store/sqlite-run-store.js';
import type { NewCommand } from '../../../src/application/ports/run-store.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { freshSchema, requirePostgres } from '../../support/postgres.js';
import { newRun } from './run-store-contract.js';

const postgres = requirePostgres();
const T0 = new Date('2026-11-01T14:00:00.000Z');
let counter = 0;

function newCommand(overrides: Partial<NewCommand> = {}): NewCommand {
  counter++;
  return {
    id: `cmd-${counter}-${Math.random().toString(16).slice(2, 10)}`,
    channel: 'C0ALERTS01',
    userId: 'U0ONCALL01',
    teamId: 'T0FAKE0001',
    text: '502 on checkout for the last 45m',
    symptom: parseSymptom('502 on checkout for the last 45m', { now: T0 }),
    responseUrl: 'https://hooks.slack.com/commands/T0FAKE0001/1/abc',
    receivedAt: T0,
    owner: 'replica-a',
    ...overrides,
  };
}

interface Engine {
  /** Opens another store on the same database, as another process would (its clock optional). */
  open(clock?: () => Date): Promise<SqlRunStore>;
  cleanup(): Promise<void>;
}

function commandContract(name: string, setUp: () => Promise<Engine>): void {
  describe(`slash commands: ${name}`, () => {
    let engine: Engine;
    const opened: SqlRunStore[] = [];
    const open = async (clock?: () => Date) => {
      const store = await engine.open(clock);
      opened.push(store);
      return store;
    };

    beforeAll(async () => {
      engine = await setUp();
    }, 60_000);

    afterAll(async () => {
      for (const store of opened) await store.close();
      await engine?.cleanup();
    });

    it('keeps what was accepted, dates and window included, and clears the response URL once settled', async () => {
      const store = await open();
      const command = newCommand();
      await store.acceptCommand(command);
      const stored = await store.getCommand(command.id);
      expect(stored).toMatchObject({ ...command, status: 'accepted' });
      expect(stored?.symptom.window.start).toEqual(new Date(T0.getTime() - 45 * 60_000));
      expect(await store.settleCommand(command.id, 'declined')).toMatchObject({
        status: 'declined',
        responseUrl: null,
      });
      // Settled once: it is not accepted any more.
      expect(await store.settleCommand(command.id, 'started')).toBeUndefined();
    });

    it('never gives a process back the commands it accepted itself, and gives them to its next process', async () => {
      const first = await open();
      const command = newCommand({ owner: 'replica-own' });
      await first.acceptCommand(command);
      expect(await first.claimCommands({ owner: 'replica-own', staleBefore: new Date(Date.now() + 60_000) })).toEqual(
        [],
      );
      const restarted = await open();
      const claimed = await restarted.claimCommands({ owner: 'replica-own' });
      expect(claimed.map((c) => c.id)).toEqual([command.id]);
      // Taken (and touched): not by the process that took it, nor by another replica while it is fresh.
      expect(await restarted.claimCommands({ owner: 'replica-own' })).toEqual([]);
      expect(
        await (await open()).claimCommands({ owner: 'replica-x', staleBefore: new Date(Date.now() - 60_000) }),
      ).toEqual([]);
    });

    it("leaves a live replica's fresh commands alone and takes a dead replica's stale ones", async () => {
      const past = () => new Date(Date.now() - 10 * 60_000);
      const dead = await open(past);
      const live = await open();
      const stale = newCommand({ owner: 'replica-dead' });
      const fresh = newCommand({ owner: 'replica-live' });
      await dead.acceptCommand(stale);
      await live.acceptCommand(fresh);
      const other = await open();
      const claimed = await other.claimCommands({
        owner: 'replica-other',
        staleBefore: new Date(Date.now() - 60_000),
      });
      expect(claimed.map((c) => c.id)).toEqual([stale.id]);
      expect(claimed[0]?.owner).toBe('replica-other');
      expect((await other.getCommand(fresh.id))?.status).toBe('accepted');
    });

    it('does not take a command whose run exists: its root was posted, it is an ordinary run', async () => {
      const first = await open();
      const command = newCommand({ owner: 'replica-run' });
      await first.acceptCommand(command);
      await first.createRun(newRun({ id: command.id, owner: 'replica-run' }));
      expect(await (await open()).claimCommands({ owner: 'replica-run' })).toEqual([]);
    });

    it('gives each command to exactly one of several replicas claiming at once', async () => {
      const past = () => new Date(Date.now() - 10 * 60_000);
      const dead = await open(past);
      const commands = Array.from({ length: 12 }, () => newCommand({ owner: 'replica-gone' }));
      for (const c of commands) await dead.acceptCommand(c);
      const replicas = await Promise.all(Array.from({ length: 4 }, () => open()));
      const results = await Promise.all(
        replicas.map((r, i) => r.claimCommands({ owner: `replica-${i}`, staleBefore: new Date(Date.now() - 60_000) })),
      );
      const ids = results.flat().map((c) => c.id);
      const ours = new Set(commands.map((c) => c.id));
      const taken = ids.filter((id) => ours.has(id));
      expect(taken.sort()).toEqual([...ours].sort());
      expect(new Set(taken).size).toBe(taken.length);
    });

    it('forgets commands with the runs of the same age (retention)', async () => {
      const store = await open();
      const old = newCommand({ receivedAt: new Date('2020-01-01T00:00:00Z') });
      const recent = newCommand();
      await store.acceptCommand(old);
      await store.acceptCommand(recent);
      await store.deleteRunsBefore(new Date('2021-01-01T00:00:00Z'));
      expect(await store.getCommand(old.id)).toBeUndefined();
      expect(await store.getCommand(recent.id)).toBeDefined();
    });
  });
}

let dir = '';
commandContract('SQLite file, one store per process', async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-commands-'));
  const path = join(dir, 'runs.sqlite');
  return {
    open: (clock) => openSqliteRunStore(path, clock ? { clock } : {}),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe.skipIf(!postgres.available)('PostgreSQL', () => {
  commandContract('PostgreSQL, one pool per process', async () => {
    const schema = await freshSchema('commands');
    return {
      open: (clock) => openPostgresRunStore(postgres.url, { schema: schema.schema, ...(clock ? { clock } : {}) }),
      cleanup: () => schema.drop(),
    };
  });
});
