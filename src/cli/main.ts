import module from 'node:module';

// Node 22.1+ keeps the code it compiled between runs, so every later start compiles less (bin/entry.js asks too; a
// second call changes nothing). Node 20 has no such cache: there the call is skipped. The command line is imported
// after it, so that the cache covers it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCli } = await import('./run-cli.js');

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
process.exit(code);
