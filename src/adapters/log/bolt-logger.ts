import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from './json-logger.js';

const RANK: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

/** One argument of a Bolt or Web API log call as text (errors by their message, objects as JSON). */
function describe(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.message;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

/**
 * Bolt's and the Web API client's logger interface over Triage's JSON logger: every line Bolt, its receivers and the
 * WebClient write becomes one JSON object (`source` names the component, e.g. `web-api:WebClient:0`) and passes the
 * same redaction. Below `level` (Bolt's own `setLevel` may raise it, never lower it) lines are dropped.
 */
export function createBoltLogger(
  logger: Logger & { debug?(obj: Record<string, unknown>, msg: string): void },
  options: { level?: LogLevel; name?: string } = {},
): SlackLogger {
  const floor = options.level ?? LogLevel.WARN;
  let level = floor;
  let name = options.name ?? 'bolt';
  const emit = (at: LogLevel, args: unknown[]) => {
    if (RANK[at] < RANK[level]) return;
    const msg = args.map(describe).join(' ');
    const fields = { source: name };
    if (at === LogLevel.ERROR) logger.error(fields, msg);
    else if (at === LogLevel.WARN) logger.warn(fields, msg);
    else if (at === LogLevel.INFO) logger.info(fields, msg);
    else (logger.debug ?? logger.info).call(logger, fields, msg);
  };
  return {
    debug: (...args: unknown[]) => emit(LogLevel.DEBUG, args),
    info: (...args: unknown[]) => emit(LogLevel.INFO, args),
    warn: (...args: unknown[]) => emit(LogLevel.WARN, args),
    error: (...args: unknown[]) => emit(LogLevel.ERROR, args),
    setLevel(next: LogLevel) {
      level = RANK[next] >= RANK[floor] ? next : floor;
    },
    getLevel: () => level,
    setName(next: string) {
      name = next;
    },
  };
}
