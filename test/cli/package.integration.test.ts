/**
 * INTEGRATION (slow, 1–3 minutes; needs the npm registry or a warm npm cache): the package as users install it.
 * `npm pack` (its prepack builds dist/), then `npm install -g --prefix <tmp> ./triage-<version>.tgz` with production
 * dependencies only (better-sqlite3 compiles from source here), then the installed `triage` and `triage-app`
 * binaries run from outside the checkout, where neither tsx nor the sources exist.
 * Run alone: `npm run test:package`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment without the npm_* variables of the npm or npx that started vitest. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeout?: number }) {
  const r = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: options.timeout ?? 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('the packed package, installed globally in a temporary prefix', () => {
  let work: string;
  let prefix: string;
  let tarball: string;
  let files: string[];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'triage-package-'));
    prefix = join(work, 'prefix');
    // Only Node's own directory on PATH besides the system's: no checkout's node_modules/.bin.
    env = cleanEnv({
      HOME: join(work, 'home'),
      XDG_STATE_HOME: join(work, 'state'),
      PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    });
    const pack = run('npm', ['pack', '--pack-destination', work], {
      cwd: ROOT,
      env: cleanEnv(),
      timeout: 120_000,
    });
    if (pack.code !== 0) throw new Error(`npm pack failed (${pack.code}):\n${pack.stdout}\n${pack.stderr}`);
    const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!name) throw new Error(`npm pack wrote no tarball in ${work}:\n${pack.stdout}`);
    tarball = join(work, name);
    files = run('tar', ['-tzf', tarball], { cwd: work, env }).stdout.split('\n').filter(Boolean);
    const install = run(
      'npm',
      ['install', '-g', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', `./${name}`],
      { cwd: work, env: { ...env, HOME: process.env.HOME }, timeout: 600_000 },
    );
    if (install.code !== 0)
      throw new Error(`npm install failed (${install.code}):\n${install.stdout}\n${install.stderr}`);
  }, 720_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('holds the built JavaScript, the bins and the data files, and no sources, tests or source maps', () => {
    expect(tarball).toMatch(new RegExp(`triage-${VERSION.replace(/\./g, '\\.')}\\.tgz$`));
    for (const f of [
      'package/dist/cli/main.js',
      'package/dist/main.js',
      // The built-in YAML and its PromQL as the build parsed and checked them (a start skips both).
      'package/dist/yaml-cache.json',
      'package/dist/promql-valid.json',
      'package/bin/triage.js',
      'package/bin/triage-app.js',
      'package/bin/entry.js',
      'package/playbooks/http-5xx.yml',
      'package/signals/signals.yml',
      'package/schemas/playbook.schema.json',
      'package/fixtures/recordings/bad-deploy-prom-client.json',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /^package\/(src|test|bench|scripts)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('installs without tsx or any development dependency', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'triage');
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    for (const dev of ['tsx', 'typescript', 'vitest', '@biomejs/biome'])
      expect(existsSync(join(installed, 'node_modules', dev))).toBe(false);
  });

  it('`triage --version` prints the package version', () => {
    const r = run(join(prefix, 'bin', 'triage'), ['--version'], { cwd: work, env });
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('`triage --help` lists the commands', () => {
    const r = run(join(prefix, 'bin', 'triage'), ['--help'], { cwd: work, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: triage \[options\] \[command\]/);
    for (const command of ['diagnose', 'runs', 'postmortem', 'playbooks', 'signals', 'demo'])
      expect(r.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });

  it('`triage demo` replays the embedded incident offline, with no credentials', () => {
    const r = run(join(prefix, 'bin', 'triage'), ['demo'], { cwd: work, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/diagnose 500 errors on billing');
    expect(r.stdout).toMatch(/Likely cause: a recent deploy or config change introduced the fault \(\d+% confidence\)/);
  });

  it('`triage-app` without configuration exits 1 naming what is missing, with no stack trace', () => {
    const r = run(join(prefix, 'bin', 'triage-app'), [], { cwd: work, env, timeout: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SLACK_BOT_TOKEN');
    expect(r.stderr).toContain('PROMETHEUS_URL');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
