/**
 * Golden test: a finished diagnosis of a real-Prometheus scenario, recorded as the run store records it, exports to
 * the expected Markdown (file snapshot), and the document is well formed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiagnoser, runToEnd } from '../../../src/app/create-diagnoser.js';
import type { StoredEvent, StoredRun } from '../../../src/application/ports/run-store.js';
import { renderPostmortem } from '../../../src/application/postmortem/postmortem.js';
import type { RunEvent } from '../../../src/domain/engine/types.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { SCENARIOS } from '../../scenarios/catalog.js';
import { requirePrometheus } from '../../support/prometheus/local-prometheus.js';
import { startScenarioPrometheus } from '../../support/prometheus/scenario-server.js';

const prometheus = requirePrometheus();
const scenario = SCENARIOS.find((s) => s.id === 'bad-deploy-prom-client');
if (!scenario) throw new Error('scenario missing');
const AT = new Date(scenario.at);
const RUN_ID = '0b7e6f2a-5c1d-4e8f-9a3b-2d4c6e8f0a1b';
const ROOT_TS = '1700000000.000100';

/**
 * Steps run concurrently, so the order they finish in (and the interim ledgers) varies from run to run. The golden
 * record puts them in playbook order and keeps the final ledger, so the document is the same every time; the unit
 * tests cover interim hypothesis changes.
 */
function canonical(events: readonly RunEvent[]): RunEvent[] {
  const started = events.find((e) => e.type === 'run-started');
  const order = new Map(started?.type === 'run-started' ? started.steps.map((s, i) => [s.id, i]) : []);
  const steps = events
    .flatMap((e) => (e.type === 'step-finished' ? [e] : []))
    .sort((a, b) => (order.get(a.step.id) ?? 0) - (order.get(b.step.id) ?? 0));
  const ledger = events.filter((e) => e.type === 'hypotheses-updated').at(-1);
  const finished = events.find((e) => e.type === 'run-finished');
  return [...(started ? [started] : []), ...steps, ...(ledger ? [ledger] : []), ...(finished ? [finished] : [])];
}

async function diagnoseScenario(url: string): Promise<{ run: StoredRun; events: StoredEvent[] }> {
  const diagnoser = await createDiagnoser(
    { prometheus: { url, timeoutMs: 10_000 }, playbooksDir: 'playbooks', deadlineMs: 60_000 },
    { clock: { now: () => AT } },
  );
  const symptom = parseSymptom(scenario?.symptom ?? '', { now: AT });
  const engine: RunEvent[] = [];
  const result = await runToEnd(diagnoser.run({ runId: RUN_ID, symptom }), (e) => engine.push(e));
  const decidedAt = new Date(AT.getTime() + 4 * 60_000);
  const events: StoredEvent[] = [
    ...canonical(engine),
    {
      type: 'human-decision' as const,
      userId: 'U0ONCALL01',
      decision: 'confirmed' as const,
      cause: 'bad-deploy',
      at: decidedAt,
    },
  ].map((data, i) => ({ runId: RUN_ID, seq: i + 1, type: data.type, at: data.at, data }));
  const run: StoredRun = {
    id: RUN_ID,
    trigger: 'command',
    text: symptom.text,
    symptom,
    service: result.service,
    playbook: result.playbook,
    status: 'finished',
    channel: 'C0ALERTS01',
    rootTs: ROOT_TS,
    threadTs: ROOT_TS,
    userId: 'U0ONCALL01',
    alert: null,
    owner: 'golden',
    startedAt: AT,
    updatedAt: decidedAt,
    finishedAt: result.finishedAt,
    result,
    decision: { userId: 'U0ONCALL01', decision: 'confirmed', cause: 'bad-deploy', at: decidedAt },
    undelivered: 0,
  };
  return { run, events };
}

