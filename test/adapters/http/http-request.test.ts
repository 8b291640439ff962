/**
 * The one transport of the data-source adapters, over a fake wire and fake timers: what it retries and how long it
 * waits, the per-attempt timeout, the caller's abort, the typed transport errors and the credentials it keeps out.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHttpRequest, type HttpRequestConfig, type HttpSend } from '../../../src/adapters/http/http-request.js';
import {
  ConfigError,
  DatasourceTimeoutError,
  DatasourceUnreachableError,
  DeadlineExceededError,
} from '../../../src/domain/errors.js';

type Sent = Parameters<HttpSend>[0];
type Answer = Awaited<ReturnType<HttpSend>>;

const TOKEN = 's3cr3t-token-value';

/** A wire answering from a script: an answer, an error to throw, or 'hang' (until the request is aborted). */
function wire(script: Array<Answer | Error | 'hang'>) {
  const sent: Sent[] = [];
  const send: HttpSend = (request) => {
    sent.push(request);
    const next = script.shift() ?? { status: 200, body: '{}', headers: {} };
    if (next === 'hang') {
      return new Promise((_resolve, reject) => {
        request.signal.addEventListener('abort', () => reject(new Error('canceled')), { once: true });
      });
    }
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { send, sent };
}

function transport(send: HttpSend, overrides: Partial<HttpRequestConfig> = {}) {
  return createHttpRequest({
    source: 'loki',
    label: 'Loki',
    envVar: 'LOKI_URL',
    url: 'http://user:hunter22@loki.example:3100',
    headers: { Authorization: `Bearer ${TOKEN}` },
    timeoutMs: 1_000,
    retries: 1,
    retryBackoffMs: 200,
    slowAdvice: 'Narrow the window.',
    send,
    ...overrides,
  });
}

const answer = (status: number, body = '', headers: Record<string, unknown> = {}): Answer => ({
  status,
  body,
  headers,
});

function refused(): Error {
  return Object.assign(new Error(`connect ECONNREFUSED with Bearer ${TOKEN}`), { code: 'ECONNREFUSED' });
}

describe('createHttpRequest', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends GET parameters as the query string and a POST form or JSON as the body', async () => {
    const { send, sent } = wire([]);
    const request = transport(send);
    const params = new URLSearchParams({ query: 'up' });

    await request({ method: 'GET', path: '/a', params });
    await request({ method: 'POST', path: '/b', params });
    await request({ method: 'POST', path: '/c', json: '{"size":0}' });

    expect(sent.map(({ method, path, params: p, data }) => ({ method, path, p, data }))).toEqual([
      { method: 'GET', path: '/a', p: params, data: undefined },
      { method: 'POST', path: '/b', p: undefined, data: params },
      { method: 'POST', path: '/c', p: undefined, data: '{"size":0}' },
    ]);
  });

  it('answers with the status, body and content type, and leaves reading the body to the adapter', async () => {
    const { send } = wire([answer(400, 'parse error', { 'content-type': 'text/plain' })]);

    const response = await transport(send)({ method: 'GET', path: '/q' });

    expect(response).toMatchObject({ status: 400, body: 'parse error', contentType: 'text/plain', location: '' });
  });

  it('asks again after a 5xx, once the backoff has passed, and answers with the second answer', async () => {
    const { send, sent } = wire([answer(502, 'bad gateway'), answer(200, '{"ok":true}')]);

    const pending = transport(send)({ method: 'GET', path: '/q' });
    await vi.advanceTimersByTimeAsync(199);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);

    await expect(pending).resolves.toMatchObject({ status: 200 });
    expect(sent).toHaveLength(2);
  });

  it('doubles the backoff for each later retry and answers with the last answer when all fail', async () => {
    const { send, sent } = wire([answer(503), answer(503), answer(503)]);

    const pending = transport(send, { retries: 2 })({ method: 'GET', path: '/q' });
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(399);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);

    await expect(pending).resolves.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(3);
  });

  it('never asks again after a 4xx, and after a 429 only when told the source rate-limits', async () => {
    const plain = wire([answer(429), answer(200)]);
    const limited = wire([answer(429), answer(200)]);
    const rejected = wire([answer(400), answer(200)]);

    await expect(transport(plain.send)({ method: 'GET', path: '/q' })).resolves.toMatchObject({ status: 429 });
    await expect(transport(rejected.send)({ method: 'GET', path: '/q' })).resolves.toMatchObject({ status: 400 });
    const pending = transport(limited.send, { retryRateLimited: true })({ method: 'GET', path: '/q' });
    await vi.advanceTimersByTimeAsync(200);

    await expect(pending).resolves.toMatchObject({ status: 200 });
    expect([plain.sent.length, rejected.sent.length, limited.sent.length]).toEqual([1, 1, 2]);
  });

  it('ends an attempt at the timeout with DatasourceTimeoutError, and retries it', async () => {
    const { send, sent } = wire(['hang', 'hang']);

    const pending = transport(send)({ method: 'GET', path: '/q', query: 'up' });
    const failed = expect(pending).rejects.toBeInstanceOf(DatasourceTimeoutError);
    await vi.advanceTimersByTimeAsync(1_000 + 200 + 1_000);

    await failed;
    const err = await pending.catch((e: unknown) => e);
    expect(sent).toHaveLength(2);
    expect(err).toMatchObject({
      source: 'loki',
      url: 'http://loki.example:3100',
      query: 'up',
      status: undefined,
      retryable: true,
    });
    expect((err as Error).message).toBe(
      'Loki at http://loki.example:3100 did not answer /q within 1000 ms. Narrow the window.',
    );
  });

  it('turns a connection failure into DatasourceUnreachableError without the credentials, even in its cause', async () => {
    const { send } = wire([refused()]);

    const err = await transport(send, { retries: 0 })({ method: 'GET', path: '/q' }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(DatasourceUnreachableError);
    expect((err as Error).message).toBe(
      'Loki at http://loki.example:3100 could not be reached (ECONNREFUSED). Check LOKI_URL and that Loki is running.',
    );
    const text = inspect(err, { depth: 6, showHidden: true });
    expect(text).toContain('***');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('hunter22');
  });

  it('names a host that does not resolve', async () => {
    const { send } = wire([Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })]);

    const err = await transport(send, { retries: 0 })({ method: 'GET', path: '/q' }).catch((e: unknown) => e);

    expect((err as Error).message).toContain('ENOTFOUND: the host name does not resolve). Check the host in LOKI_URL.');
  });

  it('masks the credentials in text the adapter takes from the answer, and in a redirect target', async () => {
    const { send } = wire([answer(302, '', { location: 'http://admin:pw@elsewhere.example/login' })]);

    const response = await transport(send)({ method: 'GET', path: '/q' });

    expect(response.redact(`token ${TOKEN} for user:hunter22`)).toBe('token *** for ***');
    expect(response.location).toBe('http://elsewhere.example/login');
  });

  it("stops at once with the caller's DeadlineExceededError when the signal aborts mid-request", async () => {
    const { send } = wire(['hang']);
    const controller = new AbortController();
    const deadline = new DeadlineExceededError('The run took longer than 60 s.');

    const pending = transport(send)({ method: 'GET', path: '/q', signal: controller.signal });
    controller.abort(deadline);

    await expect(pending).rejects.toBe(deadline);
  });

  it('turns an AbortSignal.timeout() reason into DeadlineExceededError, and does not retry after it', async () => {
    const { send, sent } = wire([answer(503), answer(200)]);
    const controller = new AbortController();

    const pending = transport(send, { retryBackoffMs: 5_000 })({
      method: 'GET',
      path: '/q',
      signal: controller.signal,
    });
    const failed = expect(pending).rejects.toThrow(
      "The run's deadline passed before Loki at http://loki.example:3100 answered /q.",
    );
    await vi.advanceTimersByTimeAsync(50);
    controller.abort(new DOMException('timed out', 'TimeoutError'));

    await failed;
    await expect(pending).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(sent).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const { send, sent } = wire([]);
    const controller = new AbortController();
    controller.abort(new DeadlineExceededError('too late'));

    await expect(transport(send)({ method: 'GET', path: '/q', signal: controller.signal })).rejects.toThrow('too late');
    expect(sent).toHaveLength(0);
  });

  it('rejects a timeout, retry count or backoff out of range, naming the source', () => {
    const { send } = wire([]);

    expect(() => transport(send, { timeoutMs: 0 })).toThrow(
      new ConfigError('The Loki timeout must be a positive number of milliseconds, not 0.'),
    );
    expect(() => transport(send, { retries: 1.5 })).toThrow(ConfigError);
    expect(() => transport(send, { retryBackoffMs: -1 })).toThrow(ConfigError);
  });
});
