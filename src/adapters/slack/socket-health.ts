import type { Logger } from '../../application/ports/logger.js';
import { redact } from '../../domain/redaction/redact.js';
import { REFUSED_TOKEN_ERRORS } from './slack-error.js';

/** Where the connection's state is reported (the app's readiness: `/readyz`). */
export interface ReadinessSink {
  set(component: string, reason: string | undefined): void;
}

/**
 * The Socket Mode client as far as its state goes: @slack/socket-mode's lifecycle events (`connecting`,
 * `authenticated`, `connected`, `reconnecting`, `disconnecting`, `disconnected`), `close` when a socket ends, and
 * `ws_message` for each frame Slack sends.
 */
export interface SocketEvents {
  // biome-ignore lint/suspicious/noExplicitAny: the client is an EventEmitter whose listeners take any arguments
  on(event: string, listener: (...args: any[]) => void): unknown;
  readonly websocket?: { isActive(): boolean } | undefined;
}

/** Slack's answers to apps.connections.open that waiting will not change: the app token or the app must be fixed. */
const APP_TOKEN_ERRORS = new Set<string>([
  ...REFUSED_TOKEN_ERRORS,
  'missing_scope',
  'team_disabled',
  'user_removed_from_team',
  'app_missing_action_url',
]);

/**
 * A liveness probe must not restart Triage during the short gaps Socket Mode has by design (Slack refreshes every
 * connection every few hours, and the client waits 5 s or more before it reconnects), nor while the client is still
 * retrying through a Slack incident: `/healthz` fails only when no connection has been open for this long. By then
 * either Slack has been unreachable for 10 minutes (a restart costs nothing) or the client has stopped trying (a
 * reconnect that ended in an error it does not retry), which only a restart mends.
 */
export const SOCKET_LIVENESS_BOUND_MS = 10 * 60_000;

export interface SocketLiveness {
  ok: boolean;
  /** Milliseconds since the connection was last open (0 while it is). */
  downMs: number;
  /** Why /healthz fails. */
  reason?: string;
}

/**
 * Follows the Socket Mode connection for the health endpoints: `/readyz` says "socket: …" from the start until Slack's
 * `hello`, and again from a `disconnect` message or a dropped socket until the client is connected again; `/healthz`
 * fails after {@link SOCKET_LIVENESS_BOUND_MS} without a connection. It also watches the app token's
 * apps.connections.open answers: one Slack will keep refusing is reported at once ({@link rejected}).
 */
export class SocketHealth {
  private readonly readiness: ReadinessSink;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly boundMs: number;
  /** When the connection was last lost (or first attempted); undefined while it is open or before the first try. */
  private downSince: number | undefined;
  private stopped = false;
  private lastFailure: string | undefined;
  private rejection: string | undefined;
  private readonly rejectionListeners: ((code: string) => void)[] = [];
  /** `hello`s received: 1 after the first connection, one more per reconnection. */
  connections = 0;

  constructor(options: { readiness: ReadinessSink; logger: Logger; now?: () => number; livenessBoundMs?: number }) {
    this.readiness = options.readiness;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.boundMs = options.livenessBoundMs ?? SOCKET_LIVENESS_BOUND_MS;
    this.readiness.set('socket', 'Socket Mode is not connected to Slack yet');
  }

  /** Follows a Socket Mode client's events. */
  watch(client: SocketEvents): void {
    client.on('connecting', () => this.down('opening the Socket Mode connection to Slack'));
    client.on('authenticated', () => {
      this.lastFailure = undefined;
      this.down('waiting for Slack to say hello on the new Socket Mode connection');
    });
    client.on('connected', () => this.up());
    client.on('reconnecting', () => this.down('reconnecting to Slack'));
    client.on('disconnected', () => this.down('disconnected from Slack'));
    // Only a deliberate disconnect() (stopping) emits this one.
    client.on('disconnecting', () => this.stop());
    client.on('close', () => {
      // A late close of a socket already replaced by a new, open one changes nothing.
      if (client.websocket?.isActive()) return;
      this.down('the Socket Mode connection to Slack closed; reconnecting');
    });
    client.on('ws_message', (data: unknown) => {
      const reason = disconnectReason(data);
      if (reason !== undefined) this.down(`Slack asked Triage to reconnect (${reason}); reconnecting`);
    });
  }

