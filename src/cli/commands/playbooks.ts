import type { Command } from 'commander';
import { BUNDLED_PLAYBOOKS } from '../../adapters/playbook-files/bundled.js';
import { BUNDLED_RECORDINGS, type CliContext, EXIT } from '../cli-io.js';

/** `triage playbooks validate|test`: the catalog checked, and replayed against recorded incidents. */
export function registerPlaybooks(program: Command, ctx: CliContext): void {
  const { env, io } = ctx;
  const playbooks = program.command('playbooks').description('Validate and test playbooks');
  playbooks
    .command('validate')
    .description(
      'Check the built-in playbooks and signals with yours over them; exits 1 listing every problem, and says what yours replace',
    )
    .argument('[dir]', 'your playbook directory (default: the built-in ones alone)')
    .option('--signals <dir>', 'your signals directory (or TRIAGE_SIGNALS_DIR)')
    .action(async (dir: string | undefined, opts: { signals?: string }) => {
      const signalsDir = opts.signals ?? env.TRIAGE_SIGNALS_DIR;
      const playbooksDir = dir ?? env.TRIAGE_PLAYBOOKS_DIR;
      const { loadCatalog } = await import('../../adapters/playbook-files/load-playbooks.js');
      const loaded = await loadCatalog({
        ...(playbooksDir ? { playbooks: [playbooksDir] } : {}),
        ...(signalsDir ? { signals: [signalsDir] } : {}),
      });
      const where = (p: { file: string; path: string }) => `${p.file}${p.path ? ` at ${p.path}` : ''}`;
      for (const n of loaded.notices) io.stderr(`note: ${where(n)}: ${n.message}\n`);
      if (loaded.problems.length > 0) {
        io.stderr(
          `${loaded.problems.length} problem(s) in ${[playbooksDir, signalsDir].filter(Boolean).join(' and ') || 'the built-in files'}:\n`,
        );
        for (const p of loaded.problems) io.stderr(`  ${where(p)}: ${p.message}\n`);
        if (loaded.blocking.length > 0)
          io.stderr('Triage would refuse to start: a built-in playbook or signals file is broken.\n');
        else io.stderr('Triage would start without the entries above.\n');
        ctx.exit(EXIT.failed);
        return;
      }
      io.stdout(
        `${loaded.files.length} files, ${loaded.playbooks.length} playbooks, ${loaded.signals.signals.size} signals, ${loaded.signals.conventions.length} conventions: all valid.\n`,
      );
      for (const p of loaded.playbooks)
        io.stdout(`  ${p.id.padEnd(18)} ${p.steps.length} steps, ${p.hypotheses.length} causes — ${p.title}\n`);
    });
  playbooks
    .command('test')
    .description('Replay recorded incidents through the playbooks and check each expected top cause')
    .argument('[dir]', 'playbook directory', BUNDLED_PLAYBOOKS)
    .option('--recordings <dir>', 'directory of recorded incidents', BUNDLED_RECORDINGS)
    .action(async (dir: string, opts: { recordings: string }) => {
      const { runPlaybookTests } = await import('../run-playbook-tests.js');
      ctx.exit(await runPlaybookTests(dir, opts.recordings, io));
    });
}
