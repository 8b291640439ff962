import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSlackAlert,
  type SlackAlertMessage,
} from '../../../../src/adapters/slack/alerts/parse/parse-slack-alert.js';
import type { AlertNotification } from '../../../../src/domain/alerts/alert.js';
import {
  alertTitleValues,
  parseAlertTitle,
  podWorkload,
  serviceFromTitleValues,
} from '../../../../src/domain/alerts/alert-title.js';

const fixture = (name: string): SlackAlertMessage =>
  JSON.parse(
    readFileSync(new URL(`../../../fixtures/alerts/${name}.json`, import.meta.url), 'utf8'),
  ) as SlackAlertMessage;

/** Parses and fails the test when the message is not read as an alert. */
function parsed(message: SlackAlertMessage): AlertNotification {
  const n = parseSlackAlert(message);
  if (n === null) throw new Error('not read as an alert');
  return n;
}

/** An Alertmanager webhook post with one attachment. */
const amPost = (attachment: Record<string, unknown>, text = ''): SlackAlertMessage => ({
  subtype: 'bot_message',
  bot_id: 'B07ALERTMGR',
  username: 'Alertmanager',
  text,
  attachments: [attachment],
});

/** A Grafana post whose attachment text is `text`. */
const grafanaPost = (title: string, text: string): SlackAlertMessage => ({
  bot_id: 'B07GRAFANA',
  username: 'Grafana',
  text: '',
  attachments: [{ title, fallback: title, text, color: '#D63232', footer: 'Grafana v11.3.0' }],
});

/** Escapes text the way Slack returns it in message events. */
const slackEscape = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

