// Build step: the `triage` command line as one ES module bundle, dist/cli/main.js, with a chunk for each group of
// modules a command loads with import() (the engine, the run stores, the demo…), all in dist/cli/. Loading a few
// large files is much faster than resolving and loading the few hundred small ones tsc writes, and `triage --help`
// still loads only the entry. Runs after tsc (which leaves the rest of dist/ as it is: the app, and the modules
// scripts/build-cache.mjs reads).
//
// Packages are bundled except those with native code or optional native parts (better-sqlite3, pg), which stay
// imports resolved in node_modules. `import.meta.url` keeps its meaning: in each source file it becomes the URL the
// file's own tsc output has, so paths such as `../../../playbooks` resolve as they do unbundled.
import { readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const outdir = join(root, 'dist', 'cli');

/** Rewrites `import.meta.url` in a source file to the URL its tsc output (dist/<path>.js) would have. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(src)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
      const built = join(root, 'dist', relative(src, args.path)).replace(/\.ts$/, '.js');
      const fromOut = relative(outdir, built).split('\\').join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

// The cli/ files tsc wrote: the bundle replaces them (the rest of dist/ is the app's and stays).
for (const name of readdirSync(outdir)) rmSync(join(outdir, name), { recursive: true, force: true });

/**
 * axios's fetch adapter probes fetch, Request and ReadableStream when it loads, which makes Node load its own fetch
 * implementation (tens of ms). Triage's clients use axios's http adapter (the one axios picks in Node), so the bundle
 * holds a fetch adapter that says it is unavailable.
 */
const noAxiosFetch = {
  name: 'no-axios-fetch',
  setup(b) {
    b.onLoad({ filter: /[\\/]axios[\\/]lib[\\/]adapters[\\/]fetch\.js$/ }, () => ({
      contents: 'export const getFetch = () => false;\nexport default false;\n',
      loader: 'js',
    }));
  },
};

/**
 * axios's utils read the global FormData when they load, and in Node that getter loads Node's whole fetch
 * implementation (undici, tens of ms). The bundle leaves that constructor out: a FormData is still recognised by its
 * tag ([object FormData]), and Triage sends none. When axios no longer has that line, the build says so and bundles
 * axios as it is.
 */
const FORM_DATA_PROBE = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";
const noFormDataProbe = {
  name: 'no-form-data-probe',
  setup(b) {
    b.onLoad({ filter: /[\\/]axios[\\/]lib[\\/]utils\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (text.includes(FORM_DATA_PROBE))
        return { contents: text.replace(FORM_DATA_PROBE, 'const FormDataCtor = undefined;'), loader: 'js' };
      return { contents: text, loader: 'js', warnings: [{ text: 'axios no longer probes FormData this way' }] };
    });
  },
};

/**
 * mime-db, the table of every MIME type (200 KB), reaches the bundle through axios's multipart support (form-data,
 * mime-types), which only reads it to name the type of an uploaded file. Triage sends no multipart bodies, so the
 * bundle holds an empty table (an unknown type is sent as application/octet-stream).
 */
const noMimeTable = {
  name: 'no-mime-table',
  setup(b) {
    b.onLoad({ filter: /[\\/]mime-db[\\/]db\.json$/ }, () => ({ contents: '{}', loader: 'json' }));
  },
};

/**
 * zod's `z.locales` holds its messages in some fifty languages, half of zod's size. Triage speaks English (zod's
 * default, which zod loads by itself), so the bundle's `z.locales` holds `en` alone.
 */
const englishZod = {
  name: 'english-zod',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

const result = await build({
  entryPoints: { main: join(src, 'cli', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['better-sqlite3', 'pg'],
  // Bundled CommonJS packages (commander, node-cache) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __triageRequire } from 'node:module';\nconst require = __triageRequire(import.meta.url);",
  },
  plugins: [ownImportMetaUrl, noAxiosFetch, noFormDataProbe, noMimeTable, englishZod],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const outputs = Object.entries(result.metafile.outputs);
const kb = outputs.reduce((sum, [, o]) => sum + o.bytes, 0) / 1024;
process.stdout.write(`cli bundle: ${outputs.length} files, ${kb.toFixed(0)} KiB in dist/cli\n`);
