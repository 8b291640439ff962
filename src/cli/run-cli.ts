import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { BUNDLED_PLAYBOOKS } from '../adapters/playbook-files/bundled.js';
import type { RunJournal } from '../application/diagnose/run-journal.js';
import type { RunStore, StoredRun } from '../application/ports/run-store.js';
import { parseDurationSeconds } from '../domain/duration.js';
import { AppError } from '../domain/errors.js';
import type { Redactor } from '../domain/redaction/redact.js';
import { defaultCliStorePath } from './state-dir.js';
import { packageVersion } from './version.js';

// Only commander and small modules are imported above: `triage --help` must start fast. Each command loads what it
// needs (the engine, Prometheus and log clients, the run stores, zod schemas) with import() when it runs.

/**
 * Exit codes: 0 done, 1 a failed check (playbooks validate/test), 2 a usage error, 3 Prometheus or the run store
 * could not be used, 4 the run asked for is not recorded.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, notFound: 4 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export { BUNDLED_PLAYBOOKS };
export const BUNDLED_RECORDINGS = fileURLToPath(new URL('../../fixtures/recordings', import.meta.url));

/** The fewest characters of a run id `triage postmortem` accepts as a prefix. */
export const MIN_RUN_ID_PREFIX = 4;

class UsageProblem extends Error {}

/** The run store named by the flags or the environment cannot be opened (exit 3, like a data source out of reach). */
class StoreUnavailable extends Error {}

// Option parsers throw commander's InvalidArgumentError, which it reports with the option, the value and the
// command's own --help line.
function parseAt(text: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new InvalidArgumentError('It must be an ISO time such as 2026-11-01T14:00:00Z.');
  }
  return d;
}

function parsePositiveInt(text: string): number {
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

async function stripUserinfo(url: string): Promise<string> {
  return (await import('../adapters/http/create-http-client.js')).stripUserinfo(url);
}

interface StoreOptions {
  databaseUrl?: string;
  sqlitePath: string;
}

/**
 * The run store the CLI reads and records into. A flag beats the environment: --database-url, --db, then
 * DATABASE_URL, TRIAGE_DB_PATH, then the user's state directory.
 */
function storeOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): StoreOptions {
  const flagUrl = opts.databaseUrl as string | undefined;
  const flagPath = opts.db as string | undefined;
  if (flagUrl) return { databaseUrl: flagUrl, sqlitePath: flagPath ?? defaultCliStorePath(env) };
  if (flagPath) return { sqlitePath: flagPath };
  const sqlitePath = env.TRIAGE_DB_PATH || defaultCliStorePath(env);
  return env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, sqlitePath } : { sqlitePath };
}

async function storeName(options: StoreOptions): Promise<string> {
  return options.databaseUrl ? stripUserinfo(options.databaseUrl) : options.sqlitePath;
}

/** True when the store is a SQLite file not written yet: reading it must not create it (nor its directory). */
function notCreatedYet(options: StoreOptions): boolean {
  return !options.databaseUrl && options.sqlitePath !== ':memory:' && !existsSync(options.sqlitePath);
}

async function openStore(options: StoreOptions): Promise<RunStore> {
  const { openRunStore } = await import('../adapters/store/open-run-store.js');
  return openRunStore(options);
}

/** Runs `use` on the store, or on nothing (undefined) when the SQLite file was never written. */
async function withStore<T>(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  use: (store: RunStore | undefined, name: string) => Promise<T>,
): Promise<T> {
  const options = storeOptions(opts, env);
  const name = await storeName(options);
  if (notCreatedYet(options)) return use(undefined, name);
  let store: RunStore;
  try {
    store = await openStore(options);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const fix = options.databaseUrl
      ? 'check --database-url or DATABASE_URL (host, port, database, credentials)'
      : 'check --db or TRIAGE_DB_PATH (a file in a writable directory)';
    throw new StoreUnavailable(`cannot open the run store ${name}: ${reason}; ${fix}.`);
  }
  try {
    return await use(store, name);
  } finally {
    await store.close();
  }
}

/**
 * A run by id, or by a unique prefix of at least MIN_RUN_ID_PREFIX characters (as in the export's file name). A
 * shorter or ambiguous prefix is a usage error that asks for more characters.
 */
