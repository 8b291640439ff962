/**
 * Slack's Socket Mode side, local, in front of a {@link FakeSlack}: pass `socket.url` as SLACK_API_URL and every Slack
 * call goes here. `apps.connections.open` is answered here (the app-level token checked as Slack does: `Authorization:
 * Bearer xapp-…`; none → `not_authed`, a bot token → `not_allowed_token_type`, another app token → `invalid_auth`)
 * with `{ ok: true, url: "ws://127.0.0.1:PORT/link/?ticket=…&app_id=…" }`, a one-use ticket; every other `/api/`
 * method is forwarded to the fake Web API, which records it.
 *
 * The WebSocket speaks Slack's Socket Mode protocol (https://api.slack.com/apis/connections/socket-implement): on
 * connect it sends `{"type":"hello","num_connections":1,"debug_info":{…},"connection_info":{"app_id":…}}`; it sends
 * envelopes `{"envelope_id","type":"events_api"|"slash_commands"|"interactive","payload",
 * "accepts_response_payload",…}` and takes the app's acknowledgements `{"envelope_id","payload"?}`; it sends
 * `{"type":"disconnect","reason":…}` when told to (Slack's reasons: `warning` — the connection closes in about 10 s,
 * `refresh_requested` — it is about to be refreshed, `link_disabled` — Socket Mode was turned off for the app) and
 * closes the connection itself if the app has not after `closeAfterMs`, as Slack does; with `holdTcp` it leaves the
 * TCP connection open after the close handshake until the app ends it, as Slack does (@slack/socket-mode 3.2.0's
 * changelog). It pings every 5 s (Slack pings too; the client gives up after 30 s without one); the `ws` library
 * answers the client's own pings. Listens on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeSlack } from './fake-slack-server.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** One answer of apps.connections.open (recorded whatever it was). */
export interface ConnectionsOpenCall {
  token: string | undefined;
  ok: boolean;
  error?: string;
  status: number;
  url?: string;
}

export interface Ack {
  envelopeId: string;
  /** The ack's payload (what Bolt's `ack(…)` was given; `{}` for a bare ack). */
  payload: unknown;
  /** Milliseconds from sending the envelope to its ack. */
  ms: number;
}

export interface FakeSocketConnection {
  /** 1-based, in connection order. */
  id: number;
  ws: WebSocket;
  /** When `hello` was sent (ms since epoch). */
  helloAt: number;
  /** When the connection closed (undefined while open). */
  closedAt?: number;
  /** Close code seen by the server (1006 for a dropped socket). */
  closeCode?: number;
}

export type OpenFault = { status: number } | { error: string } | { networkDrop: true };

export interface FakeSocketMode {
  /** `http://127.0.0.1:PORT/api/`: SLACK_API_URL for the whole app. */
  url: string;
  origin: string;
  /** Every apps.connections.open, in order. */
  opens: ConnectionsOpenCall[];
  /** Every WebSocket connection, in order. */
  connections: FakeSocketConnection[];
  /** Every acknowledgement received, in order. */
  acks: Ack[];
  /** The connection currently open (the latest one not closed). */
  current(): FakeSocketConnection | undefined;
  /** Resolves with connection number `n` (1-based) once it has its hello; rejects after `timeoutMs` (default 15 s). */
  waitForConnection(n: number, timeoutMs?: number): Promise<FakeSocketConnection>;
  /** Sends an envelope on the open connection; resolves with its ack, rejects if none comes within `timeoutMs` (3 s). */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: { timeoutMs?: number }): Promise<Ack>;
  /** Sends `{"type":"disconnect","reason":…}`; closes the connection after `closeAfterMs` (10 s) if the app has not. */
  disconnect(
    reason: 'warning' | 'refresh_requested' | 'link_disabled',
    options?: { closeAfterMs?: number; holdTcp?: boolean },
  ): void;
  /** Destroys the open connection's TCP socket, no close frame (a network failure). */
  drop(): void;
  /** The next `times` apps.connections.open calls fail as described. */
  failOpen(fault: OpenFault, times?: number): void;
  stop(): Promise<void>;
}

const PING_INTERVAL_MS = 5000;

