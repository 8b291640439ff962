import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { stripUserinfo } from '../adapters/http/create-http-client.js';
import { BUNDLED_PLAYBOOKS } from '../adapters/playbook-files/bundled.js';
import { loadCatalog } from '../adapters/playbook-files/load-playbooks.js';
import { openRunStore } from '../adapters/store/open-run-store.js';
import { DEFAULT_SQLITE_PATH, logConfigFrom, parseLabelList, parseRedactPatterns } from '../app/config.js';
import { createDiagnoser, runToEnd } from '../app/create-diagnoser.js';
import { parseDurationSeconds } from '../domain/duration.js';
import { AppError } from '../domain/errors.js';
import { createRedactor } from '../domain/redaction/redact.js';
import { toDiagnosisJson } from '../domain/report/diagnosis-json.js';
import { renderPostmortem } from '../domain/report/postmortem.js';
import { renderProgress, renderReport } from '../domain/report/render-text.js';
import { RunJournal } from '../domain/runs/run-journal.js';
import type { RunStore, StoredRun } from '../domain/runs/run-store.js';
import { parseSymptom } from '../domain/symptom/parse-symptom.js';
import { runDemo } from './run-demo.js';
import { runPlaybookTests } from './run-playbook-tests.js';
import { printExplanation, printSignals } from './run-signals.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export { BUNDLED_PLAYBOOKS };
export const BUNDLED_RECORDINGS = fileURLToPath(new URL('../../fixtures/recordings', import.meta.url));

class UsageProblem extends Error {}

function parseAt(text: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new UsageProblem(`--at must be an ISO time such as 2026-11-01T14:00:00Z, not "${text}".`);
  }
  return d;
}

function parsePositiveInt(name: string) {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageProblem(`${name} must be a positive whole number, not "${text}".`);
    return n;
  };
}

function parseServiceLabels(text: string): string[] {
  const parsed = parseLabelList(text);
  if (typeof parsed === 'string') throw new UsageProblem(`--service-labels ${parsed}.`);
  return parsed;
}

/** The run store the CLI reads and records into: --database-url / DATABASE_URL, else --db / TRIAGE_DB_PATH. */
function storeOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const databaseUrl = (opts.databaseUrl as string | undefined) ?? env.DATABASE_URL;
  const sqlitePath = (opts.db as string | undefined) ?? env.TRIAGE_DB_PATH ?? DEFAULT_SQLITE_PATH;
  return { ...(databaseUrl ? { databaseUrl } : {}), sqlitePath };
}

function storeName(options: { databaseUrl?: string; sqlitePath: string }): string {
  return options.databaseUrl ? stripUserinfo(options.databaseUrl) : options.sqlitePath;
}

async function withStore<T>(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  use: (store: RunStore, name: string) => Promise<T>,
): Promise<T> {
  const options = storeOptions(opts, env);
  const store = await openRunStore(options);
  try {
    return await use(store, storeName(options));
  } finally {
    await store.close();
  }
}

/** A run by id, or by a unique prefix of at least 6 characters (as in the export's file name). */
async function findRun(store: RunStore, id: string): Promise<StoredRun | undefined> {
  const exact = await store.getRun(id);
  if (exact || id.length < 6) return exact;
  const matches = (await store.listRuns({ limit: 1000 })).filter((r) => r.id.startsWith(id));
  return matches.length === 1 ? matches[0] : undefined;
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
    const store = await openRunStore(options);
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
      'No Prometheus URL: pass --prometheus-url http://host:9090 or set PROMETHEUS_URL. To try Triage without one, run npm run demo.',
    );
  try {
    new URL(url);
  } catch {
    throw new UsageProblem(`--prometheus-url must be a URL such as http://localhost:9090, not "${url}".`);
  }
  return url;
}

