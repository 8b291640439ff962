import { describe, expect, it } from 'vitest';
import { limitViolations } from '../../../../src/adapters/slack/blocks/message-limits.js';
import { alertLine, renderAlertGroup } from '../../../../src/adapters/slack/blocks/render-alert.js';
import { hostile, unsafeMarkupIn } from '../../../support/diagnosis-factory.js';

describe('renderAlertGroup', () => {
  it('names every service of the notification, and those past the bound as not diagnosed', () => {
    const message = renderAlertGroup({
      title: '[FIRING:7] HighErrorRate',
      source: 'alertmanager-webhook',
      diagnosed: ['HighErrorRate — accounts', 'HighErrorRate — cart'],
      notDiagnosed: ['HighErrorRate — pricing'],
      max: 2,
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(
      '*[FIRING:7] HighErrorRate* affects 3 services: one diagnosis per service below (the first 2)',
    );
    expect(text).toContain('• HighErrorRate — accounts\\n• HighErrorRate — cart');
    expect(text).toContain('Not diagnosed (more than 2 services): HighErrorRate — pricing.');
    expect(message.text).toBe(
      '[FIRING:7] HighErrorRate: 3 services — HighErrorRate — accounts, HighErrorRate — cart, HighErrorRate — pricing',
    );
  });

  it('never lets hostile labels act as markup, and stays within Slack limits', () => {
    const evil = hostile(4000);
    const message = renderAlertGroup({
      title: evil,
      source: 'grafana-slack',
      diagnosed: Array.from({ length: 5 }, () => `HighErrorRate — ${evil}`),
      notDiagnosed: Array.from({ length: 300 }, (_, i) => `X${i} — ${evil}`),
      max: 5,
    });
    expect(limitViolations(message)).toEqual([]);
    expect(unsafeMarkupIn(message)).toEqual([]);
  });
});

describe('alertLine', () => {
  it('heads a diagnosis with its alert and service', () => {
    const line = alertLine({
      source: 'alertmanager-slack',
      title: '[FIRING:2] HighErrorRate',
      alertname: 'HighErrorRate',
      service: 'checkout',
      status: 'firing',
      repeats: 0,
      grouped: [],
    });
    expect(line).toContain('Alertmanager alert *HighErrorRate — checkout* firing');
  });
});
