import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_PLAYBOOKS, BUNDLED_SIGNALS } from '../../../src/adapters/playbook-files/bundled.js';
import { useCompiledCatalogCache } from '../../../src/adapters/playbook-files/compiled-cache.js';
import { loadCatalog } from '../../../src/adapters/playbook-files/load-playbooks.js';

let dir: string;
let cacheDir: string;
let playbooks: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triage-compiled-catalog-'));
  cacheDir = join(dir, 'cache');
  // A copy of the built-in playbooks, which a test may edit.
  playbooks = join(dir, 'playbooks');
  await cp(BUNDLED_PLAYBOOKS, playbooks, { recursive: true });
});

afterEach(async () => {
  useCompiledCatalogCache(undefined);
  await rm(dir, { recursive: true, force: true });
});

const builtIns = () => ({ builtInPlaybooks: playbooks, builtInSignals: BUNDLED_SIGNALS });
const cacheFiles = async () => (await readdir(cacheDir).catch(() => [] as string[])).filter((f) => !f.endsWith('.tmp'));

describe('the compiled built-in catalog, kept between starts', () => {
  it('gives back exactly what compiling gives, from one file', async () => {
    const compiled = await loadCatalog(builtIns());
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-1' });
    const first = await loadCatalog(builtIns());
    expect(await cacheFiles()).toHaveLength(1);
    const again = await loadCatalog(builtIns());
    expect(isDeepStrictEqual(first, compiled)).toBe(true);
    expect(isDeepStrictEqual(again, compiled)).toBe(true);
    expect(again.playbooks.length).toBeGreaterThan(5);
    // Each start gets its own copy: changing one changes nothing cached.
    again.playbooks.length = 0;
    expect((await loadCatalog(builtIns())).playbooks.length).toBe(compiled.playbooks.length);
  });

  it('compiles again when a file changes, and keeps only the newest', async () => {
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-1' });
    await loadCatalog(builtIns());
    const file = join(playbooks, 'cpu.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('title: High CPU', 'title: CPU saturated'));
    const changed = await loadCatalog(builtIns());
    expect(changed.playbooks.find((p) => p.id === 'cpu')?.title).toBe('CPU saturated');
    expect(await cacheFiles()).toHaveLength(1);
  });

  it('never reads the catalog another build compiled', async () => {
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-1' });
    await loadCatalog(builtIns());
    const [before] = await cacheFiles();
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-2' });
    await loadCatalog(builtIns());
    const after = await cacheFiles();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
  });

  it('compiles when the cached file cannot be read back, and writes a good one', async () => {
    const compiled = await loadCatalog(builtIns());
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-1' });
    await loadCatalog(builtIns());
    const [name] = await cacheFiles();
    await writeFile(join(cacheDir, name as string), 'not a serialized catalog');
    expect(isDeepStrictEqual(await loadCatalog(builtIns()), compiled)).toBe(true);
    expect(isDeepStrictEqual(await loadCatalog(builtIns()), compiled)).toBe(true);
  });

  it("keeps nothing when a team's directory is read, nor when no cache is configured", async () => {
    const team = join(dir, 'team');
    await cp(join(playbooks, 'cpu.yml'), join(team, 'cpu.yml'), { recursive: true });
    await loadCatalog(builtIns());
    expect(await cacheFiles()).toEqual([]);
    useCompiledCatalogCache({ dir: cacheDir, codeId: 'build-1' });
    await loadCatalog({ ...builtIns(), playbooks: [team] });
    expect(await cacheFiles()).toEqual([]);
  });
});
