import { fileURLToPath } from 'node:url';
import type { Redactor } from '../domain/redaction/redact.js';

/**
 * Exit codes: 0 done, 1 a failed check (playbooks validate/test), 2 a usage error, 3 Prometheus or the run store
 * could not be used, 4 the run asked for is not recorded.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, notFound: 4 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** What every command is given: the environment (passed in, never read deep inside), the output, the clock. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  now: () => Date;
  /** The redactor with TRIAGE_REDACT_PATTERNS, built on first use (a bad pattern is a usage error of that command). */
  redactor(): Promise<Redactor>;
  /** Sets the code the command exits with (see EXIT). */
  exit(code: number): void;
  /** The SQLite run store used when no flag or variable names one, for the help texts. */
  defaultStore: string;
}

export const BUNDLED_RECORDINGS = fileURLToPath(new URL('../../fixtures/recordings', import.meta.url));

/** A usage error: said with the command's own `--help` line, exit 2. */
export class UsageProblem extends Error {}

/** The run store named by the flags or the environment cannot be opened (exit 3, like a data source out of reach). */
export class StoreUnavailable extends Error {}