export async function startFakeSocketMode(options: {
  /** The fake Web API the other methods go to. */
  api: FakeSlack;
  /** The app-level token Slack accepts. */
  appToken: string;
}): Promise<FakeSocketMode> {
  const { api, appToken } = options;
  const opens: ConnectionsOpenCall[] = [];
  const connections: FakeSocketConnection[] = [];
  const acks: Ack[] = [];
  const tickets = new Set<string>();
  const faults: OpenFault[] = [];
  const pending = new Map<string, { sentAt: number; resolve: (ack: Ack) => void }>();
  const timers = new Set<NodeJS.Timeout>();
  const wss = new WebSocketServer({ noServer: true });

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const connectionsOpen = (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
    const record = (status: number, body: { ok: boolean; error?: string; url?: string }) => {
      opens.push({ token, status, ...body });
      answer(res, status, body);
    };
    const fault = faults.shift();
    if (fault && 'networkDrop' in fault) {
      opens.push({ token, ok: false, status: 0, error: 'network drop' });
      req.socket.destroy();
      return;
    }
    if (fault && 'status' in fault) return record(fault.status, { ok: false, error: `http ${fault.status}` });
    if (fault) return record(200, { ok: false, error: fault.error });
    if (!token) return record(200, { ok: false, error: 'not_authed' });
    if (!token.startsWith('xapp-')) return record(200, { ok: false, error: 'not_allowed_token_type' });
    if (token !== appToken) return record(200, { ok: false, error: 'invalid_auth' });
    const ticket = randomUUID();
    tickets.add(ticket);
    record(200, { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${api.appId}` });
  };

  /** Every other Web API method: to the fake Web API, unchanged. */
  const forward = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const upstream = await fetch(new URL(req.url ?? '/', api.origin), {
      method: req.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const out: Record<string, string> = {};
    for (const [name, value] of upstream.headers) {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) out[name] = value;
    }
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake.invalid').pathname;
    const work = path === '/api/apps.connections.open' ? Promise.resolve(connectionsOpen(req, res)) : forward(req, res);
    work.catch((e: unknown) => {
      if (!res.headersSent) answer(res, 500, { ok: false, error: `fake-socket-mode: ${String(e)}` });
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: FakeSocketConnection = { id: connections.length + 1, ws, helloAt: Date.now() };
      connections.push(connection);
      const ping = setInterval(() => ws.ping(), PING_INTERVAL_MS);
      timers.add(ping);
      ws.on('message', (data) => {
        const text = data.toString();
        let frame: { envelope_id?: unknown; payload?: unknown };
        try {
          frame = JSON.parse(text) as typeof frame;
        } catch {
          return;
        }
        if (typeof frame.envelope_id !== 'string') return;
        const waiting = pending.get(frame.envelope_id);
        const ack: Ack = {
          envelopeId: frame.envelope_id,
          payload: frame.payload ?? {},
          ms: waiting ? Date.now() - waiting.sentAt : 0,
        };
        acks.push(ack);
        if (waiting) {
          pending.delete(frame.envelope_id);
          waiting.resolve(ack);
        }
      });
      const closed = (code: number) => {
        clearInterval(ping);
        timers.delete(ping);
        connection.closedAt ??= Date.now();
        connection.closeCode ??= code;
      };
      ws.on('close', closed);
      // A held connection (see disconnect) ends when the app drops the TCP connection.
      socket.once('close', () => closed(1006));
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: connections.filter((c) => c.closedAt === undefined).length,
          debug_info: { host: `applink-fake-${connection.id}`, build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: api.appId },
        }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const current = () => [...connections].reverse().find((c) => c.closedAt === undefined);

  return {
    url: `${origin}/api/`,
    origin,
    opens,
    connections,
    acks,
    current,
    async waitForConnection(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const connection = connections[n - 1];
        if (connection) return connection;
        if (Date.now() > deadline) {
          throw new Error(
            `fake-socket-mode: ${connections.length} connection(s), expected ${n} within ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    send(type, payload, { timeoutMs = 3000 } = {}) {
      const connection = current();
      if (!connection) return Promise.reject(new Error('fake-socket-mode: no open connection'));
      const envelopeId = randomUUID();
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type === 'slash_commands',
        ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      };
      return new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelopeId);
          reject(new Error(`fake-socket-mode: no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelopeId, {
          sentAt: Date.now(),
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
        });
        connection.ws.send(JSON.stringify(envelope));
      });
    },
    disconnect(reason, { closeAfterMs = 10_000, holdTcp = false } = {}) {
      const connection = current();
      if (!connection) throw new Error('fake-socket-mode: no open connection to disconnect');
      if (holdTcp) {
        // After the close handshake Slack leaves the TCP connection open (the SDK's changelog, 3.2.0): so does this.
        // The connection ends only when the app ends it.
        const raw = (connection.ws as unknown as { _socket: Socket })._socket;
        raw.end = () => raw;
        raw.once('end', () => raw.destroy());
      }
      connection.ws.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: `applink-fake-${connection.id}` } }),
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (connection.closedAt === undefined) connection.ws.close(1001, reason);
      }, closeAfterMs);
      timers.add(timer);
    },
    drop() {
      const connection = current();
      if (!connection) throw new Error('fake-socket-mode: no open connection to drop');
      connection.ws.terminate();
    },
    failOpen(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const c of connections) if (c.closedAt === undefined) c.ws.terminate();
      return new Promise<void>((resolve) => {
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
