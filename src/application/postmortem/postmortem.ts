import type { RunJournalEvent, StoredEvent, StoredRun } from '../../application/ports/run-store.js';
import { CAUSE_TITLES, type Cause } from '../../domain/causes.js';
import { formatValue } from '../../domain/engine/format-value.js';
import {
  type Evidence,
  type HypothesisResult,
  limitedText,
  patternBaselineText,
  type StepResult,
} from '../../domain/engine/types.js';
import { type Redactor, redact } from '../../domain/redaction/redact.js';
import {
  durationText,
  type IncidentTimes,
  incidentTimeline,
  incidentTimes,
  supportedHypotheses,
  unmeasured,
  utc,
} from './incident.js';

/** A message of the run's Slack thread (conversations.replies). */
export interface ThreadMessage {
  userId: string | null;
  userName?: string;
  text: string;
  ts: string;
  at: Date;
  bot: boolean;
}

export interface PostmortemInput {
  run: StoredRun;
  events: readonly StoredEvent[];
  messages?: readonly ThreadMessage[];
  /** The time the document is written (the "to now" of an ongoing incident). */
  now: Date;
  redactor?: Redactor;
  /** Link to the run's Slack thread. */
  threadLink?: string;
  /** Display names by Slack user id; a person without one is written as a mention (`<@U…>`). */
  people?: ReadonlyMap<string, string>;
  /** Evidence charts shared beside the document, referenced by file name. */
  charts?: readonly { filename: string; alt: string }[];
}

/** A person as the document names them: their display name when known (a file does not resolve mentions). */
function who(input: PostmortemInput, userId: string): string {
  const name = input.people?.get(userId);
  return name ? `**${inline(name)}**` : `<@${userId}>`;
}

const TRIGGER_WORDS: Readonly<Record<StoredRun['trigger'], string>> = {
  command: '/diagnose',
  mention: 'mention in Slack',
  button: 'Re-run button',
  alert: 'alert in a Slack channel',
  webhook: 'Alertmanager webhook',
  cli: 'command line',
};

const STATUS_RANK: Readonly<Record<string, number>> = { crit: 0, warn: 1, errored: 2, ok: 3, no_data: 4, skipped: 5 };

function hhmm(d: Date): string {
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(11, 16);
}

/** Text safe inside a table cell: one line, pipes escaped. */
function cell(text: string): string {
  return (
    text
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\|/g, '\\|')
      .trim() || '—'
  );
}

/** Text safe as a Markdown line: no heading, list or HTML started by what the data says. */
function inline(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/</g, '&lt;')
    .trim();
}

/** A fenced code block that the content cannot close: the fence is longer than any backtick run inside. */
function fenced(code: string, language: string): string[] {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, code, fence];
}

