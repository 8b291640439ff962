// Shared by bin/triage.js and bin/triage-app.js: runs the built JavaScript in dist/, which every package made by
// `npm pack` holds (its prepack script builds it). Only in a source checkout (src/ next to bin/) whose dist/ is
// missing or older than the sources, it runs the TypeScript through tsx, a development dependency.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time of a .ts file under src/, in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const mtime = statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

async function tsxRegister() {
  try {
    return (await import('tsx/esm/api')).register;
  } catch {
    return undefined;
  }
}

/**
 * Runs `dist/<entry>.js`, or `src/<entry>.ts` through tsx in a source checkout where dist/ is missing or stale.
 * @param {string} entry the module under dist/ and src/, without extension, e.g. "cli/main"
 * @param {string} command the command's name, for the message when neither can run
 */
export async function runEntry(entry, command) {
  // Node 22.1+ keeps compiled code between runs, which shortens every later start; older Node has no such cache.
  module.enableCompileCache?.();
  const built = join(root, 'dist', `${entry}.js`);
  const source = join(root, 'src', `${entry}.ts`);
  const srcDir = join(root, 'src');
  const hasBuild = existsSync(built);
  if (existsSync(source)) {
    const stale = !hasBuild || statSync(built).mtimeMs < newestSource(srcDir);
    const register = stale ? await tsxRegister() : undefined;
    if (register) {
      register();
      await import(pathToFileURL(source).href);
      return;
    }
  }
  if (hasBuild) {
    await import(pathToFileURL(built).href);
    return;
  }
  process.stderr.write(
    `${command}: this copy of Triage has no build (${built} is missing) and tsx is not installed.\n` +
      'In a source checkout, run `npm install` (development dependencies include tsx) or `npm run build`.\n' +
      'A package made by `npm pack` always contains dist/: reinstall it, e.g. `npm install -g ./triage-<version>.tgz`.\n',
  );
  process.exitCode = 1;
}
