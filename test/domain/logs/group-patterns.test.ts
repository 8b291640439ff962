import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupPatterns, type LogSignature, MAX_SAMPLE_CHARS } from '../../../src/domain/logs/group-patterns.js';
import { messageOf, templateOf } from '../../../src/domain/logs/line-templates.js';
import { classifyLine, SIGNATURE_RULES } from '../../../src/domain/logs/signature-rules.js';
import { LINE_SIGNATURES } from '../../../src/domain/logs/signatures.js';
import type { LogLine } from '../../../src/domain/ports.js';
import { CORPUS, EXPECTED_COUNTS } from '../../fixtures/logs/corpus.js';

const asLogLines = (lines: readonly { line: string; time: number }[]): LogLine[] =>
  lines.map(({ line, time }) => ({ line, time, labels: {} }));

describe('templateOf', () => {
  it('groups the same message with different numbers together', () => {
    const a = templateOf('timeout after 5003ms on conn 17');
    expect(a).toBe(templateOf('timeout after 4999ms on conn 3'));
    expect(a).toBe('timeout after <num>ms on conn <num>');
  });

  it.each([
    ['took 1.5s at 42% cpu', 'took <num>s at <num>% cpu'],
    ['request 550e8400-e29b-41d4-a716-446655440000 failed', 'request <uuid> failed'],
    ['dial tcp 10.0.3.7:5432: connect: connection refused', 'dial tcp <ip>: connect: connection refused'],
    ['listen tcp [::1]:8080: bind: address already in use', 'listen tcp <ip>: bind: address already in use'],
    ['peer fe80::1ff:fe23:4567:890a unreachable', 'peer <ip> unreachable'],
    ['bad pointer 0x7f3a and object deadbeef42', 'bad pointer <hex> and object <hex>'],
    ['token eyJhbGciOiJIUzI1NiJ9Q2xhaW1zX3Rlc3Q9 rejected', 'token <id> rejected'],
    [`user 'alice' not found in "primary"`, 'user <str> not found in <str>'],
    ["can't connect to 'db-1'", "can't connect to <str>"],
    ['mail to bob.smith+x@example.co.uk bounced', 'mail to <email> bounced'],
    ['GET /search?q=shoes&page=2 failed', 'GET /search?q=<str>&page=<str> failed'],
    ['job started at 1793541802 finished', 'job started at <ts> finished'],
    ['retry in 1m30s', 'retry in <dur>'],
    ['2026-11-01T14:03:22.123Z ERROR disk full', 'disk full'],
    ['2026-11-01 14:03:22,123 WARN [main] disk full', '[main] disk full'],
    ['[2026-11-01T14:03:22Z] ERROR: disk full', 'disk full'],
    ['2026/11/01 14:03:22 [error] 31#31: *4521 disk full', 'disk full'],
    ['E1101 14:03:22.123456       1 reflector.go:138] watch failed', 'reflector.go:<num>] watch failed'],
    ['  lots   of\t whitespace  ', 'lots of whitespace'],
    ['v1 api on utf8 and accept4', 'v1 api on utf8 and accept4'],
    [
      '10.0.1.5 - - [01/Nov/2026:14:03:22 +0000] "GET /api/orders/123?x=1 HTTP/1.1" 502 157 "-" "curl/8.0"',
      '"GET /api/orders/<num>?x=<str>" 502',
    ],
  ])('%s → %s', (line, expected) => {
    expect(templateOf(line)).toBe(expected);
  });

  it('templates the first line of a stack trace with the exception under it (the last of a Python traceback)', () => {
    const java = 'Failed to render order 42\njava.lang.NullPointerException: boom\n\tat com.acme.A.b(A.java:1)';
    expect(templateOf(java)).toBe('Failed to render order <num>: java.lang.NullPointerException: boom');
    const named =
      'Render failed: java.lang.NullPointerException: boom\njava.lang.NullPointerException: boom\n\tat x(A.java:1)';
    expect(templateOf(named)).toBe('Render failed: java.lang.NullPointerException: boom');
    const python =
      'Traceback (most recent call last):\n  File "/app/x.py", line 3, in <module>\n    f()\nValueError: bad value 7';
    expect(templateOf(python)).toBe('ValueError: bad value <num>');
  });

  it('reduces pino, zap and logfmt lines to their message and error', () => {
    expect(
      templateOf(
        '{"level":50,"time":1793541802123,"msg":"call failed","err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.1:80"}}',
      ),
    ).toBe('call failed: connect ECONNREFUSED <ip>');
    expect(templateOf('{"level":"error","ts":1793541802.5,"msg":"query failed","error":"pq: deadlock detected"}')).toBe(
      'query failed: pq: deadlock detected',
    );
    expect(templateOf('ts=2026-11-01T14:03:22Z level=error msg="publish failed" err="EOF" attempt=3')).toBe(
      'publish failed: EOF',
    );
  });

  it('is idempotent and never throws (property)', () => {
    const pieces = fc.constantFrom(
      ' ',
      '\n',
      '"',
      "'",
      ':',
      '.',
      '-',
      '=',
      '?',
      '&',
      '[',
      ']',
      '{',
      '}',
      '<',
      '>',
      '#',
      '*',
      '@',
      '0x',
      '42',
      '7',
      'ms',
      'ERROR ',
      '[error] ',
      'msg=',
      '"msg":',
      '2026-11-01T14:03:22.123Z',
      '14:03:22',
      '01/Nov/2026:14:03:22 +0000',
      '10.0.3.7:5432',
      '::1',
      'deadbeef01',
      '550e8400-e29b-41d4-a716-446655440000',
      'dGhpcyBpcyBhIHRlc3Q0NTY3OA',
      'a@b.co',
      '<num>',
      'Exception',
      'utf8',
    );
    const lines = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(pieces, { maxLength: 60 }).map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(lines, (x) => {
        const t = templateOf(x);
        expect(templateOf(t)).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('finishes on long adversarial lines', () => {
    const adversarial = [
      'a'.repeat(100_000),
      'a.'.repeat(50_000),
      '1.'.repeat(50_000),
      '"\\'.repeat(50_000),
      "'".repeat(100_000),
      ':'.repeat(100_000),
      '0:'.repeat(50_000),
      'ab1='.repeat(25_000),
      `{"msg":"${'x'.repeat(99_990)}"}`,
      `msg=${'a=b '.repeat(25_000)}`,
      '1'.repeat(100_000),
      '[::'.repeat(33_000),
      'x@'.repeat(50_000),
      '?a='.repeat(33_000),
      'Ab1+/'.repeat(20_000),
      '\n'.repeat(100_000),
    ];
    for (const line of adversarial) {
      const t = templateOf(line);
      expect(t.length).toBeLessThanOrEqual(1000);
      classifyLine(line);
    }
    const [pattern] = groupPatterns(asLogLines([{ line: 'boom '.repeat(20_000), time: 1 }]));
    expect(pattern?.samples[0]?.length).toBe(MAX_SAMPLE_CHARS);
  });
});

describe('groupPatterns on the corpus', () => {
  const patterns = groupPatterns(asLogLines(CORPUS), { maxPatterns: 1000 });
  const byTemplate = new Map(patterns.map((p) => [p.template, p]));

  it('has a corpus of at least 200 lines from every runtime', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(CORPUS.map((l) => l.runtime))).toEqual(new Set(['java', 'node', 'go', 'nginx']));
  });

  it('produces exactly the expected groups with the expected counts', () => {
    const groupsOfTemplate = new Map<string, Set<string>>();
    const templatesOfGroup = new Map<string, Set<string>>();
    for (const { group, line } of CORPUS) {
      const t = templateOf(line);
      groupsOfTemplate.set(t, (groupsOfTemplate.get(t) ?? new Set()).add(group));
      templatesOfGroup.set(group, (templatesOfGroup.get(group) ?? new Set()).add(t));
    }
    // No template mixes groups, and no group is split over templates.
    for (const [t, groups] of groupsOfTemplate) expect([t, [...groups]]).toEqual([t, [...groups].slice(0, 1)]);
    for (const [g, templates] of templatesOfGroup) expect([g, [...templates]]).toEqual([g, [...templates].slice(0, 1)]);

    expect(patterns).toHaveLength(Object.keys(EXPECTED_COUNTS).length);
    const counts = Object.fromEntries(
      [...templatesOfGroup].map(([g, templates]) => [g, byTemplate.get([...templates][0] ?? '')?.count]),
    );
    expect(counts).toEqual(EXPECTED_COUNTS);
  });

  it('keeps at most 3 distinct samples per pattern, newest first, all from its own group', () => {
    const groupOfLine = new Map(CORPUS.map((l) => [messageOf(l.line).slice(0, MAX_SAMPLE_CHARS), l.group]));
    // Lines that differ only in their structured fields show the same message: the newest one's time is its time.
    const timeOfLine = new Map<string, number>();
    for (const l of CORPUS) {
      const shown = messageOf(l.line).slice(0, MAX_SAMPLE_CHARS);
      timeOfLine.set(shown, Math.max(timeOfLine.get(shown) ?? l.time, l.time));
    }
    for (const p of patterns) {
      expect(p.samples.length).toBeGreaterThan(0);
      expect(p.samples.length).toBeLessThanOrEqual(3);
      expect(new Set(p.samples).size).toBe(p.samples.length);
      expect(new Set(p.samples.map((s) => groupOfLine.get(s))).size).toBe(1);
      const times = p.samples.map((s) => timeOfLine.get(s) ?? Number.NaN);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(times[0]).toBe(p.lastSeen);
      expect(p.firstSeen).toBeLessThanOrEqual(p.lastSeen);
    }
  });

  it('keeps the full multi-line entry (stack trace) in samples', () => {
    const oom = patterns.find((p) => p.template.includes('Report generation failed'));
    expect(oom?.samples[0]).toContain('\njava.lang.OutOfMemoryError: Java heap space\n\tat ');
  });

  it('orders patterns by count, then by the newest line', () => {
    for (let i = 1; i < patterns.length; i++) {
      const [a, b] = [patterns[i - 1], patterns[i]];
      if (!a || !b) continue;
      expect(a.count > b.count || (a.count === b.count && a.lastSeen >= b.lastSeen)).toBe(true);
    }
  });

  it('returns the top 10 by default and honours maxPatterns and samplesPerPattern', () => {
    const lines = asLogLines(CORPUS);
    expect(groupPatterns(lines)).toEqual(patterns.slice(0, 10));
    const top = groupPatterns(lines, { maxPatterns: 2, samplesPerPattern: 1 });
    expect(top.map((p) => p.template)).toEqual(patterns.slice(0, 2).map((p) => p.template));
    expect(top.every((p) => p.samples.length === 1)).toBe(true);
    expect(groupPatterns([])).toEqual([]);
  });
});

describe('groupPatterns samples', () => {
  it('dedupes identical lines and keeps the newest three', () => {
    const lines = asLogLines([
      { line: 'timeout after 5ms on conn 1', time: 10 },
      { line: 'timeout after 5ms on conn 1', time: 30 },
      { line: 'timeout after 6ms on conn 1', time: 20 },
      { line: 'timeout after 7ms on conn 1', time: 5 },
      { line: 'timeout after 8ms on conn 1', time: 25 },
      { line: '   ', time: 99 },
    ]);
    expect(groupPatterns(lines)).toEqual([
      {
        template: 'timeout after <num>ms on conn <num>',
        count: 5,
        samples: ['timeout after 5ms on conn 1', 'timeout after 8ms on conn 1', 'timeout after 6ms on conn 1'],
        firstSeen: 5,
        lastSeen: 30,
      },
    ]);
  });
});

describe('classifyLine', () => {
  const cases: [string, LogSignature[]][] = [
    ['Error: connect ECONNREFUSED 127.0.0.1:6379', ['connection-refused']],
    ['java.net.ConnectException: Connection refused', ['connection-refused', 'exception']],
    ['dial tcp 10.0.3.7:5432: connect: connection refused', ['connection-refused', 'db-error']],
    ['dial tcp 10.0.5.2:9092: connect: connection refused', ['connection-refused']],
    [
      'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
      ['pool-timeout', 'timeout', 'db-error'],
    ],
    ['pool timeout: no connection became available', ['pool-timeout', 'timeout']],
    ['Knex: Timeout acquiring a connection. The pool is probably full.', ['pool-timeout', 'timeout']],
    ['QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30', ['pool-timeout', 'timeout']],
    ['java.lang.OutOfMemoryError: Java heap space', ['out-of-memory']],
    ['FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', ['out-of-memory']],
    ['fatal error: runtime: out of memory', ['out-of-memory']],
    ['container api terminated: reason OOMKilled exit code 137', ['out-of-memory']],
    [
      'http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 5ms',
      ['too-many-open-files'],
    ],
    ["Error: EMFILE: too many open files, open '/tmp/x'", ['too-many-open-files']],
    ['upstream returned 429 Too Many Requests', ['rate-limited']],
    ['rate limit exceeded for key tenant-7', ['rate-limited']],
    ['10.0.0.1 - - [01/Nov/2026:14:03:22 +0000] "GET /api/search HTTP/1.1" 429 60 "-" "curl"', ['rate-limited']],
    [
      'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory',
      ['out-of-memory', 'thread-exhaustion'],
    ],
    ['java.lang.OutOfMemoryError: unable to create new native thread', ['out-of-memory', 'thread-exhaustion']],
    ['java.util.concurrent.RejectedExecutionException: Task rejected from pool', ['exception', 'thread-exhaustion']],
    ['java.net.SocketTimeoutException: Read timed out', ['timeout', 'exception']],
    ['Get "http://pricing:8080/v1": context deadline exceeded', ['timeout']],
    ['read tcp 10.0.0.4:41234->10.0.0.9:6379: i/o timeout', ['timeout']],
    ['Traceback (most recent call last):\n  File "app.py", line 3\nKeyError: \'id\'', ['exception']],
    ['panic: runtime error: index out of range [3] with length 3', ['exception']],
    ["TypeError: Cannot read properties of undefined (reading 'id')", ['exception']],
    ['Failed to render order\njava.lang.NullPointerException\n\tat com.acme.A.b(A.java:12)', ['exception']],
    [
      '10.0.0.1 - - [01/Nov/2026:14:03:22 +0000] "GET /api/orders/1 HTTP/1.1" 502 157 "-" "curl/8.5.0"',
      ['upstream-5xx'],
    ],
    ['upstream service responded with status 503', ['upstream-5xx']],
    ['no live upstreams while connecting to upstream, client: 10.0.0.1', ['upstream-5xx', 'dependency-unavailable']],
    [
      '31#31: *4 upstream timed out (110: Connection timed out) while reading response header from upstream',
      ['timeout', 'upstream-5xx'],
    ],
    [
      '31#31: *4 connect() failed (111: Connection refused) while connecting to upstream',
      ['connection-refused', 'upstream-5xx'],
    ],
    ['Deadlock found when trying to get lock; try restarting transaction', ['deadlock']],
    ['fatal error: all goroutines are asleep - deadlock!', ['deadlock']],
    ['pq: deadlock detected', ['deadlock', 'db-error']],
    ['ERROR: duplicate key value violates unique constraint "orders_pkey"', ['db-error']],
    ['org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved', ['exception', 'db-error']],
    ['ORA-00060: deadlock detected while waiting for resource', ['deadlock', 'db-error']],
    ['user logged in', []],
    ['', []],
  ];

  it.each(cases)('%s', (line, expected) => {
    expect(classifyLine(line)).toEqual(expected);
  });

  it('has a rule for every signature, reported in table order', () => {
    expect(SIGNATURE_RULES.map((r) => r.signature)).toEqual([...LINE_SIGNATURES]);
  });

  it('classifies every corpus line as something', () => {
    const unclassified = CORPUS.filter(
      (l) => classifyLine(l.line).length === 0 && l.group !== 'node-pino-order-rejected',
    );
    expect(unclassified.map((l) => l.group)).toEqual([]);
  });
});