function causeTitle(cause: string): string {
  return CAUSE_TITLES[cause as Cause] ?? cause;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** The steps as the run recorded them: from the result when it finished, else from the events. */
function stepsOf(run: StoredRun, events: readonly RunJournalEvent[]): StepResult[] {
  if (run.result) return run.result.steps;
  return events.flatMap((e) => (e.type === 'step-finished' ? [e.step] : []));
}

function hypothesesOf(run: StoredRun, events: readonly RunJournalEvent[]): HypothesisResult[] {
  if (run.result) return run.result.hypotheses;
  let last: HypothesisResult[] = [];
  for (const e of events) if (e.type === 'hypotheses-updated') last = e.hypotheses;
  return last;
}

function queryLanguage(step: StepResult, e: Evidence): string {
  if (step.patterns || /^\s*\{/.test(e.query)) return /^\s*\{\s*"/.test(e.query) ? 'json' : 'logql';
  return 'promql';
}

function statusWord(run: StoredRun): string {
  switch (run.status) {
    case 'interrupted':
      return 'interrupted: Triage stopped before the diagnosis finished; this draft holds what was recorded until then';
    case 'running':
      return 'still running: this draft holds what has been recorded so far';
    default:
      return run.status;
  }
}

function header(input: PostmortemInput): string[] {
  const { run } = input;
  const window = run.result?.window ?? run.symptom.window;
  const lines = [
    `# Post-mortem: ${inline(run.text)}`,
    '',
    `- **Run:** \`${run.id}\``,
    `- **Status:** ${statusWord(run)}`,
    `- **Started by:** ${TRIGGER_WORDS[run.trigger]}${run.userId ? ` (${who(input, run.userId)})` : ''}`,
    `- **Service:** ${run.service ? `\`${inline(run.service)}\`` : 'not identified'}`,
    `- **Playbook:** ${run.playbook ? `\`${inline(run.playbook)}\`` : '—'}`,
    `- **Window:** ${utc(window.start)} → ${utc(window.end)}`,
    `- **Diagnosis:** started ${utc(run.startedAt)}${run.finishedAt ? `, ended ${utc(run.finishedAt)}` : ''}`,
  ];
  if (input.threadLink) lines.push(`- **Slack thread:** ${input.threadLink}`);
  return lines;
}

function summary(run: StoredRun, hypotheses: readonly HypothesisResult[]): string[] {
  const lines = ['## Summary', ''];
  if (run.result) {
    lines.push(inline(run.result.conclusion.summary));
    for (const note of run.result.notes) lines.push('', `> ${inline(note)}`);
    return lines;
  }
  const top = hypotheses[0];
  lines.push(
    top
      ? `The diagnosis did not finish. The leading hypothesis when it stopped was **${inline(top.title)}** (${percent(top.confidence)} confidence).`
      : 'The diagnosis did not finish, and no hypothesis had been scored when it stopped.',
  );
  return lines;
}

/** The evidence with the worst verdict for a family of signals. */
function worst(steps: readonly StepResult[], match: (e: Evidence) => boolean): Evidence | undefined {
  const all = steps.flatMap((s) => s.evidence).filter(match);
  return all.sort((a, b) => (STATUS_RANK[a.verdict] ?? 9) - (STATUS_RANK[b.verdict] ?? 9))[0];
}

function figure(e: Evidence | undefined): [string, string] {
  if (!e) return ['not measured', '—'];
  const baseline = e.baseline === null || Number.isNaN(e.baseline) ? '—' : formatValue(e.baseline, e.unit);
  return [formatValue(e.value, e.unit), baseline];
}

function impact(steps: readonly StepResult[], times: IncidentTimes): string[] {
  const errors = worst(steps, (e) => e.unit === 'ratio' && /5xx|error/.test(e.signal));
  const latency = worst(steps, (e) => e.unit === 'seconds' && /latency/.test(e.signal));
  const [errorValue, errorBaseline] = figure(errors);
  const [latencyValue, latencyBaseline] = figure(latency);
  const lines = [
    '## Impact',
    '',
    '| Figure | Value | Baseline |',
    '|---|---|---|',
    `| Error ratio | ${cell(errorValue)} | ${cell(errorBaseline)} |`,
    `| Latency${latency ? ` (${cell(latency.signal.replace(/_/g, ' '))})` : ''} | ${cell(latencyValue)} | ${cell(latencyBaseline)} |`,
    `| Duration | ${cell(durationText(times))} | — |`,
    '',
    `- **Window diagnosed:** ${utc(times.window.start)} → ${utc(times.window.end)}`,
    `- **Onset found by Triage:** ${times.onset ? utc(times.onset) : 'none: no abnormal signal crossed its threshold in the series'}`,
  ];
  if (times.alertStart) lines.push(`- **Alert fired:** ${utc(times.alertStart)}`);
  if (times.alertStart || times.alertEnd)
    lines.push(`- **Alert resolved:** ${times.alertEnd ? utc(times.alertEnd) : 'not recorded'}`);
  return lines;
}

function timeline(input: PostmortemInput, steps: readonly StepResult[], events: readonly RunJournalEvent[]): string[] {
  const rows = incidentTimeline(input.run, steps, events, (id) => who(input, id), inline);
  const multiDay = new Set(rows.map((r) => r.at.toISOString().slice(0, 10))).size > 1;
  const time = (d: Date) => (multiDay ? utc(d).replace(' UTC', '') : hhmm(d));
  if (rows.length === 0) return ['## Timeline', '', 'Nothing with a time of its own was recorded.'];
  return [
    '## Timeline',
    '',
    '| Time (UTC) | Event |',
    '|---|---|',
    ...rows.map((r) => `| ${time(r.at)} | ${cell(r.text)} |`),
  ];
}

function graphLink(e: Evidence): string {
  return e.link ? `[graph](${e.link.replace(/\)/g, '%29')})` : '';
}

/** Steps that found something (or could not run): each with its evidence, queries and graphs. */
function anomalies(steps: readonly StepResult[]): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    lines.push('', `### ${inline(step.title)} — ${step.status}`);
    if (step.status === 'errored')
      lines.push('', `Could not be measured: ${inline(step.error?.message ?? step.reason ?? 'unknown error')}`);
    for (const e of step.evidence) {
      const [value, baseline] = figure(e);
      const vs = baseline === '—' ? '' : ` (baseline ${baseline}${e.baselineSource ? `, ${e.baselineSource}` : ''})`;
      const graph = graphLink(e);
      lines.push('', `- ${inline(e.summary)}: **${value}**${vs}${graph ? ` — ${graph}` : ''}`);
      if (e.query) lines.push('', ...fenced(e.query, queryLanguage(step, e)));
    }
    if (step.patterns && step.patterns.length > 0) {
      lines.push('', '| Log pattern | Count | Baseline |', '|---|---|---|');
      for (const p of step.patterns.slice(0, 10))
        lines.push(`| ${cell(p.template)} | ${p.count} | ${cell(patternBaselineText(p) || '—')} |`);
    }
  }
  return lines;
}

/** Steps that found nothing unusual: one table row each, with the graph to check. */
function normal(steps: readonly StepResult[]): string[] {
  const rows = steps.flatMap((step) =>
    step.evidence.map((e) => {
      const [value, baseline] = figure(e);
      return `| ${cell(step.title)} | ${cell(value)} | ${cell(baseline)} | ${graphLink(e) || '—'} |`;
    }),
  );
  if (rows.length === 0) return [];
  return ['', '### Checked and normal', '', '| Step | Value | Baseline | Graph |', '|---|---|---|---|', ...rows];
}

function notMeasured(steps: readonly StepResult[]): string[] {
  const rows = unmeasured(steps).map(
    (s) =>
      `| ${cell(s.title)} | ${s.status === 'no_data' ? 'no data' : s.status} | ${cell(s.error?.message ?? s.reason ?? '—')} |`,
  );
  if (rows.length === 0) return [];
  return ['', '### Not measured', '', '| Step | Status | Why |', '|---|---|---|', ...rows];
}

function charts(input: PostmortemInput): string[] {
  const list = input.charts ?? [];
  if (list.length === 0) return [];
  const image = (c: { filename: string; alt: string }) =>
    `![${inline(c.alt).replace(/[[\]]/g, '')}](${encodeURI(c.filename).replace(/\)/g, '%29')})`;
  return ['', '### Charts', '', ...list.flatMap((c) => [image(c), ''])].slice(0, -1);
}

function evidence(input: PostmortemInput, steps: readonly StepResult[]): string[] {
  const notable = steps
    .filter((s) => s.status === 'crit' || s.status === 'warn')
    .sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9));
  const quiet = steps.filter((s) => s.status === 'ok' && s.evidence.length > 0);
  const missing = notMeasured(steps);
  if (notable.length === 0 && quiet.length === 0 && missing.length === 0)
    return ['## Evidence', '', 'No evidence was recorded.'];
  return ['## Evidence', ...charts(input), ...anomalies(notable), ...normal(quiet), ...missing];
}

