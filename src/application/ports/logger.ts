/**
 * Where Triage's own events go: one structured line per event, the fields first and a sentence after. The JSON
 * logger in src/adapters/log implements it (pino, redacted); tests pass a collecting or silent one.
 */
export interface Logger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}
