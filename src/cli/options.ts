import { InvalidArgumentError } from 'commander';
import { UsageProblem } from './cli-io.js';

// Option parsers throw commander's InvalidArgumentError, which it reports with the option, the value and the
// command's own --help line.
export function parseAt(text: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new InvalidArgumentError('It must be an ISO time such as 2026-11-01T14:00:00Z.');
  }
  return d;
}

export function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('It must be a positive whole number.');
  return n;
}

async function parseServiceLabels(text: string): Promise<string[]> {
  const { parseLabelList } = await import('../app/config.js');
  const parsed = parseLabelList(text);
  if (typeof parsed === 'string') throw new UsageProblem(`--service-labels ${parsed}.`);
  return parsed;
}

export async function stripUserinfo(url: string): Promise<string> {
  return (await import('../adapters/http/create-http-client.js')).stripUserinfo(url);
}

/** The Prometheus URL from --prometheus-url or PROMETHEUS_URL, checked. */
export function prometheusUrlOf(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const url = (opts.prometheusUrl as string | undefined) ?? env.PROMETHEUS_URL;
  if (!url)
    throw new UsageProblem(
      'No Prometheus URL: pass --prometheus-url http://host:9090 or set PROMETHEUS_URL. To try Triage without one, run: triage demo',
    );
  try {
    new URL(url);
  } catch {
    throw new UsageProblem(`--prometheus-url must be a URL such as http://localhost:9090, not "${url}".`);
  }
  return url;
}

/** A team's playbook and signals directories and service labels, from the flags or the environment. */
export async function catalogDirs(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<{ playbooksDir?: string; signalsDir?: string; serviceLabels?: string[] }> {
  const playbooksDir = (opts.playbooks as string | undefined) ?? env.TRIAGE_PLAYBOOKS_DIR;
  const signalsDir = (opts.signals as string | undefined) ?? env.TRIAGE_SIGNALS_DIR;
  const labels = (opts.serviceLabels as string | undefined) ?? env.TRIAGE_SERVICE_LABELS;
  return {
    ...(playbooksDir ? { playbooksDir } : {}),
    ...(signalsDir ? { signalsDir } : {}),
    ...(labels ? { serviceLabels: await parseServiceLabels(labels) } : {}),
  };
}

/**
 * The --charts directory as an absolute path, created when missing (before the diagnosis runs, so a bad path costs
 * nothing); one that cannot be created or written to is a usage error.
 */
export async function chartsDirOf(opts: Record<string, unknown>): Promise<string | undefined> {
  if (opts.charts === undefined) return undefined;
  const dir = String(opts.charts);
  if (dir.trim() === '') throw new UsageProblem('--charts needs a directory, e.g. --charts ./charts.');
  const [{ access, mkdir }, { constants }, { resolve }] = await Promise.all([
    import('node:fs/promises'),
    import('node:fs'),
    import('node:path'),
  ]);
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : (code ?? 'it cannot be written');
    throw new UsageProblem(`--charts ${dir} cannot be used as the charts directory (${why}).`);
  }
  return path;
}

export function isDatasourceFailure(code: string | undefined): boolean {
  return (
    code !== undefined && (code.startsWith('datasource_') || code === 'deadline_exceeded' || code.startsWith('query_'))
  );
}

export function cell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return (flat.length > width ? `${flat.slice(0, width - 1)}…` : flat).padEnd(width);
}