function ledger(hypotheses: readonly HypothesisResult[]): string[] {
  const lines = ['## Hypotheses', ''];
  if (hypotheses.length === 0) return [...lines, 'No hypothesis was scored.'];
  lines.push('| Rank | Cause | Verdict | Confidence | Supporting | Against |', '|---|---|---|---|---|---|');
  hypotheses.forEach((h, i) => {
    lines.push(
      `| ${i + 1} | ${cell(h.title)} | ${h.verdict} | ${percent(h.confidence)} | ${cell(h.supporting.join('; '))} | ${cell(h.against.join('; '))} |`,
    );
  });
  const limited = hypotheses.filter((h) => h.limitedBy.length > 0);
  if (limited.length > 0) {
    lines.push('');
    for (const h of limited) lines.push(`- Confidence in *${inline(h.title)}* is ${inline(limitedText(h, 50))}.`);
  }
  return lines;
}

function mitigations(
  input: PostmortemInput,
  hypotheses: readonly HypothesisResult[],
  events: readonly RunJournalEvent[],
): string[] {
  const { run } = input;
  const tried = events.flatMap((e) =>
    e.type === 'human-decision'
      ? [`${who(input, e.userId)} ${e.decision} *${inline(causeTitle(e.cause))}* at ${hhmm(e.at)} UTC`]
      : [],
  );
  const suggested = [
    ...new Set([
      ...supportedHypotheses(hypotheses)
        .slice(0, 3)
        .flatMap((h) => h.mitigations),
      ...(supportedHypotheses(hypotheses).length ? (run.result?.conclusion.nextSteps ?? []) : []),
    ]),
  ];
  return [
    '## Mitigations',
    '',
    '**Tried / decided**',
    '',
    ...(tried.length
      ? tried.map((t) => `- ${t}`)
      : ['- Nothing recorded. Add what was done (rollback, scaling, failover).']),
    '',
    '**Suggested**',
    '',
    ...(suggested.length
      ? suggested.map((s) => `- ${inline(s)}`)
      : ['- None: no cause was supported by the evidence, so no fix is suggested.']),
  ];
}

