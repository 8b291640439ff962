import { describe, expect, it } from 'vitest';
import type { RunJournalEvent, StoredEvent, StoredRun } from '../../../src/application/ports/run-store.js';
import { renderPostmortem, type ThreadMessage } from '../../../src/application/postmortem/postmortem.js';
import { parseSymptom } from '../../../src/domain/symptom/parse-symptom.js';
import { outcome, WINDOW } from '../../support/diagnosis-factory.js';

/**
 * Post-mortem goldens for the factory's incident, in the window 13:30–14:00 on 2026-11-01: pool usage crosses its
 * warn line (80%) at 13:35; the 5xx ratio (0.05% → 4.2%; its evidence carries the pool's levels, which it never
 * reaches) shifts at 13:33, its first sample halfway from the baseline to the value judged.
 */
const KNOWN_ONSET = new Date('2026-11-01T13:33:00Z');
const minute = (hhmm: string) => new Date(`2026-11-01T${hhmm}:00Z`);

function run(overrides: Partial<StoredRun> = {}): StoredRun {
  return {
    id: 'run-7f3a0000',
    trigger: 'command',
    text: '502 on checkout',
    symptom: parseSymptom('502 on checkout', { now: WINDOW.end }),
    service: 'checkout',
    playbook: 'http-5xx',
    status: 'finished',
    channel: 'C0ALERTS01',
    rootTs: '1.1',
    threadTs: '1.1',
    userId: 'U0ONCALL01',
    alert: null,
    owner: 'a',
    startedAt: minute('14:00'),
    updatedAt: minute('14:01'),
    finishedAt: minute('14:01'),
    result: outcome(),
    decision: null,
    undelivered: 0,
    ...overrides,
  };
}

function stored(events: RunJournalEvent[]): StoredEvent[] {
  return events.map((data, i) => ({ runId: 'run-7f3a0000', seq: i + 1, type: data.type, at: data.at, data }));
}

const people = new Map([
  ['U0ONCALL01', 'sam'],
  ['U0SRE0002', 'dana'],
]);

function timelineOf(md: string): string {
  return md.slice(md.indexOf('## Timeline'), md.indexOf('## Evidence'));
}

describe('post-mortem of a past incident', () => {
  it('dates the incident from its onset, not from when the document is written (golden)', async () => {
    const md = renderPostmortem({
      run: run(),
      events: [],
      people,
      // Written two months later.
      now: new Date('2027-01-01T09:00:00Z'),
    });
    expect(md).toContain(
      `- **Onset found by Triage:** ${KNOWN_ONSET.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(md).toContain(
      '| Duration | at least 27 min (onset 2026-11-01 13:33 UTC; ongoing at 2026-11-01 14:00 UTC, the end of the window diagnosed) | — |',
    );
    expect(md).not.toMatch(/\d+ d \d+ h|so far/);
    const timeline = timelineOf(md);
    expect(timeline).toContain('| 13:33 | Onset of *HTTP 5xx ratio* (warn)');
    expect(timeline).toContain('| 13:35 | Onset of *Connection pool usage* (crit)');
    expect(md).toContain('| Recent deploys | no data |');
    expect(md).not.toContain('Roll back the last deploy');
    await expect(md).toMatchFileSnapshot('golden/past-window.md');
  });

  it('measures an alert from firing to resolving, and orders it among the onsets (golden)', async () => {
    const alert = {
      source: 'alertmanager-webhook' as const,
      title: 'CheckoutHighErrorRate',
      alertname: 'CheckoutHighErrorRate',
      status: 'resolved' as const,
      startsAt: minute('13:34'),
      resolvedAt: minute('13:52'),
      repeats: 0,
      grouped: [],
    };
    const md = renderPostmortem({
      run: run({ trigger: 'webhook', userId: null, alert }),
      events: stored([
        { type: 'alert-resolved', title: 'CheckoutHighErrorRate', resolvedAt: minute('13:52'), at: minute('13:53') },
      ]),
      people,
      now: new Date('2026-11-20T09:00:00Z'),
    });
    expect(md).toContain(
      '| Duration | 18 min (alert fired 2026-11-01 13:34 UTC → alert resolved 2026-11-01 13:52 UTC) | — |',
    );
    const rows = [...timelineOf(md).matchAll(/^\| (\d\d:\d\d) \| (.*) \|$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows.map((r) => r.slice(0, 5))).toEqual(['13:33', '13:34', '13:35', '13:52']);
    expect(rows[1]).toBe('13:34 Alert **CheckoutHighErrorRate** fired');
    expect(rows[3]).toBe('13:52 Alert resolved: CheckoutHighErrorRate');
    await expect(md).toMatchFileSnapshot('golden/alert-fired-resolved.md');
  });

  it('puts the people’s decisions in the timeline and the mitigations, by name and at their time (golden)', async () => {
    const messages: ThreadMessage[] = [
      {
        userId: 'U0SRE0002',
        text: 'raised the pool to 40, errors dropping',
        ts: '2.1',
        at: minute('14:09'),
        bot: false,
      },
    ];
    const md = renderPostmortem({
      run: run(),
      events: stored([
        {
          type: 'human-decision',
          userId: 'U0SRE0002',
          decision: 'confirmed',
          cause: 'connection-pool-exhausted',
          at: minute('14:06'),
        },
      ]),
      messages,
      people,
      now: new Date('2026-11-02T09:00:00Z'),
    });
    const timeline = timelineOf(md);
    expect(timeline).toContain('| 14:06 | **dana** confirmed the cause *');
    expect(timeline.indexOf('13:35')).toBeLessThan(timeline.indexOf('14:06'));
    expect(md).toMatch(/- \*\*dana\*\* confirmed \*.*\* at 14:06 UTC/);
    expect(md).toContain('- Raise the pool size or lower per-request hold time');
    await expect(md).toMatchFileSnapshot('golden/decision.md');
  });
});
