import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../../src/adapters/slack/blocks/message-limits.js';
import {
  type AlertNote,
  alertLine,
  MAX_NOTES_PER_MESSAGE,
  renderAlertNotes,
  renderStormSummary,
} from '../../../../src/adapters/slack/blocks/render-alert.js';
import { renderRoot } from '../../../../src/adapters/slack/blocks/render-root.js';
import { hostile, rootState, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

const AT = new Date('2026-11-01T14:05:00Z');

describe('alert renderers', () => {
  it('shows the alert on the root: name linked, severity, since when, repeats and grouped alerts', () => {
    const root = renderRoot(
      rootState({
        alert: {
          source: 'alertmanager-slack',
          title: '[FIRING:1] HighErrorRate checkout',
          alertname: 'HighErrorRate',
          severity: 'critical',
          status: 'firing',
          startsAt: new Date('2026-11-01T13:52:00Z'),
          repeats: 2,
          grouped: ['[FIRING:1] HighLatency checkout'],
          link: 'http://alertmanager.example:9093/#/alerts?receiver=slack',
        },
      }),
    );
    const line = JSON.stringify(root.blocks[1]);
    expect(line).toContain('<http://alertmanager.example:9093/#/alerts?receiver=slack|HighErrorRate>');
    expect(line).toContain('(critical) firing since 13:52 UTC');
    expect(line).toContain('fired again 2×');
    expect(line).toContain('1 more alert(s) for this service grouped here');
    expect(limitViolations(root)).toEqual([]);
  });

  it('says when and after how long the alert resolved', () => {
    const line = alertLine({
      source: 'alertmanager-webhook',
      title: 't',
      alertname: 'HighErrorRate',
      status: 'resolved',
      startsAt: new Date('2026-11-01T13:52:00Z'),
      resolvedAt: AT,
      repeats: 0,
      grouped: [],
    });
    expect(line).toContain('*resolved* at 14:05 UTC, after 13 min');
  });

  it('never lets hostile alert text act as markup, and stays within Slack limits', () => {
    const evil = hostile(5000);
    const notes: AlertNote[] = [
      { kind: 'repeat', title: evil, at: AT, link: 'https://slack.com/archives/C0ALERTS01/p1700000000000100' },
      { kind: 'grouped', title: evil, at: AT, link: 'javascript:alert(1)' },
      { kind: 'resolved', title: evil, at: AT, stillFiring: 2 },
      { kind: 'refired', title: evil, at: AT },
    ];
    const message = renderAlertNotes(notes);
    expect(unsafeMarkupIn(message)).toEqual([]);
    expect(limitViolations(message)).toEqual([]);
    expect(JSON.stringify(message)).not.toContain('javascript:');
    const root = renderRoot(
      rootState({
        alert: {
          source: 'grafana-slack',
          title: evil,
          alertname: evil,
          severity: evil,
          status: 'firing',
          repeats: 1,
          grouped: [evil],
          link: 'https://grafana.example/alerting/list',
        },
      }),
    );
    expect(unsafeMarkupIn(root)).toEqual([]);
    expect(limitViolations(root)).toEqual([]);
    const storm = renderStormSummary({
      notDiagnosed: 1200,
      titles: new Map(Array.from({ length: 600 }, (_, i) => [`${evil}${i}`, i + 1])),
      since: AT,
      queueMax: 20,
      diagnosing: 22,
      grouped: 10,
      repeats: 300,
    });
    expect(unsafeMarkupIn(storm)).toEqual([]);
    expect(limitViolations(storm)).toEqual([]);
    expect(storm.text).toContain('1200 alert(s) were not diagnosed');
  });

  it('puts at most MAX_NOTES_PER_MESSAGE lines in one reply, every one of them whole', () => {
    const notes: AlertNote[] = Array.from({ length: MAX_NOTES_PER_MESSAGE }, (_, i) => ({
      kind: 'repeat',
      title: `[FIRING:1] HighErrorRate svc-${i} ${'x'.repeat(200)}`,
      at: AT,
      link: `https://slack.com/archives/C0ALERTS01/p17000000000${String(i).padStart(5, '0')}`,
    }));
    const message = renderAlertNotes(notes);
    expect(limitViolations(message)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    for (let i = 0; i < MAX_NOTES_PER_MESSAGE; i++) expect(text).toContain(`p17000000000${String(i).padStart(5, '0')}`);
    expect(text).not.toContain('more');
    expect(message.text).toBe(`${MAX_NOTES_PER_MESSAGE} alert updates`);
  });
});