async function findRun(store: RunStore | undefined, id: string): Promise<StoredRun | undefined> {
  if (id.length < MIN_RUN_ID_PREFIX)
    throw new UsageProblem(
      `"${id}" is too short to name a run: give at least ${MIN_RUN_ID_PREFIX} characters of its id (\`triage runs list\` shows them).`,
    );
  if (!store) return undefined;
  const exact = await store.getRun(id);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: 1000 })).filter((r) => r.id.startsWith(id));
  if (matches.length > 1)
    throw new UsageProblem(
      `"${id}" is the start of ${matches.length} runs (${matches
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}${matches.length > 3 ? ', …' : ''}): give more characters of the id.`,
    );
  return matches[0];
}

function cell(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return (flat.length > width ? `${flat.slice(0, width - 1)}…` : flat).padEnd(width);
}

function isDatasourceFailure(code: string | undefined): boolean {
  return (
    code !== undefined && (code.startsWith('datasource_') || code === 'deadline_exceeded' || code.startsWith('query_'))
  );
}

/** A journal on the run store, or undefined (with a warning) when the store cannot be opened: the diagnosis goes on. */
async function openJournal(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  now: () => Date,
): Promise<RunJournal | undefined> {
  const options = storeOptions(opts, env);
  try {
    const store = await openStore(options);
    const { RunJournal } = await import('../application/diagnose/run-journal.js');
    return new RunJournal(store, {
      owner: env.TRIAGE_REPLICA_ID ?? `cli:${hostname()}:${process.pid}`,
      now,
      logger: { warn: (obj, msg) => io.stderr(`triage: ${msg} (${String(obj.error ?? '')})\n`) },
    });
  } catch (err) {
    io.stderr(
      `triage: not recording this run: ${err instanceof Error ? err.message : String(err)} (use --no-record to silence this)\n`,
    );
    return undefined;
  }
}

function runSummary(r: StoredRun, redactor: (text: string) => string) {
  return {
    id: r.id,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status,
    trigger: r.trigger,
    service: r.service,
    symptom: redactor(r.text),
    channel: r.channel,
    conclusion: r.result ? redactor(r.result.conclusion.summary) : null,
  };
}

