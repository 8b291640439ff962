import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecording, replayRecording } from '../../../src/cli/replay-recording.js';
import type { DiagnosisOutcome, StepResult } from '../../../src/domain/engine/types.js';
import {
  type FindingGroupMessage,
  MAX_DECISIVE,
  MAX_MESSAGES,
  type NormalFoldMessage,
  type NotMeasuredMessage,
  planThread,
  queryLabel,
  shortName,
  type ThreadMessage,
} from '../../../src/domain/report/thread-plan.js';
import { erroredStep, evidence, hypothesis, outcome, step } from '../../support/diagnosis-factory.js';

const groups = (messages: readonly ThreadMessage[]) =>
  messages.filter((m): m is FindingGroupMessage => m.kind === 'finding-group');
const fold = (messages: readonly ThreadMessage[]) =>
  messages.find((m): m is NormalFoldMessage => m.kind === 'normal-fold');
const notMeasured = (messages: readonly ThreadMessage[]) =>
  messages.find((m): m is NotMeasuredMessage => m.kind === 'not-measured');
const stepIds = (g: FindingGroupMessage) => g.findings.map((f) => f.step.id);

/** The factory's outcome with ledger sentences in the scorer's shape: "reason [Step title: value]". */
function realShaped(): DiagnosisOutcome {
  const base = outcome();
  return {
    ...base,
    hypotheses: [
      hypothesis({
        supporting: ['Every connection in the pool is in use. [Connection pool usage: 98%]'],
        limitedBy: ['error-logs'],
      }),
      hypothesis({
        cause: 'app-error',
        confidence: 0.3,
        verdict: 'possible',
        supporting: ['The service answers with 5xx. [HTTP 5xx ratio: 4.2%]'],
        mitigations: ['Roll back'],
      }),
      hypothesis({
        cause: 'traffic-surge',
        confidence: 0.05,
        verdict: 'ruled-out',
        supporting: [],
        against: ['Traffic is at its usual level.'],
        mitigations: ['Scale out'],
      }),
    ],
  };
}

