import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  isSecretFieldName,
  redact,
  redactDeep,
  redactionMarker,
  type SecretKind,
} from '../../../src/domain/redaction/redact.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const SLACK_BOT = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PEM_BODY = 'MIIEowIBAAKCAQEAvN2Pu0Yx7s9kQ3r8Z1vKq0cXh4mW2J5tTqYb6ZfE9dLx';
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\nq7vR2mN8pL0wXy3zA1bC4dE5fG6hI7jK8lM9nO0pQ1rS2tU3vW4xY5zA6bC7dE8f\n-----END RSA PRIVATE KEY-----`;

/** [input, kind whose marker must appear, secret that must be gone] */
const SECRETS: [string, SecretKind, string][] = [
  // Authorization headers and bearer tokens
  ['Authorization: Bearer abc123def456ghi789', 'bearer', 'abc123def456ghi789'],
  ['authorization: bearer 9f8e7d6c5b4a39281706', 'bearer', '9f8e7d6c5b4a39281706'],
  ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'authorization', 'dXNlcjpwYXNzd29yZA=='],
  [
    'Authorization: Token ghp_16C7e42F292c6912E7710c838347Ae178B4a',
    'authorization',
    'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
  ],
  ['Proxy-Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'authorization', 'YWxhZGRpbjpvcGVuc2VzYW1l'],
  ['{"headers":{"authorization":"Bearer sk_live_51HxYzAbCdEf"}}', 'bearer', 'sk_live_51HxYzAbCdEf'],
  ['map[Accept:[*/*] Authorization:[Bearer abc123def456]]', 'bearer', 'abc123def456'],
  ['curl -H "Authorization: Bearer ya29.a0AfH6SMBx3k2" https://api.example.com', 'bearer', 'ya29.a0AfH6SMBx3k2'],
  [
    'Authorization: Digest username="bob", realm="api", response="6629fae49393a05397450978507c4ef1"',
    'authorization',
    '6629fae49393a05397450978507c4ef1',
  ],
  ['Authorization: 2f1c8a7b9e0d4c3b2a1f0e9d8c7b6a5f', 'authorization', '2f1c8a7b9e0d4c3b2a1f0e9d8c7b6a5f'],
  ['upstream rejected Bearer 8a7b6c5d4e3f2a1b0c9d, retrying', 'bearer', '8a7b6c5d4e3f2a1b0c9d'],
  ['sending bearer 0123456789abcdef to upstream', 'bearer', '0123456789abcdef'],
  // Slack
  [`slack client init token=${SLACK_BOT}`, 'slack-token', SLACK_BOT],
  [
    'SLACK_USER_TOKEN=xoxp-1234567890-0987654321-1122334455-abcdef0123456789',
    'slack-token',
    'xoxp-1234567890-0987654321',
  ],
  ['legacy xoxa-2-1234567890-abcdefABCDEF in config', 'slack-token', 'xoxa-2-1234567890-abcdefABCDEF'],
  ['refresh xoxr-1234567890-ABCDEFabcdef1234 rotated', 'slack-token', 'xoxr-1234567890-ABCDEFabcdef1234'],
  ['xoxs-9876543210-1234567890-abcdef0123', 'slack-token', 'xoxs-9876543210-1234567890-abcdef0123'],
  ['SLACK_APP_TOKEN=xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef', 'slack-token', 'xapp-1-A0123456789'],
  // AWS
  ['export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'aws-access-key', 'AKIAIOSFODNN7EXAMPLE'],
  [
    '{"AccessKeyId": "ASIAY34FZKBOKMUTVV7A", "Expiration": "2026-01-01T00:00:00Z"}',
    'aws-access-key',
    'ASIAY34FZKBOKMUTVV7A',
  ],
  [`aws_secret_access_key = ${AWS_SECRET}`, 'aws-secret-key', AWS_SECRET],
  [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, 'aws-secret-key', AWS_SECRET],
  [`{"SecretAccessKey": "${AWS_SECRET}"}`, 'aws-secret-key', AWS_SECRET],
  // PEM
  [PEM, 'private-key', PEM_BODY],
  [`key loaded: ${PEM} ok`, 'private-key', PEM_BODY],
  [`-----BEGIN PRIVATE KEY-----\\n${PEM_BODY}\\n-----END PRIVATE KEY-----`, 'private-key', PEM_BODY],
  [`-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY}\n(truncated)`, 'private-key', PEM_BODY],
  // JWT
  [JWT, 'jwt', JWT],
  [`GET /callback?id_token=${JWT}&state=xyz`, 'jwt', JWT],
  [`{"jwt":"${JWT}"}`, 'jwt', JWT],
  // URL passwords
  ['postgres://user:s3cr3t@db:5432/x', 'url-password', 's3cr3t'],
  ['REDIS_URL=redis://:p@ssw0rd@cache:6379/0', 'url-password', 'p@ssw0rd'],
  ['jdbc:mysql://app:Sup3rS3cret!@mysql.internal:3306/orders', 'url-password', 'Sup3rS3cret!'],
  ['amqp://guest:guest123@rabbit:5672/', 'url-password', 'guest123'],
  ['mongodb+srv://admin:Mongo%40Pass@cluster0.example.net/db', 'url-password', 'Mongo%40Pass'],
  // key=value, key: value, JSON fields
  ['password=hunter2 user=bob', 'secret-field', 'hunter2'],
  ['DB_PASSWORD: "correct horse battery staple"', 'secret-field', 'correct horse battery staple'],
  ['{"api_key": "abcd1234efgh"}', 'secret-field', 'abcd1234efgh'],
  ["{'client_secret': 'cs_9f8e7d'}", 'secret-field', 'cs_9f8e7d'],
  ['X-Api-Key: 4f3c2b1a0987', 'secret-field', '4f3c2b1a0987'],
  ['apiKey=zzTopSecret42&page=2', 'secret-field', 'zzTopSecret42'],
  ['spring.datasource.password=Pr0dPass', 'secret-field', 'Pr0dPass'],
  ['{\\"password\\":\\"nested-json-pass\\"}', 'secret-field', 'nested-json-pass'],
  ['Cookie: session=8f7e6d5c; theme=dark; csrftoken=abc999', 'secret-field', 'abc999'],
  ['Set-Cookie: sid=s%3Aabc123def; Path=/; HttpOnly', 'secret-field', 's%3Aabc123def'],
  ['private_key: MIIBVwIBADANBgkq', 'secret-field', 'MIIBVwIBADANBgkq'],
  ['credentials=dXNlcjpwYXNz', 'secret-field', 'dXNlcjpwYXNz'],
  ['{"accessToken":"at-5a4b3c2d1e"}', 'secret-field', 'at-5a4b3c2d1e'],
  // e-mail
  ['user bob.smith+alerts@example.co.uk logged in', 'email', 'bob.smith+alerts@example.co.uk'],
  ['mailto:ops-team@corp.example.com', 'email', 'ops-team@corp.example.com'],
  // cards
  ['charge failed for card 4111 1111 1111 1111 (visa)', 'card', '4111 1111 1111 1111'],
  ['pan=5555555555554444', 'card', '5555555555554444'],
  ['amex 3782-822463-10005 declined', 'card', '3782-822463-10005'],
  ['card_number: 6011-1111-1111-1117', 'card', '6011-1111-1111-1117'],
  ['diners 30569309025904 ok', 'card', '30569309025904'],
  // log-line contexts
  [
    '2026-01-15 10:00:00.123 ERROR [main] c.e.db.Pool - Connection failed: jdbc:postgresql://orders:Ord3rsPw@db:5432/orders',
    'url-password',
    'Ord3rsPw',
  ],
  [
    '2026-01-15 10:00:00,123 WARN  o.s.w.c.RestTemplate - Request headers {Authorization=Bearer tk_abcdef0123456789}',
    'bearer',
    'tk_abcdef0123456789',
  ],
  [
    '{"level":"error","time":1768471200000,"msg":"upstream 401","req":{"headers":{"x-api-key":"sk-proj-AbC123"}}}',
    'secret-field',
    'sk-proj-AbC123',
  ],
  [
    `[2026-01-15T10:00:00.000Z] ERROR (checkout/4211): token refresh failed {"refresh_token":"rt_1a2b3c4d5e"}`,
    'secret-field',
    'rt_1a2b3c4d5e',
  ],
  [
    'time="2026-01-15T10:00:00Z" level=error msg="login failed" email=jane.doe@example.org',
    'email',
    'jane.doe@example.org',
  ],
  [
    'level=info ts=2026-01-15T10:00:00Z caller=client.go:88 msg="dial" dsn="postgres://svc:GoPa55@pg:5432/app"',
    'url-password',
    'GoPa55',
  ],
  [
    '10.0.0.7 - - [15/Jan/2026:10:00:00 +0000] "GET /api/login?user=bob&password=ngx_Secret1 HTTP/1.1" 200 512 "-" "curl/8.5.0"',
    'secret-field',
    'ngx_Secret1',
  ],
  [
    '10.0.0.7 - - [15/Jan/2026:10:00:00 +0000] "GET /hook?access_token=ghs_abcdef123456 HTTP/1.1" 403 0',
    'secret-field',
    'ghs_abcdef123456',
  ],
];

const LOOK_ALIKES: string[] = [
  'request_id=7f9c2b1e-4d3a-4b8c-9e1f-0a2b3c4d5e6f',
  'trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7',
  'commit 3f2a9c1b7d4e8f6a0b5c2d9e1f3a7b8c4d6e0f12',
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
  '2026-01-15T10:00:00.123Z',
  '2026-01-15T10:00:00+02:00 started',
  'ts=1768471200 ts_ms=1768471200123 ts_ns=1768471200123456789',
  'client 192.168.1.10 connected to 10.0.0.1:8080',
  'ipv6 [2001:db8::1]:443 reachable',
  'p99 latency 1.25s (was 250ms), timeout after 30s, uptime 3h12m',
  'order 4111111111111112 total 129.99',
  'id 1234567890123456 not found',
  'values 4 5 6 7 8 1 2 3 4 5 6 7 8',
  '\tat com.foo.Bar.baz(Bar.java:42)',
  '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
  'Caused by: java.lang.IllegalStateException: pool exhausted (com.zaxxer.hikari.HikariPool@5e9f23b4)',
  '    at Object.<anonymous> (/app/node_modules/express@4.21.2/lib/router/index.js:284:15)',
  'goroutine 42 [running]:\nmain.(*Server).handle(0xc000123456, 0x7f3a2c)\n\t/go/src/app/server.go:118 +0x1a5',
  'panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV addr=0x0 pc=0x7f3a2c]',
  '/var/log/nginx/access.log rotated to /var/log/nginx/access.log.1',
  'C:\\Users\\svc\\AppData\\Local\\Temp\\triage-1234.tmp',
  'https://grafana.example.com:3000/d/abc123/checkout?orgId=1&from=now-1h',
  'http://localhost:9090/api/v1/query_range?query=up&start=1768471200&end=1768474800&step=15',
  'sum(rate(http_requests_total{job="checkout",status=~"5.."}[5m])) by (route)',
  'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{service="auth"}[5m])) by (le))',
  'password reset succeeded for user 42',
  'token bucket refilled (capacity=100, rate=10/s)',
  'Authorization failed for user 42',
  'authorization: denied',
  'Bearer tokens must be rotated every 90 days',
  'auth service returned 503',
  'token_bucket_size=100 password_reset_count=3 max_tokens=4096',
  'session started, session count 12',
  '"token_type": "Bearer", "expires_in": 3600',
  '"password": null, "token": ""',
  'version 1.22.3-alpine, node v20.12.2, go1.22.5, chart checkout-2.3.11',
  'image: registry.example.com/team/checkout:2.3.11',
  'memory at 0x7f3a2c1b0000, heap 0xc000010000',
  'git@github.com:example/triage.git',
  'npm install @slack/bolt@4.1.0',
  'github.com/prometheus/client_golang@v1.20.5',
  'user@localhost denied',
  'phone +4915112345678 and +1 555-123-4567',
  'date 2026-01-15 time 10:00:00 zone +0000',
  'ISBN 978-3-16-148410-0',
  'key=cache:user:42 hit=true',
  'secret_name=db-credentials-ref namespace=prod',
  'AKIA is the prefix of an AWS access key id',
  'xoxb- tokens are bot tokens',
  'eyJ is how base64 JSON starts',
  '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----',
  '127.0.0.1 - - [15/Jan/2026:10:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.30"',
  'level=info ts=2026-01-15T10:00:00.000Z caller=main.go:42 msg="listening" addr=:8080',
  '{"level":30,"time":1768471200000,"pid":4211,"hostname":"checkout-7d9f","msg":"request completed","responseTime":12}',
  'https://user@example.com/path is a URL',
];

const marker = (kind: SecretKind) => redactionMarker(kind);

describe('redact: realistic secrets', () => {
  it('has at least 50 rows', () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(SECRETS)('%s', (input, kind, secret) => {
    const out = redact(input);
    expect(out).toContain(marker(kind));
    expect(out).not.toContain(secret);
    expect(redact(out)).toBe(out);
  });

  it('keeps the surrounding text', () => {
    expect(redact('Authorization: Bearer abc123def456ghi789')).toBe('Authorization: Bearer [redacted:bearer]');
    expect(redact('password=hunter2 user=bob')).toBe('password=[redacted:secret-field] user=bob');
    expect(redact('postgres://user:s3cr3t@db:5432/x')).toBe('postgres://user:[redacted:url-password]@db:5432/x');
    expect(redact('{"api_key": "abcd1234efgh", "n": 1}')).toBe('{"api_key": "[redacted:secret-field]", "n": 1}');
    expect(redact(`a ${PEM} b`)).toBe('a [redacted:private-key] b');
    expect(redact(`Bearer ${JWT}`)).toBe('Bearer [redacted:jwt]');
    expect(redact('card 4111 1111 1111 1111 exp 12/25')).toBe('card [redacted:card] exp 12/25');
  });
});

describe('redact: look-alikes survive', () => {
  it('has at least 50 rows', () => {
    expect(LOOK_ALIKES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(LOOK_ALIKES)('%s', (input) => {
    expect(redact(input)).toBe(input);
  });
});

describe('redact: linear time on adversarial input', () => {
  const N = 50_000;
  const cases: [string, string][] = [
    ['long word', 'a'.repeat(N)],
    ['key run without separator', `${'password'.repeat(N / 8)} x`],
    ['many separators', 'password:'.repeat(N / 9)],
    ['spaces after authorization', `Authorization:${' '.repeat(N)}x`],
    ['spaces after bearer', `Bearer${' '.repeat(N)}`],
    ['digits separated by spaces', '1 '.repeat(N)],
    ['digits separated by dashes', '4-'.repeat(N)],
    ['long digit run', '4'.repeat(N)],
    ['email local part without domain', `${'a.'.repeat(N)}@`],
    ['email domain without tld', `a@${'b.'.repeat(N)}1`],
    ['at signs', '@a'.repeat(N)],
    ['url without @', `https://user:${'p'.repeat(N)}`],
    ['many schemes', 'a://b:'.repeat(N / 6)],
    ['pem begin without end', `-----BEGIN PRIVATE KEY-----${'A'.repeat(N)}`],
    ['many pem begins', '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(N / 32)],
    ['jwt-ish dots', `eyJ${'a.'.repeat(N)}`],
    ['quoted value never closed', `"password": "${'x'.repeat(N)}`],
    ['backslashes', `password="${'\\'.repeat(N)}`],
    ['slack prefix repeated', 'xoxb-'.repeat(N / 5)],
    ['dotted keys', `${'a.'.repeat(N)}=`],
  ];
  it.each(cases)('%s', (_name, input) => {
    const out = redact(input);
    expect(typeof out).toBe('string');
  });
});

