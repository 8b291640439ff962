import { type CompiledCatalogCache, useCompiledCatalogCache } from '../adapters/playbook-files/compiled-cache.js';
import { runCli } from './run-cli.js';

/**
 * The `triage` process: runs the command line on process.argv and process.env, waits until its output is flushed
 * and returns the exit code (the caller exits with it). Both entries call it: src/cli/main.ts (the sources, through
 * tsx) and the built bundle's loader (src/cli/bundle-main.ts), which alone passes a compiled-catalog cache.
 */
export async function runMain(options: { catalogCache?: CompiledCatalogCache } = {}): Promise<number> {
  useCompiledCatalogCache(options.catalogCache);
  // A reader that stops early (`triage runs list | head`) closes the pipe: the rest of the output is dropped and the
  // command still finishes (a diagnosis is still recorded), instead of dying on EPIPE with a stack trace.
  const closed = new Set<NodeJS.WriteStream>();
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closed.add(stream);
    });
  const write = (stream: NodeJS.WriteStream) => (text: string) => {
    if (!closed.has(stream)) stream.write(text);
  };
  const code = await runCli(process.argv.slice(2), process.env, {
    stdout: write(process.stdout),
    stderr: write(process.stderr),
  });
  process.exitCode = code;
  // The answer is out once both streams are flushed; what still holds the event loop then (the HTTP clients'
  // keep-alive sockets) must not delay the prompt.
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((done) => (closed.has(stream) ? done() : stream.write('', () => done()))),
    ),
  );
  return code;
}