  /**
   * Wraps the socket client's fetch: a failed apps.connections.open shows in /readyz, and an answer Slack will keep
   * giving (the app token rejected, a scope missing) is recorded for {@link rejected}.
   */
  observeFetch(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const opening = url.endsWith('apps.connections.open');
      try {
        const response = await inner(input, init);
        if (opening) await this.checkAnswer(response);
        return response;
      } catch (err) {
        if (opening) this.failed(describeFailure(err));
        throw err;
      }
    };
  }

  /** The Slack error code that refused the app token, if Slack did. */
  get rejected(): string | undefined {
    return this.rejection;
  }

  /** Calls `listener` with the error code once Slack refuses the app token for good. */
  onRejected(listener: (code: string) => void): void {
    if (this.rejection !== undefined) listener(this.rejection);
    else this.rejectionListeners.push(listener);
  }

  /** Whether the process is still worth keeping: false once the socket has been down longer than the bound. */
  liveness(): SocketLiveness {
    const downMs = this.downSince === undefined ? 0 : this.now() - this.downSince;
    if (this.stopped || downMs <= this.boundMs) return { ok: true, downMs };
    const seconds = Math.round(downMs / 1000);
    return {
      ok: false,
      downMs,
      reason: `no Socket Mode connection to Slack for ${seconds} s${this.lastFailure ? ` (${this.lastFailure})` : ''}`,
    };
  }

  /** Stopping on purpose: a closed socket is no longer a fault. */
  stop(): void {
    this.stopped = true;
  }

  private async checkAnswer(response: Response): Promise<void> {
    if (response.status !== 200) {
      this.failed(`apps.connections.open answered HTTP ${response.status}`);
      return;
    }
    let body: { ok?: unknown; error?: unknown } | undefined;
    try {
      body = (await response.clone().json()) as typeof body;
    } catch {
      return;
    }
    if (body?.ok !== false) return;
    const code = typeof body.error === 'string' ? body.error : 'unknown_error';
    this.failed(`apps.connections.open answered ${code}`);
    if (APP_TOKEN_ERRORS.has(code) && this.rejection === undefined) {
      this.rejection = code;
      for (const listener of this.rejectionListeners.splice(0)) listener(code);
    }
  }

  private failed(why: string): void {
    this.lastFailure = why;
    this.down(`cannot open a Socket Mode connection: ${why}; retrying`);
  }

  private down(reason: string): void {
    if (this.stopped) return;
    const wasUp = this.connections > 0 && this.downSince === undefined;
    this.downSince ??= this.now();
    this.readiness.set('socket', reason);
    if (wasUp) this.logger.warn({ component: 'socket', reason }, 'not ready: Socket Mode connection lost');
  }

  private up(): void {
    const downMs = this.downSince === undefined ? 0 : this.now() - this.downSince;
    this.downSince = undefined;
    this.lastFailure = undefined;
    this.connections += 1;
    this.readiness.set('socket', undefined);
    this.logger.info(
      { component: 'socket', connections: this.connections, downMs },
      this.connections === 1 ? 'Socket Mode connected' : 'Socket Mode reconnected',
    );
  }
}

/** The reason of a `{"type":"disconnect"}` frame (Slack refreshing or closing the connection), else undefined. */
export function disconnectReason(data: unknown): string | undefined {
  if (typeof data !== 'string' || !data.includes('"disconnect"')) return undefined;
  try {
    const frame = JSON.parse(data) as { type?: unknown; reason?: unknown };
    if (frame.type !== 'disconnect') return undefined;
    return typeof frame.reason === 'string' ? frame.reason : 'no reason given';
  } catch {
    return undefined;
  }
}

function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return `apps.connections.open failed (${cause.code})`;
  // Redacted like every /readyz reason (a URL with credentials in SLACK_API_URL, a token in a message).
  return `apps.connections.open failed (${redact(err instanceof Error ? err.message : String(err))})`;
}
