/**
 * A problem that start-up cannot get past by waiting (a token Slack rejects, a run store that cannot be opened):
 * `main` logs it as one JSON line, with `message` the sentence naming the variable and the fix, and exits 1.
 */
export class StartupError extends Error {
  readonly code: string;
  /** The environment variable to fix. */
  readonly variable: string;
  /** Extra fields for the log line (no secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, variable: string, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'StartupError';
    this.code = code;
    this.variable = variable;
    this.details = details;
  }
}