describe('parseSlackAlert: Alertmanager default notification (values-only title)', () => {
  it('reads a firing post: alertname from the first value, severity recognised, link and groupKey', () => {
    const n = parsed(fixture('slack-alertmanager-default-firing'));
    expect(n.source).toBe('alertmanager-slack');
    expect(n.status).toBe('firing');
    expect(n.title).toBe('[FIRING:1] HighErrorRate checkout (shop critical)');
    expect(n.groupKey).toBe('slack:HighErrorRate checkout');
    expect(n.firingCount).toBe(1);
    expect(n.resolvedCount).toBe(0);
    expect(n.truncatedAlerts).toBe(0);
    expect(n.link).toBe('http://alertmanager.example.com:9093/#/alerts?receiver=slack-shop');
    expect(n.groupLabels).toEqual({});
    expect(n.commonLabels).toEqual({ severity: 'critical' });
    expect(n.alerts).toEqual([
      {
        status: 'firing',
        alertname: 'HighErrorRate',
        labels: { severity: 'critical' },
        annotations: {},
        identity: 'HighErrorRate checkout (shop critical)',
      },
    ]);
    expect(alertTitleValues(n.title)).toEqual(['HighErrorRate', 'checkout', 'shop', 'critical']);
  });

  it('reads the [RESOLVED] post of the same group with the same groupKey', () => {
    const firing = parsed(fixture('slack-alertmanager-default-firing'));
    const resolved = parsed(fixture('slack-alertmanager-default-resolved'));
    expect(resolved.status).toBe('resolved');
    expect(resolved.firingCount).toBe(0);
    expect(resolved.resolvedCount).toBe(1);
    expect(resolved.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(resolved.groupKey).toBe(firing.groupKey);
  });

  it('keeps the groupKey when the common-labels part changes as alerts resolve', () => {
    const a = parsed(amPost({ title: '[FIRING:3] HighErrorRate  checkout (shop critical)' }));
    const b = parsed(amPost({ title: '[FIRING:1] HighErrorRate checkout (shop critical 10.0.0.1:8080)' }));
    const c = parsed(amPost({ title: '[RESOLVED] HighErrorRate checkout ' }));
    expect(a.groupKey).toBe('slack:HighErrorRate checkout');
    expect(b.groupKey).toBe(a.groupKey);
    expect(c.groupKey).toBe(a.groupKey);
  });

  it('reads a grouped [FIRING:3] post as one alert with the count from the title', () => {
    const n = parsed(fixture('slack-alertmanager-default-grouped'));
    expect(n.firingCount).toBe(3);
    expect(n.alerts).toHaveLength(1);
    expect(n.alerts[0]?.alertname).toBe('KubePodCrashLooping');
    expect(n.alerts[0]?.labels).toEqual({ severity: 'warning' });
    expect(n.groupKey).toBe('slack:KubePodCrashLooping shop');
  });

  it('takes the title from the fallback when the title is missing', () => {
    const n = parsed(
      amPost({ fallback: '[FIRING:2] DiskFull db-1 (critical) | http://am:9093/#/alerts?receiver=x', text: '' }),
    );
    expect(n.title).toBe('[FIRING:2] DiskFull db-1 (critical)');
    expect(n.alerts[0]?.alertname).toBe('DiskFull');
    expect(n.firingCount).toBe(2);
  });

  it('reads a title without common labels (the trailing space Alertmanager leaves)', () => {
    const n = parsed(amPost({ title: '[FIRING:1] TargetDown ' }));
    expect(n.alerts[0]?.alertname).toBe('TargetDown');
    expect(n.alerts[0]?.labels).toEqual({});
    expect(n.commonLabels).toEqual({});
    expect(n.groupKey).toBe('slack:TargetDown');
  });

  it('reads a title with no group labels (group_by: []) from its common part', () => {
    const n = parsed(amPost({ title: '[FIRING:1]  (Watchdog prometheus none)' }));
    expect(n.alerts[0]?.alertname).toBe('Watchdog');
    expect(n.alerts[0]?.labels).toEqual({ severity: 'none' });
    expect(n.groupKey).toBe('slack:(Watchdog prometheus none)');
  });

  it('does not take a link that is not http(s)', () => {
    const n = parsed(amPost({ title: '[FIRING:1] X y', title_link: 'javascript:alert(1)' }));
    expect(n.link).toBeUndefined();
  });
});

describe('parseSlackAlert: Alertmanager with templated fields and text', () => {
  it('reads labels and annotations from fields (titles are label or annotation names, any case)', () => {
    const n = parsed(fixture('slack-alertmanager-fields'));
    expect(n.alerts).toHaveLength(1);
    const a = n.alerts[0];
    expect(a?.alertname).toBe('HighLatency');
    expect(a?.labels).toEqual({
      alertname: 'HighLatency',
      severity: 'warning',
      service: 'payments',
      namespace: 'shop',
    });
    expect(a?.annotations).toEqual({
      summary: 'p99 latency above 2s',
      description: 'payments p99 latency is 3.4s (threshold 2s).',
      runbook: 'https://runbooks.example.com/payments/latency',
    });
    expect(n.groupLabels).toEqual({ alertname: 'HighLatency', service: 'payments' });
    expect(n.groupKey).toBe('slack:HighLatency payments');
  });

  it('reads key=value lines from the message text (message_text, no attachments), one alert per alertname', () => {
    const n = parsed(fixture('slack-alertmanager-message-text'));
    expect(n.title).toBe('[FIRING:2] HighErrorRate');
    expect(n.firingCount).toBe(2);
    expect(n.alerts.map((a) => a.labels)).toEqual([
      { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', namespace: 'shop' },
      { alertname: 'HighErrorRate', service: 'cart', severity: 'warning', namespace: 'shop' },
    ]);
    expect(n.alerts.map((a) => a.annotations.summary)).toEqual(['5xx ratio above 5%', '5xx ratio above 5%']);
    expect(n.commonLabels).toEqual({ alertname: 'HighErrorRate', namespace: 'shop' });
    expect(n.commonAnnotations).toEqual({ summary: '5xx ratio above 5%' });
    expect(n.groupLabels).toEqual({ alertname: 'HighErrorRate' });
    expect(n.groupKey).toBe('slack:HighErrorRate');
  });

  it('reads key=value text in the attachment, with quoted values and PromQL-style label sets', () => {
    const n = parsed(
      amPost({
        title: '[FIRING:1] HighErrorRate checkout',
        text: 'Labels: {alertname="HighErrorRate", service="checkout", severity="critical", path="/api/v1 orders"}',
      }),
    );
    expect(n.alerts[0]?.labels).toEqual({
      alertname: 'HighErrorRate',
      service: 'checkout',
      severity: 'critical',
      path: '/api/v1 orders',
    });
  });

  it("reads Go's map printing of .Labels", () => {
    const n = parsed(amPost({ title: '[FIRING:1] A', text: 'map[alertname:HighErrorRate service:checkout]' }));
    expect(n.alerts[0]?.labels).toEqual({ alertname: 'HighErrorRate', service: 'checkout' });
  });

  it('reads the bullet template: *Alert:* summary - `severity`, *Description:*, • *label:* `value`', () => {
    const n = parsed(fixture('slack-alertmanager-bullets'));
    expect(n.alerts).toHaveLength(2);
    expect(n.alerts.map((a) => a.alertname)).toEqual(['KubePodCrashLooping', 'KubePodCrashLooping']);
    expect(n.alerts[0]?.labels).toEqual({
      severity: 'critical',
      alertname: 'KubePodCrashLooping',
      container: 'checkout',
      namespace: 'shop',
      pod: 'checkout-7d9f8c6b5-x2k4q',
    });
    expect(n.alerts[0]?.annotations).toEqual({
      summary: 'Pod is crash looping.',
      description: 'Pod shop/checkout-7d9f8c6b5-x2k4q (checkout) is in waiting state (reason: "CrashLoopBackOff").',
    });
    expect(n.alerts[1]?.labels.container).toBe('cart');
    expect(n.alerts[1]?.labels.severity).toBe('warning');
    expect(n.commonLabels).toEqual({ alertname: 'KubePodCrashLooping', namespace: 'shop' });
  });

  it('reads the Labels:/ - name = value sections of Alertmanager’s __text_alert_list', () => {
    const text = [
      'Labels:',
      ' - alertname = HighErrorRate',
      ' - service = checkout',
      'Annotations:',
      ' - summary = 5xx above 5%',
      'Source: http://prometheus:9090/graph?g0.expr=x',
      'Labels:',
      ' - alertname = HighErrorRate',
      ' - service = cart',
      'Annotations:',
      'Source: http://prometheus:9090/graph?g0.expr=y',
    ].join('\n');
    const n = parsed(amPost({ title: '[FIRING:2] HighErrorRate', text }));
    expect(n.source).toBe('alertmanager-slack');
    expect(n.alerts.map((a) => a.labels.service)).toEqual(['checkout', 'cart']);
    expect(n.alerts.map((a) => a.generatorURL)).toEqual([
      'http://prometheus:9090/graph?g0.expr=x',
      'http://prometheus:9090/graph?g0.expr=y',
    ]);
  });

  it('merges what the message text and the attachment fields say about one alert', () => {
    const n = parsed(
      amPost(
        {
          title: '[FIRING:1] HighErrorRate checkout',
          fields: [
            { title: 'Summary', value: 'Error ratio above 5%', short: false },
            { title: 'severity', value: 'critical', short: true },
          ],
        },
        'alertname=HighErrorRate service=checkout',
      ),
    );
    expect(n.alerts).toHaveLength(1);
    expect(n.alerts[0]?.labels).toEqual({ severity: 'critical', alertname: 'HighErrorRate', service: 'checkout' });
    expect(n.alerts[0]?.annotations).toEqual({ summary: 'Error ratio above 5%' });
  });

  it('takes the alertname from the title when the fields only carry annotations, and the severity value', () => {
    const n = parsed(
      amPost({
        title: '[FIRING:1] HighErrorRate checkout (critical)',
        fields: [{ title: 'Summary', value: 'Error ratio above 5%' }],
      }),
    );
    expect(n.alerts).toEqual([
      {
        status: 'firing',
        alertname: 'HighErrorRate',
        labels: { severity: 'critical' },
        annotations: { summary: 'Error ratio above 5%' },
        identity: 'HighErrorRate checkout (critical) | summary=Error ratio above 5%',
      },
    ]);
  });

  it('reads an alert with labels but no title prefix, and builds its title and groupKey', () => {
    const n = parsed({ bot_id: 'B1', text: 'alertname=DiskFull instance=db-1:9100 severity=warning' });
    expect(n.title).toBe('[FIRING:1] DiskFull');
    expect(n.groupKey).toBe('slack:DiskFull');
    expect(n.status).toBe('firing');
    expect(n.firingCount).toBe(1);
    expect(n.alerts[0]?.labels).toEqual({ alertname: 'DiskFull', instance: 'db-1:9100', severity: 'warning' });
  });

  it('reads status and start time lines when the template has them', () => {
    const n = parsed({
      bot_id: 'B1',
      text: '*Status:* resolved\n*alertname:* `DiskFull`\n*Started:* 2026-11-01 14:02:13.513 +0000 UTC',
    });
    expect(n.status).toBe('resolved');
    expect(n.alerts[0]?.startsAt?.toISOString()).toBe('2026-11-01T14:02:13.513Z');
  });

  it('gives a [RESOLVED] templated post resolved alerts', () => {
    const n = parsed(amPost({ title: '[RESOLVED] HighErrorRate', text: 'alertname=HighErrorRate service=checkout' }));
    expect(n.status).toBe('resolved');
    expect(n.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(n.resolvedCount).toBe(1);
    expect(n.firingCount).toBe(0);
  });
});

describe('parseSlackAlert: Grafana contact point', () => {
  it('reads a firing post: labels, annotations, source, status and groupLabels', () => {
    const n = parsed(fixture('slack-grafana-firing'));
    expect(n.source).toBe('grafana-slack');
    expect(n.status).toBe('firing');
    expect(n.firingCount).toBe(1);
    expect(n.resolvedCount).toBe(0);
    expect(n.link).toBe('https://grafana.example.com/alerting/list');
    expect(n.alerts).toEqual([
      {
        status: 'firing',
        alertname: 'HighErrorRate',
        labels: { alertname: 'HighErrorRate', grafana_folder: 'Shop', service: 'checkout', severity: 'critical' },
        annotations: {
          description: 'checkout answers 12.3% of requests with a 5xx status.',
          summary: 'checkout 5xx ratio above 5%',
        },
        generatorURL: 'https://grafana.example.com/alerting/grafana/bdx1/view?orgId=1',
      },
    ]);
    expect(n.groupLabels).toEqual({ alertname: 'HighErrorRate', grafana_folder: 'Shop' });
    expect(n.groupKey).toBe('slack:HighErrorRate Shop');
  });

  it('reads a mixed [FIRING:2, RESOLVED:1] post: per-alert status from its section, multi-line annotations', () => {
    const n = parsed(fixture('slack-grafana-mixed'));
    expect(n.status).toBe('firing');
    expect(n.firingCount).toBe(2);
    expect(n.resolvedCount).toBe(1);
    expect(n.alerts.map((a) => [a.status, a.labels.instance])).toEqual([
      ['firing', '10.0.3.7:8080'],
      ['firing', '10.0.3.8:8080'],
      ['resolved', '10.0.3.9:8080'],
    ]);
    expect(n.alerts[1]?.annotations.description).toBe(
      'checkout answers 9.8% of requests with a 5xx status.\nMost errors come from POST /orders.',
    );
    expect(n.commonLabels).toEqual({
      alertname: 'HighErrorRate',
      grafana_folder: 'Shop',
      service: 'checkout',
      severity: 'critical',
    });
    expect(n.commonAnnotations).toEqual({ summary: 'checkout 5xx ratio above 5%' });
  });

  it('reads a resolved-only post, with the same groupKey as the firing one', () => {
    const n = parsed(fixture('slack-grafana-resolved'));
    expect(n.status).toBe('resolved');
    expect(n.firingCount).toBe(0);
    expect(n.resolvedCount).toBe(1);
    expect(n.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(n.groupKey).toBe(parsed(fixture('slack-grafana-firing')).groupKey);
  });

  it('reads labels with empty values and alerts with no annotations', () => {
    const text = '**Firing**\n\nValue: [no value]\nLabels:\n - alertname = NoData\n - service =\nAnnotations:\n';
    const n = parsed(grafanaPost('[FIRING:1] NoData', text));
    expect(n.alerts[0]?.labels).toEqual({ alertname: 'NoData', service: '' });
    expect(n.alerts[0]?.annotations).toEqual({});
  });

  it('reads the Source line when Slack wrapped it as a link', () => {
    const text =
      '**Firing**\n\nValue: A=1\nLabels:\n - alertname = X\nAnnotations:\nSource: <https://g.example.com/a?x=1|https://g.example.com/a?x=1>\n';
    expect(parsed(grafanaPost('[FIRING:1] X', text)).alerts[0]?.generatorURL).toBe('https://g.example.com/a?x=1');
  });

  it('is recognised as Grafana by its footer even without the username', () => {
    const n = parsed({ bot_id: 'B1', attachments: [{ title: '[FIRING:1] X', footer: 'Grafana v10.4.1' }] });
    expect(n.source).toBe('grafana-slack');
  });
});

describe('parseSlackAlert: missing labels', () => {
  it('reads an alert with neither service nor severity', () => {
    const text =
      '**Firing**\n\nValue: A=1\nLabels:\n - alertname = Watchdog\nAnnotations:\n - summary = always firing\n';
    const n = parsed(grafanaPost('[FIRING:1] Watchdog', text));
    expect(n.alerts[0]?.labels).toEqual({ alertname: 'Watchdog' });
    expect(n.alerts[0]?.labels.severity).toBeUndefined();
    expect(n.alerts[0]?.labels.service).toBeUndefined();
  });

  it('gives no severity label when no title value is a severity word', () => {
    const n = parsed(amPost({ title: '[FIRING:1] HighErrorRate checkout (shop)' }));
    expect(n.alerts[0]?.labels).toEqual({});
  });
});

describe('parseSlackAlert: hostile values', () => {
  const hostile = [
    'checkout"} or vector(1) #',
    '{job=~".+"} |= "x" | line_format "{{.foo}}"',
    '<!channel>',
    '<@U123ABC> <!subteam^S1|@oncall>',
    "'; DROP TABLE alerts; --",
    '\u202Eevil\u0000',
  ];

  it.each(hostile)('keeps %j as a plain string in Grafana sections', (value) => {
    const text = `**Firing**\n\nValue: A=1\nLabels:\n - alertname = X\n - service = ${slackEscape(value)}\nAnnotations:\n - summary = ${slackEscape(value)}\n`;
    const n = parsed(grafanaPost('[FIRING:1] X', text));
    expect(n.alerts[0]?.labels.service).toBe(value);
    expect(n.alerts[0]?.annotations.summary).toBe(value);
  });

  it.each(hostile)('keeps %j as a plain string in quoted key=value text', (value) => {
    const quoted = `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const n = parsed({ bot_id: 'B1', text: slackEscape(`alertname=X service=${quoted}`) });
    expect(n.alerts[0]?.labels.service).toBe(value);
  });

  it('keeps a Slack mention in a field value as text', () => {
    const n = parsed(amPost({ title: '[FIRING:1] X', fields: [{ title: 'service', value: '<!channel>' }] }));
    expect(n.alerts[0]?.labels.service).toBe('<!channel>');
  });

  it('cuts label values and annotations at 1024 characters and keeps at most 64 labels', () => {
    const labels = Array.from({ length: 70 }, (_, i) => ` - l${String(i).padStart(3, '0')} = ${'v'.repeat(1100)}`);
    const text = `**Firing**\n\nValue: A=1\nLabels:\n - alertname = X\n${labels.join('\n')}\nAnnotations:\n - description = ${'d'.repeat(5000)}\n`;
    const n = parsed(grafanaPost('[FIRING:1] X', text));
    const a = n.alerts[0];
    expect(Object.keys(a?.labels ?? {})).toHaveLength(64);
    expect(a?.labels.l000).toHaveLength(1024);
    expect(a?.annotations.description).toHaveLength(1024);
  });

  it('reads a 40 KB text of every shape without hanging and caps what it keeps', () => {
    const shapes = [
      `alertname=X ${'a'.repeat(40_000)}`,
      `alertname=X service="${'\\"'.repeat(20_000)}`,
      `*alertname:* \`X\`\n${'- '.repeat(20_000)}`,
      `Labels:\n${' - a = b\n'.repeat(5_000)}`,
      `alertname=X ${'map['.repeat(10_000)}`,
      `alertname=X ${'a=b '.repeat(10_000)}`,
      `alertname=X\n${'*k:* `v`\n'.repeat(5_000)}`,
      `[FIRING:1] ${'(('.repeat(20_000)})`,
      `alertname=X ${' '.repeat(40_000)}x`,
      `**Firing**\nValue: 1\nLabels:\n - alertname = X\nAnnotations:\n - d = x\n${'y\n'.repeat(20_000)}`,
    ];
    for (const text of shapes) {
      expect(text.length).toBeGreaterThanOrEqual(40_000);
      const n = parseSlackAlert({
        bot_id: 'B1',
        text,
        attachments: [{ title: text, text, fields: [{ title: 'x', value: text }] }],
      });
      for (const a of n?.alerts ?? []) {
        expect(Object.keys(a.labels).length).toBeLessThanOrEqual(64);
        for (const v of Object.values(a.labels)) expect(v.length).toBeLessThanOrEqual(1024);
        for (const v of Object.values(a.annotations)) expect(v.length).toBeLessThanOrEqual(1024);
      }
      expect(n?.alerts.length ?? 0).toBeLessThanOrEqual(500);
    }
  });
});

describe('parseSlackAlert: not alerts', () => {
  const cases: [string, SlackAlertMessage][] = [
    ['an empty message', {}],
    ['an empty bot message', { bot_id: 'B1', text: '', attachments: [] }],
    ['human chat', { text: 'is checkout down for anyone else?' }],
    ['a person pasting an alert title', { text: '[FIRING:1] HighErrorRate checkout (critical)' }],
    ['a person pasting labels', { text: 'alertname=HighErrorRate service=checkout' }],
    ['a bot mentioning FIRING without the bracket prefix', { bot_id: 'B1', text: 'HighErrorRate is FIRING again' }],
    ['a bot message without alert shape', { bot_id: 'B1', text: 'Deploy finished: version=1.4.2 env=prod' }],
    ['a deploy bot attachment', { bot_id: 'B1', attachments: [{ title: 'Deployed checkout v1.4.2', color: 'good' }] }],
    ['a bracket prefix with nothing after it', { bot_id: 'B1', attachments: [{ title: '[FIRING:1] ' }] }],
    ['our own root message', { bot_id: 'B9', text: ':mag: Diagnosing "[FIRING:1] HighErrorRate checkout"…' }],
    ['our own root (emoji form)', { bot_id: 'B9', text: '\u{1F50E} Diagnosing alertname=HighErrorRate' }],
    ['our own fallback text', { bot_id: 'B9', text: 'Triage: [FIRING:1] HighErrorRate on checkout — diagnosing' }],
    [
      'a link unfurl of an Alertmanager page',
      {
        bot_id: 'B1',
        text: 'look <http://am:9093/#/alerts>',
        attachments: [{ from_url: 'http://am:9093/#/alerts', title: '[FIRING:1] HighErrorRate checkout' }],
      },
    ],
    [
      'an app unfurl',
      { bot_id: 'B1', attachments: [{ is_app_unfurl: true, title: '[FIRING:1] X', text: 'alertname=X' }] },
    ],
    ['an edit event (pass its inner message)', { subtype: 'message_changed', bot_id: 'B1', text: '[FIRING:1] X y' }],
    ['a channel join', { subtype: 'channel_join', text: '<@U1> has joined the channel' }],
  ];

  it.each(cases)('%s', (_, message) => {
    expect(parseSlackAlert(message)).toBeNull();
  });

  it('never throws on odd shapes', () => {
    const odd: unknown[] = [
      null,
      undefined,
      42,
      'text',
      [],
      { bot_id: 1, text: 2, attachments: 'x' },
      { bot_id: 'B1', attachments: [null, 1, 'x', [], { title: 5, fields: 'x', text: {} }] },
      { bot_id: 'B1', attachments: [{ title: '[FIRING:1] X', fields: [null, { title: 1, value: 2 }, { value: [] }] }] },
      { bot_id: 'B1', attachments: [{ title: '[FIRING:99999999999] X' }] },
    ];
    for (const m of odd) expect(() => parseSlackAlert(m as SlackAlertMessage)).not.toThrow();
  });
});

describe('parseAlertTitle', () => {
  it.each([
    ['[FIRING:3] A b (c d)', { status: 'firing', firing: 3, resolved: undefined, group: 'A b', common: 'c d' }],
    ['[FIRING:2, RESOLVED:1] A b', { status: 'firing', firing: 2, resolved: 1, group: 'A b', common: '' }],
    ['[RESOLVED] A b (c)', { status: 'resolved', firing: undefined, resolved: undefined, group: 'A b', common: 'c' }],
    [
      ':fire: [firing:1] A (x (y) z)',
      { status: 'firing', firing: 1, resolved: undefined, group: 'A', common: 'x (y) z' },
    ],
    ['[FIRING:1] A f(x)', { status: 'firing', firing: 1, resolved: undefined, group: 'A f(x)', common: '' }],
  ] as const)('%s', (title, expected) => {
    expect(parseAlertTitle(title)).toMatchObject(expected);
  });

  it('is null without the bracket prefix', () => {
    expect(parseAlertTitle('FIRING: A b')).toBeNull();
    expect(parseAlertTitle('Alert [FIRING:1] A')).toBeNull();
  });
});

describe('serviceFromTitleValues', () => {
  it.each([
    [['HighErrorRate', 'checkout', 'critical'], 'checkout'],
    [['HighErrorRate', 'critical', 'prod', 'checkout'], 'checkout'],
    [['HighErrorRate', 'production', 'checkout-api'], 'checkout-api'],
    [['KubePodCrashLooping', 'shop-ns', 'checkout-7d9f8c6b5-x2k4q'], 'shop-ns'],
    [['KubePodCrashLooping', 'checkout-7d9f8c6b5-x2k4q', 'warning'], 'checkout'],
    [['KubePodCrashLooping', 'fluentd-x2k4q'], 'fluentd'],
    [['HighErrorRate', '10.0.0.1:8080', 'checkout'], 'checkout'],
    [['HighErrorRate', '10.0.0.1:8080', 'critical'], undefined],
    [['HighErrorRate', 'checkout:8080'], 'checkout'],
    [['HighErrorRate', 'checkout.shop.svc.cluster.local:8080'], 'checkout'],
    [['HighErrorRate', 'web-01.prod.example.com:9100'], undefined],
    [['HighErrorRate', 'ip-10-0-1-5:9100'], undefined],
    [['HighErrorRate', '42', '0.95', '5m', 'critical'], undefined],
    [['HighErrorRate', 'kubernetes-pods', 'node-exporter', 'prometheus', 'payments'], 'payments'],
    [['HighErrorRate', 'default', 'kube-system', 'us-east-1', 'staging', 'billing'], 'billing'],
    [['HighErrorRate', 'HighErrorRate', 'orders'], 'orders'],
    [['HighErrorRate', 'https://x.example.com', 'checkout"}'], undefined],
    [['HighErrorRate'], undefined],
    [[], undefined],
  ] as const)('%j → %s', (values, expected) => {
    expect(serviceFromTitleValues(values)).toBe(expected);
  });
});

describe('podWorkload', () => {
  it.each([
    ['checkout-7d9f8c6b5-x2k4q', 'checkout'],
    ['checkout-api-5c8d7f9b4-q7w2p', 'checkout-api'],
    ['legacy-3012345678-bcdfg', 'legacy'],
    ['fluentd-x2k4q', 'fluentd'],
    ['checkout-api', undefined],
    ['kafka-0', undefined],
    ['user-stats', undefined],
  ] as const)('%s → %s', (pod, expected) => {
    expect(podWorkload(pod)).toBe(expected);
  });
});

describe('parseSlackAlert: properties', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const titles = fc.oneof(
    fc.string(),
    fc
      .tuple(fc.constantFrom('[FIRING:1] ', '[RESOLVED] ', '[FIRING:2, RESOLVED:1] ', ''), fc.string())
      .map(([p, s]) => p + s),
  );
  const attachment = fc.record(
    { title: fc.oneof(titles, json), text: fc.oneof(fc.string(), json), fields: fc.oneof(json, fc.array(json)) },
    { requiredKeys: [] },
  );

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(json, (value) => {
        parseSlackAlert(value as SlackAlertMessage);
      }),
    );
    fc.assert(
      fc.property(
        fc.record({
          bot_id: fc.oneof(fc.constant('B1'), json),
          subtype: fc.oneof(fc.constant(undefined), fc.constant('bot_message'), json),
          text: fc.oneof(titles, json),
          attachments: fc.oneof(fc.array(attachment, { maxLength: 3 }), json),
        }),
        (message) => {
          parseSlackAlert(message as unknown as SlackAlertMessage);
        },
      ),
    );
  });

  /** Any single-line value: Slack-escaped on the way in, read back exactly. */
  const value = fc
    .oneof(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 200 }))
    .filter((s) => !/[\r\n]/.test(s));

  it('round-trips label values exactly through Grafana sections', () => {
    fc.assert(
      fc.property(value, value, (service, summary) => {
        const text = `**Firing**\n\nValue: A=1\nLabels:\n - alertname = X\n - service = ${slackEscape(service)}\nAnnotations:\n - summary = ${slackEscape(summary)}\nSource: http://g/x\n`;
        const n = parseSlackAlert(grafanaPost('[FIRING:1] X', text));
        expect(n?.alerts[0]?.labels.service).toBe(service);
        expect(n?.alerts[0]?.annotations.summary).toBe(summary);
      }),
    );
  });

  it('round-trips label values exactly through quoted key=value text', () => {
    fc.assert(
      fc.property(value, (service) => {
        const quoted = `"${service.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        const n = parseSlackAlert({
          bot_id: 'B1',
          text: slackEscape(`alertname=X service=${quoted} severity=critical`),
        });
        expect(n?.alerts[0]?.labels).toEqual({ alertname: 'X', service, severity: 'critical' });
      }),
    );
  });
});
