import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/**
 * The built-in catalog as compiled by an earlier start of the same build (signals compiled, playbooks composed):
 * plain data (maps, sets, arrays, objects), kept with V8's serializer in the user's cache directory. Compiling it
 * takes a CLI start some 20-30 ms; reading it back, about one. The key covers everything the result depends on:
 * the code that compiles it (`codeId`, the build's bundle), the Node version (the serializer's format), and the
 * name and text of every file read. The command line turns it on for the built bundle only; anywhere else (the app,
 * the sources through tsx) nothing is cached.
 */
export interface CompiledCatalogCache {
  /** The directory of the cache files. */
  dir: string;
  /** Names the code that compiles the catalog: a different build never reads another's cache. */
  codeId: string;
}

let configured: CompiledCatalogCache | undefined;

/** Turns the cache on (or off, with undefined) for this process. */
export function useCompiledCatalogCache(cache: CompiledCatalogCache | undefined): void {
  configured = cache;
}

/** The cache key of files read (name and text of each, in order), or undefined when no cache is configured. */
export function compiledCatalogKey(files: readonly { name: string; text: string }[]): string | undefined {
  if (!configured) return undefined;
  const hash = createHash('sha256').update(`${configured.codeId}\0${process.version}\0${files.length}\0`);
  // Each part with its length: no two different lists of files give the same stream.
  for (const { name, text } of files) hash.update(`${name.length}:${name}\0${text.length}:`).update(text);
  return hash.digest('hex').slice(0, 32);
}

const fileOf = (dir: string, key: string) => join(dir, `catalog-${key}.v8`);

/** The catalog cached under `key`, or undefined (none, or one that cannot be read back). */
export function readCompiledCatalog<T>(key: string): T | undefined {
  if (!configured) return undefined;
  try {
    return deserialize(readFileSync(fileOf(configured.dir, key))) as T;
  } catch {
    return undefined;
  }
}

/** Keeps `value` under `key`, in place of any other cached catalog; never throws. */
export function writeCompiledCatalog(key: string, value: unknown): void {
  if (!configured) return;
  const { dir } = configured;
  try {
    const data = serialize(value);
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir))
      if (name.startsWith('catalog-') && name !== `catalog-${key}.v8`) rmSync(join(dir, name), { force: true });
    // Written whole, then renamed: a start running at the same time reads the old file or the new one.
    const partial = `${fileOf(dir, key)}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, fileOf(dir, key));
  } catch {
    // Not cached: the next start compiles again.
  }
}
