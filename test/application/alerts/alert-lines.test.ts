import { describe, expect, it } from 'vitest';
import { changeAlert, journalLine } from '../../../src/application/alerts/alert-lines.js';
import type { RunAlertInfo } from '../../../src/application/ports/run-store.js';

const AT = new Date('2026-11-01T14:00:00Z');

function runAlert(): RunAlertInfo {
  return { source: 'alertmanager-slack', title: 't', alertname: 'X', status: 'firing', repeats: 0, grouped: [] };
}

describe('changeAlert', () => {
  it('counts repeats, lists grouped alerts, and resolves then re-fires the alert', () => {
    let alert = runAlert();
    alert = changeAlert(alert, { kind: 'repeat', refired: false });
    alert = changeAlert(alert, { kind: 'grouped', title: '[FIRING:1] Y' });
    expect(alert).toMatchObject({ repeats: 1, grouped: ['[FIRING:1] Y'], status: 'firing' });
    alert = changeAlert(alert, { kind: 'resolved', at: AT });
    expect(alert).toMatchObject({ status: 'resolved', resolvedAt: AT });
    alert = changeAlert(alert, { kind: 'repeat', refired: true });
    expect(alert.status).toBe('firing');
    expect(alert.repeats).toBe(2);
    expect('resolvedAt' in alert).toBe(false);
  });

  it('leaves the given alert as it was', () => {
    const alert = runAlert();
    const before = structuredClone(alert);
    const grouped = changeAlert(alert, { kind: 'grouped', title: 'Y' });
    const resolved = changeAlert(grouped, { kind: 'resolved', at: AT });
    changeAlert(resolved, { kind: 'repeat', refired: true });
    expect(alert).toEqual(before);
    expect(grouped).toMatchObject({ grouped: ['Y'], status: 'firing' });
    expect(grouped.grouped).not.toBe(alert.grouped);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: AT });
  });
});

describe('journalLine', () => {
  it('keeps the link of repeats and grouped alerts, and the resolution time only when nothing is left firing', () => {
    expect(journalLine({ kind: 'repeat', title: 'a', at: AT, link: 'L' })).toEqual({
      type: 'alert-repeat',
      title: 'a',
      link: 'L',
    });
    expect(journalLine({ kind: 'refired', title: 'a', at: AT })).toEqual({ type: 'alert-repeat', title: 'a' });
    expect(journalLine({ kind: 'grouped', title: 'b', at: AT, link: 'L' })).toEqual({
      type: 'alert-grouped',
      title: 'b',
      link: 'L',
    });
    expect(journalLine({ kind: 'resolved', title: 'c', at: AT, stillFiring: 1 })).toEqual({
      type: 'alert-resolved',
      title: 'c',
    });
    expect(journalLine({ kind: 'resolved', title: 'c', at: AT, stillFiring: 0 })).toEqual({
      type: 'alert-resolved',
      title: 'c',
      resolvedAt: AT,
    });
  });
});