describe('planThread on a factory outcome', () => {
  it('groups abnormal findings by hypothesis, strongest first, then folds, not-measured and the ledger last', () => {
    const plan = planThread(realShaped());
    expect(plan.messages.map((m) => m.kind)).toEqual([
      'finding-group',
      'finding-group',
      'normal-fold',
      'not-measured',
      'ledger',
    ]);
    const [pool, errors] = groups(plan.messages);
    expect(pool?.hypothesis?.cause).toBe('connection-pool-exhausted');
    expect(pool?.relation).toBe('supports');
    expect(pool && stepIds(pool)).toEqual(['pool-saturation']);
    expect(errors?.hypothesis?.cause).toBe('app-error');
    expect(errors && stepIds(errors)).toEqual(['error-ratio']);
    expect(fold(plan.messages)?.checks).toEqual([{ stepId: 'traffic', name: 'request rate' }]);
    expect(fold(plan.messages)?.rulesOut.map((h) => h.cause)).toEqual(['traffic-surge']);
    const unmeasured = notMeasured(plan.messages);
    expect(unmeasured?.groups.map((g) => [g.kind, g.steps.map((s) => s.id)])).toEqual([
      ['errored', ['error-logs']],
      ['no-metrics', ['recent-deploy']],
    ]);
    expect(unmeasured?.groups[0]?.failures).toEqual([
      { source: 'loki', message: 'connect ECONNREFUSED 10.0.4.2:3100' },
    ]);
    expect(unmeasured?.groups[1]?.howToMap.command?.cli).toBe('triage signals explain --service checkout');
    expect([unmeasured?.count, unmeasured?.of]).toEqual([2, 5]);
    expect(plan.total).toBe(plan.messages.length + 1);
  });

  it('puts findings no hypothesis cites in a last group, even when a weaker hypothesis has its own', () => {
    const o = realShaped();
    const latency = step({
      id: 'latency-p99',
      title: 'p99 latency',
      status: 'warn',
      evidence: [evidence({ summary: 'p99 latency: 900 ms; baseline 200 ms', value: 0.9, unit: 'seconds' })],
    });
    const plan = planThread({ ...o, steps: [latency, ...o.steps] });
    const all = groups(plan.messages);
    expect(all.map((g) => g.hypothesis?.cause ?? null)).toEqual(['connection-pool-exhausted', 'app-error', null]);
    expect(all.at(-1) && stepIds(all.at(-1) as FindingGroupMessage)).toEqual(['latency-p99']);
  });

  it('orders findings critical before warning, and files a finding once, under the strongest hypothesis citing it', () => {
    const o = realShaped();
    const [pool, errors, traffic] = o.hypotheses;
    const both = {
      ...o,
      hypotheses: [
        {
          ...(pool as NonNullable<typeof pool>),
          supporting: ['Errors while the pool is full. [HTTP 5xx ratio: 4.2%; Connection pool usage: 98%]'],
        },
        errors as NonNullable<typeof errors>,
        traffic as NonNullable<typeof traffic>,
      ],
    };
    const [group, ...rest] = groups(planThread(both).messages);
    expect(group && stepIds(group)).toEqual(['pool-saturation', 'error-ratio']);
    expect(rest).toEqual([]);
    expect(group?.findings[1]?.alsoFor).toEqual([{ cause: 'app-error', relation: 'supports' }]);
  });

  it('groups a finding a hypothesis is ruled out by as "rules-out"', () => {
    const o = realShaped();
    const ruling = hypothesis({
      cause: 'traffic-surge',
      confidence: 0.02,
      verdict: 'ruled-out',
      supporting: [],
      against: ['Errors rose with no more traffic. [HTTP 5xx ratio: 4.2%]'],
    });
    const plan = planThread({ ...o, hypotheses: [o.hypotheses[0] as NonNullable<(typeof o.hypotheses)[0]>, ruling] });
    const [, ruled] = groups(plan.messages);
    expect(ruled?.hypothesis?.cause).toBe('traffic-surge');
    expect(ruled?.relation).toBe('rules-out');
    expect(fold(plan.messages)?.rulesOut).toEqual([]);
  });

  it('merges the groups past the cap into one last group, so the thread stays within 8 messages', () => {
    const causes = [
      'app-crash',
      'bad-deploy',
      'app-error',
      'db-slow',
      'connection-pool-exhausted',
      'memory-leak',
      'cpu-saturation',
    ] as const;
    const steps: StepResult[] = causes.map((_cause, i) =>
      step({ id: `s${i}`, title: `Signal ${i}`, status: 'crit', evidence: [evidence({ summary: `Signal ${i}: 1` })] }),
    );
    steps.push(step({ id: 'ok', title: 'Request rate', status: 'ok', evidence: [] }), erroredStep());
    const hypotheses = causes.map((cause, i) =>
      hypothesis({ cause, confidence: 0.9 - i * 0.1, supporting: [`Moved. [Signal ${i}: 1]`] }),
    );
    const plan = planThread(outcome({ steps, hypotheses }));
    expect(plan.total).toBe(MAX_MESSAGES);
    const all = groups(plan.messages);
    expect(all).toHaveLength(MAX_MESSAGES - 1 - 3);
    expect(all.slice(0, 3).map((g) => g.hypothesis?.cause)).toEqual(['app-crash', 'bad-deploy', 'app-error']);
    const merged = all.at(-1) as FindingGroupMessage;
    expect(merged.hypothesis).toBeNull();
    expect(merged.merged.map((h) => h.cause)).toEqual([
      'db-slow',
      'connection-pool-exhausted',
      'memory-leak',
      'cpu-saturation',
    ]);
    expect(merged.findings.map((f) => [f.step.id, f.cause])).toEqual([
      ['s3', 'db-slow'],
      ['s4', 'connection-pool-exhausted'],
      ['s5', 'memory-leak'],
      ['s6', 'cpu-saturation'],
    ]);
  });

  it('takes a smaller cap, merging more groups, but keeps one reply of each kind', () => {
    const causes = ['app-crash', 'bad-deploy', 'app-error', 'db-slow'] as const;
    const steps: StepResult[] = causes.map((_cause, i) =>
      step({ id: `s${i}`, title: `Signal ${i}`, status: 'crit', evidence: [evidence({ summary: `Signal ${i}: 1` })] }),
    );
    steps.push(step({ id: 'ok', title: 'Request rate', status: 'ok', evidence: [] }), erroredStep());
    const hypotheses = causes.map((cause, i) =>
      hypothesis({ cause, confidence: 0.9 - i * 0.1, supporting: [`Moved. [Signal ${i}: 1]`] }),
    );
    const o = outcome({ steps, hypotheses });
    expect(planThread(o).total).toBe(8);
    const six = planThread(o, { maxMessages: 6 });
    expect(six.total).toBe(6);
    expect(groups(six.messages).map((g) => g.hypothesis?.cause ?? null)).toEqual(['app-crash', null]);
    expect(groups(six.messages).flatMap(stepIds)).toEqual(['s0', 's1', 's2', 's3']);
    expect(planThread(o, { maxMessages: 2 }).messages.map((m) => m.kind)).toEqual([
      'finding-group',
      'normal-fold',
      'not-measured',
      'ledger',
    ]);
  });

  it('plans only the ledger for a run that never reached a step', () => {
    const plan = planThread(outcome({ steps: [], hypotheses: [] }));
    expect(plan.messages).toEqual([{ kind: 'ledger' }]);
    expect(plan.total).toBe(2);
  });

  it('does not change the outcome it plans', () => {
    const o = realShaped();
    const before = JSON.stringify(o);
    planThread(o);
    expect(JSON.stringify(o)).toBe(before);
  });
});

