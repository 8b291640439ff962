import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/**
 * Loading the `triage` bundle (one CommonJS file) with V8's code cache. Node 20 compiles every module from its text
 * at each start, and has no cache of its own for ES modules; a V8 code cache holds the compiled functions, so a start
 * that finds one skips parsing and compiling them. The cache is written after a command ran (it then holds the
 * functions that command compiled), once per command and per bundle, Node version and architecture, in the user's
 * cache directory. A cache V8 does not accept (other flags, another V8) is ignored and written again; one that
 * cannot be read or written changes nothing but the speed.
 */

/** Where the code caches go: `$XDG_CACHE_HOME/triage`, else `~/.cache/triage` (`%LOCALAPPDATA%\triage` on Windows). */
export function codeCacheDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: () => string = homedir,
): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg && isAbsolute(xdg)) return join(xdg, 'triage');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'triage', 'cache');
  return join(env.HOME?.trim() || home(), '.cache', 'triage');
}

/** The command a cache is for: its first argument when it names one, else `other` (options, `--help`). */
export function commandKey(argv: readonly string[]): string {
  const first = argv[0] ?? '';
  return /^[a-z][a-z-]{0,30}$/.test(first) ? first : 'other';
}

/** The cache file of a bundle (by the hash of its text) for one command, Node version and architecture. */
export function cacheFileName(bundleHash: string, command: string): string {
  return `cli-${bundleHash}-${process.version}-${process.arch}-${command}.v8cache`;
}

export interface LoadedBundle {
  /** What the bundle exports (module.exports). */
  exports: Record<string, unknown>;
  /** Whether V8 used a cache to compile the bundle. */
  cached: boolean;
  /** Writes the cache when there was none (or V8 refused it); never throws. Call it once the command has run. */
  save(): void;
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles and runs the CommonJS bundle `file` (`require`, `module`, `__filename`, `__dirname` as Node gives them,
 * and `__triageBundleUrl`, the bundle's file URL), with the code cache of `command` in `cacheDir` when there is one.
 * `bundleHash` names the bundle's text: V8 itself checks only the text's length, so a cache is never read for
 * another text.
 */
export function loadBundle(
  file: string,
  options: { bundleHash: string; cacheDir?: string; command: string },
): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const wrapped = `(function (exports, require, module, __filename, __dirname, __triageBundleUrl) {${source}\n})`;
  const cacheFile = options.cacheDir ? join(options.cacheDir, cacheFileName(options.bundleHash, options.command)) : '';
  const cachedData = cacheFile ? readOrUndefined(cacheFile) : undefined;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cached = cachedData !== undefined && script.cachedDataRejected !== true;
  const module = { exports: {} as Record<string, unknown> };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href);
  return {
    exports: module.exports,
    cached,
    save() {
      if (cached || !options.cacheDir) return;
      try {
        const data = script.createCachedData();
        mkdirSync(options.cacheDir, { recursive: true });
        // Another bundle's caches (an older Triage) are of no further use.
        for (const name of readdirSync(options.cacheDir))
          if (name.startsWith('cli-') && !name.startsWith(`cli-${options.bundleHash}-`))
            rmSync(join(options.cacheDir, name), { force: true });
        // Written whole, then renamed: a start running at the same time reads the old file or the new one.
        const partial = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(partial, data);
        renameSync(partial, cacheFile);
      } catch {
        // No cache: the next start compiles again.
      }
    },
  };
}
