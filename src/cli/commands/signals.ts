import { type Command, Option } from 'commander';
import { parseDurationSeconds } from '../../domain/duration.js';
import { AppError } from '../../domain/errors.js';
import { type CliContext, EXIT, UsageProblem } from '../cli-io.js';
import { catalogDirs, parseAt, parsePositiveInt, prometheusUrlOf, stripUserinfo } from '../options.js';

/** `triage signals list|explain`: the signals, their conventions, and what one service's series match. */
export function registerSignals(program: Command, ctx: CliContext): void {
  const { env, io, now } = ctx;
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
        import('../../adapters/playbook-files/load-playbooks.js'),
        import('../run-signals.js'),
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
        import('../../app/create-diagnoser.js'),
        import('../../domain/symptom/parse-symptom.js'),
        import('../run-signals.js'),
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
        ctx.exit(err instanceof AppError && err.code === 'query_unsafe' ? EXIT.usage : EXIT.unreachable);
        return;
      }
      printExplanation(explanation, service, io, opts.json === true);
    });
}
