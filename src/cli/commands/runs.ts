import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { type CliContext, EXIT } from '../cli-io.js';
import { findRun, MIN_RUN_ID_PREFIX, runSummary, withStore } from '../cli-store.js';
import { cell, parsePositiveInt } from '../options.js';

/** `triage runs list` and `triage postmortem`: what the run store recorded. */
export function registerRuns(program: Command, ctx: CliContext): void {
  const { env, io, now } = ctx;
  const storeFlags = (command: Command) =>
    command
      .option('--db <path>', `SQLite run store (or TRIAGE_DB_PATH; default ${ctx.defaultStore})`)
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
      const redact = await ctx.redactor();
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
      .description('Write the post-mortem of a recorded run as Markdown, or as one self-contained HTML file')
      .argument(
        '<run-id>',
        `the run id (or a unique prefix of ${MIN_RUN_ID_PREFIX}+ characters), from triage runs list`,
      )
      .option('--out <file>', 'write to this file instead of stdout')
      .addOption(
        new Option('--format <format>', 'md (Markdown) or html (one file, no external requests)')
          .choices(['md', 'html'])
          .default('md'),
      ),
  ).action(async (id: string, opts: Record<string, unknown>) => {
    const format = opts.format === 'html' ? 'html' : 'md';
    await withStore(opts, env, async (store, name) => {
      const run = await findRun(store, id.trim());
      if (!run || !store) {
        io.stderr(`triage: no run "${id}" in ${name}. \`triage runs list\` shows the recorded runs.\n`);
        ctx.exit(EXIT.notFound);
        return;
      }
      const { postmortemDocuments } = await import('../../application/postmortem/documents.js');
      // The HTML carries its charts inline; the Markdown names chart files, which stdout cannot carry: none.
      const renderer =
        format === 'html' ? (await import('../../adapters/charts/chart-renderer.js')).createChartRenderer() : undefined;
      const docs = await postmortemDocuments(
        { run, events: await store.events(run.id), now: now(), redactor: await ctx.redactor() },
        renderer,
        { referenceCharts: false },
      );
      const markdown = format === 'html' ? docs.html : docs.markdown;
      if (opts.out) {
        await writeFile(String(opts.out), markdown);
        io.stderr(`Wrote the post-mortem of run ${run.id} to ${String(opts.out)}\n`);
      } else io.stdout(markdown);
    });
  });
}
