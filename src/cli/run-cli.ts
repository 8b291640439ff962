import { Command, CommanderError } from 'commander';
import { AppError } from '../domain/errors.js';
import type { Redactor } from '../domain/redaction/redact.js';
import { type CliContext, type CliIo, EXIT, StoreUnavailable, UsageProblem } from './cli-io.js';
import { registerDemo } from './commands/demo.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerPlaybooks } from './commands/playbooks.js';
import { registerRuns } from './commands/runs.js';
import { registerSignals } from './commands/signals.js';
import { defaultCliStorePath } from './state-dir.js';
import { packageVersion } from './version.js';

export { type CliIo, EXIT } from './cli-io.js';

// Only commander and small modules are imported above: `triage --help` must start fast. Each command loads what it
// needs (the engine, Prometheus and log clients, the run stores, zod schemas) with import() when it runs.

/**
 * Runs the `triage` command line and returns the exit code (see EXIT): 0 done, 1 a failed check, 2 a usage error,
 * 3 Prometheus or the run store unreachable, 4 no such run. `env` is passed in, never read deep inside.
 */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  now = () => new Date(),
): Promise<number> {
  let exitCode: number = EXIT.ok;
  let redactor: Redactor | undefined;
  /** The redactor with TRIAGE_REDACT_PATTERNS, built on first use (a bad pattern is a usage error of that command). */
  const redactorOf = async (): Promise<Redactor> => {
    if (redactor) return redactor;
    const { createRedactor } = await import('../domain/redaction/redact.js');
    const text = env.TRIAGE_REDACT_PATTERNS;
    const patterns = text ? (await import('../app/config.js')).parseRedactPatterns(text) : [];
    redactor = createRedactor({ extraPatterns: patterns.map((pattern) => ({ pattern })) });
    return redactor;
  };
  const defaultStore = defaultCliStorePath(env);
  const program = new Command()
    .name('triage')
    .description('Diagnose an incident from a symptom, with playbooks over Prometheus.')
    .version(packageVersion(), '-v, --version', 'print the Triage version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  // The command whose action is running, so that a usage error can name its own --help.
  let running: Command = program;
  program.hook('preAction', (_program, action) => {
    running = action;
  });

  const ctx: CliContext = {
    env,
    io,
    now,
    redactor: redactorOf,
    exit: (code) => {
      exitCode = code;
    },
    defaultStore,
  };
  registerDiagnose(program, ctx);
  registerRuns(program, ctx);
  registerPlaybooks(program, ctx);
  registerSignals(program, ctx);
  registerDemo(program, ctx);

  for (const command of commandTree(program)) {
    command.showHelpAfterError(`(run ${commandPath(command)} --help for usage)`);
    command.helpOption(
      '-h, --help',
      command === program ? "display help; triage <command> --help shows a command's options" : 'display help',
    );
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    const seeHelp = `(run ${commandPath(running)} --help for usage)`;
    if (err instanceof UsageProblem) {
      io.stderr(`triage: ${err.message}\n${seeHelp}\n`);
      return EXIT.usage;
    }
    if (err instanceof StoreUnavailable) {
      io.stderr(`triage: ${err.message}\n`);
      return EXIT.unreachable;
    }
    if (err instanceof AppError) {
      const usage = ['symptom_invalid', 'usage_invalid', 'playbook_invalid', 'config_invalid'];
      const isUsage = usage.includes(err.code);
      io.stderr(`triage: ${err.message}\n${isUsage ? `${seeHelp}\n` : ''}`);
      return isUsage ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
  return exitCode;
}

function* commandTree(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* commandTree(sub);
}

/** `triage diagnose`, `triage runs list`: what the user types to reach the command. */
function commandPath(command: Command): string {
  return command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();
}
