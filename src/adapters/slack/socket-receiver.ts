import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildReceiverRoutes,
  type CustomRoute,
  type ReceiverRoutes,
  SocketModeReceiver,
  type SocketModeReceiverOptions,
} from '@slack/bolt';
import type { Logger } from '../../application/ports/logger.js';
import { disconnectReason } from './socket-health.js';

/** WebSocket readyState CLOSING. */
const CLOSING = 2;
/** How long stop() waits for the socket to close. */
const STOP_WAIT_MS = 1000;

export interface SocketReceiverOptions extends Omit<SocketModeReceiverOptions, 'customRoutes'> {
  /** The server for the routes below (the caller sets its limits); it listens on {@link SocketReceiver.listen}. */
  server: Server;
  /** Triage's own HTTP routes (/healthz, /readyz, /metrics, the webhook): exact paths. */
  routes: CustomRoute[];
  /** For a route handler that throws (it answers 500). */
  routeLogger: Logger;
}

/**
 * Bolt's Socket Mode receiver, with Triage's HTTP routes on a server of its own. Bolt's receiver only serves custom
 * routes from a server it starts together with the socket, without limits and without saying its port; here the
 * server can listen before Slack is reached (so /readyz says why the app is not ready during a Slack outage at
 * start-up), carries the limits the caller gave it, and stops with the receiver. `server` is public, like
 * HTTPReceiver's.
 */
export class SocketReceiver extends SocketModeReceiver {
  readonly server: Server;
  private readonly table: ReceiverRoutes;

  constructor({ server, routes, routeLogger, ...options }: SocketReceiverOptions) {
    // No custom routes for Bolt: it then opens no server of its own.
    super({ ...options, customRoutes: [] });
    this.server = server;
    this.client.on('ws_message', (data: unknown) => {
      if (disconnectReason(data) !== undefined) this.finishClose();
    });
    this.table = buildReceiverRoutes(routes);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const handler = this.handlerFor(req);
      if (!handler) {
        res.writeHead(404).end();
        return;
      }
      try {
        const done = handler(Object.assign(req, { params: {} }), res) as unknown;
        if (done instanceof Promise) done.catch((err: unknown) => failed(err));
      } catch (err) {
        failed(err);
      }
      function failed(err: unknown) {
        routeLogger.error(
          { path: req.url, error: err instanceof Error ? err.message : String(err) },
          'HTTP route handler failed',
        );
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        if (!res.writableEnded) res.end(JSON.stringify({ error: 'internal error' }));
      }
    });
  }

  /** Starts serving the routes; resolves with the port (an ephemeral one for port 0). */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Disconnects the socket (waiting up to a second for the close to finish, so nothing of it is left running) and
   * closes the routes' server.
   */
  override async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.disconnect().catch(() => {}),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  /**
   * After a `disconnect` frame the client has sent its close frame and waits for the connection to end; Slack answers
   * the close but leaves the TCP connection open (said in @slack/socket-mode 3.2.0's changelog; this is 3.1.0), so the
   * client would wait for its pong watchdog (5 s) before it even schedules the reconnect: 11.7 s without a connection
   * in the test, 5 s with this. The socket is already closing and can no longer ack anything: end it now (the
   * client's own path for a close that does not complete), so its reconnect (5 s later) is scheduled now.
   */
  private finishClose(): void {
    const socket = this.client.websocket;
    if (socket && socket.readyState === CLOSING) socket.disconnect();
  }

  private handlerFor(req: IncomingMessage) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    return this.table[path]?.[(req.method ?? 'GET').toUpperCase()];
  }
}
