/**
 * A real Alertmanager for tests: a config with one webhook receiver written to a fresh temporary directory →
 * `prometheus-alertmanager` on a loopback port with clustering off, until `stop()`. Tests push alerts through its
 * API (`postAlerts`) and watch what it POSTs to their own webhook receiver.
 *
 * Facts relied on (datasources.md §7, checked against Debian's 0.25): YAML is a superset of JSON, so the config is
 * written as JSON; `--cluster.listen-address=` (empty) disables HA mode, so nothing binds 9094 and notifications do
 * not wait for peers; an alert whose `startsAt` is older than `group_wait` is flushed at once when its group is new;
 * each flush may retry for max(`group_interval`, 10 s), and a failed flush (4xx or retries given up) is sent again
 * at the next `group_interval` because nothing was logged as notified — use a long `groupInterval` to watch retries.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, freePort, isCi, spawnUntilReady, startFailure, stopChild, Tail } from '../local-process.js';

export interface AlertmanagerAvailability {
  available: boolean;
  /** Why it is not available (missing binary, not executable …). */
  reason?: string;
  alertmanager?: string;
}

export interface StartAlertmanagerOptions {
  /** Where the single webhook receiver POSTs notifications. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (`http_config.authorization`). */
  bearerToken?: string;
  /** Route `group_wait`; default `1s` (Alertmanager's is 30s). */
  groupWait?: string;
  /** Route `group_interval`; default `1s` (Alertmanager's is 5m). Also how often a failed notification is resent. */
  groupInterval?: string;
  /** Route `repeat_interval`; default `1h` (Alertmanager's is 4h). */
  repeatInterval?: string;
  /** Route `group_by`; default `['alertname', 'service']`. */
  groupBy?: string[];
  /** Webhook `send_resolved`; default true. */
  sendResolved?: boolean;
  /** How long to wait for `/-/ready`; default 30 s. */
  readyTimeoutMs?: number;
  /**
   * A whole Alertmanager config (route and receivers) used instead of the single webhook receiver, e.g. Slack
   * receivers whose `api_url` points at a local recorder (test/support/alertmanager/capture-slack.ts).
   */
  config?: Record<string, unknown>;
}

/** An alert as `POST /api/v2/alerts` takes it (`postableAlert`). Times are RFC 3339. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface LocalAlertmanager {
  /** `http://127.0.0.1:<port>`; also the `--web.external-url`, so it is the payloads' `externalURL`. */
  url: string;
  /** The name of the webhook receiver (the payloads' `receiver`). */
  receiver: string;
  /** Time from spawning Alertmanager until `/-/ready` answered 200. */
  startupMs: number;
  /** `POST /api/v2/alerts`; throws unless Alertmanager answers 2xx. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** `GET /api/v2/alerts` (the alerts Alertmanager holds, with fingerprints and state). */
  alerts(): Promise<unknown[]>;
  /** SIGTERM, then SIGKILL after 5 s; removes the temporary directory (idempotent). */
  stop(): Promise<void>;
  /** The last lines Alertmanager wrote to stderr (its log), for diagnostics. */
  readonly log: string;
}

/** The receiver's name in the generated config. */
export const WEBHOOK_RECEIVER = 'triage-webhook';

/** Debian's package installs `prometheus-alertmanager`; upstream release tarballs ship `alertmanager`. */
const BINARY_NAMES = ['prometheus-alertmanager', 'alertmanager'];

/** Whether Alertmanager can be run (ALERTMANAGER_BIN overrides the PATH lookup). */
export function alertmanagerAvailability(env: NodeJS.ProcessEnv = process.env): AlertmanagerAvailability {
  const override = env.ALERTMANAGER_BIN || undefined;
  const alertmanager = override
    ? findExecutable(BINARY_NAMES[0] ?? '', override, env)
    : BINARY_NAMES.map((name) => findExecutable(name, undefined, env)).find((path) => path !== undefined);
  if (!alertmanager) {
    return {
      available: false,
      reason:
        `${override ? `ALERTMANAGER_BIN=${override} is not executable` : `${BINARY_NAMES.join(' or ')} not found on PATH`}; ` +
        'install Debian’s package (`apt-get install prometheus-alertmanager`, 0.25) or set ALERTMANAGER_BIN',
    };
  }
  return { available: true, alertmanager };
}

/**
 * For test files that need a real Alertmanager: `describe.skipIf(!requireAlertmanager().available)(…)`.
 * When the binary is missing it throws in CI (the test file fails with the reason) and, elsewhere, prints the
 * reason and reports `available: false` so the suite is skipped.
 */