/** The Prometheus URL from --prometheus-url or PROMETHEUS_URL, checked. */
function prometheusUrlOf(opts: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
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
async function catalogDirs(
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

  program
    .command('diagnose')
    .description('Diagnose a symptom, e.g. triage diagnose "502 on checkout" --prometheus-url http://localhost:9090')
    .argument('<symptom...>', 'the symptom in plain words')
    .option('--service <name>', 'the service (overrides the one named in the symptom)')
    .option('--prometheus-url <url>', 'Prometheus base URL (or PROMETHEUS_URL)')
    .option('--at <iso>', 'end of the window (default: now)', parseAt)
    .option('--since <duration>', 'length of the window, e.g. 30m, 2h (default 30m)')
    .option('--loki-url <url>', 'Loki base URL for log evidence (or LOKI_URL; LOKI_TENANT sets X-Scope-OrgID)')
    .option('--elasticsearch-url <url>', 'Elasticsearch/OpenSearch base URL for log evidence (or ELASTICSEARCH_URL)')
    .option('--json', 'print the JSON contract on stdout')
    .option('--queries', "show each step's PromQL in the report")
    .option('--playbooks <dir>', 'your playbooks, added to the built-in ones (or TRIAGE_PLAYBOOKS_DIR)')
    .option('--signals <dir>', 'your signals, conventions and service mappings (or TRIAGE_SIGNALS_DIR)')
    .option(
      '--service-labels <labels>',
      'labels that may carry the service name, in order, e.g. service,job,app (or TRIAGE_SERVICE_LABELS)',
    )
    .option('--timezone <iana>', 'zone for clock times without one (or TRIAGE_TIMEZONE); default UTC')
    .option('--db <path>', `SQLite run store to record the run in (or TRIAGE_DB_PATH; default ${defaultStore})`)
    .option('--database-url <url>', 'PostgreSQL run store instead (or DATABASE_URL)')
    .option('--no-record', 'do not record the run in the run store')
    .addOption(new Option('--timeout-ms <n>', 'per-query timeout').default(5000).argParser(parsePositiveInt))
    .addOption(new Option('--deadline-ms <n>', 'whole-run deadline').default(60000).argParser(parsePositiveInt))
    .action(async (words: string[], opts: Record<string, unknown>) => {
      const text = words.join(' ').trim();
      if (text === '')
        throw new UsageProblem('the symptom is empty: say what is wrong, e.g. triage diagnose "502 on checkout".');
      const url = prometheusUrlOf(opts, env);
      const since = opts.since === undefined ? undefined : parseDurationSeconds(String(opts.since));
      if (since === null)
        throw new UsageProblem(`--since must be a duration such as 30m, 2h or 1h30m, not "${String(opts.since)}".`);
      const timeZone = (opts.timezone as string | undefined) ?? env.TRIAGE_TIMEZONE;
      const [{ parseSymptom }, { logConfigFrom }, { createDiagnoser, runToEnd }] = await Promise.all([
        import('../domain/symptom/parse-symptom.js'),
        import('../app/config.js'),
        import('../app/create-diagnoser.js'),
      ]);
      const symptom = parseSymptom(text, {
        now: now(),
        ...(timeZone ? { timeZone } : {}),
        ...(opts.service ? { service: String(opts.service) } : {}),
        ...(opts.at ? { at: opts.at as Date } : {}),
        ...(since !== undefined ? { sinceSeconds: since } : {}),
      });
      const logs = logConfigFrom({
        ...env,
        ...(opts.lokiUrl ? { LOKI_URL: String(opts.lokiUrl) } : {}),
        ...(opts.elasticsearchUrl ? { ELASTICSEARCH_URL: String(opts.elasticsearchUrl) } : {}),
      });
      for (const u of [logs.logs?.loki?.url, logs.logs?.elasticsearch?.url]) {
        if (u === undefined) continue;
        try {
          new URL(u);
        } catch {
          throw new UsageProblem(`log source URLs must be URLs such as http://loki:3100, not "${u}".`);
        }
      }
      const diagnoser = await createDiagnoser({
        prometheus: { url, timeoutMs: opts.timeoutMs as number },
        ...logs,
        ...(await catalogDirs(opts, env)),
        deadlineMs: opts.deadlineMs as number,
      });
      for (const p of diagnoser.problems)
        io.stderr(`triage: left out ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}\n`);
      const json = opts.json === true;
      const redact = await redactorOf();
      const runId = randomUUID();
      const journal = opts.record === false ? undefined : await openJournal(opts, env, io, now);
      await journal?.begin({
        id: runId,
        trigger: 'cli',
        text: symptom.text,
        symptom,
        service: symptom.service,
        playbook: null,
        channel: null,
        rootTs: null,
        threadTs: null,
        userId: null,
        alert: null,
      });
      const run = diagnoser.run({ runId, symptom });
      const { renderProgress, renderReport } = await import('../domain/report/render-text.js');
      const result = await runToEnd(journal ? journal.record(runId, run) : run, (event) => {
        if (json) return;
        const line = renderProgress(event);
        if (line) io.stderr(`${line}\n`);
      }).finally(() => journal?.store.close());
      if (journal && journal.failures === 0 && !json)
        io.stderr(`Recorded as run ${runId}: triage postmortem ${runId}\n`);
      if (json) {
        const { toDiagnosisJson } = await import('../domain/report/diagnosis-json.js');
        io.stdout(`${JSON.stringify(toDiagnosisJson(result, redact), null, 2)}\n`);
      } else io.stdout(`${renderReport(result, { queries: opts.queries === true, redactor: redact })}\n`);
      if (result.error?.code === 'query_unsafe') {
        io.stderr(`triage: ${result.error.message}\n`);
        exitCode = EXIT.usage;
      } else if (result.error && isDatasourceFailure(result.error.code)) {
        io.stderr(`triage: Prometheus at ${await stripUserinfo(url)} could not be used: ${result.error.message}\n`);
        exitCode = EXIT.unreachable;
      }
    });

  const storeFlags = (command: Command) =>
    command
      .option('--db <path>', `SQLite run store (or TRIAGE_DB_PATH; default ${defaultStore})`)
      .option('--database-url <url>', 'PostgreSQL run store instead (or DATABASE_URL)');

  const runs = program.command('runs').description('Recorded diagnoses');
  storeFlags(
    runs
      .command('list')
      .description('List recorded runs, newest first')
      .addOption(new Option('--limit <n>', 'how many').default(20).argParser(parsePositiveInt))
      .option('--channel <id>', 'only runs in this Slack channel')
      .option('--json', 'print JSON'),
  ).action(async (opts: Record<string, unknown>) => {
    await withStore(opts, env, async (store, name) => {
      const redact = await redactorOf();
      const list = await (store?.listRuns({
        limit: opts.limit as number,
        ...(opts.channel ? { channel: String(opts.channel) } : {}),
      }) ?? []);
      if (opts.json === true) {
        io.stdout(
          `${JSON.stringify(
            list.map((r) => runSummary(r, redact)),
            null,
            2,
          )}\n`,
        );
        return;
      }
      if (list.length === 0) {
        io.stdout(`No runs recorded in ${name} yet.\n`);
        return;
      }
      io.stdout(
        `${'RUN'.padEnd(36)}  ${'STARTED (UTC)'.padEnd(16)}  ${'STATUS'.padEnd(11)}  ${'TRIGGER'.padEnd(7)}  ${'SERVICE'.padEnd(20)}  SYMPTOM\n`,
      );
      for (const r of list) {
        const started = r.startedAt.toISOString().slice(0, 16).replace('T', ' ');
        io.stdout(
          `${r.id.padEnd(36)}  ${started}  ${r.status.padEnd(11)}  ${r.trigger.padEnd(7)}  ${cell(r.service ?? '—', 20)}  ${cell(redact(r.text), 60).trimEnd()}\n`,
        );
      }
    });
  });

  storeFlags(
    program
      .command('postmortem')
      .description('Write the post-mortem of a recorded run as Markdown')
      .argument(
        '<run-id>',
        `the run id (or a unique prefix of ${MIN_RUN_ID_PREFIX}+ characters), from triage runs list`,
      )
      .option('--out <file>', 'write to this file instead of stdout'),
  ).action(async (id: string, opts: Record<string, unknown>) => {
    await withStore(opts, env, async (store, name) => {
      const run = await findRun(store, id.trim());
      if (!run || !store) {
        io.stderr(`triage: no run "${id}" in ${name}. \`triage runs list\` shows the recorded runs.\n`);
        exitCode = EXIT.notFound;
        return;
      }
      const { renderPostmortem } = await import('../application/postmortem/postmortem.js');
      const markdown = renderPostmortem({
        run,
        events: await store.events(run.id),
        now: now(),
        redactor: await redactorOf(),
      });
      if (opts.out) {
        await writeFile(String(opts.out), markdown);
        io.stderr(`Wrote the post-mortem of run ${run.id} to ${String(opts.out)}\n`);
      } else io.stdout(markdown);
    });
  });

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
      const { loadCatalog } = await import('../adapters/playbook-files/load-playbooks.js');
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
        exitCode = EXIT.failed;
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
      const { runPlaybookTests } = await import('./run-playbook-tests.js');
      exitCode = await runPlaybookTests(dir, opts.recordings, io);
    });

  const signals = program
    .command('signals')
    .description('The signals playbooks read and the conventions that provide them');
  signals
    .command('list')
    .description('Every signal and the conventions (exporters, libraries, proxies) that provide it, in the order tried')
    .option('--signals <dir>', 'your signals directory (or TRIAGE_SIGNALS_DIR)')
    .option('--json', 'print JSON')
    .action(async (opts: { signals?: string; json?: boolean }) => {
      const signalsDir = opts.signals ?? env.TRIAGE_SIGNALS_DIR;
      const [{ loadCatalog }, { printSignals }] = await Promise.all([
        import('../adapters/playbook-files/load-playbooks.js'),
        import('./run-signals.js'),
      ]);
      const loaded = await loadCatalog(signalsDir ? { signals: [signalsDir] } : {});
      for (const p of loaded.problems) io.stderr(`triage: ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}\n`);
      printSignals(loaded.signals, io, opts.json === true);
    });
  signals
    .command('explain')
    .description('For one service: which convention each signal matched and the series it reads, or what it looked for')
    .requiredOption('--service <name>', 'the service, as people name it (checkout, "payments api", shop/checkout)')
    .option('--prometheus-url <url>', 'Prometheus base URL (or PROMETHEUS_URL)')
    .option('--at <iso>', 'end of the window looked at (default: now)', parseAt)
    .option('--since <duration>', 'length of the window, e.g. 30m, 2h (default 2h)')
    .option('--signals <dir>', 'your signals directory (or TRIAGE_SIGNALS_DIR)')
    .option('--service-labels <labels>', 'labels that may carry the service name, in order (or TRIAGE_SERVICE_LABELS)')
    .option('--json', 'print JSON')
    .addOption(new Option('--timeout-ms <n>', 'per-query timeout').default(5000).argParser(parsePositiveInt))
    .action(async (opts: Record<string, unknown>) => {
      const url = prometheusUrlOf(opts, env);
      const since = opts.since === undefined ? 7200 : parseDurationSeconds(String(opts.since));
      if (since === null)
        throw new UsageProblem(`--since must be a duration such as 30m, 2h or 1h30m, not "${String(opts.since)}".`);
      const end = (opts.at as Date | undefined) ?? now();
      const service = String(opts.service).trim();
      if (service === '') throw new UsageProblem('--service needs a name, e.g. --service checkout.');
      const [{ createDiagnoser }, { parseSymptom }, { printExplanation }] = await Promise.all([
        import('../app/create-diagnoser.js'),
        import('../domain/symptom/parse-symptom.js'),
        import('./run-signals.js'),
      ]);
      const diagnoser = await createDiagnoser({
        prometheus: { url, timeoutMs: opts.timeoutMs as number },
        ...(await catalogDirs(opts, env)),
        deadlineMs: 60_000,
      });
      const parsed = parseSymptom(service, { now: end, service });
      const candidates = [
        ...new Set([
          ...parsed.serviceCandidates,
          ...parseSymptom(`errors on ${service}`, { now: end }).serviceCandidates,
        ]),
      ];
      let explanation: Awaited<ReturnType<typeof diagnoser.explain>>;
      try {
        explanation = await diagnoser.explain({
          candidates,
          window: { start: new Date(end.getTime() - since * 1000), end },
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        io.stderr(`triage: Prometheus at ${await stripUserinfo(url)} could not be used: ${message}\n`);
        exitCode = err instanceof AppError && err.code === 'query_unsafe' ? EXIT.usage : EXIT.unreachable;
        return;
      }
      printExplanation(explanation, service, io, opts.json === true);
    });

  program
    .command('demo')
    .description('Replay a bundled, recorded incident offline and print the Slack thread Triage would post')
    .argument('[name]', 'recording name (triage demo --list shows them)', 'bad-deploy-prom-client')
    .option('--recordings <dir>', 'directory of recorded incidents', BUNDLED_RECORDINGS)
    .option('--list', 'list the recorded incidents instead of replaying one')
    .action(async (name: string, opts: { recordings: string; list?: boolean }) => {
      if (opts.list) {
        exitCode = await listDemoRecordings(opts.recordings, io);
        return;
      }
      const { runDemo } = await import('./run-demo.js');
      exitCode = await runDemo(name, opts.recordings, io, readFile);
    });

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

/** `triage demo --list`: each recorded incident with the symptom it replays; exit 2 when the directory is unreadable. */
async function listDemoRecordings(dir: string, io: CliIo): Promise<number> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    io.stderr(`triage: cannot read the recordings directory ${dir}\n`);
    return EXIT.usage;
  }
  const rows: { name: string; symptom: string }[] = [];
  for (const file of files) {
    const name = file.slice(0, -'.json'.length);
    try {
      const recording = JSON.parse(await readFile(join(dir, file), 'utf8')) as { symptom?: unknown };
      rows.push({ name, symptom: typeof recording.symptom === 'string' ? recording.symptom : '' });
    } catch {
      rows.push({ name, symptom: '(unreadable recording)' });
    }
  }
  if (rows.length === 0) {
    io.stdout(`No recorded incidents in ${dir}.\n`);
    return EXIT.ok;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  io.stdout(`${rows.length} recorded incidents (replay one with: triage demo <name>)\n`);
  for (const r of rows) io.stdout(`  ${r.name.padEnd(width)}  ${r.symptom}\n`);
  return EXIT.ok;
}
