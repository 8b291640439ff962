/**
 * The CLI behaves like a CLI: `--version`, runs kept in the user's state directory, an empty symptom refused, a run
 * id that is not recorded (exit 4) or too short, usage errors that name the command's own --help, `demo --list`.
 */

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRunStore } from '../../src/adapters/store/open-run-store.js';
import { EXIT } from '../../src/cli/run-cli.js';
import { defaultCliStorePath } from '../../src/cli/state-dir.js';
import { newRun } from '../adapters/store/run-store-contract.js';
import { cli } from '../support/cli.js';
import { closedPort } from '../support/local-process.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An environment with no store named: the CLI falls back to the state directory under `dir`. */
const stateEnv = () => ({ TRIAGE_DB_PATH: undefined, XDG_STATE_HOME: join(dir, 'state'), HOME: join(dir, 'home') });

async function seedRuns(path: string, ids: string[]): Promise<void> {
  const store = await openRunStore({ sqlitePath: path });
  const at = new Date('2026-11-01T14:00:00Z');
  for (const id of ids) {
    const cliRun = { trigger: 'cli', channel: null, rootTs: null, threadTs: null, userId: null } as const;
    await store.createRun(newRun({ id, ...cliRun, text: `502 on checkout (${id})`, owner: 'test', startedAt: at }));
  }
  await store.close();
}

describe('triage --version', () => {
  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', async (flag) => {
    const r = await cli([flag]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });
});

