import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName, codeCacheDir, commandKey, loadBundle } from '../../src/cli/code-cache.js';

let dir: string;
let bundle: string;
let cacheDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-code-cache-'));
  bundle = join(dir, 'cli.cjs');
  cacheDir = join(dir, 'cache');
  // A bundle that uses what the loader gives it: require, module, __filename and the bundle's URL.
  writeFileSync(
    bundle,
    [
      "const { basename } = require('node:path');",
      'function double(n) { return n * 2; }',
      'module.exports = { name: basename(__filename), url: __triageBundleUrl, answer: double(21) };',
    ].join('\n'),
  );
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Loads the bundle in a new process, as a start of `triage` does: in this one, V8 keeps what it compiled and would
 * not look at a cache for a text it compiled before.
 */
function loadInNewProcess(bundleHash: string, command: string): { cached: boolean; answer: number } {
  const code = [
    "import { loadBundle } from './src/cli/code-cache.ts';",
    `const b = loadBundle(${JSON.stringify(bundle)}, { bundleHash: ${JSON.stringify(bundleHash)}, cacheDir: ${JSON.stringify(cacheDir)}, command: ${JSON.stringify(command)} });`,
    'b.save();',
    'process.stdout.write(JSON.stringify({ cached: b.cached, answer: b.exports.answer }));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('loadBundle', () => {
  it('runs the bundle without a cache, writes one after the command, and uses it at the next start', () => {
    const first = loadBundle(bundle, { bundleHash: 'aaaa', cacheDir, command: 'diagnose' });
    expect(first.exports).toEqual({ name: 'cli.cjs', url: pathToFileURL(bundle).href, answer: 42 });
    expect(first.cached).toBe(false);
    first.save();
    expect(readdirSync(cacheDir)).toEqual([cacheFileName('aaaa', 'diagnose')]);

    expect(loadInNewProcess('aaaa', 'diagnose')).toEqual({ cached: true, answer: 42 });
  });

  it('ignores a cache V8 refuses (damaged, or from another V8) and writes a good one in its place', () => {
    const file = join(cacheDir, cacheFileName('aaaa', 'diagnose'));
    loadBundle(bundle, { bundleHash: 'aaaa', cacheDir, command: 'diagnose' }).save();
    const damaged = Buffer.from('not a code cache at all, just bytes');
    writeFileSync(file, damaged);

    expect(loadInNewProcess('aaaa', 'diagnose')).toEqual({ cached: false, answer: 42 });
    expect(readFileSync(file).equals(damaged)).toBe(false);
    expect(loadInNewProcess('aaaa', 'diagnose')).toEqual({ cached: true, answer: 42 });
  });

  it("never reads another bundle's cache, and drops the caches of older bundles when it writes its own", () => {
    loadBundle(bundle, { bundleHash: 'old1', cacheDir, command: 'diagnose' }).save();
    // The same length, another text: V8 alone would take the old cache for it.
    writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('n * 2', 'n + 2'));
    expect(loadInNewProcess('new2', 'diagnose')).toEqual({ cached: false, answer: 23 });
    expect(readdirSync(cacheDir)).toEqual([cacheFileName('new2', 'diagnose')]);
  });

  it('keeps one cache per command, and a cache it cannot write changes nothing but the speed', () => {
    loadBundle(bundle, { bundleHash: 'aaaa', cacheDir, command: 'diagnose' }).save();
    loadBundle(bundle, { bundleHash: 'aaaa', cacheDir, command: 'other' }).save();
    expect(readdirSync(cacheDir).sort()).toEqual(
      [cacheFileName('aaaa', 'diagnose'), cacheFileName('aaaa', 'other')].sort(),
    );
    // A file where the cache directory should be: nothing can be written there.
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file, not a directory');
    const loaded = loadBundle(bundle, { bundleHash: 'aaaa', cacheDir: blocked, command: 'diagnose' });
    expect(() => loaded.save()).not.toThrow();
    expect(loaded.exports.answer).toBe(42);
  });

  it('works without a cache directory (TRIAGE_CODE_CACHE=off)', () => {
    const loaded = loadBundle(bundle, { bundleHash: 'aaaa', command: 'diagnose' });
    loaded.save();
    expect(loaded.exports.answer).toBe(42);
    expect(readdirSync(dir)).toEqual(['cli.cjs']);
  });
});

describe('where the caches go, and for which command', () => {
  it('is $XDG_CACHE_HOME/triage, else ~/.cache/triage; a relative XDG_CACHE_HOME is ignored', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, 'linux')).toBe('/x/cache/triage');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'rel', HOME: '/home/u' }, 'linux')).toBe('/home/u/.cache/triage');
    expect(codeCacheDir({}, 'linux', () => '/home/v')).toBe('/home/v/.cache/triage');
  });

  it("names the command by its first argument, and anything else (options, --help) 'other'", () => {
    expect(commandKey(['diagnose', '502 on checkout'])).toBe('diagnose');
    expect(commandKey(['--help'])).toBe('other');
    expect(commandKey([])).toBe('other');
    expect(commandKey(['../../etc'])).toBe('other');
  });
});
