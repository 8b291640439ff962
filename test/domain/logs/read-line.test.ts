import { describe, expect, it } from 'vitest';
import { messageOf, templateOf } from '../../../src/domain/logs/line-templates.js';
import { assembleEvents, levelOf, readStructured, unwrap } from '../../../src/domain/logs/read-line.js';
import type { LogLine } from '../../../src/domain/ports.js';

const docker = (log: string, stream = 'stderr') =>
  JSON.stringify({ log, stream, time: '2026-10-06T16:20:01.123456789Z' }).replace(/</g, '\\u003c');
const cri = (text: string, tag: 'P' | 'F' = 'F', stream = 'stdout') =>
  `2026-10-06T16:20:01.123456789Z ${stream} ${tag} ${text}`;

describe('unwrap', () => {
  it("takes off Docker's json-file record, Go's escapes included", () => {
    expect(unwrap(docker('ERROR <b> failed\n'))).toEqual({
      text: 'ERROR <b> failed',
      stream: 'stderr',
      partial: false,
    });
    expect(unwrap(docker('first 16 KiB of a long line')).partial).toBe(true);
  });

  it("takes off CRI's time, stream and tag", () => {
    expect(unwrap(cri('level=error msg="boom"'))).toEqual({
      text: 'level=error msg="boom"',
      stream: 'stdout',
      partial: false,
    });
    expect(unwrap(cri('{"message":"par', 'P')).partial).toBe(true);
  });

  it('leaves an application JSON line that merely has a log field alone', () => {
    const line = '{"log":{"level":"error"},"message":"boom"}';
    expect(unwrap(line)).toEqual({ text: line, partial: false });
  });
});

describe('readStructured', () => {
  it.each([
    ['{"msg":"a","level":"error"}', { message: 'a', level: 'error' }],
    ['{"message":"a","log.level":"ERROR"}', { message: 'a', level: 'ERROR' }],
    ['{"@message":"a","severity":"ERROR"}', { message: 'a', level: 'ERROR' }],
    ['{"event":"a","lvl":"warn"}', { message: 'a', level: 'warn' }],
    ['{"MESSAGE":"a","levelname":"ERROR"}', { message: 'a', level: 'ERROR' }],
    ['{"log":{"level":"error"},"message":"a"}', { message: 'a', level: 'error' }],
    [
      '{"level":50,"msg":"a","err":{"type":"TypeError","message":"x is undefined"}}',
      { message: 'a', level: 'error', error: 'x is undefined', errorType: 'TypeError' },
    ],
    [
      'time="2026-10-06T16:20:01Z" level=error msg="tax lookup failed" error="EOF"',
      { message: 'tax lookup failed', level: 'error', error: 'EOF' },
    ],
  ])('%s', (line, expected) => {
    expect(readStructured(line)).toEqual(expected);
  });

  it('reads the message of a JSON object cut short', () => {
    expect(
      readStructured('{"@timestamp":"x","message":"NullPointerException: boom","stack_trace":"java.lang.Null'),
    ).toEqual({
      message: 'NullPointerException: boom',
    });
  });

  it('is undefined for plain text', () => {
    expect(readStructured('2026-10-06 16:20:01 ERROR boom')).toBeUndefined();
  });
});

describe('levelOf', () => {
  it.each([
    ['2026-10-06T16:20:01.123Z ERROR 1 --- [app] [main] c.a.X : boom', 'error'],
    ['2026-10-06 16:20:01.123 [http-nio-8080-exec-1] WARN  c.a.X - slow', 'warn'],
    ['ERROR:notify.render:Failed to render', 'error'],
    ['2026-10-06 16:20:01,123 - quotes.fx - ERROR - failed', 'error'],
    ['2026/10/06 16:20:01 [error] 29#29: *1 connect() failed', 'error'],
    ['time="x" level=info msg="page rendered"', 'info'],
    ['E1006 16:20:01.123456       1 reflector.go:138] watch failed', 'error'],
    ['{"level":30,"msg":"listening"}', 'info'],
  ])('%s → %s', (line, level) => {
    expect(levelOf(line)).toBe(level);
  });
});

function lines(records: readonly [number, string][], labels: Record<string, string> = { pod: 'a-7c9d5b8f4-x2kqp' }) {
  return records.map(([time, line]): LogLine => ({ time, line, labels }));
}

