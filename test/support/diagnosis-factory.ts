import type { KnownBlock } from '@slack/types';
import type { RootState } from '../../src/adapters/slack/blocks/render-root.js';
import type { SlackMessage } from '../../src/adapters/slack/blocks/slack-message.js';
import { wellFormed } from '../../src/adapters/slack/mrkdwn.js';
import type { RunRecord } from '../../src/adapters/slack/run-registry.js';
import { CAUSE_TITLES, type Cause } from '../../src/domain/causes.js';
import type { DiagnosisOutcome, Evidence, HypothesisResult, StepResult } from '../../src/domain/engine/types.js';
import type { Sample } from '../../src/domain/ports.js';
import { parseSymptom } from '../../src/domain/symptom/parse-symptom.js';

/** Realistic diagnosis objects for renderer tests: an HTTP 502 incident on `checkout` on 2026-11-01. */

export const WINDOW = { start: new Date('2026-11-01T13:30:00Z'), end: new Date('2026-11-01T14:00:00Z') };
export const PROMETHEUS = 'http://prometheus.internal:9090';

/** One sample a minute from the start of the window. */
export function series(values: readonly number[], start: Date = WINDOW.start): Sample[] {
  return values.map((v, i) => ({ t: start.getTime() / 1000 + i * 60, v }));
}

/** The Prometheus graph link the metrics source builds for a query. */
export function graphLink(query: string): string {
  return `${PROMETHEUS}/graph?g0.expr=${encodeURIComponent(wellFormed(query))}&g0.tab=0&g0.range_input=30m&g0.end_input=${encodeURIComponent('2026-11-01 14:00:00')}&g0.stacked=0`;
}

const POOL_QUERY = 'max by (pool) (db_pool_in_use{service="checkout"} / db_pool_max{service="checkout"})';

export function evidence(overrides: Partial<Evidence> = {}): Evidence {
  const query = overrides.query ?? POOL_QUERY;
  return {
    summary: 'Connection pool usage: 98% (orders-db); baseline 41% same time one day earlier; warn ≥ 80%, crit ≥ 95%',
    value: 0.98,
    baseline: 0.41,
    baselineSource: 'day-before',
    thresholds: { warn: 0.8, crit: 0.95 },
    change: null,
    ratio: 2.39,
    verdict: 'crit',
    unit: 'ratio',
    signal: 'pool-saturation',
    convention: 'hikaricp',
    labels: { pool: 'orders-db' },
    query,
    link: overrides.link ?? graphLink(query),
    series: series([0.42, 0.45, 0.51, 0.63, 0.77, 0.9, 0.97, 0.98]),
    ...overrides,
  };
}

export function step(overrides: Partial<StepResult> = {}): StepResult {
  return {
    id: 'pool-saturation',
    title: 'Connection pool usage',
    status: 'crit',
    evidence: [evidence()],
    explain: 'An exhausted pool makes requests wait for a connection, then time out upstream as 502s.',
    durationMs: 184,
    ...overrides,
  };
}

export function erroredStep(overrides: Partial<StepResult> = {}): StepResult {
  return {
    id: 'error-logs',
    title: 'Error log lines',
    status: 'errored',
    evidence: [],
    reason: 'connect ECONNREFUSED 10.0.4.2:3100',
    error: { code: 'datasource_unreachable', source: 'loki', message: 'connect ECONNREFUSED 10.0.4.2:3100' },
    durationMs: 2003,
    ...overrides,
  };
}

export function hypothesis(overrides: Partial<HypothesisResult> & { cause?: Cause } = {}): HypothesisResult {
  const cause = overrides.cause ?? 'connection-pool-exhausted';
  return {
    cause,
    title: CAUSE_TITLES[cause],
    confidence: 0.78,
    verdict: 'supported',
    supporting: ['Connection pool usage 98% (crit ≥ 95%), baseline 41%'],
    against: [],
    mitigations: [
      'Raise the pool size or lower per-request hold time',
      'Find the slow queries holding connections (pg_stat_activity)',
      'Shed load at the edge until the pool drains',
    ],
    limitedBy: [],
    ...overrides,
  };
}

