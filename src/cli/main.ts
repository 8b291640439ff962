import module from 'node:module';

// The `triage` command run from its sources (`npm run triage`, tsx). The built command is src/cli/bundle-main.ts,
// which loads the same code as one bundle with V8's code cache (see scripts/build-cli.mjs).
//
// Node 22.1+ keeps the code it compiled between runs, so every later start compiles less (bin/entry.js asks too; a
// second call changes nothing). Node 20 has no such cache: there the call is skipped. The command line is imported
// after it, so that the cache covers it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runMain } = await import('./run-main.js');
process.exit(await runMain());