describe('createRedactor: extra patterns', () => {
  it('accepts a regular-expression source string', () => {
    const r = createRedactor({ extraPatterns: [{ kind: 'internal-token', pattern: 'itk_[a-z0-9]{8}' }] });
    expect(r('using itk_ab12cd34 for call')).toBe('using [redacted:internal-token] for call');
    expect(r('password=x1')).toBe('password=[redacted:secret-field]');
  });

  it('accepts a RegExp (without needing the g flag) and defaults the kind to custom', () => {
    const r = createRedactor({ extraPatterns: [{ pattern: /\bINC-\d{4,}\b/i }] });
    expect(r('see inc-12345 and INC-67890')).toBe('see [redacted:custom] and [redacted:custom]');
    expect(r(r('see inc-12345'))).toBe('see [redacted:custom]');
  });

  it('never rewrites existing markers and sanitizes the kind', () => {
    const r = createRedactor({ extraPatterns: [{ kind: 'My Thing!', pattern: /secret|field|redacted/ }] });
    expect(r('password=abc secret')).toBe('password=[redacted:secret-field] [redacted:my-thing]');
  });

  it('leaves the default redactor alone', () => {
    createRedactor({ extraPatterns: [{ pattern: 'hello' }] });
    expect(redact('hello')).toBe('hello');
  });
});

