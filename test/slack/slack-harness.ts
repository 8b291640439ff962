import { silentLogger } from '../../src/adapters/log/json-logger.js';
import { type BuiltApp, buildApp } from '../../src/app/build-app.js';
import { loadConfig } from '../../src/app/config.js';
import type { RunStore } from '../../src/application/ports/run-store.js';
import {
  FAKE_SLACK_DEFAULTS,
  type FakeSlack,
  type FakeSlackOptions,
  startFakeSlack,
} from '../support/fake-slack/fake-slack-server.js';
import { type ResponseUrlServer, startResponseUrlServer } from '../support/fake-slack/response-url-server.js';
import {
  blockActionsBody,
  eventCallbackBody,
  JSON_CONTENT_TYPE,
  signSlackRequest,
  slashCommandBody,
} from '../support/fake-slack/sign-request.js';

export const SIGNING_SECRET = 'triage-test-signing-secret';

export interface SlackHarness {
  fake: FakeSlack;
  responses: ResponseUrlServer;
  built: BuiltApp;
  port: number;
  /** POSTs a signed slash command; returns the HTTP status, the JSON ack and the elapsed milliseconds. */
  command(
    text: string,
    extra?: { channel_id?: string; user_id?: string; team_id?: string },
  ): Promise<{ status: number; body: unknown; ms: number; responseUrl: string }>;
  /** POSTs a signed block_actions payload for one button. */
  press(
    actionId: string,
    value: string,
    extra?: { message_ts?: string; user_id?: string; channel_id?: string; team_id?: string },
  ): Promise<{ status: number; responseUrl: string }>;
  /** POSTs a signed event_callback. */
  event(event: Record<string, unknown>, options?: { event_id?: string; retryNum?: number }): Promise<number>;
  /** POSTs a JSON body to one of the app's HTTP routes (e.g. the Alertmanager webhook). */
  postJson(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; ms: number }>;
  /** POSTs raw bytes with the given headers (for forged requests). */
  raw(body: string, headers: Record<string, string>): Promise<number>;
  /** Resolves when every run in the registry has finished. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the fake Slack, a response-URL server and the real Bolt app on its HTTP receiver, on loopback. */
export async function startSlackHarness(options: {
  prometheusUrl: string;
  now: () => Date;
  replyIntervalMs?: number;
  fake?: FakeSlackOptions;
  /** More environment variables (ALERT_CHANNELS, ALERT_WEBHOOK_CHANNEL, TRIAGE_DB_PATH, …). */
  env?: Record<string, string>;
  /** Another harness's fake Slack (two replicas of one app in one workspace); it is not stopped by this harness. */
  sharedFake?: FakeSlack;
  /** A run store opened by the test (replicas sharing PostgreSQL); default an in-memory SQLite store. */
  runStore?: RunStore;
}): Promise<SlackHarness> {
  const fake = options.sharedFake ?? (await startFakeSlack(options.fake ?? {}));
  const responses = await startResponseUrlServer();
  const config = loadConfig({
    SLACK_BOT_TOKEN: FAKE_SLACK_DEFAULTS.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    PROMETHEUS_URL: options.prometheusUrl,
    PORT: '0',
    TRIAGE_REPLY_INTERVAL_MS: String(options.replyIntervalMs ?? 1100),
    TRIAGE_QUERY_TIMEOUT_MS: '3000',
    TRIAGE_DEADLINE_MS: '20000',
    TRIAGE_DB_PATH: ':memory:',
    ...options.env,
  });
  const built = await buildApp(config, {
    logger: silentLogger,
    now: options.now,
    ...(options.runStore ? { runStore: options.runStore } : {}),
  });
  const port = await built.start();
  const base = `http://127.0.0.1:${port}/slack/events`;
  const post = async (body: string, headers: Record<string, string>) => {
    const t0 = performance.now();
    const res = await fetch(base, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, text, ms: performance.now() - t0 };
  };
  return {
    fake,
    responses,
    built,
    port,
    async command(text, extra = {}) {
      const responseUrl = responses.newUrl();
      const body = slashCommandBody({ text, response_url: responseUrl, ...extra });
      const r = await post(body, { ...signSlackRequest({ signingSecret: SIGNING_SECRET, body }) });
      return { status: r.status, body: r.text ? (JSON.parse(r.text) as unknown) : undefined, ms: r.ms, responseUrl };
    },
    async press(actionId, value, extra = {}) {
      const responseUrl = responses.newUrl();
      const body = blockActionsBody({ actions: [{ action_id: actionId, value }], response_url: responseUrl, ...extra });
      const r = await post(body, { ...signSlackRequest({ signingSecret: SIGNING_SECRET, body }) });
      return { status: r.status, responseUrl };
    },
    async event(event, opts = {}) {
      const body = eventCallbackBody(event, opts.event_id ? { event_id: opts.event_id } : {});
      const headers: Record<string, string> = {
        ...signSlackRequest({ signingSecret: SIGNING_SECRET, body, contentType: JSON_CONTENT_TYPE }),
      };
      if (opts.retryNum) {
        headers['X-Slack-Retry-Num'] = String(opts.retryNum);
        headers['X-Slack-Retry-Reason'] = 'http_timeout';
      }
      return (await post(body, headers)).status;
    },
    async postJson(path, body, headers = {}) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', ...headers },
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, ms: performance.now() - t0 };
    },
    async raw(body, headers) {
      return (await post(body, headers)).status;
    },
    async settled(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      // Let the acked work start before looking.
      await new Promise((r) => setTimeout(r, 50));
      while (built.registry.anyActive() || built.pacer.pendingChannels() > 0 || !built.alerts.idle()) {
        if (Date.now() > deadline) throw new Error('runs did not finish in time');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await built.stop();
      if (!options.sharedFake) await fake.stop();
      await responses.stop();
    },
  };
}
