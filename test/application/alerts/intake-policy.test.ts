/**
 * The alert intake's rules on their own: an in-memory thread store, a fixed clock and a queue length the test sets.
 * Dedupe, grouping, one diagnosis per service (at most five), the storm bound, severity, resolutions.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryAlertThreadStore } from '../../../src/adapters/store/memory-alert-threads.js';
import {
  type DiagnosisPlan,
  type IntakeAction,
  type IntakeDecision,
  IntakePolicy,
  type IntakePolicyOptions,
  MAX_DIAGNOSES_PER_NOTIFICATION,
} from '../../../src/application/alerts/intake-policy.js';
import type { Alert, AlertNotification } from '../../../src/domain/alerts/alert.js';

const CHANNEL = 'C0ALERTS01';
const T0 = new Date('2026-11-01T14:00:00Z');
const MINUTE = 60_000;

const OPTIONS: IntakePolicyOptions = {
  dedupeWindowMs: 60 * MINUTE,
  groupWindowMs: 10 * MINUTE,
  minSeverity: 'warning',
  queueMax: 20,
};

function alert(alertname: string, service: string | null, extra: Partial<Alert> = {}): Alert {
  return {
    status: 'firing',
    alertname,
    labels: { alertname, ...(service ? { service } : {}) },
    annotations: {},
    ...extra,
  };
}

function notification(alerts: Alert[], overrides: Partial<AlertNotification> = {}): AlertNotification {
  const status = overrides.status ?? (alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing');
  const first = alerts[0];
  const firing = alerts.filter((a) => a.status === 'firing').length;
  return {
    source: 'alertmanager-webhook',
    status,
    title: `[${status === 'firing' ? `FIRING:${firing}` : 'RESOLVED'}] ${first?.alertname ?? ''}`,
    groupKey: `{}:{alertname="${first?.alertname ?? ''}"}`,
    groupLabels: { alertname: first?.alertname ?? '' },
    commonLabels: {},
    commonAnnotations: {},
    firingCount: firing,
    resolvedCount: alerts.length - firing,
    alerts,
    truncatedAlerts: 0,
    ...overrides,
  };
}

const resolvedOf = (a: Alert): Alert => ({ ...a, status: 'resolved' });

function diagnoses(decision: IntakeDecision): DiagnosisPlan[] {
  return decision.actions.flatMap((a) => (a.kind === 'diagnose' ? a.diagnoses : []));
}

function kinds(actions: readonly IntakeAction[]): string[] {
  return actions.map((a) =>
    a.kind === 'note' ? `note:${a.line.kind}` : a.kind === 'change' ? `change:${a.change.kind}` : a.kind,
  );
}

describe('IntakePolicy', () => {
  let store: MemoryAlertThreadStore;
  let policy: IntakePolicy;
  let waiting: number;
  let ids: number;
  const sha256 = vi.fn((text: string) => `hash-of-${text.length}`);

  const build = (options: Partial<IntakePolicyOptions> = {}) => {
    store = new MemoryAlertThreadStore();
    policy = new IntakePolicy({
      store,
      options: { ...OPTIONS, ...options },
      newId: () => `thread-${++ids}`,
      sha256,
      messageLink: (channel, ts) => `link:${channel}/${ts}`,
    });
  };

  /** Accepts an alert at `minutes` after T0, with the queue as the test set it. */
  const decide = (n: AlertNotification, minutes = 0, alertTs?: string) => {
    const now = new Date(T0.getTime() + minutes * MINUTE);
    vi.setSystemTime(now);
    return policy.decide(
      { notification: n, channel: CHANNEL, ...(alertTs ? { alertTs } : {}) },
      { now, waiting: () => waiting },
    );
  };

  beforeEach(() => {
    vi.useFakeTimers();
    waiting = 0;
    ids = 0;
    sha256.mockClear();
    build();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens a thread and one diagnosis for a new alert, with the alert as its root shows it', async () => {
    const decision = await decide(
      notification([alert('HighErrorRate', 'checkout', { labels: { severity: 'critical', service: 'checkout' } })], {
        link: 'https://am/alert',
      }),
      0,
      '111.222',
    );
    expect(decision.outcome).toBe('queued');
    expect(kinds(decision.actions)).toEqual(['diagnose']);
    const [plan] = diagnoses(decision);
    expect(plan?.thread).toMatchObject({
      id: 'thread-1',
      channel: CHANNEL,
      threadTs: '111.222',
      service: 'checkout',
      status: 'firing',
      openedAt: T0,
    });
    expect(plan?.alert).toMatchObject({
      source: 'alertmanager-webhook',
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      status: 'firing',
      repeats: 0,
      grouped: [],
      link: 'https://am/alert',
    });
    expect(plan?.heading).toBe('HighErrorRate — checkout');
    expect(plan?.symptom.service).toBe('checkout');
    // The thread is claimed: the store holds it under the alert's identity.
    expect(store.size()).toBe(1);
  });

  it('turns a repeat within the dedupe window into one line and a repeat count, and opens a new thread after it', async () => {
    const n = notification([alert('HighErrorRate', 'checkout')]);
    await decide(n, 0);
    const repeat = await decide(n, 30, '333.444');
    expect(repeat.outcome).toBe('repeat');
    expect(repeat.actions).toEqual([
      {
        kind: 'note',
        thread: expect.objectContaining({ id: 'thread-1' }),
        line: {
          kind: 'repeat',
          title: n.title,
          at: new Date(T0.getTime() + 30 * MINUTE),
          link: `link:${CHANNEL}/333.444`,
        },
      },
      {
        kind: 'change',
        thread: expect.objectContaining({ id: 'thread-1' }),
        change: { kind: 'repeat', refired: false },
      },
    ]);
    const late = await decide(n, 61);
    expect(late.outcome).toBe('queued');
    expect(diagnoses(late)[0]?.thread.id).toBe('thread-3');
  });

  it('says an alert fired again when it repeats into a resolved thread', async () => {
    const a = alert('HighErrorRate', 'checkout');
    await decide(notification([a]), 0);
    await decide(notification([resolvedOf(a)]), 5);
    const again = await decide(notification([a]), 10);
    expect(again.outcome).toBe('repeat');
    expect(kinds(again.actions)).toEqual(['note:refired', 'change:repeat']);
    expect(again.actions[1]).toMatchObject({ change: { kind: 'repeat', refired: true } });
  });

  it('groups another alert for the same service into its diagnosis within the grouping window only', async () => {
    await decide(notification([alert('HighErrorRate', 'checkout')]), 0);
    const other = notification([alert('HighLatency', 'checkout')]);
    const grouped = await decide(other, 5);
    expect(grouped.outcome).toBe('grouped');
    expect(grouped.actions).toEqual([
      expect.objectContaining({ kind: 'note', line: expect.objectContaining({ kind: 'grouped', title: other.title }) }),
      expect.objectContaining({ kind: 'change', change: { kind: 'grouped', title: other.title } }),
    ]);
    const third = await decide(notification([alert('PodRestarts', 'checkout')]), 11);
    expect(third.outcome).toBe('queued');
  });

  it('diagnoses only alerts at or above the minimum severity; no label counts as warning', async () => {
    build({ minSeverity: 'warning' });
    const info = await decide(notification([alert('Info', 'a', { labels: { severity: 'info' } })]));
    expect(info).toEqual({ outcome: 'below-severity', actions: [] });
    expect((await decide(notification([alert('NoLabel', 'b')]))).outcome).toBe('queued');
    build({ minSeverity: 'critical' });
    expect((await decide(notification([alert('Warn', 'c', { labels: { severity: 'warning' } })]))).outcome).toBe(
      'below-severity',
    );
    const common = notification([alert('Page', 'd')], { commonLabels: { severity: 'critical' } });
    expect((await decide(common)).outcome).toBe('queued');
  });

  it('opens one diagnosis per service of a grouped notification, at most five, under one summary', async () => {
    const services = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const n = notification(services.map((s) => alert('HighErrorRate', s)));
    const decision = await decide(n);
    expect(decision.outcome).toBe('queued');
    expect(decision.actions).toHaveLength(1);
    const [action] = decision.actions;
    if (action?.kind !== 'diagnose') throw new Error('expected diagnoses');
    expect(action.diagnoses.map((d) => d.heading)).toEqual(
      services.slice(0, MAX_DIAGNOSES_PER_NOTIFICATION).map((s) => `HighErrorRate — ${s}`),
    );
    expect(action.group).toEqual({
      title: n.title,
      source: 'alertmanager-webhook',
      diagnosed: services.slice(0, 5).map((s) => `HighErrorRate — ${s}`),
      notDiagnosed: ['HighErrorRate — f', 'HighErrorRate — g'],
      max: 5,
    });
    // The services only listed belong to the first thread: their repeat is a line there.
    const lead = action.diagnoses[0]?.thread;
    expect(lead?.firing).toHaveLength(3);
    const repeat = await decide(notification([alert('HighErrorRate', 'g')]), 1);
    expect(repeat.outcome).toBe('repeat');
    expect(repeat.actions[0]).toMatchObject({ thread: { id: lead?.id } });
  });

  it('heads a single-service notification with no summary', async () => {
    const [action] = (await decide(notification([alert('X', 'a'), alert('Y', 'a')]))).actions;
    expect(action).toMatchObject({ kind: 'diagnose' });
    expect(action && 'group' in action).toBe(false);
  });

  it('drops new alerts past the queue bound into the storm summary, while known ones still join their thread', async () => {
    build({ queueMax: 2 });
    await decide(notification([alert('HighErrorRate', 'checkout')]));
    waiting = 2;
    const dropped = await decide(notification([alert('DiskFull', 'db')]), 1);
    expect(dropped.outcome).toBe('dropped');
    expect(dropped.actions).toEqual([
      { kind: 'drop', notification: expect.objectContaining({ title: '[FIRING:1] DiskFull' }) },
    ]);
    expect((await decide(notification([alert('HighErrorRate', 'checkout')]), 2)).outcome).toBe('repeat');
    // One notification counts its own new diagnoses against the bound too.
    waiting = 1;
    const mixed = await decide(notification([alert('Slow', 'x'), alert('Slow', 'y')]), 3);
    expect(mixed.outcome).toBe('queued');
    expect(kinds(mixed.actions)).toEqual(['drop', 'diagnose']);
    expect(diagnoses(mixed)).toHaveLength(1);
  });

  it('resolves a thread when its last firing alert resolves, and says what is still firing before that', async () => {
    const a = alert('HighErrorRate', 'checkout', { fingerprint: 'f1' });
    const b = alert('HighErrorRate', 'checkout', { fingerprint: 'f2', labels: { pod: 'p2', service: 'checkout' } });
    await decide(notification([a, b]));
    const partial = await decide(notification([resolvedOf(a), b]), 1);
    // The alert still firing is delivered again with it: a repeat in the same thread.
    expect(kinds(partial.actions)).toEqual(['note:resolved', 'note:repeat', 'change:repeat']);
    expect(partial.actions[0]).toMatchObject({ line: { kind: 'resolved', stillFiring: 1 } });
    expect(partial.outcome).toBe('repeat');
    const whole = await decide(notification([resolvedOf(b)]), 2);
    expect(whole.outcome).toBe('resolved');
    const at = new Date(T0.getTime() + 2 * MINUTE);
    expect(whole.actions).toEqual([
      expect.objectContaining({
        kind: 'note',
        line: { kind: 'resolved', title: '[RESOLVED] HighErrorRate', at, stillFiring: 0 },
      }),
      expect.objectContaining({ kind: 'change', change: { kind: 'resolved', at } }),
    ]);
  });

  it('answers a resolution that matches no thread as unmatched', async () => {
    expect(await decide(notification([resolvedOf(alert('Gone', 'x'))]))).toEqual({
      outcome: 'unmatched-resolve',
      actions: [],
    });
  });

  it('finds the thread of an edited message when the resolved alert shows other labels', async () => {
    await decide(notification([alert('HighErrorRate', 'checkout')]), 0, '500.600');
    const edited = notification([resolvedOf(alert('HighErrorRate', null, { identity: 'other text' }))]);
    const decision = await decide(edited, 3, '500.600');
    expect(decision.outcome).toBe('resolved');
    expect(kinds(decision.actions)).toEqual(['note:resolved', 'change:resolved']);
  });

  it('adds one line per thread however many alerts of the notification it holds', async () => {
    const a = alert('HighErrorRate', 'checkout', { fingerprint: 'f1' });
    const b = alert('HighErrorRate', 'checkout', { fingerprint: 'f2' });
    await decide(notification([a, b]));
    const again = await decide(notification([a, b]), 1);
    expect(again.outcome).toBe('repeat');
    expect(kinds(again.actions)).toEqual(['note:repeat', 'change:repeat']);
  });

  it('stores a long alert identity hashed', async () => {
    const long = alert('HighErrorRate', 'checkout', { identity: 'x'.repeat(600) });
    const [plan] = diagnoses(await decide(notification([long])));
    expect(sha256).toHaveBeenCalledWith(`text:${'x'.repeat(600)}`);
    expect(plan?.thread.firing).toEqual([`${CHANNEL}|text:sha256:hash-of-605`]);
    expect((await decide(notification([long]), 1)).outcome).toBe('repeat');
  });
});
