import { afterEach, describe, expect, it, vi } from 'vitest';
import { Readiness } from '../../src/app/readiness.js';
import {
  backoffDelay,
  checkSlackToken,
  checkSources,
  classifySlackStartupError,
  probeSource,
} from '../../src/app/startup-checks.js';
import { StartupError } from '../../src/app/startup-error.js';

const platform = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });
const http = (statusCode: number) =>
  Object.assign(new Error(`HTTP ${statusCode}`), {
    code: 'slack_webapi_http_error',
    statusCode,
  });
const network = () =>
  Object.assign(new Error('A request error occurred: connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'slack_webapi_request_error',
  });

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('classifySlackStartupError', () => {
  it.each(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'])(
    'ends start-up on %s, naming SLACK_BOT_TOKEN and the fix',
    (code) => {
      const verdict = classifySlackStartupError(platform(code), 'https://slack.com/api/');
      expect(verdict.retry).toBe(false);
      if (verdict.retry) return;
      expect(verdict.error).toBeInstanceOf(StartupError);
      expect(verdict.error.variable).toBe('SLACK_BOT_TOKEN');
      expect(verdict.error.message).toContain(`Slack rejected SLACK_BOT_TOKEN (${code})`);
      expect(verdict.error.message).toMatch(/OAuth & Permissions/);
    },
  );

  it('ends start-up on any other non-retryable answer', () => {
    const verdict = classifySlackStartupError(platform('team_added_to_org'), 'https://slack.com/api/');
    expect(verdict.retry).toBe(false);
  });

  it('names SLACK_API_URL when the API answers a 4xx', () => {
    const verdict = classifySlackStartupError(http(404), 'http://wrong.example/api/');
    expect(verdict.retry).toBe(false);
    if (!verdict.retry) {
      expect(verdict.error.variable).toBe('SLACK_API_URL');
      expect(verdict.error.message).toContain('http://wrong.example/api/ answered HTTP 404');
    }
  });

  it.each([
    ['a network error', network()],
    ['HTTP 500', http(500)],
    ['HTTP 503', http(503)],
    ['HTTP 429', http(429)],
    ['ratelimited', platform('ratelimited')],
    ['internal_error', platform('internal_error')],
    ['a rate-limit error', Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error' })],
  ])('retries on %s', (_name, err) => {
    expect(classifySlackStartupError(err, 'https://slack.com/api/').retry).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap, with at most 20% jitter', () => {
    const b = { baseMs: 1000, capMs: 15_000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(b, n, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 15_000, 15_000,
    ]);
    expect(backoffDelay(b, 0, () => 0)).toBe(800);
    expect(backoffDelay(b, 20, () => 1)).toBe(18_000);
  });
});

describe('checkSlackToken', () => {
  afterEach(() => vi.useRealTimers());

  it('retries while Slack is out of reach, says why in readiness, and resolves when Slack answers', async () => {
    vi.useFakeTimers();
    const answers: (() => Promise<unknown>)[] = [
      () => Promise.reject(network()),
      () => Promise.reject(http(500)),
      () => Promise.resolve({ ok: true, user_id: 'U1', bot_id: 'B1', team_id: 'T1' }),
    ];
    const calls: number[] = [];
    const client = {
      auth: {
        test: () => {
          calls.push(Date.now());
          return (answers.shift() ?? answers[0])?.() ?? Promise.reject(new Error('no answer'));
        },
      },
    };
    const readiness = new Readiness();
    const { lines, logger } = recordingLogger();
    const done = checkSlackToken({
      // biome-ignore lint/suspicious/noExplicitAny: a fake with only auth.test
      client: client as any,
      apiUrl: 'https://slack.com/api/',
      readiness,
      logger,
      backoff: { baseMs: 1000, capMs: 4000 },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(readiness.ready).toBe(false);
    expect(readiness.why()[0]).toMatch(/^slack: Slack is out of reach \(A request error occurred/);
    await vi.advanceTimersByTimeAsync(1300);
    expect(readiness.why()[0]).toBe('slack: Slack answered HTTP 500 to auth.test');
    await vi.advanceTimersByTimeAsync(2500);
    await expect(done).resolves.toEqual({ botUserId: 'U1', botId: 'B1', teamId: 'T1' });
    expect(readiness.ready).toBe(true);
    expect(calls).toHaveLength(3);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('rejects at once with StartupError when the token is rejected', async () => {
    const client = { auth: { test: vi.fn(() => Promise.reject(platform('invalid_auth'))) } };
    const { logger } = recordingLogger();
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: a fake with only auth.test
      checkSlackToken({ client: client as any, apiUrl: 'x', readiness: new Readiness(), logger }),
    ).rejects.toThrow(/Slack rejected SLACK_BOT_TOKEN \(invalid_auth\)/);
    expect(client.auth.test).toHaveBeenCalledTimes(1);
  });

  it('stops retrying when aborted', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const client = { auth: { test: vi.fn(() => Promise.reject(network())) } };
    const { logger } = recordingLogger();
    const done = checkSlackToken({
      // biome-ignore lint/suspicious/noExplicitAny: a fake with only auth.test
      client: client as any,
      apiUrl: 'x',
      readiness: new Readiness(),
      logger,
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    expect(client.auth.test).toHaveBeenCalledTimes(1);
  });
});

describe('checkSources', () => {
  afterEach(() => vi.useRealTimers());

  it('treats any answer below 500 as reachable, and 5xx or a network error as not', async () => {
    const answer = (status: number) => (async () => new Response('x', { status })) as typeof fetch;
    const probe = { name: 'prometheus', url: 'http://user:pw@prom:9090/api/v1/status/buildinfo' };
    expect(await probeSource(probe, 1000, answer(200))).toBeUndefined();
    expect(await probeSource(probe, 1000, answer(401))).toBeUndefined();
    expect(await probeSource(probe, 1000, answer(502))).toBe('prometheus at http://prom:9090 answered HTTP 502');
    const refused = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    const why = await probeSource(probe, 1000, refused);
    expect(why).toBe('prometheus at http://prom:9090 is out of reach (ECONNREFUSED)');
    expect(why).not.toContain('pw');
  });

  it('keeps retrying a source out of reach in the background until it answers', async () => {
    vi.useFakeTimers();
    let up = false;
    const fetchFn = (async () => {
      if (!up) throw new TypeError('fetch failed');
      return new Response('{}');
    }) as typeof fetch;
    const readiness = new Readiness();
    const { logger, lines } = recordingLogger();
    await checkSources({
      probes: [{ name: 'loki', url: 'http://loki:3100/loki/api/v1/status/buildinfo' }],
      readiness,
      logger,
      timeoutMs: 1000,
      backoff: { baseMs: 1000, capMs: 1000 },
      fetchFn,
    });
    expect(readiness.why()).toEqual(['loki: loki at http://loki:3100 is out of reach (fetch failed)']);
    await vi.advanceTimersByTimeAsync(2500);
    expect(readiness.ready).toBe(false);
    up = true;
    await vi.advanceTimersByTimeAsync(1300);
    expect(readiness.ready).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('data source reachable again');
  });
});