function followUps(run: StoredRun, steps: readonly StepResult[], hypotheses: readonly HypothesisResult[]): string[] {
  const items = ['Confirm the root cause and write it in the summary above.'];
  for (const h of hypotheses.filter((x) => x.verdict === 'supported').slice(0, 3))
    items.push(`Guard against *${inline(h.title)}* happening again (alert, test or deploy check).`);
  for (const s of steps.filter((x) => x.status === 'errored'))
    items.push(
      `Restore access to the data behind *${inline(s.title)}* (${inline(s.error?.message ?? s.reason ?? 'it errored')}).`,
    );
  if (run.status === 'interrupted' || run.status === 'running')
    items.push('Re-run the diagnosis to complete the evidence.');
  if (!run.service)
    items.push('Make the service discoverable: it must expose metrics with a service, app or job label.');
  return ['## Follow-up actions', '', ...items.map((i) => `- [ ] ${i}`)];
}

function discussion(input: PostmortemInput, messages: readonly ThreadMessage[]): string[] {
  const human = messages.filter((m) => !m.bot && m.text.trim() !== '');
  if (human.length === 0) return ['## Discussion', '', 'No messages from people in the thread.'];
  return [
    '## Discussion',
    '',
    ...human.map(
      (m) =>
        `- **${inline(m.userName ?? (m.userId ? (input.people?.get(m.userId) ?? `<@${m.userId}>`) : 'someone'))}** (${hhmm(m.at)} UTC): ${inline(m.text)}`,
    ),
  ];
}

/**
 * The post-mortem draft of a run, as Markdown: from the run record and its events (so an interrupted run still has
 * one) and the thread's messages. Everything passes through the redactor; output depends only on the input.
 */
export function renderPostmortem(input: PostmortemInput): string {
  const events = input.events.map((e) => e.data);
  const steps = stepsOf(input.run, events);
  const hypotheses = hypothesesOf(input.run, events);
  const times = incidentTimes(input.run, steps, events);
  const sections = [
    header(input),
    summary(input.run, hypotheses),
    impact(steps, times),
    timeline(input, steps, events),
    evidence(input, steps),
    ledger(hypotheses),
    mitigations(input, hypotheses, events),
    followUps(input.run, steps, hypotheses),
    discussion(input, input.messages ?? []),
  ];
  const markdown = `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
  return (input.redactor ?? redact)(markdown);
}