describe('the state directory', () => {
  it('is $XDG_STATE_HOME/triage, else ~/.local/state/triage; a relative XDG_STATE_HOME is ignored', () => {
    expect(defaultCliStorePath({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' }, 'linux')).toBe(
      '/x/state/triage/triage.sqlite',
    );
    expect(defaultCliStorePath({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.local/state/triage/triage.sqlite');
    expect(defaultCliStorePath({ XDG_STATE_HOME: 'rel/state', HOME: '/home/u' }, 'linux')).toBe(
      '/home/u/.local/state/triage/triage.sqlite',
    );
    expect(defaultCliStorePath({}, 'linux', () => '/home/os')).toBe('/home/os/.local/state/triage/triage.sqlite');
  });

  it('records a diagnosis there (an absolute path) and `runs list` finds it', async () => {
    const port = await closedPort();
    const env = { ...stateEnv(), PROMETHEUS_URL: `http://127.0.0.1:${port}` };
    const d = await cli(['diagnose', '502 on checkout'], env);
    expect(d.code).toBe(EXIT.unreachable);
    const file = join(dir, 'state', 'triage', 'triage.sqlite');
    expect(existsSync(file)).toBe(true);
    expect(d.stderr).toMatch(/Recorded as run [0-9a-f-]{36}/);
    const list = await cli(['runs', 'list'], stateEnv());
    expect(list.code).toBe(EXIT.ok);
    expect(list.stdout).toMatch(/^[0-9a-f-]{36} .* cli +checkout +502 on checkout$/m);
  });

  it('is not created by reading: `runs list` on a fresh machine says nothing is recorded yet', async () => {
    const r = await cli(['runs', 'list'], stateEnv());
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`No runs recorded in ${join(dir, 'state', 'triage', 'triage.sqlite')} yet.\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives way to TRIAGE_DB_PATH, and a --db flag beats DATABASE_URL in the environment', async () => {
    const path = join(dir, 'team.sqlite');
    await seedRuns(path, ['11112222-0000-4000-8000-000000000001']);
    const fromEnv = await cli(['runs', 'list'], { ...stateEnv(), TRIAGE_DB_PATH: path });
    expect(fromEnv.stdout).toContain('11112222-0000-4000-8000-000000000001');
    const flag = await cli(['runs', 'list', '--db', path], {
      ...stateEnv(),
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(flag.code).toBe(EXIT.ok);
    expect(flag.stdout).toContain('11112222-0000-4000-8000-000000000001');
  });
});

describe('triage diagnose with an empty symptom', () => {
  it.each([[''], ['   '], ['\t\n']])('%j is a usage error (exit 2) that records nothing', async (symptom) => {
    const db = join(dir, 'runs.sqlite');
    const r = await cli(['diagnose', symptom], { TRIAGE_DB_PATH: db, PROMETHEUS_URL: 'http://127.0.0.1:1' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(
      'triage: the symptom is empty: say what is wrong, e.g. triage diagnose "502 on checkout".\n(run triage diagnose --help for usage)\n',
    );
    expect(r.stdout).toBe('');
    expect(existsSync(db)).toBe(false);
  });
});

describe('triage postmortem with a run id', () => {
  const ids = ['abcd1111-0000-4000-8000-000000000001', 'abcd2222-0000-4000-8000-000000000002'];

  it('exits 4 (not found) for a run that is not recorded, naming the store', async () => {
    const db = join(dir, 'runs.sqlite');
    await seedRuns(db, ids);
    const r = await cli(['postmortem', 'ffff0000-0000-4000-8000-000000000000', '--db', db]);
    expect(r.code).toBe(EXIT.notFound);
    expect(EXIT.notFound).toBe(4);
    expect(r.stderr).toBe(
      `triage: no run "ffff0000-0000-4000-8000-000000000000" in ${db}. \`triage runs list\` shows the recorded runs.\n`,
    );
  });

  it('exits 4 when nothing was ever recorded, without creating the store', async () => {
    const r = await cli(['postmortem', 'abcd1111'], stateEnv());
    expect(r.code).toBe(EXIT.notFound);
    expect(r.stderr).toMatch(/no run "abcd1111" in .*triage\.sqlite/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([['a'], ['abc'], ['  ab ']])('asks for more characters when given %j (exit 2)', async (id) => {
    const db = join(dir, 'runs.sqlite');
    await seedRuns(db, ids);
    const r = await cli(['postmortem', id, '--db', db]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(`"${id.trim()}" is too short to name a run: give at least 4 characters of its id`);
    expect(r.stderr).toContain('(run triage postmortem --help for usage)');
  });

  it('asks for more characters when a prefix names several runs, and accepts a unique 4-character prefix', async () => {
    const db = join(dir, 'runs.sqlite');
    await seedRuns(db, [...ids, 'beef3333-0000-4000-8000-000000000003']);
    const ambiguous = await cli(['postmortem', 'abcd', '--db', db]);
    expect(ambiguous.code).toBe(EXIT.usage);
    expect(ambiguous.stderr).toContain('"abcd" is the start of 2 runs');
    expect(ambiguous.stderr).toContain('give more characters of the id');
    const unique = await cli(['postmortem', 'beef', '--db', db]);
    expect(unique.code).toBe(EXIT.ok);
    expect(unique.stdout).toContain('502 on checkout (beef3333-0000-4000-8000-000000000003)');
  });

  it('writes one self-contained HTML file with --format html, and refuses other formats (exit 2)', async () => {
    const db = join(dir, 'runs.sqlite');
    await seedRuns(db, ids);
    const html = await cli(['postmortem', 'abcd1111', '--db', db, '--format', 'html']);
    expect(html.code).toBe(EXIT.ok);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(html.stdout).toContain('<h1>Post-mortem: 502 on checkout (abcd1111-0000-4000-8000-000000000001)</h1>');
    expect(html.stdout).not.toMatch(/<(?:link|script)\b|\bsrc="(?!data:)/);
    const md = await cli(['postmortem', 'abcd1111', '--db', db]);
    expect(md.stdout).toMatch(/^# Post-mortem: /);
    const bad = await cli(['postmortem', 'abcd1111', '--db', db, '--format', 'pdf']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('(run triage postmortem --help for usage)');
  });
});

describe('usage errors name the right --help', () => {
  it.each([
    [['diagnose', '502 on checkout', '--bogus'], /unknown option '--bogus'\n\(run triage diagnose --help for usage\)/],
    [['diagnose', '502', '--prometheus-url', 'nope'], /must be a URL.*\n\(run triage diagnose --help for usage\)/],
    [
      ['runs', 'list', '--limit', '0'],
      /option '--limit <n>' argument '0' is invalid. It must be a positive whole number.\n\(run triage runs list --help for usage\)/,
    ],
    [['postmortem'], /missing required argument 'run-id'\n\(run triage postmortem --help for usage\)/],
    [['signals', 'explain', '--service', 'x'], /No Prometheus URL.*\n\(run triage signals explain --help for usage\)/],
    [['frobnicate'], /unknown command 'frobnicate'\n\(run triage --help for usage\)/],
  ])('%j', async (args, message) => {
    const r = await cli(args, stateEnv());
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
  });

  it('a bad TRIAGE_REDACT_PATTERNS is a usage error with the variable named, not a crash', async () => {
    const db = join(dir, 'runs.sqlite');
    await seedRuns(db, ['abcd1111-0000-4000-8000-000000000001']);
    const r = await cli(['runs', 'list', '--db', db], { TRIAGE_REDACT_PATTERNS: 'not json' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^triage: TRIAGE_REDACT_PATTERNS must be a JSON array/);
  });
});

describe('triage demo --list', () => {
  it('lists every bundled recording with the symptom it replays', async () => {
    const names = readdirSync('fixtures/recordings')
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    const r = await cli(['demo', '--list']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(
      new RegExp(`^${names.length} recorded incidents \\(replay one with: triage demo <name>\\)$`, 'm'),
    );
    for (const name of names) expect(r.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    expect(r.stdout).toMatch(/^ {2}bad-deploy-prom-client +500 errors on billing/m);
  });

  it('points to --list when a recording is unknown', async () => {
    const r = await cli(['demo', 'nope']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('no recording named "nope"');
    expect(r.stderr).toContain('`triage demo --list` shows them');
  });

  it('exits 2 when the recordings directory cannot be read', async () => {
    const r = await cli(['demo', '--list', '--recordings', join(dir, 'missing')]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toBe(`triage: cannot read the recordings directory ${join(dir, 'missing')}\n`);
  });
});

describe('a run store that cannot be opened', () => {
  it('exits 3 with one line naming the store and the fix, no stack trace', async () => {
    const port = await closedPort();
    const url = `postgres://triage:s3cret-pass@127.0.0.1:${port}/runs`;
    const r = await cli(['runs', 'list', '--database-url', url]);
    expect(r.code).toBe(EXIT.unreachable);
    expect(r.stderr).toMatch(
      new RegExp(
        `^triage: cannot open the run store postgres://127\\.0\\.0\\.1:${port}/runs: .*ECONNREFUSED.*DATABASE_URL`,
      ),
    );
    expect(r.stderr).not.toContain('s3cret-pass');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('a reader that closes the pipe early (`triage demo | head -1`)', () => {
  it('ends the command quietly: exit 0, no EPIPE stack trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo'], {
      env: { ...process.env, TRIAGE_DB_PATH: join(dir, 'runs.sqlite') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error'|\n\s+at /);
    expect(code).toBe(0);
  }, 60_000);
});