describe('assembleEvents', () => {
  it('joins the physical lines of a stack trace Loki returned one by one, each in its Docker record', () => {
    const t = 1_790_000_000;
    const events = assembleEvents(
      lines([
        [t + 0.000001 * 3, docker('Caused by: java.net.ConnectException: Connection refused\n')],
        [t, docker('2026-10-06 16:20:01.123 [main] ERROR c.a.RateClient - Rate lookup failed\n')],
        [
          t + 0.000001,
          docker(
            'org.springframework.web.client.ResourceAccessException: I/O error on POST request for "http://rates-api:8080/v1": Connection refused\n',
          ),
        ],
        [
          t + 0.000002,
          docker(
            '\tat org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:915)\n',
          ),
        ],
        [t + 30, docker('2026-10-06 16:20:31.000 [main] ERROR c.a.LabelService - Label rejected\n')],
      ]),
    );
    expect(events).toHaveLength(2);
    expect(events[1]?.line.split('\n')).toHaveLength(4);
    expect(templateOf(events[1]?.line ?? '')).toBe(
      '[main] ERROR c.a.RateClient - Rate lookup failed: org.springframework.web.client.ResourceAccessException: I/O error on POST request for <str>: Connection refused',
    );
    expect(events[0]?.line).toBe('2026-10-06 16:20:31.000 [main] ERROR c.a.LabelService - Label rejected');
  });

  it("joins CRI's partial records into the line they split", () => {
    const json = JSON.stringify({
      message: 'Request processing failed: java.lang.NullPointerException',
      level: 'ERROR',
      stack_trace: 'x'.repeat(40),
    });
    const events = assembleEvents(
      lines([
        [100, cri(json.slice(0, 30), 'P')],
        [100.000001, cri(json.slice(30, 60), 'P')],
        [100.000002, cri(json.slice(60), 'F')],
      ]),
    );
    expect(events.map((e) => e.line)).toEqual([json]);
    expect(messageOf(events[0]?.line ?? '')).toContain('Request processing failed: java.lang.NullPointerException');
  });

  it('keeps streams apart: a frame joins the line before it in its own pod only', () => {
    const events = assembleEvents([
      { time: 1, line: 'ERROR boom', labels: { pod: 'a' } },
      { time: 1.0001, line: '\tat x.y(Z.java:1)', labels: { pod: 'a' } },
      { time: 1.00005, line: 'ERROR other', labels: { pod: 'b' } },
    ]);
    expect(events.map((e) => e.line).sort()).toEqual(['ERROR boom\n\tat x.y(Z.java:1)', 'ERROR other']);
  });

  it("puts V8's heap report before its FATAL ERROR line, so the message is the out-of-memory", () => {
    const events = assembleEvents(
      lines([
        [
          5,
          cri(
            '[1:0x6b2c000]   612345 ms: Mark-Compact (reduce) 2036.1 (2082.4) -> 2035.2 (2083.1) MB, allocation failure',
          ),
        ],
        [5.000001, cri('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')],
        [5.000002, cri(' 2: 0xf06460 v8::Utils::ReportOOMFailure(v8::internal::Isolate*) [node]')],
      ]),
    );
    expect(events).toHaveLength(1);
    expect(templateOf(events[0]?.line ?? '')).toBe(
      'Reached heap limit Allocation failed - JavaScript heap out of memory',
    );
  });

  it('starts a new event for a line written a second later, whatever it looks like', () => {
    const events = assembleEvents(
      lines([
        [1, 'ERROR a'],
        [3, '\tat x.y(Z.java:1)'],
      ]),
    );
    expect(events).toHaveLength(2);
  });
});

describe('templates and samples of wrapped lines', () => {
  it('groups messages, never wrappers, and shows the message', () => {
    const a = docker(
      '{"level":"error","msg":"token validation failed","error":"token is expired","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}\n',
    );
    const b = cri(
      '{"level":"error","msg":"token validation failed","error":"token is expired","trace_id":"00f067aa0ba902b7"}',
    );
    expect(templateOf(a)).toBe('token validation failed: token is expired');
    expect(templateOf(b)).toBe(templateOf(a));
    expect(messageOf(a)).toBe('token validation failed: token is expired');
  });

  it('names the exception under a Python log line with its traceback', () => {
    const event = [
      'ERROR:notify.render:Failed to render template order_shipped.html for order 804876',
      'Traceback (most recent call last):',
      '  File "/app/notify/render.py", line 52, in render',
      "jinja2.exceptions.UndefinedError: 'dict object' has no attribute 'tracking_url'",
    ].join('\n');
    expect(templateOf(event)).toBe(
      'notify.render:Failed to render template order_shipped.html for order <num>: jinja2.exceptions.UndefinedError: <str> has no attribute <str>',
    );
  });
});
