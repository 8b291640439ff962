import { pino } from 'pino';
import type { Logger } from '../../application/ports/logger.js';
import { type Redactor, redact, redactDeep } from '../../domain/redaction/redact.js';

export type { Logger };

/**
 * Structured JSON logs (pino), one object per line: `level` as a word, `time` as ISO 8601, `msg`, and the fields
 * given (a run's lines carry its `runId`). The message and every field pass through the redactor before pino
 * serialises them, so a token, password or bearer header inside an error message never reaches the log.
 */
export function createJsonLogger(
  write: (line: string) => void = (l) => process.stderr.write(l),
  options: { redactor?: Redactor; level?: string } = {},
): Logger {
  const redactor = options.redactor ?? redact;
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a: unknown) => (typeof a === 'string' ? redactor(a) : redactDeep(a, redactor)));
          method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    { write },
  );
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