export function requireAlertmanager(env: NodeJS.ProcessEnv = process.env): { available: boolean; reason?: string } {
  const availability = alertmanagerAvailability(env);
  if (availability.available) return { available: true };
  const reason = availability.reason ?? 'Alertmanager is not available';
  if (isCi(env)) {
    throw new Error(`The real-Alertmanager tests must run in CI (CI=${env.CI}), but ${reason}.`);
  }
  process.stderr.write(`[triage tests] skipping real-Alertmanager tests: ${reason}\n`);
  return { available: false, reason };
}

/** The first line of `alertmanager --version` (`alertmanager, version 0.25.0 (…)`), or `none`. */
export function alertmanagerVersion(env: NodeJS.ProcessEnv = process.env): string {
  const alertmanager = alertmanagerAvailability(env).alertmanager;
  if (!alertmanager) return 'none';
  const result = spawnSync(alertmanager, ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr || '').split('\n')[0] ?? 'unknown';
}

/** A bounded buffer of a child's output lines, for error messages. */

/** The Alertmanager config (as JSON, which is YAML): one route to one webhook receiver. */
export function alertmanagerConfig(options: StartAlertmanagerOptions): string {
  if (options.config) return `${JSON.stringify(options.config, null, 2)}\n`;
  const webhook = {
    url: options.webhookUrl,
    send_resolved: options.sendResolved ?? true,
    max_alerts: 0,
    ...(options.bearerToken === undefined
      ? {}
      : { http_config: { authorization: { type: 'Bearer', credentials: options.bearerToken } } }),
  };
  const config = {
    route: {
      receiver: WEBHOOK_RECEIVER,
      group_by: options.groupBy ?? ['alertname', 'service'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '1h',
    },
    receivers: [{ name: WEBHOOK_RECEIVER, webhook_configs: [webhook] }],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function checkedFetch(url: string, init: RequestInit, what: string): Promise<Response> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new Error(`${what} answered ${response.status}: ${body}`);
  }
  return response;
}

/**
 * Starts Alertmanager with one webhook receiver, listening on 127.0.0.1 only, with clustering off.
 *
 * @example
 *   const am = await startAlertmanager({ webhookUrl: `${receiverUrl}/alerts/alertmanager`, bearerToken: 't' });
 *   try { await am.postAlerts([{ labels: { alertname: 'HighErrorRate', service: 'checkout' } }]) }
 *   finally { await am.stop() }
 */
export async function startAlertmanager(options: StartAlertmanagerOptions): Promise<LocalAlertmanager> {
  const availability = alertmanagerAvailability();
  const alertmanager = availability.alertmanager;
  if (!alertmanager) throw new Error(availability.reason ?? 'Alertmanager not found');
  const root = await mkdtemp(join(tmpdir(), 'triage-am-run-'));
  const config = join(root, 'alertmanager.yml');
  await writeFile(config, alertmanagerConfig(options), { mode: 0o600 });

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const tail = new Tail(200);
    const spawned = await spawnUntilReady(
      alertmanager,
      [
        `--config.file=${config}`,
        `--storage.path=${join(root, `data-${attempt}`)}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${url}`,
        // Empty: no gossip listener (it would bind 0.0.0.0:9094) and no waiting for peers before notifying.
        '--cluster.listen-address=',
      ],
      { url, tail, timeoutMs: options.readyTimeoutMs ?? 30_000, pollMs: 50 },
    );
    const { ready, startupMs } = spawned;
    if (ready) {
      let stopped = false;
      return {
        url,
        receiver: WEBHOOK_RECEIVER,
        startupMs,
        get log() {
          return tail.toString();
        },
        postAlerts: async (alerts) => {
          await checkedFetch(
            `${url}/api/v2/alerts`,
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) },
            `POST ${url}/api/v2/alerts`,
          ).then((r) => r.arrayBuffer());
        },
        alerts: async () => {
          const response = await checkedFetch(`${url}/api/v2/alerts`, {}, `GET ${url}/api/v2/alerts`);
          const body: unknown = await response.json();
          if (!Array.isArray(body)) throw new Error(`GET ${url}/api/v2/alerts did not return an array`);
          return body;
        },
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await stopChild(spawned, 5_000);
          await rm(root, { recursive: true, force: true });
        },
      };
    }
    const failure = await startFailure(spawned, {
      name: 'Alertmanager',
      command: alertmanager,
      url,
      timeoutMs: options.readyTimeoutMs ?? 30_000,
      tail,
    });
    lastError = failure.error;
    if (!failure.portRace) break; // only a port race is worth another attempt
  }
  await rm(root, { recursive: true, force: true });
  throw lastError ?? new Error('Alertmanager did not start');
}