describe('createRedactor: remembered answers', () => {
  it('gives the same answer for a string it has seen, across redactors with different patterns', () => {
    const plain = createRedactor();
    const strict = createRedactor({ extraPatterns: [{ kind: 'team-code', pattern: /\bteam-[a-z]+\b/ }] });
    const text = 'retrying team-orion with password=hunter2';
    expect(plain(text)).toBe('retrying team-orion with password=[redacted:secret-field]');
    expect(strict(text)).toBe('retrying [redacted:team-code] with password=[redacted:secret-field]');
    expect(plain(text)).toBe('retrying team-orion with password=[redacted:secret-field]');
  });

  it('still redacts after thousands of other strings have come and gone', () => {
    const r = createRedactor();
    const secret = `key sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`;
    expect(r(secret)).toBe('key [redacted:stripe-key]');
    for (let i = 0; i < 10_000; i++) r(`step ${i} ok`);
    expect(r(secret)).toBe('key [redacted:stripe-key]');
    const long = `${'x'.repeat(300)} password=hunter2`;
    expect(r(long)).toBe(`${'x'.repeat(300)} password=[redacted:secret-field]`);
    expect(r(long)).toBe(r(long));
  });
});

describe('redactDeep', () => {
  it('redacts strings in nested objects and arrays and returns a new value', () => {
    const when = new Date('2026-01-15T10:00:00Z');
    const input = {
      summary: 'db down: postgres://app:pw123456@db/x',
      nested: { lines: ['ok', `token ${SLACK_BOT}`], count: 3, when },
      password: 'hunter2',
      apiKey: 12345,
      authorization: 'Basic dXNlcjpwYXNz',
      token: null,
      empty: '',
    };
    const out = redactDeep(input);
    expect(out).toEqual({
      summary: 'db down: postgres://app:[redacted:url-password]@db/x',
      nested: { lines: ['ok', 'token [redacted:slack-token]'], count: 3, when },
      password: '[redacted:secret-field]',
      apiKey: '[redacted:secret-field]',
      authorization: '[redacted:secret-field]',
      token: null,
      empty: '',
    });
    expect(out).not.toBe(input);
    expect(out.nested).not.toBe(input.nested);
    expect(input.password).toBe('hunter2');
    expect(out.nested.when).toBe(when);
  });

  it('uses the given redactor and handles cycles', () => {
    const r = createRedactor({ extraPatterns: [{ pattern: 'foo' }] });
    const cyclic: { a: string; self?: unknown } = { a: 'foo bar' };
    cyclic.self = cyclic;
    const out = redactDeep(cyclic, r);
    expect(out.a).toBe('[redacted:custom] bar');
    expect(out.self).toBe(out);
    expect(redactDeep('plain foo', r)).toBe('plain [redacted:custom]');
  });
});

