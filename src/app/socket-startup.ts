import type { RetryOptions } from '@slack/web-api';
import type { SocketHealth } from '../adapters/slack/socket-health.js';
import { StartupError } from './startup-error.js';

/**
 * Retries of apps.connections.open (the socket's own Web API client). The client's default, 100 retries each 1.3
 * times longer than the last with no cap, waits hours between attempts after a long Slack outage; this tries again
 * at least every 15 s for as long as Slack is out of reach (an `ok: false` answer is not retried here: the client
 * and {@link SocketHealth} sort those out).
 */
export const SOCKET_OPEN_RETRY: RetryOptions = {
  retries: 10,
  forever: true,
  factor: 2,
  minTimeout: 1000,
  maxTimeout: 15_000,
  randomize: true,
};

/** The sentence for an app token Slack refuses: the variable, and how to get a good one. */
export function appTokenRejected(code: string): StartupError {
  const fix =
    code === 'missing_scope'
      ? 'The app-level token needs the connections:write scope: create one with it on your Slack app\'s "Basic Information" page (App-Level Tokens) and put it in SLACK_APP_TOKEN.'
      : 'Create an app-level token (xapp-…) with the connections:write scope on your Slack app\'s "Basic Information" page (App-Level Tokens), put it in SLACK_APP_TOKEN, and check that Socket Mode is turned on for the app. To use the HTTP receiver instead, unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET.';
  return new StartupError(
    'slack_app_token_rejected',
    'SLACK_APP_TOKEN',
    `Triage cannot start: Slack rejected SLACK_APP_TOKEN (${code}) when opening the Socket Mode connection. ${fix}`,
    { slackError: code },
  );
}

/**
 * Opens the Socket Mode connection (`start`: Bolt's app.start()), resolving at Slack's `hello`. Slack out of reach is
 * retried for as long as it takes (/readyz says so meanwhile); an app token Slack refuses ends start-up with
 * StartupError naming SLACK_APP_TOKEN. Resolves at once when `signal` aborts (the app is stopping).
 */
export async function openSocket(options: {
  start: () => Promise<unknown>;
  health: Pick<SocketHealth, 'onRejected' | 'rejected'>;
  signal: AbortSignal;
}): Promise<void> {
  const { health, signal } = options;
  const started = options.start();
  // The race below may settle first; a later rejection of the start is then already accounted for.
  started.catch(() => {});
  const refused = new Promise<never>((_, reject) => health.onRejected((code) => reject(appTokenRejected(code))));
  refused.catch(() => {});
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([started, refused, aborted]);
  } catch (err) {
    if (signal.aborted) return;
    // The client gives up on some refusals itself (invalid_auth): the same answer, the same sentence.
    if (err instanceof StartupError) throw err;
    const code = health.rejected;
    throw code ? appTokenRejected(code) : err;
  }
}
