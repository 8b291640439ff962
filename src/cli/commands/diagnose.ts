import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import { parseDurationSeconds } from '../../domain/duration.js';
import { type CliContext, EXIT, UsageProblem } from '../cli-io.js';
import { openJournal } from '../cli-store.js';
import {
  catalogDirs,
  chartsDirOf,
  isDatasourceFailure,
  parseAt,
  parsePositiveInt,
  prometheusUrlOf,
  stripUserinfo,
} from '../options.js';

/** `triage diagnose`: one diagnosis, its progress on stderr, the report (or the JSON contract) on stdout, recorded in the run store. */
export function registerDiagnose(program: Command, ctx: CliContext): void {
  const { env, io, now } = ctx;
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
    .option('--charts <dir>', 'write a PNG chart of each decisive signal (up to 3) into this directory')
    .option('--queries', "show each step's PromQL in the report")
    .option('--playbooks <dir>', 'your playbooks, added to the built-in ones (or TRIAGE_PLAYBOOKS_DIR)')
    .option('--signals <dir>', 'your signals, conventions and service mappings (or TRIAGE_SIGNALS_DIR)')
    .option(
      '--service-labels <labels>',
      'labels that may carry the service name, in order, e.g. service,job,app (or TRIAGE_SERVICE_LABELS)',
    )
    .option('--timezone <iana>', 'zone for clock times without one (or TRIAGE_TIMEZONE); default UTC')
    .option('--db <path>', `SQLite run store to record the run in (or TRIAGE_DB_PATH; default ${ctx.defaultStore})`)
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
      const chartsDir = await chartsDirOf(opts);
      const [{ parseSymptom }, { createDiagnoser, runToEnd }] = await Promise.all([
        import('../../domain/symptom/parse-symptom.js'),
        import('../../app/create-diagnoser.js'),
      ]);
      const symptom = parseSymptom(text, {
        now: now(),
        ...(timeZone ? { timeZone } : {}),
        ...(opts.service ? { service: String(opts.service) } : {}),
        ...(opts.at ? { at: opts.at as Date } : {}),
        ...(since !== undefined ? { sinceSeconds: since } : {}),
      });
      const logEnv = {
        ...env,
        ...(opts.lokiUrl ? { LOKI_URL: String(opts.lokiUrl) } : {}),
        ...(opts.elasticsearchUrl ? { ELASTICSEARCH_URL: String(opts.elasticsearchUrl) } : {}),
      };
      // The configuration module (and its schema) is loaded only when there is a log source to configure.
      const logs =
        logEnv.LOKI_URL || logEnv.ELASTICSEARCH_URL ? (await import('../../app/config.js')).logConfigFrom(logEnv) : {};
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
      const redact = await ctx.redactor();
      const runId = randomUUID();
      const startedAt = now();
      const run = diagnoser.run({ runId, symptom });
      // The diagnosis starts here and the run store opens while its first queries are answered: the engine keeps its
      // events until the journal has recorded the run, then each is stored before it is shown, as always.
      const first = run.next();
      first.catch(() => {}); // awaited when the events are read, below
      const journal = opts.record === false ? undefined : await whenIdle(() => openJournal(opts, env, io, now));
      await journal?.begin({
        startedAt,
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
      const events = resumed(first, run);
      const { renderProgress, renderReport } = await import('../../domain/report/render-text.js');
      const result = await runToEnd(journal ? journal.record(runId, events) : events, (event) => {
        if (json) return;
        const line = renderProgress(event);
        if (line) io.stderr(`${line}\n`);
      }).finally(() => journal?.store.close());
      if (journal && journal.failures === 0 && !json)
        io.stderr(`Recorded as run ${runId}: triage postmortem ${runId}\n`);
      // The charts' paths follow the text report; with --json they go to stderr, and the JSON stays as it is.
      let footer = '';
      if (chartsDir !== undefined) {
        const charts = await import('../../adapters/charts/write-charts.js');
        footer = await charts
          .writeDiagnosisCharts(result, chartsDir, redact)
          .then(charts.chartsFooter, (e: unknown) => {
            io.stderr(`triage: the charts could not be drawn: ${e instanceof Error ? e.message : String(e)}\n`);
            return '';
          });
        if (json) io.stderr(footer);
      }
      if (json) {
        const { toDiagnosisJson } = await import('../../domain/report/diagnosis-json.js');
        io.stdout(`${JSON.stringify(toDiagnosisJson(result, redact), null, 2)}\n`);
      } else io.stdout(`${renderReport(result, { queries: opts.queries === true, redactor: redact })}\n${footer}`);
      if (result.error?.code === 'query_unsafe') {
        io.stderr(`triage: ${result.error.message}\n`);
        ctx.exit(EXIT.usage);
      } else if (result.error && isDatasourceFailure(result.error.code)) {
        io.stderr(`triage: Prometheus at ${await stripUserinfo(url)} could not be used: ${result.error.message}\n`);
        ctx.exit(EXIT.unreachable);
      }
    });
}

/** Runs `work` once the event loop has sent what is pending (a diagnosis's first queries). */
function whenIdle<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<void>((done) => setImmediate(done)).then(work);
}

/** A run whose first `next()` was already asked for: that answer, then the rest of the run. */
async function* resumed<E, R>(first: Promise<IteratorResult<E, R>>, run: AsyncGenerator<E, R>): AsyncGenerator<E, R> {
  const head = await first;
  if (head.done) return head.value;
  yield head.value;
  return yield* run;
}