describe('isSecretFieldName', () => {
  it.each(['password', 'DB_PASSWORD', 'x-api-key', 'apiKey', 'client_secret', 'accessToken', 'Set-Cookie', 'auth'])(
    '%s is secret',
    (name) => expect(isSecretFieldName(name)).toBe(true),
  );
  it.each(['token_bucket_size', 'password_reset_count', 'author', 'max_tokens', 'secret_name', 'session_count'])(
    '%s is not secret',
    (name) => expect(isSecretFieldName(name)).toBe(false),
  );
});

// ---------------------------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------------------------

const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;

const base64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** Random surrounding text, always separated from the secret by whitespace. */
const surrounding = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }));
const embed = (secret: fc.Arbitrary<string>) =>
  fc
    .tuple(surrounding, fc.constantFrom(' ', '\n', '\t'), secret, fc.constantFrom(' ', '\n', '\t'), surrounding)
    .map(([before, s1, value, s2, after]) => ({ value, text: `${before}${s1}${value}${s2}${after}` }));

const slackToken = fc
  .tuple(
    fc.constantFrom('xoxb', 'xoxp', 'xoxa', 'xoxr', 'xoxs'),
    chars(DIGITS, 10, 13),
    chars(DIGITS, 10, 13),
    chars(ALNUM, 24, 32),
  )
  .map(([p, a, b, c]) => `${p}-${a}-${b}-${c}`);
