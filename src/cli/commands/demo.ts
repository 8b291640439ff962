import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BUNDLED_RECORDINGS, type CliContext, type CliIo, EXIT } from '../cli-io.js';

/** `triage demo`: a recorded incident replayed offline, as the Slack thread Triage would post. */
export function registerDemo(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  program
    .command('demo')
    .description('Replay a bundled, recorded incident offline and print the Slack thread Triage would post')
    .argument('[name]', 'recording name (triage demo --list shows them)', 'bad-deploy-prom-client')
    .option('--recordings <dir>', 'directory of recorded incidents', BUNDLED_RECORDINGS)
    .option('--list', 'list the recorded incidents instead of replaying one')
    .action(async (name: string, opts: { recordings: string; list?: boolean }) => {
      if (opts.list) {
        ctx.exit(await listDemoRecordings(opts.recordings, io));
        return;
      }
      const { runDemo } = await import('../run-demo.js');
      ctx.exit(await runDemo(name, opts.recordings, io, readFile));
    });
}

/** `triage demo --list`: each recorded incident with the symptom it replays; exit 2 when the directory is unreadable. */
async function listDemoRecordings(dir: string, io: CliIo): Promise<number> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    io.stderr(`triage: cannot read the recordings directory ${dir}\n`);
    return EXIT.usage;
  }
  const rows: { name: string; symptom: string }[] = [];
  for (const file of files) {
    const name = file.slice(0, -'.json'.length);
    try {
      const recording = JSON.parse(await readFile(join(dir, file), 'utf8')) as { symptom?: unknown };
      rows.push({ name, symptom: typeof recording.symptom === 'string' ? recording.symptom : '' });
    } catch {
      rows.push({ name, symptom: '(unreadable recording)' });
    }
  }
  if (rows.length === 0) {
    io.stdout(`No recorded incidents in ${dir}.\n`);
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  io.stdout(`${rows.length} recorded incidents (replay one with: triage demo <name>)\n`);
  for (const r of rows) io.stdout(`  ${r.name.padEnd(width)}  ${r.symptom}\n`);
  return EXIT.ok;
}
