import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../../src/adapters/alertmanager/parse-alertmanager-webhook.js';
import type { AlertNotification } from '../../../src/domain/alerts/alert.js';

type Payload = Record<string, unknown> & { alerts: Record<string, unknown>[] };

const fixture = (name: string): Payload =>
  JSON.parse(readFileSync(new URL(`../../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Payload;

function accepted(body: unknown): AlertNotification {
  const r = parseAlertmanagerWebhook(body);
  if (!r.ok) throw new Error(`rejected: ${r.problems.join('; ')}`);
  return r.notification;
}

function problems(body: unknown): string[] {
  const r = parseAlertmanagerWebhook(body);
  if (r.ok) throw new Error('accepted a malformed payload');
  return r.problems;
}

/** The real firing payload with `change` applied to a copy. */
function firingWith(change: (p: Payload) => void): Payload {
  const p = fixture('alertmanager-webhook-firing.real');
  change(p);
  return p;
}

const withTop = (key: string, value: unknown): Payload =>
  firingWith((p) => {
    p[key] = value;
  });
const withoutTop = (key: string): Payload =>
  firingWith((p) => {
    delete p[key];
  });
const withAlert = (key: string, value: unknown): Payload =>
  firingWith((p) => {
    const a = p.alerts[0];
    if (a) a[key] = value;
  });

describe('parseAlertmanagerWebhook: valid payloads', () => {
  it('reads the recorded firing payload', () => {
    const n = accepted(fixture('alertmanager-webhook-firing.real'));
    expect(n).toEqual({
      source: 'alertmanager-webhook',
      status: 'firing',
      title: '[FIRING:1] HighErrorRate checkout',
      groupKey: '{}:{alertname="HighErrorRate", service="checkout"}',
      groupLabels: { alertname: 'HighErrorRate', service: 'checkout' },
      commonLabels: { alertname: 'HighErrorRate', namespace: 'shop', service: 'checkout', severity: 'critical' },
      commonAnnotations: {
        description: 'checkout answers 12.3% of requests with a 5xx status.',
        runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
        summary: 'checkout 5xx ratio above 5%',
      },
      firingCount: 1,
      resolvedCount: 0,
      truncatedAlerts: 0,
      link: 'http://127.0.0.1:36843',
      alerts: [
        {
          status: 'firing',
          alertname: 'HighErrorRate',
          labels: { alertname: 'HighErrorRate', namespace: 'shop', service: 'checkout', severity: 'critical' },
          annotations: {
            description: 'checkout answers 12.3% of requests with a 5xx status.',
            runbook_url: 'https://runbooks.example.com/checkout/high-error-rate',
            summary: 'checkout 5xx ratio above 5%',
          },
          startsAt: new Date('2026-11-22T08:17:56Z'),
          fingerprint: '29dfb52689eade8a',
          generatorURL:
            'http://prometheus.example.com:9090/graph?g0.expr=job%3Ahttp_errors%3Aratio5m+%3E+0.05&g0.tab=1',
        },
      ],
    });
  });

  it("maps the firing alert's zero endsAt to no end", () => {
    const n = accepted(fixture('alertmanager-webhook-firing.real'));
    expect(n.alerts[0]?.endsAt).toBeUndefined();
    expect('endsAt' in (n.alerts[0] ?? {})).toBe(false);
  });

  it('reads the recorded resolved payload, with its end and the same groupKey', () => {
    const n = accepted(fixture('alertmanager-webhook-resolved.real'));
    expect(n.status).toBe('resolved');
    expect(n.title).toBe('[RESOLVED] HighErrorRate checkout');
    expect(n.firingCount).toBe(0);
    expect(n.resolvedCount).toBe(1);
    expect(n.alerts[0]?.status).toBe('resolved');
    expect(n.alerts[0]?.endsAt?.toISOString()).toBe('2026-11-22T08:18:58.000Z');
    expect(n.groupKey).toBe(accepted(fixture('alertmanager-webhook-firing.real')).groupKey);
  });

  it('reads a grouped payload: counts, truncated alerts, nanosecond times, unknown fields ignored', () => {
    const n = accepted(fixture('alertmanager-webhook-grouped'));
    expect(n.title).toBe('[FIRING:2] HighErrorRate checkout');
    expect(n.firingCount).toBe(2);
    expect(n.resolvedCount).toBe(1);
    expect(n.truncatedAlerts).toBe(2);
    expect(n.alerts.map((a) => a.startsAt?.toISOString())).toEqual([
      '2026-11-01T14:02:13.513Z',
      '2026-11-01T14:05:43.123Z',
      '2026-11-01T13:58:00.000Z',
    ]);
    expect(n.alerts.map((a) => a.endsAt?.toISOString())).toEqual([undefined, undefined, '2026-11-01T14:20:00.000Z']);
    expect(n.alerts.map((a) => a.fingerprint)).toEqual(['a1b2c3d4e5f60718', 'b1b2c3d4e5f60718', 'c1b2c3d4e5f60718']);
    expect(n).not.toHaveProperty('notification_reason');
    expect(n).not.toHaveProperty('routeLabels');
  });

  it('puts alertname first, then the other group labels by name, in the title', () => {
    const n = accepted(
      firingWith((p) => {
        p.groupLabels = { zone: 'eu-1', service: 'checkout', alertname: 'HighErrorRate' };
      }),
    );
    expect(n.title).toBe('[FIRING:1] HighErrorRate checkout eu-1');
  });

  it('falls back to the alertnames when there are no group labels', () => {
    const n = accepted(
      firingWith((p) => {
        p.groupLabels = {};
      }),
    );
    expect(n.title).toBe('[FIRING:1] HighErrorRate');
  });

  it('accepts optional fields left out or null, and builds a groupKey when it is missing', () => {
    const n = accepted({
      version: '4',
      status: 'firing',
      receiver: 'triage',
      groupLabels: { alertname: 'X' },
      commonAnnotations: null,
      alerts: [{ status: 'firing', labels: { alertname: 'X' }, startsAt: '2026-11-01T14:00:00+02:00' }],
    });
    expect(n.groupKey).toBe('webhook:triage:{alertname="X"}');
    expect(n.commonLabels).toEqual({});
    expect(n.commonAnnotations).toEqual({});
    expect(n.truncatedAlerts).toBe(0);
    expect(n.link).toBeUndefined();
    expect(n.alerts[0]?.startsAt?.toISOString()).toBe('2026-11-01T12:00:00.000Z');
    expect(n.alerts[0]?.annotations).toEqual({});
  });

  it('names an alert without an alertname label "(unnamed)"', () => {
    const n = accepted(
      firingWith((p) => {
        p.alerts = [{ ...p.alerts[0], labels: { service: 'checkout' } }];
      }),
    );
    expect(n.alerts[0]?.alertname).toBe('(unnamed)');
  });

  it('keeps hostile label values as they are, cut at 1024 characters, at most 64 labels', () => {
    const labels: Record<string, string> = { alertname: 'X', service: 'checkout"} or vector(1) #', chan: '<!channel>' };
    for (let i = 0; i < 100; i++) labels[`l${String(i).padStart(3, '0')}`] = 'v'.repeat(2000);
    const n = accepted(
      firingWith((p) => {
        p.alerts = [{ ...p.alerts[0], labels }];
      }),
    );
    const got = n.alerts[0]?.labels ?? {};
    expect(Object.keys(got)).toHaveLength(64);
    expect(Object.keys(got)[0]).toBe('alertname');
    expect(got.service).toBe('checkout"} or vector(1) #');
    expect(got.chan).toBe('<!channel>');
    expect(got.l000).toHaveLength(1024);
  });
});

describe('parseAlertmanagerWebhook: malformed payloads', () => {
  it.each([null, 'text', 42, [], true])('rejects %j: not an object', (body) => {
    expect(problems(body)).toEqual(['body: not a JSON object']);
  });

  it('rejects a wrong version', () => {
    expect(problems(withTop('version', '3'))).toEqual(['version: not "4" (got "3")']);
    expect(problems(withTop('version', 4))).toEqual(['version: not "4" (got 4)']);
  });

  it('rejects a missing version', () => {
    expect(problems(withoutTop('version'))).toEqual(['version: missing']);
  });

  it('rejects missing alerts', () => {
    expect(problems(withoutTop('alerts'))).toEqual(['alerts: missing']);
  });

  it('rejects alerts that are not a list', () => {
    expect(problems(withTop('alerts', {}))).toEqual(['alerts: not a list']);
  });

  it('rejects an empty alerts list', () => {
    expect(problems(withTop('alerts', []))).toEqual(['alerts: empty']);
  });

  it('rejects a bad date, with its path', () => {
    expect(problems(withAlert('startsAt', 'yesterday'))).toEqual(['alerts.0.startsAt: not a date']);
    expect(problems(withAlert('endsAt', '2026-13-45T99:00:00Z'))).toEqual(['alerts.0.endsAt: not a date']);
    expect(problems(withAlert('startsAt', 1_700_000_000))).toEqual(['alerts.0.startsAt: not a string']);
  });

  it('rejects a non-string label value, with its path', () => {
    expect(problems(withAlert('labels', { alertname: 'X', replicas: 3 }))).toEqual([
      'alerts.0.labels.replicas: not a string',
    ]);
    expect(problems(withTop('commonLabels', { a: null }))).toEqual(['commonLabels.a: not a string']);
    expect(problems(withAlert('labels', ['alertname']))).toEqual(['alerts.0.labels: not an object of strings']);
  });

  it('rejects a status that is not firing or resolved, at either level', () => {
    expect(problems(withTop('status', 'pending'))).toEqual(['status: not "firing" or "resolved"']);
    expect(problems(withAlert('status', 'suppressed'))).toEqual(['alerts.0.status: not "firing" or "resolved"']);
  });

  it('rejects an alert that is not an object, and a negative truncatedAlerts', () => {
    expect(problems(withTop('alerts', ['x']))).toEqual(['alerts.0: not an object']);
    expect(problems(withTop('truncatedAlerts', -1))).toEqual(['truncatedAlerts: below zero']);
  });

  it('lists several problems at once, without stack traces', () => {
    const got = problems({
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: {}, startsAt: 'x' }, 5],
    });
    expect(got).toEqual(['alerts.0.startsAt: not a date', 'alerts.1: not an object']);
    for (const p of got) expect(p).not.toMatch(/\n|at .*\.ts/);
  });
});

describe('parseAlertmanagerWebhook: properties', () => {
  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (body) => {
        const r = parseAlertmanagerWebhook(body);
        if (!r.ok) expect(r.problems.length).toBeGreaterThan(0);
      }),
    );
    const alert = fc.record(
      {
        status: fc.oneof(fc.constantFrom('firing', 'resolved'), fc.jsonValue()),
        labels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
        startsAt: fc.oneof(fc.constant('2026-11-01T14:00:00Z'), fc.string(), fc.jsonValue()),
        endsAt: fc.oneof(fc.constant('0001-01-01T00:00:00Z'), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.record({
          version: fc.oneof(fc.constant('4'), fc.jsonValue()),
          status: fc.oneof(fc.constant('firing'), fc.jsonValue()),
          alerts: fc.oneof(fc.array(alert, { maxLength: 3 }), fc.jsonValue()),
          groupLabels: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
        }),
        (body) => {
          parseAlertmanagerWebhook(body);
        },
      ),
    );
  });

  it('round-trips label values and annotations as exact strings', () => {
    // zod drops a `__proto__` key (it cannot be a Prometheus label in practice), so it is left out here.
    const labelName = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__');
    const value = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }));
    fc.assert(
      fc.property(fc.dictionary(labelName, value, { maxKeys: 20 }), value, (labels, summary) => {
        const n = accepted(
          firingWith((p) => {
            p.alerts = [{ ...p.alerts[0], labels, annotations: { summary } }];
          }),
        );
        expect(n.alerts[0]?.labels).toEqual(labels);
        expect(n.alerts[0]?.annotations.summary).toBe(summary);
      }),
    );
  });
});