const slackAppToken = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    chars(UPPER + DIGITS, 11, 11),
    chars(DIGITS, 13, 13),
    chars(LOWER + DIGITS, 64, 64),
  )
  .map(([n, a, b, c]) => `xapp-${n}-${a}-${b}-${c}`);
const awsAccessKey = fc
  .tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER + DIGITS, 16, 16))
  .map(([p, rest]) => `${p}${rest}`);
const jsonObject = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
  minKeys: 1,
  maxKeys: 4,
});
const jwtHeader = fc
  .tuple(fc.constantFrom('HS256', 'RS256', 'ES256', 'none'), fc.option(fc.constant('JWT')), jsonObject)
  // Built by hand so that "alg" comes first even when a random key looks like an array index.
  .map(([alg, typ, extra]) =>
    [['alg', alg], ...(typ === null ? [] : [['typ', typ]]), ...Object.entries(extra)]
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join(','),
  )
  .map((fields) => `{${fields}}`);
const jwt = fc
  .tuple(jwtHeader, jsonObject, fc.uint8Array({ minLength: 16, maxLength: 64 }))
  .map(
    ([header, payload, sig]) =>
      `${base64url(header)}.${base64url(JSON.stringify(payload))}.${Buffer.from(sig).toString('base64url')}`,
  );
