import type { WebClient } from '@slack/web-api';
import type { Logger } from '../adapters/log/json-logger.js';
import { REFUSED_TOKEN_ERRORS } from '../adapters/slack/slack-error.js';
import { redact } from '../domain/redaction/redact.js';
import type { Readiness } from './readiness.js';
import { StartupError } from './startup-error.js';

/** Waits between attempts: `baseMs`, doubling each time, at most `capMs` (±20% jitter so replicas spread out). */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_STARTUP_BACKOFF: Backoff = { baseMs: 1000, capMs: 15_000 };

export function backoffDelay(backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const plain = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/** Resolves after `ms`, or at once when `signal` aborts (its timer then cleared). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Slack answers that mean "try again later"; any other `ok: false` answer to auth.test will not change by waiting. */
const RETRYABLE_SLACK_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Answers that mean the token itself is bad: the fix is a new token in SLACK_BOT_TOKEN. */
const TOKEN_ERRORS = new Set<string>([
  ...REFUSED_TOKEN_ERRORS,
  'team_access_not_granted',
  'org_login_required',
  'ekm_access_denied',
]);

export type SlackCheckVerdict = { retry: true; reason: string } | { retry: false; error: StartupError };

/** Sorts an auth.test failure into "wait and retry" or "cannot start", with the sentence a human needs. */
export function classifySlackStartupError(err: unknown, apiUrl: string): SlackCheckVerdict {
  const e = err as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown; message?: unknown };
  const message = redact(typeof e.message === 'string' ? e.message : String(err));
  if (e.code === 'slack_webapi_platform_error') {
    const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
    if (RETRYABLE_SLACK_ERRORS.has(code)) return { retry: true, reason: `Slack answered auth.test with ${code}` };
    const fix = TOKEN_ERRORS.has(code)
      ? 'Copy the Bot User OAuth Token (xoxb-…) from your Slack app\'s "OAuth & Permissions" page into SLACK_BOT_TOKEN; if the app was uninstalled or the token revoked, reinstall the app to the workspace first.'
      : 'Check that SLACK_BOT_TOKEN is the bot token of an app installed in your workspace.';
    return {
      retry: false,
      error: new StartupError(
        'slack_token_rejected',
        'SLACK_BOT_TOKEN',
        `Triage cannot start: Slack rejected SLACK_BOT_TOKEN (${code}). ${fix}`,
        { slackError: code },
      ),
    };
  }
  if (e.code === 'slack_webapi_http_error') {
    const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
    if (status >= 500 || status === 408 || status === 429 || status === 0) {
      return { retry: true, reason: `Slack answered HTTP ${status || 'error'} to auth.test` };
    }
    return {
      retry: false,
      error: new StartupError(
        'slack_api_unusable',
        'SLACK_API_URL',
        `Triage cannot start: the Slack API at ${apiUrl} answered HTTP ${status} to auth.test. Check SLACK_API_URL (leave it unset to use https://slack.com/api/).`,
        { status },
      ),
    };
  }
  if (e.code === 'slack_webapi_rate_limited_error') return { retry: true, reason: 'Slack rate-limited auth.test' };
  return { retry: true, reason: `Slack is out of reach (${message})` };
}

export interface SlackIdentity {
  botUserId?: string;
  botId?: string;
  teamId?: string;
}

/**
 * Calls auth.test until Slack answers: a rejected token throws StartupError at once; Slack out of reach, 5xx and
 * rate limits are retried with backoff while `readiness` says why. Resolves undefined if `signal` aborts first.
 */
export async function checkSlackToken(options: {
  client: Pick<WebClient, 'auth'>;
  apiUrl: string;
  readiness: Readiness;
  logger: Logger;
  backoff?: Backoff;
  signal?: AbortSignal;
}): Promise<SlackIdentity | undefined> {
  const backoff = options.backoff ?? DEFAULT_STARTUP_BACKOFF;
  for (let attempt = 0; !options.signal?.aborted; attempt++) {
    try {
      const r = await options.client.auth.test();
      options.readiness.set('slack', undefined);
      if (attempt > 0) options.logger.info({ attempts: attempt + 1 }, 'Slack is reachable again; the token is valid');
      return {
        ...(typeof r.user_id === 'string' ? { botUserId: r.user_id } : {}),
        ...(typeof r.bot_id === 'string' ? { botId: r.bot_id } : {}),
        ...(typeof r.team_id === 'string' ? { teamId: r.team_id } : {}),
      };
    } catch (err) {
      const verdict = classifySlackStartupError(err, options.apiUrl);
      if (!verdict.retry) throw verdict.error;
      const waitMs = backoffDelay(backoff, attempt);
      options.readiness.set('slack', verdict.reason);
      options.logger.warn(
        { component: 'slack', attempt: attempt + 1, retryInMs: waitMs, reason: verdict.reason },
        'not ready: retrying Slack auth.test',
      );
      await sleep(waitMs, options.signal);
    }
  }
  return undefined;
}

/** A data source to reach before reporting ready: any HTTP answer below 500 means it is there. */
export interface SourceProbe {
  /** Component name in /readyz (`prometheus`, `loki`, `elasticsearch`). */
  name: string;
  url: string;
}

/** One attempt: undefined when the source answered, else why not (credentials in the URL never shown). */
export async function probeSource(
  probe: SourceProbe,
  timeoutMs: number,
  fetchFn: typeof fetch = fetch,
): Promise<string | undefined> {
  const shown = redact(new URL(probe.url).origin);
  try {
    const res = await fetchFn(probe.url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel().catch(() => {});
    return res.status >= 500 ? `${probe.name} at ${shown} answered HTTP ${res.status}` : undefined;
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why =
      typeof cause?.code === 'string'
        ? cause.code
        : err instanceof Error && err.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : redact(
              typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err),
            );
    return `${probe.name} at ${shown} is out of reach (${why})`;
  }
}

/**
 * Probes each source once, then keeps retrying the ones that failed (with backoff) in the background until they
 * answer or `signal` aborts; `readiness` says which are out of reach. Resolves after the first round.
 */
export async function checkSources(options: {
  probes: readonly SourceProbe[];
  readiness: Readiness;
  logger: Logger;
  timeoutMs: number;
  backoff?: Backoff;
  signal?: AbortSignal;
  fetchFn?: typeof fetch;
}): Promise<void> {
  const backoff = options.backoff ?? DEFAULT_STARTUP_BACKOFF;
  const attempt = async (probe: SourceProbe) => {
    const reason = await probeSource(probe, options.timeoutMs, options.fetchFn);
    options.readiness.set(probe.name, reason);
    return reason;
  };
  const first = await Promise.all(options.probes.map(async (p) => [p, await attempt(p)] as const));
  for (const [probe, reason] of first) {
    if (reason === undefined) continue;
    options.logger.warn({ component: probe.name, reason }, 'not ready: data source out of reach; retrying');
    void (async () => {
      for (let n = 1; !options.signal?.aborted; n++) {
        await sleep(backoffDelay(backoff, n - 1), options.signal);
        if (options.signal?.aborted) return;
        if ((await attempt(probe)) === undefined) {
          options.logger.info({ component: probe.name, attempts: n + 1 }, 'data source reachable again');
          return;
        }
      }
    })();
  }
}
