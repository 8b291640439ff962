import { describe, expect, it } from 'vitest';
import type { RunJournalEvent, StoredEvent, StoredRun } from '../../../src/application/ports/run-store.js';
import { renderPostmortem, type ThreadMessage } from '../../../src/application/postmortem/postmortem.js';
import type { HypothesisResult, StepResult } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';

const T0 = new Date('2026-11-01T14:00:00Z');
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const sample = (min: number, v: number) => ({ t: at(min).getTime() / 1000, v });

function step(id: string, status: StepResult['status'], overrides: Partial<StepResult> = {}): StepResult {
  return {
    id,
    title: `Step ${id}`,
    status,
    evidence:
      status === 'crit' || status === 'warn'
        ? [
            {
              summary: `${id} is high`,
              value: 0.2,
              baseline: 0.01,
              baselineSource: 'day-before',
              thresholds: null,
              change: null,
              ratio: 20,
              verdict: status,
              unit: 'ratio',
              signal: 'http_5xx_ratio',
              convention: 'prom-client',
              query: `sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))`,
              link: 'http://prometheus:9090/graph?g0.expr=x',
              series: [sample(-25, 0.01), sample(-15, 0.15), sample(-5, 0.2)],
            },
          ]
        : [],
    durationMs: 5,
    ...overrides,
  };
}

function hypothesis(cause: HypothesisResult['cause'], confidence: number, verdict: HypothesisResult['verdict']) {
  return {
    cause,
    title: `Title of ${cause}`,
    confidence,
    verdict,
    supporting: [],
    against: [],
    mitigations: [`Fix ${cause}`],
    limitedBy: [],
  };
}

function run(overrides: Partial<StoredRun> = {}): StoredRun {
  const symptom = parseSymptom('502 on checkout', { now: T0 });
  return {
    id: 'run-1',
    trigger: 'command',
    text: '502 on checkout',
    symptom,
    service: 'checkout',
    playbook: 'http-5xx',
    status: 'interrupted',
    channel: 'C0ALERTS01',
    rootTs: '1.1',
    threadTs: '1.1',
    userId: 'U0ONCALL01',
    alert: null,
    owner: 'a',
    startedAt: T0,
    updatedAt: at(2),
    finishedAt: at(3),
    result: null,
    decision: null,
    undelivered: 0,
    ...overrides,
  };
}

function stored(events: RunJournalEvent[]): StoredEvent[] {
  return events.map((data, i) => ({ runId: 'run-1', seq: i + 1, type: data.type, at: data.at, data }));
}

const started: RunJournalEvent = {
  type: 'run-started',
  runId: 'run-1',
  symptom: parseSymptom('502 on checkout', { now: T0 }),
  service: 'checkout',
  playbook: 'http-5xx',
  window: { start: at(-30), end: T0 },
  steps: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: `Step ${id}` })),
  at: T0,
};

const finishedStep = (s: StepResult, minute: number): RunJournalEvent => ({
  type: 'step-finished',
  runId: 'run-1',
  step: s,
  at: at(minute),
});
const ledger = (minute: number, ...hs: HypothesisResult[]): RunJournalEvent => ({
  type: 'hypotheses-updated',
  runId: 'run-1',
  hypotheses: hs,
  at: at(minute),
});