const bearerToken = fc
  .tuple(chars(`${B64URL}.~+/`, 20, 60), fc.constantFrom('', '=', '=='))
  .map(([t, pad]) => `${t}${pad}`);
const urlPassword = chars(`${ALNUM}!$%^*_~.-`, 8, 24);
const luhnCard = fc
  .tuple(
    fc.integer({ min: 2, max: 6 }),
    fc.integer({ min: 13, max: 19 }).chain((len) => chars(DIGITS, len - 2, len - 2)),
    fc.constantFrom('', ' ', '-'),
  )
  .map(([first, middle, sep]) => {
    const body = `${first}${middle}`;
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let n = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) {
        n *= 2;
        if (n > 9) n -= 9;
      }
      sum += n;
    }
    const digits = `${body}${(10 - (sum % 10)) % 10}`;
    if (sep === '') return digits;
    const groups = digits.match(/\d{1,4}/g) ?? [];
    const tail = groups[groups.length - 1] ?? '';
    if (tail.length < 3 && groups.length > 1) {
      groups.pop();
      groups[groups.length - 1] += tail;
    }
    return groups.join(sep);
  });
const email = fc
  .tuple(
    chars(`${LOWER}${DIGITS}`, 1, 1),
    chars(`${LOWER}${DIGITS}._+-`, 0, 16),
    fc.array(chars(`${LOWER}${DIGITS}`, 1, 12), { minLength: 1, maxLength: 3 }),
    chars(LOWER, 2, 6),
  )
  .map(([a, local, labels, tld]) => `${a}${local}@${labels.join('.')}.${tld}`);
const pemBody = fc.array(chars(B64, 64, 64), { minLength: 1, maxLength: 6 });
const pem = fc
  .tuple(
    fc.constantFrom('', 'RSA ', 'EC ', 'DSA ', 'OPENSSH ', 'ENCRYPTED '),
    pemBody,
    fc.constantFrom('\n', '\r\n', '\\n'),
  )
  .map(([label, lines, nl]) => ({
    block: `-----BEGIN ${label}PRIVATE KEY-----${nl}${lines.join(nl)}${nl}-----END ${label}PRIVATE KEY-----`,
    first: lines[0] ?? '',
  }));