/** A finished run: the pool is exhausted, a deploy is possible, traffic is ruled out, the logs could not be read. */
export function outcome(overrides: Partial<DiagnosisOutcome> = {}): DiagnosisOutcome {
  const steps: StepResult[] = [
    step(),
    step({
      id: 'error-ratio',
      title: 'HTTP 5xx ratio',
      status: 'warn',
      evidence: [
        evidence({
          summary: 'HTTP error ratio: 4.2%; baseline 0.05% same time one day earlier; warn ≥ 1%, crit ≥ 5%',
          value: 0.042,
          baseline: 0.0005,
          verdict: 'warn',
          signal: 'http-error-ratio',
          convention: 'http_requests_total',
          query:
            'sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m]))',
          series: series([0.0004, 0.0006, 0.01, 0.03, 0.042]),
          labels: {},
        }),
      ],
      durationMs: 95,
    }),
    step({ id: 'traffic', title: 'Request rate', status: 'ok', evidence: [], durationMs: 80 }),
    erroredStep(),
    step({
      id: 'recent-deploy',
      title: 'Recent deploys',
      status: 'no_data',
      evidence: [],
      reason: 'checkout exposes none of the metrics for "Build info" (looked for app_build_info)',
      durationMs: 40,
    }),
  ];
  return {
    runId: 'run-7f3a',
    symptom: '502 on checkout',
    service: 'checkout',
    playbook: 'http-5xx',
    window: WINDOW,
    steps,
    hypotheses: [
      hypothesis({ limitedBy: ['error-logs'] }),
      hypothesis({
        cause: 'bad-deploy',
        confidence: 0.3,
        verdict: 'possible',
        supporting: ['Errors began at 13:42'],
        against: [],
        mitigations: ['Roll back the last deploy'],
        limitedBy: ['recent-deploy'],
      }),
      hypothesis({
        cause: 'traffic-surge',
        confidence: 0.05,
        verdict: 'ruled-out',
        supporting: [],
        against: ['Request rate 120/s, baseline 118/s'],
        mitigations: ['Scale out'],
      }),
    ],
    conclusion: {
      kind: 'likely-cause',
      cause: 'connection-pool-exhausted',
      confidence: 0.78,
      summary:
        'Likely cause: the connection pool is exhausted (78% confidence). Confidence is limited: error-logs could not be measured.',
      nextSteps: ['Raise the pool size or lower per-request hold time'],
    },
    notes: [],
    suggestions: [],
    queries: 14,
    startedAt: new Date('2026-11-01T14:00:01Z'),
    finishedAt: new Date('2026-11-01T14:00:07.400Z'),
    ...overrides,
  };
}

export function rootState(overrides: Partial<RootState> = {}): RootState {
  return {
    runId: 'run-7f3a',
    symptom: '502 on checkout',
    service: 'checkout',
    playbook: 'http-5xx',
    window: WINDOW,
    status: 'running',
    stepsDone: 3,
    stepsTotal: 9,
    top: { cause: 'connection-pool-exhausted', title: CAUSE_TITLES['connection-pool-exhausted'], confidence: 0.62 },
    conclusion: null,
    nextSteps: ['Raise the pool size or lower per-request hold time'],
    decision: null,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

export const HOSTILE_PARTS = [
  '<!channel>',
  '<!here>',
  '<@U123>',
  '<https://evil.example|click>',
  '```rm -rf /``` `x`',
  '&amp; literal',
  '🔥👩‍👩‍👧‍👦🇫🇷',
  '\uD83D', // a lone high surrogate
  'a|b>c<d',
] as const;

/** Every hostile part, padded with `&<>` and emoji up to at least `length` characters. */
export function hostile(length = 3200): string {
  let text = HOSTILE_PARTS.join(' ');
  const filler = ' <!channel> & 🔥 <@U123> ` ';
  while (text.length < length) text += filler;
  return text;
}

/** The raw (unescaped) forms that must never reach Slack from a value. */
export const FORBIDDEN_RAW = ['<!channel>', '<!here>', '<@U123>', '<https://evil.example|click>'] as const;

function blockTexts(block: KnownBlock): string[] {
  switch (block.type) {
    case 'section':
      return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
    case 'header':
      return [block.text.text];
    case 'context':
      return block.elements.flatMap((e) => (e.type === 'mrkdwn' || e.type === 'plain_text' ? [e.text] : []));
    case 'actions':
      return block.elements.flatMap((e) => (e.type === 'button' ? [e.text.text] : []));
    default:
      return [];
  }
}

/** Every text of a message: the fallback and each text object of the blocks. */
export function allTexts(message: SlackMessage): string[] {
  return [message.text, ...message.blocks.flatMap(blockTexts)];
}

const OUR_LINK = /<https?:\/\/[^\s<>|]+\|[^<>|]*>/g;

/**
 * What in a text would be read by Slack as markup without having been built as such: a raw `<` or `>` outside our
 * own `<http…|label>` links and the allowed `<@U…>` mentions, or a `&` that does not start `&amp;`, `&lt;`, `&gt;`.
 */
export function unsafeMarkup(text: string, allowedMentions: readonly string[] = []): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/&(?!amp;|lt;|gt;)/g)) problems.push(`raw & at ${m.index}`);
  let rest = text.replace(OUR_LINK, '');
  for (const id of allowedMentions) rest = rest.split(`<@${id}>`).join('');
  for (const m of rest.matchAll(/[<>]/g))
    problems.push(`raw ${m[0]} in …${rest.slice(Math.max(0, (m.index ?? 0) - 20), (m.index ?? 0) + 20)}…`);
  for (const raw of FORBIDDEN_RAW) if (text.includes(raw)) problems.push(`forbidden ${raw}`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text))
    problems.push('lone surrogate');
  return problems;
}

/** `unsafeMarkup` over every text of a message. */
export function unsafeMarkupIn(message: SlackMessage, allowedMentions: readonly string[] = []): string[] {
  return allTexts(message).flatMap((t) => unsafeMarkup(t, allowedMentions));
}

/** A run's in-memory record as the Slack side keeps it: `502 on checkout` in C1, root 1.1, running, no steps yet. */
export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 'run-1',
    channel: 'C1',
    rootTs: '1.1',
    threadTs: '1.1',
    text: '502 on checkout',
    symptom: parseSymptom('502 on checkout', { now: WINDOW.end }),
    userId: 'U1',
    status: 'running',
    stepsDone: 0,
    stepsTotal: 0,
    dedupeKey: 'k',
    undelivered: 0,
    active: true,
    ...overrides,
  };
}