describe.skipIf(!prometheus.available)('post-mortem of a real scenario run', () => {
  let server: Awaited<ReturnType<typeof startScenarioPrometheus>>;
  let markdown: string;

  beforeAll(async () => {
    server = await startScenarioPrometheus();
    const { run, events } = await diagnoseScenario(server.url);
    // The scenario Prometheus listens on a random port: graph links are written against a fixed host.
    const rendered = renderPostmortem({
      run,
      events,
      now: new Date(AT.getTime() + 30 * 60_000),
      threadLink: 'https://slack.com/archives/C0ALERTS01/p1700000000000100',
      messages: [
        { userId: null, text: 'Triage: diagnosing', ts: ROOT_TS, at: AT, bot: true },
        {
          userId: 'U0ONCALL01',
          userName: 'dana',
          text: 'Rolled back to the previous release at 14:22; errors are dropping. token=xoxb-1234567890-abcdefghijkl',
          ts: '1700000000.000300',
          at: new Date(AT.getTime() + 6 * 60_000),
          bot: false,
        },
      ],
    });
    markdown = rendered.replaceAll(server.url, 'http://prometheus.example:9090');
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('dates the incident from the scenario’s known onset, not from the diagnosis', () => {
    // The scenario's 500s start at 10:30:15 (onset 10:31); the series are sampled every minute.
    const onset = /- \*\*Onset found by Triage:\*\* 2026-10-05 (\d\d:\d\d) UTC/.exec(markdown)?.[1];
    const known = new Date(scenario.onset).toISOString().slice(11, 16);
    expect(known).toBe('10:31');
    expect(onset !== undefined && onset >= '10:30' && onset <= '10:33', `onset ${onset}`).toBe(true);
    expect(markdown).toMatch(
      new RegExp(
        `\\| Duration \\| at least \\d+ min \\(onset 2026-10-05 ${onset} UTC; ongoing at 2026-10-05 10:45 UTC`,
      ),
    );
    expect(markdown).not.toMatch(/so far|\d+ d \d+ h/);
  });

  it('matches the golden document', async () => {
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/postmortem-bad-deploy.md');
  });

  it('is well formed: every section in order, tables with headers, queries in promql blocks', () => {
    const headings = markdown.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Evidence',
      '## Hypotheses',
      '## Mitigations',
      '## Follow-up actions',
      '## Discussion',
    ]);
    expect(markdown.startsWith(`# Post-mortem: ${scenario.symptom}`)).toBe(true);
    const fences = markdown.match(/^```promql$/gm) ?? [];
    expect(fences.length).toBeGreaterThan(2);
    expect(markdown).toMatch(/```promql\n[^`]*job="billing"/);
    expect(markdown).not.toMatch(/\n\n\n/);
    // Every fence is closed.
    expect((markdown.match(/^```/gm) ?? []).length % 2).toBe(0);
    const ledger = markdown.slice(markdown.indexOf('## Hypotheses'), markdown.indexOf('## Mitigations'));
    expect(ledger).toContain('| Rank | Cause | Verdict | Confidence | Supporting | Against |');
    expect(ledger.split('\n').filter((l) => /^\| \d+ \|/.test(l)).length).toBeGreaterThanOrEqual(2);
    const timeline = markdown.slice(markdown.indexOf('## Timeline'), markdown.indexOf('## Evidence'));
    expect(timeline).toMatch(/Triage started the diagnosis/);
    expect(timeline).toMatch(/Triage finished the diagnosis/);
    expect(timeline).toMatch(/confirmed the cause/);
    // Rows in time order, each at its own time: the onsets come before the diagnosis started.
    const times = [...timeline.matchAll(/^\| (\d\d:\d\d) \|/gm)].map((m) => m[1] ?? '');
    expect(times).toEqual([...times].sort());
    expect(times.filter((t) => t < '10:45').length).toBeGreaterThan(0);
    expect(markdown).toContain('Rolled back to the previous release');
    expect(markdown).not.toContain('xoxb-1234567890');
    expect(markdown).not.toContain('Triage: diagnosing');
  });
});
