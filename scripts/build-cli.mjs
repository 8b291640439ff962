// Build step: the `triage` command line as one CommonJS bundle, dist/cli/cli.cjs, and its loader, dist/cli/main.js
// (src/cli/bundle-main.ts). The loader compiles the bundle with V8's code cache (src/cli/code-cache.ts): Node 20 has
// no compile cache for modules, and compiling a megabyte of JavaScript at every start costs tens of milliseconds,
// more than loading it. A module a command loads with import() (the engine, the run stores, the demo…) is in the
// bundle too, but runs only when imported, so `triage --help` still runs little more than commander. Runs after tsc
// (which leaves the rest of dist/ as it is: the app, and the modules scripts/build-cache.mjs reads).
//
// Packages are bundled except those with native code or optional native parts (better-sqlite3, pg), which stay
// requires resolved in node_modules. `import.meta.url` keeps its meaning: in each source file it becomes the URL the
// file's own tsc output has, so paths such as `../../../playbooks` resolve as they do unbundled.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
        // The loader gives the bundle its own URL as `__triageBundleUrl` (see src/cli/code-cache.ts).
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromOut)}, __triageBundleUrl).href`),
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

/**
 * Modules that only an option loads, with large packages of their own (the charts of `--charts`: ECharts is twice
 * the size of everything else), go in bundles of their own next to cli.cjs, so that no other start reads them. The
 * main bundle requires them when the option is used; they are loaded by Node as any CommonJS file, without the code
 * cache.
 */
const APART = [{ module: join(src, 'adapters', 'charts', 'write-charts.ts'), bundle: 'charts.cjs' }];
const apart = {
  name: 'apart',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (!args.importer.startsWith(src)) return undefined;
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const found = APART.find((a) => a.module === target);
      return found ? { path: `./${found.bundle}`, external: true } : undefined;
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg'],
  // import() of a bundled module becomes a call of its lazy initialiser, and of better-sqlite3 or pg a require():
  // a script compiled by node:vm has no loader for import().
  supported: { 'dynamic-import': false },
  legalComments: 'none',
  logLevel: 'warning',
};
for (const { module, bundle } of APART)
  await build({
    ...common,
    entryPoints: [module],
    outfile: join(outdir, bundle),
    // Loaded by Node's own require(): the bundle's URL, which import.meta.url is rewritten to use, is its own.
    banner: { js: "var __triageBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [ownImportMetaUrl],
  });

const BUNDLE = 'cli.cjs';
const result = await build({
  entryPoints: [join(src, 'cli', 'run-main.ts')],
  ...common,
  outfile: join(outdir, BUNDLE),
  plugins: [apart, ownImportMetaUrl, noAxiosFetch, noFormDataProbe, noMimeTable, englishZod],
  metafile: true,
});
const bundleText = readFileSync(join(outdir, BUNDLE), 'utf8');
const callsImport = bundleText
  .split('\n')
  .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
  .some((line) => /\bimport\(/.test(line.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '')));
if (callsImport) throw new Error(`${BUNDLE} still calls import(), which a script compiled by node:vm cannot run`);
const hash = createHash('sha256').update(bundleText).digest('hex').slice(0, 16);
await build({
  entryPoints: [join(src, 'cli', 'bundle-main.ts')],
  outfile: join(outdir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { TRIAGE_CLI_BUNDLE: JSON.stringify({ file: `./${BUNDLE}`, hash }) },
  legalComments: 'none',
  logLevel: 'warning',
});
// TRIAGE_CLI_METAFILE=<path> keeps esbuild's account of the bundle (which module is in it, and why).
if (process.env.TRIAGE_CLI_METAFILE) writeFileSync(process.env.TRIAGE_CLI_METAFILE, JSON.stringify(result.metafile));
const outputs = Object.entries(result.metafile.outputs);
const kb = outputs.reduce((sum, [, o]) => sum + o.bytes, 0) / 1024;
process.stdout.write(`cli bundle: ${BUNDLE}, ${kb.toFixed(0)} KiB, and its loader main.js in dist/cli\n`);
