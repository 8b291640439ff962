import { runCli } from '../../src/cli/run-cli.js';

/** Runs the `triage` CLI in-process; runs are recorded in an in-memory store unless the test names one. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { TRIAGE_DB_PATH: ':memory:', ...env },
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    },
  );
  return { code, stdout, stderr };
}
