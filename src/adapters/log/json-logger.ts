export interface Logger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

const TOKEN = /xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g;

/** One JSON object per line on the given stream; Slack tokens are masked wherever they appear. */
export function createJsonLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const log = (level: string) => (obj: Record<string, unknown>, msg: string) => {
    const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...obj });
    write(`${line.replace(TOKEN, 'xox…')}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
