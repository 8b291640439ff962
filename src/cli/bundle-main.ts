import { fileURLToPath } from 'node:url';
import { codeCacheDir, commandKey, loadBundle } from './code-cache.js';
import type { runMain as RunMain } from './run-main.js';

// The built `triage` command (dist/cli/main.js, written by scripts/build-cli.mjs): loads the command line, bundled
// as one CommonJS file next to it, through V8's code cache (see code-cache.ts), runs it, and writes the cache when
// this start found none. TRIAGE_CODE_CACHE=off loads the bundle without any cache (nor writes one), and compiles the
// built-in catalog at every start.

/** Set by the build: the bundle's file name and the hash of its text. */
declare const TRIAGE_CLI_BUNDLE: { file: string; hash: string };

const env = process.env;
const cacheDir = env.TRIAGE_CODE_CACHE === 'off' ? undefined : codeCacheDir(env);
const bundle = loadBundle(fileURLToPath(new URL(TRIAGE_CLI_BUNDLE.file, import.meta.url)), {
  bundleHash: TRIAGE_CLI_BUNDLE.hash,
  command: commandKey(process.argv.slice(2)),
  ...(cacheDir ? { cacheDir } : {}),
});
const { runMain } = bundle.exports as { runMain: typeof RunMain };
// The same directory keeps the built-in catalog as this build compiled it (see compiled-cache.ts).
const code = await runMain(cacheDir ? { catalogCache: { dir: cacheDir, codeId: TRIAGE_CLI_BUNDLE.hash } } : {});
// A cache holds what its first run compiled, and is kept: only a command that did its whole work writes it (a usage
// error, say, runs little of the command).
if (code === 0) bundle.save();
process.exit(code);