describe('labels', () => {
  it('names a query link after its step, or after the evidence when the step has several', () => {
    const single = step({ title: 'HTTP 5xx ratio' });
    expect(queryLabel(single, single.evidence[0] as NonNullable<(typeof single.evidence)[0]>)).toBe(
      'query: HTTP 5xx ratio',
    );
    const e = evidence({ summary: 'hikaricp_connections_pending (per instance): 31.33, baseline 0 a day earlier' });
    const scan = step({ title: 'What moved', evidence: [e, evidence()] });
    expect(queryLabel(scan, e)).toBe('query: hikaricp_connections_pending (per instance)');
    const long = evidence({ summary: `${'x'.repeat(200)}: 1` });
    const label = queryLabel(step({ evidence: [long, e] }), long);
    expect([...label].length).toBeLessThanOrEqual('query: '.length + 60);
    expect(label.endsWith('…')).toBe(true);
  });

  it('lower-cases a title for the folded list, keeping acronyms and lower-case starts', () => {
    expect(shortName('Request rate against its baseline')).toBe('request rate against its baseline');
    expect(shortName('OOM kills')).toBe('OOM kills');
    expect(shortName('CPU throttling')).toBe('CPU throttling');
    expect(shortName('p99 latency')).toBe('p99 latency');
    expect(shortName('500 Internal Server Error')).toBe('500 Internal Server Error');
  });
});

describe('planThread on the recorded incidents (real engine, real ledgers)', () => {
  const dir = 'fixtures/recordings';
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const results = new Map<string, DiagnosisOutcome>();

  beforeAll(async () => {
    for (const name of names) {
      const recording = await readRecording(`${dir}/${name}`);
      results.set(name.replace(/\.json$/, ''), await replayRecording(recording, 'playbooks'));
    }
  }, 120_000);

  it('keeps every diagnosis within 8 messages, the root included, with the ledger last', () => {
    expect(results.size).toBeGreaterThanOrEqual(21);
    for (const [name, result] of results) {
      const plan = planThread(result);
      expect(plan.total, name).toBeLessThanOrEqual(MAX_MESSAGES);
      expect(plan.messages.at(-1), name).toEqual({ kind: 'ledger' });
      expect(plan.messages.filter((m) => m.kind === 'normal-fold').length, name).toBeLessThanOrEqual(1);
      expect(plan.messages.filter((m) => m.kind === 'not-measured').length, name).toBeLessThanOrEqual(1);
    }
  });

  it('accounts for every step exactly once: abnormal in a group, normal in the fold, unmeasured in one line', () => {
    for (const [name, result] of results) {
      const plan = planThread(result);
      const abnormal = groups(plan.messages).flatMap(stepIds);
      const normal = fold(plan.messages)?.checks.map((c) => c.stepId) ?? [];
      const unmeasured = notMeasured(plan.messages)?.groups.flatMap((g) => g.steps.map((s) => s.id)) ?? [];
      const expected = (pick: (s: StepResult) => boolean) =>
        result.steps
          .filter(pick)
          .map((s) => s.id)
          .sort();
      expect([...abnormal].sort(), name).toEqual(expected((s) => s.status === 'warn' || s.status === 'crit'));
      expect([...normal].sort(), name).toEqual(expected((s) => s.status === 'ok'));
      expect([...unmeasured].sort(), name).toEqual(
        expected(
          (s) =>
            s.status === 'no_data' ||
            s.status === 'errored' ||
            (s.status === 'skipped' && s.reason === 'no log source is configured'),
        ),
      );
    }
  });

  it('leads the pool incident with the pool findings, then the weaker hypothesis, then the uncited ones', () => {
    const plan = planThread(results.get('connection-pool-exhausted-micrometer') as DiagnosisOutcome);
    const [pool, errors, other] = groups(plan.messages);
    expect(pool?.hypothesis?.cause).toBe('connection-pool-exhausted');
    expect(pool && stepIds(pool)).toEqual(['status-503', 'pool-usage', 'pool-pending', 'pool-timeouts']);
    expect(errors?.hypothesis?.cause).toBe('app-error');
    expect(errors && stepIds(errors)).toEqual(['error-ratio', 'error-route-share']);
    expect(other?.hypothesis).toBeNull();
    expect(other && stepIds(other)).toEqual(['latency-p99', 'what-moved']);
    expect(fold(plan.messages)?.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['request rate against its baseline', 'OOM kills']),
    );
    expect(pool?.findings[1]?.evidence[0]?.queryLabel).toBe('query: connection pool in use');
    expect(plan.total).toBe(7);
  });

  it('marks at most three decisive evidence, one per finding, all supporting a hypothesis', () => {
    for (const [name, result] of results) {
      const findings = groups(planThread(result).messages).flatMap((g) => g.findings);
      const decisive = findings.filter((f) => f.evidence.some((e) => e.decisive));
      expect(decisive.length, name).toBeLessThanOrEqual(MAX_DECISIVE);
      for (const f of decisive) {
        expect(f.relation, name).toBe('supports');
        expect(
          f.evidence.filter((e) => e.decisive),
          name,
        ).toHaveLength(1);
      }
      if (result.conclusion.kind === 'likely-cause') expect(decisive.length, name).toBeGreaterThan(0);
    }
    const healthy = groups(planThread(results.get('healthy-otel') as DiagnosisOutcome).messages);
    expect(healthy.flatMap((g) => g.findings).some((f) => f.evidence.some((e) => e.decisive))).toBe(false);
  });
});