/** A team's playbook and signals directories and service labels, from the flags or the environment. */
function catalogDirs(
  opts: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { playbooksDir?: string; signalsDir?: string; serviceLabels?: string[] } {
  const playbooksDir = (opts.playbooks as string | undefined) ?? env.TRIAGE_PLAYBOOKS_DIR;
  const signalsDir = (opts.signals as string | undefined) ?? env.TRIAGE_SIGNALS_DIR;
  const labels = (opts.serviceLabels as string | undefined) ?? env.TRIAGE_SERVICE_LABELS;
  return {
    ...(playbooksDir ? { playbooksDir } : {}),
    ...(signalsDir ? { signalsDir } : {}),
    ...(labels ? { serviceLabels: parseServiceLabels(labels) } : {}),
  };
}

/**
 * Runs the `triage` command line and returns the exit code: 0 a finished diagnosis, 1 a failed check, 2 a usage
 * error, 3 Prometheus unreachable. `env` is passed in, never read deep inside.
 */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  now = () => new Date(),
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const redactor = createRedactor({
    extraPatterns: (env.TRIAGE_REDACT_PATTERNS ? parseRedactPatterns(env.TRIAGE_REDACT_PATTERNS) : []).map(
      (pattern) => ({ pattern }),
    ),
  });
  const program = new Command()
    .name('triage')
    .description('Diagnose an incident from a symptom, with playbooks over Prometheus.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run triage --help for usage)');

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
    .option('--db <path>', `SQLite run store to record the run in (or TRIAGE_DB_PATH; default ${DEFAULT_SQLITE_PATH})`)
    .option('--database-url <url>', 'PostgreSQL run store instead (or DATABASE_URL)')
    .option('--no-record', 'do not record the run in the run store')
    .addOption(
      new Option('--timeout-ms <n>', 'per-query timeout').default(5000).argParser(parsePositiveInt('--timeout-ms')),
    )
    .addOption(
      new Option('--deadline-ms <n>', 'whole-run deadline').default(60000).argParser(parsePositiveInt('--deadline-ms')),
    )
    .action(async (words: string[], opts: Record<string, unknown>) => {
      const url = prometheusUrlOf(opts, env);
      const since = opts.since === undefined ? undefined : parseDurationSeconds(String(opts.since));
      if (since === null)
        throw new UsageProblem(`--since must be a duration such as 30m, 2h or 1h30m, not "${String(opts.since)}".`);
      const timeZone = (opts.timezone as string | undefined) ?? env.TRIAGE_TIMEZONE;
      const symptom = parseSymptom(words.join(' '), {
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
        ...catalogDirs(opts, env),
        deadlineMs: opts.deadlineMs as number,
      });
      for (const p of diagnoser.problems)
        io.stderr(`triage: left out ${p.file}${p.path ? ` at ${p.path}` : ''}: ${p.message}\n`);
      const json = opts.json === true;
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
      const result = await runToEnd(journal ? journal.record(runId, run) : run, (event) => {
        if (json) return;
        const line = renderProgress(event);
        if (line) io.stderr(`${line}\n`);
      }).finally(() => journal?.store.close());
      if (journal && journal.failures === 0 && !json)
        io.stderr(`Recorded as run ${runId}: triage postmortem ${runId}\n`);
      if (json) io.stdout(`${JSON.stringify(toDiagnosisJson(result, redactor), null, 2)}\n`);
      else io.stdout(`${renderReport(result, { queries: opts.queries === true, redactor })}\n`);
      if (result.error?.code === 'query_unsafe') {
        io.stderr(`triage: ${result.error.message}\n`);
        exitCode = EXIT.usage;
      } else if (result.error && isDatasourceFailure(result.error.code)) {
        io.stderr(`triage: Prometheus at ${stripUserinfo(url)} could not be used: ${result.error.message}\n`);
        exitCode = EXIT.unreachable;
      }
    });

  const storeFlags = (command: Command) =>
    command
      .option('--db <path>', `SQLite run store (or TRIAGE_DB_PATH; default ${DEFAULT_SQLITE_PATH})`)
      .option('--database-url <url>', 'PostgreSQL run store instead (or DATABASE_URL)');

  const runs = program.command('runs').description('Recorded diagnoses');
  storeFlags(
    runs
      .command('list')
      .description('List recorded runs, newest first')
      .addOption(new Option('--limit <n>', 'how many').default(20).argParser(parsePositiveInt('--limit')))
      .option('--channel <id>', 'only runs in this Slack channel')
      .option('--json', 'print JSON'),
  ).action(async (opts: Record<string, unknown>) => {
    await withStore(opts, env, async (store, name) => {
      const list = await store.listRuns({
        limit: opts.limit as number,
        ...(opts.channel ? { channel: String(opts.channel) } : {}),
      });
      if (opts.json === true) {
        io.stdout(
          `${JSON.stringify(
            list.map((r) => runSummary(r, redactor)),
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
          `${r.id.padEnd(36)}  ${started}  ${r.status.padEnd(11)}  ${r.trigger.padEnd(7)}  ${cell(r.service ?? '—', 20)}  ${cell(redactor(r.text), 60).trimEnd()}\n`,
        );
      }
    });
  });

  storeFlags(
    program
      .command('postmortem')
      .description('Write the post-mortem of a recorded run as Markdown')
      .argument('<run-id>', 'the run id (or a unique prefix of 6+ characters), from triage runs list')
      .option('--out <file>', 'write to this file instead of stdout'),
  ).action(async (id: string, opts: Record<string, unknown>) => {
    await withStore(opts, env, async (store, name) => {
      const run = await findRun(store, id.trim());
      if (!run) {
        io.stderr(`triage: no run "${id}" in ${name}. \`triage runs list\` shows the recorded runs.\n`);
        exitCode = EXIT.failed;
        return;
      }
      const markdown = renderPostmortem({ run, events: await store.events(run.id), now: now(), redactor });
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
    .addOption(
      new Option('--timeout-ms <n>', 'per-query timeout').default(5000).argParser(parsePositiveInt('--timeout-ms')),
    )
    .action(async (opts: Record<string, unknown>) => {
      const url = prometheusUrlOf(opts, env);
      const since = opts.since === undefined ? 7200 : parseDurationSeconds(String(opts.since));
      if (since === null)
        throw new UsageProblem(`--since must be a duration such as 30m, 2h or 1h30m, not "${String(opts.since)}".`);
      const end = (opts.at as Date | undefined) ?? now();
      const service = String(opts.service).trim();
      if (service === '') throw new UsageProblem('--service needs a name, e.g. --service checkout.');
      const diagnoser = await createDiagnoser({
        prometheus: { url, timeoutMs: opts.timeoutMs as number },
        ...catalogDirs(opts, env),
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
        io.stderr(`triage: Prometheus at ${stripUserinfo(url)} could not be used: ${message}\n`);
        exitCode = err instanceof AppError && err.code === 'query_unsafe' ? EXIT.usage : EXIT.unreachable;
        return;
      }
      printExplanation(explanation, service, io, opts.json === true);
    });

  program
    .command('demo')
    .description('Replay a bundled, recorded incident offline and print the Slack thread Triage would post')
    .argument('[name]', 'recording name', 'bad-deploy-prom-client')
    .option('--recordings <dir>', 'directory of recorded incidents', BUNDLED_RECORDINGS)
    .action(async (name: string, opts: { recordings: string }) => {
      exitCode = await runDemo(name, opts.recordings, io, readFile);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? EXIT.ok
        : EXIT.usage;
    }
    if (err instanceof UsageProblem) {
      io.stderr(`triage: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof AppError) {
      io.stderr(`triage: ${err.message}\n`);
      const usage = ['symptom_invalid', 'usage_invalid', 'playbook_invalid', 'config_invalid'];
      return usage.includes(err.code) ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
  return exitCode;
}