describe('renderPostmortem', () => {
  const interruptedEvents = stored([
    started,
    finishedStep(step('a', 'ok'), 1),
    finishedStep(step('b', 'no_data'), 1),
    ledger(1, hypothesis('bad-deploy', 0.2, 'possible')),
    finishedStep(step('c', 'crit'), 2),
    ledger(2, hypothesis('bad-deploy', 0.25, 'possible')),
    ledger(2, hypothesis('bad-deploy', 0.7, 'supported')),
    { type: 'human-decision', userId: 'U0HUMAN01', decision: 'rejected', cause: 'bad-deploy', at: at(3) },
    { type: 'interrupted', reason: 'Triage stopped before this diagnosis finished', at: at(4) },
  ]);

  it('writes every section in order, for an interrupted run from its events alone', () => {
    const md = renderPostmortem({ run: run(), events: interruptedEvents, now: at(10) });
    const headings = md.split('\n').filter((l) => /^#{1,2} /.test(l));
    expect(headings).toEqual([
      '# Post-mortem: 502 on checkout',
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Evidence',
      '## Hypotheses',
      '## Mitigations',
      '## Follow-up actions',
      '## Discussion',
    ]);
    expect(md).toMatch(/\*\*Status:\*\* interrupted: Triage stopped before the diagnosis finished/);
    expect(md).toMatch(
      /The diagnosis did not finish\. The leading hypothesis when it stopped was \*\*Title of bad-deploy\*\* \(70% confidence\)/,
    );
    expect(md).toContain('- [ ] Re-run the diagnosis to complete the evidence.');
  });

  it('stamps each timeline row with its own time, and lists unmeasured steps as not measured', () => {
    const md = renderPostmortem({ run: run(), events: interruptedEvents, now: at(10) });
    const timeline = md.slice(md.indexOf('## Timeline'), md.indexOf('## Evidence'));
    expect(timeline).toContain('| 13:45 | Onset of *Step c* (crit): c is high |');
    expect(timeline).toContain('| 14:00 | Triage started the diagnosis |');
    expect(timeline).toContain('| 14:03 | <@U0HUMAN01> rejected the cause');
    expect(timeline.indexOf('13:45')).toBeLessThan(timeline.indexOf('14:00'));
    expect(md).not.toContain('found nothing unusual');
    expect(md).toContain('### Not measured\n\n| Step | Status | Why |\n|---|---|---|\n| Step b | no data | — |');
  });

  it('suggests fixes only for supported causes', () => {
    const possible = stored([
      started,
      finishedStep(step('c', 'crit'), 2),
      ledger(2, hypothesis('bad-deploy', 0.3, 'possible')),
    ]);
    const none = renderPostmortem({ run: run(), events: possible, now: at(10) });
    expect(none).not.toContain('Fix bad-deploy');
    expect(none).toContain('- None: no cause was supported by the evidence');
    const supported = renderPostmortem({ run: run(), events: interruptedEvents, now: at(10) });
    expect(supported).toContain('- Fix bad-deploy');
  });

  it('names people by their display name when known, and keeps a mention for anyone else', () => {
    const people = new Map([['U0HUMAN01', 'dana']]);
    const md = renderPostmortem({ run: run(), events: interruptedEvents, now: at(10), people });
    expect(md).toContain('| 14:03 | **dana** rejected the cause');
    expect(md).toContain('- **dana** rejected *A recent deploy or config change introduced the fault* at 14:03 UTC');
    expect(md).not.toContain('<@U0HUMAN01>');
    const unnamed = renderPostmortem({ run: run(), events: interruptedEvents, now: at(10), people: new Map() });
    expect(unnamed).toContain(
      '- <@U0HUMAN01> rejected *A recent deploy or config change introduced the fault* at 14:03 UTC',
    );
  });

  it('measures the duration from the onset in the series, ongoing only when still over at the window end', () => {
    const window = run().symptom.window;
    const ongoing = renderPostmortem({ run: run(), events: interruptedEvents, now: at(60 * 24 * 60) });
    const end = `${window.end.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const minutes = Math.round((window.end.getTime() - at(-15).getTime()) / 60_000);
    expect(ongoing).toContain(
      `| Duration | at least ${minutes} min (onset 2026-11-01 13:45 UTC; ongoing at ${end}, the end of the window diagnosed) | — |`,
    );
    expect(ongoing).toContain('- **Onset found by Triage:** 2026-11-01 13:45 UTC');
    expect(ongoing).not.toMatch(/\d+ d \d+ h/);
    expect(ongoing).toContain('| Error ratio | 20% | 1% |');
    expect(ongoing).toContain('| Latency | not measured | — |');

    const recovering = step('c', 'crit');
    const e = recovering.evidence[0];
    if (!e) throw new Error('no evidence');
    e.thresholds = { warn: 0.05, crit: 0.1 };
    e.series = [sample(-25, 0.01), sample(-18, 0.2), sample(-10, 0.3), sample(-6, 0.01), sample(-2, 0.01)];
    const back = renderPostmortem({ run: run(), events: stored([started, finishedStep(recovering, 2)]), now: at(600) });
    expect(back).toContain(
      '| Duration | 12 min (onset 2026-11-01 13:42 UTC → back under the threshold 2026-11-01 13:54 UTC) | — |',
    );
  });

  it('measures an alert from when it fired to when it resolved, and puts both in the timeline', () => {
    const alert = {
      source: 'alertmanager-webhook' as const,
      title: 'HighErrorRate',
      alertname: 'HighErrorRate',
      status: 'firing' as const,
      startsAt: at(-20),
      repeats: 0,
      grouped: [],
    };
    const resolved = renderPostmortem({
      run: run({ alert }),
      events: stored([
        ...interruptedEvents.map((e) => e.data),
        { type: 'alert-resolved', title: 'HighErrorRate', resolvedAt: at(25), at: at(26) },
      ]),
      now: at(40),
    });
    expect(resolved).toContain(
      '| Duration | 45 min (alert fired 2026-11-01 13:40 UTC → alert resolved 2026-11-01 14:25 UTC) | — |',
    );
    expect(resolved).toContain('- **Alert fired:** 2026-11-01 13:40 UTC');
    expect(resolved).toContain('- **Alert resolved:** 2026-11-01 14:25 UTC');
    const timeline = resolved.slice(resolved.indexOf('## Timeline'), resolved.indexOf('## Evidence'));
    const times = [...timeline.matchAll(/^\| (\d\d:\d\d) \|/gm)].map((m) => m[1]);
    expect(times).toEqual([...times].sort());
    expect(timeline).toContain('| 13:40 | Alert **HighErrorRate** fired |');
    expect(timeline).toContain('| 14:25 | Alert resolved: HighErrorRate |');
  });

  it('keeps queries in fences they cannot close, and table cells on one line', () => {
    const hostile = step('c', 'crit');
    const e = hostile.evidence[0];
    if (!e) throw new Error('no evidence');
    hostile.title = 'Pipes | and\nnewlines';
    e.query = 'sum(x)\n```\n# not a heading';
    const md = renderPostmortem({
      run: run(),
      events: stored([
        started,
        finishedStep(hostile, 1),
        ledger(1, { ...hypothesis('app-error', 0.6, 'supported'), supporting: ['a | b'] }),
      ]),
      now: at(5),
    });
    expect(md).toContain('````promql\nsum(x)\n```\n# not a heading\n````');
    expect(md).toContain('| 13:45 | Onset of *Pipes \\| and newlines* (crit)');
    expect(md).toContain('| 1 | Title of app-error | supported | 60% | a \\| b | — |');
    expect(md.split('\n').filter((l) => l === '# not a heading')).toHaveLength(1);
  });

  it('redacts secrets anywhere, and leaves bots out of the discussion', () => {
    const leaky = step('c', 'crit');
    const e = leaky.evidence[0];
    if (!e) throw new Error('no evidence');
    e.summary = 'password=hunter2 in the DSN';
    const messages: ThreadMessage[] = [
      {
        userId: 'U0HUMAN01',
        userName: 'ana',
        text: 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345',
        ts: '2.1',
        at: at(6),
        bot: false,
      },
      { userId: null, text: 'Triage root message', ts: '2.2', at: at(6), bot: true },
    ];
    const md = renderPostmortem({
      run: run(),
      events: stored([started, finishedStep(leaky, 1)]),
      messages,
      now: at(8),
    });
    expect(md).not.toContain('hunter2');
    expect(md).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    expect(md).toContain('**ana** (14:06 UTC)');
    expect(md).not.toContain('Triage root message');
    expect(renderPostmortem({ run: run(), events: stored([started]), now: at(8) })).toContain(
      'No messages from people in the thread.',
    );
  });

  it('is the same document for the same input', () => {
    const input = { run: run(), events: interruptedEvents, now: at(10) };
    expect(renderPostmortem(input)).toBe(renderPostmortem(input));
  });
});