describe('redact: properties', () => {
  it.each<[string, fc.Arbitrary<string>, SecretKind]>([
    ['slack tokens', slackToken, 'slack-token'],
    ['slack app tokens', slackAppToken, 'slack-token'],
    ['aws access keys', awsAccessKey, 'aws-access-key'],
    ['jwts', jwt, 'jwt'],
    ['cards', luhnCard, 'card'],
    ['emails', email, 'email'],
  ])('%s embedded in random text never survive', (_name, secret, kind) => {
    fc.assert(
      fc.property(embed(secret), ({ value, text }) => {
        const out = redact(text);
        expect(out).not.toContain(value);
        expect(out).toContain(marker(kind));
      }),
      { numRuns: 1000 },
    );
  });

  it('bearer headers never survive', () => {
    fc.assert(
      fc.property(
        bearerToken,
        fc.constantFrom('Authorization: Bearer ', 'authorization: bearer ', 'Bearer ', '"Authorization":"Bearer '),
        surrounding,
        (token, prefix, after) => {
          const out = redact(`${prefix}${token} ${after}`);
          expect(out).not.toContain(token);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('aws secret keys labelled as such never survive', () => {
    fc.assert(
      fc.property(
        chars(B64, 40, 40),
        fc.constantFrom('aws_secret_access_key=', 'AWS_SECRET_ACCESS_KEY: ', '"SecretAccessKey": "'),
        surrounding,
        (key, label, after) => {
          const out = redact(`${label}${key} ${after}`);
          expect(out).not.toContain(key);
          // a quoted value with more after the key is redacted whole, as a secret field
          expect(out).toMatch(/\[redacted:(aws-secret-key|secret-field)\]/);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('url passwords never survive', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('postgres', 'mysql', 'redis', 'amqp', 'https', 'mongodb+srv'),
        chars(`${LOWER}${DIGITS}`, 0, 10),
        urlPassword,
        fc.array(chars(LOWER, 1, 8), { minLength: 1, maxLength: 3 }),
        surrounding,
        surrounding,
        (scheme, user, password, host, before, after) => {
          const url = `${scheme}://${user}:${password}@${host.join('.')}:5432/db`;
          const out = redact(`${before} ${url} ${after}`);
          expect(out).not.toContain(`:${password}@`);
          expect(out).toContain(marker('url-password'));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('pem private keys never survive', () => {
    fc.assert(
      fc.property(pem, surrounding, surrounding, ({ block, first }, before, after) => {
        const out = redact(`${before}\n${block}\n${after}`);
        expect(out).not.toContain(first);
        expect(out).toContain(marker('private-key'));
      }),
      { numRuns: 500 },
    );
  });

  const secretText = fc
    .array(
      fc.oneof(
        surrounding,
        slackToken,
        awsAccessKey,
        jwt,
        luhnCard,
        email,
        bearerToken.map((t) => `Authorization: Bearer ${t}`),
        urlPassword.map((p) => `postgres://u:${p}@db/x`),
        pem.map((p) => p.block),
        fc.constantFrom('password=', 'token: ', '"api_key": "', "'secret': '", '{\\"password\\":\\"', 'Cookie: '),
        fc.constantFrom('[redacted:jwt]', 'Bearer ', '@', ':', '=', '"', "'", '-', ' ', '4111', '\\'),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join(''));

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(secretText, fc.string({ unit: 'grapheme-ascii', maxLength: 80 })), (text) => {
        const once = redact(text);
        expect(redact(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });

  const safeWord = fc.oneof(
    fc.constantFrom(
      'checkout',
      'error',
      'latency',
      'p99',
      'GET',
      '/api/v1/orders',
      'status=500',
      'took',
      'ms',
      'retrying',
      'upstream',
      'pod',
      'checkout-7d9f',
      'password',
      'token',
      'bearer',
      'auth',
      'secret',
      'session',
      'at',
      'com.foo.Bar.baz(Bar.java:42)',
      '10.0.0.1',
      '2026-01-15T10:00:00Z',
      '0x7f3a2c',
      'v1.2.3',
    ),
    chars(LOWER, 1, 10),
    fc.integer({ min: 0, max: 999_999 }).map(String),
    fc.double({ min: 0, max: 1000, noNaN: true }).map((n) => n.toFixed(2)),
  );

  it('text made of safe words and numbers survives unchanged', () => {
    fc.assert(
      fc.property(fc.array(safeWord, { maxLength: 20 }), fc.constantFrom(' ', ', ', '\n'), (words, sep) => {
        const text = words.join(sep);
        expect(redact(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
