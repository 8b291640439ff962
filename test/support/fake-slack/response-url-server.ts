/**
 * A tiny local stand-in for Slack's `response_url` endpoints (slash commands, interactivity). Bolt v5's `respond()`
 * POSTs JSON to the absolute URL with `clientOptions.fetch ?? globalThis.fetch` and throws `RespondError` on a
 * non-2xx, so a URL from {@link ResponseUrlServer.newUrl} can be put in a signed command/action body and every
 * `respond()` is recorded here. Listens on 127.0.0.1 only.
 *
 * Slack documents "up to 5 times within 30 minutes" per response_url but not the exact failure answer, so the use
 * limit is opt-in (`maxUsesPerUrl`), answering 404 `used_url` beyond it (an assumption, not a documented answer).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedResponse {
  seq: number;
  /** Path of the response URL, e.g. `/commands/T0FAKE0001/1/abc`. */
  path: string;
  /** Full URL that was POSTed to. */
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body (`undefined` if it was not JSON). */
  body: unknown;
  /** Status answered. */
  status: number;
  time: number;
}

export interface ResponseUrlServerOptions {
  port?: number;
  /** Answer 404 `used_url` after this many POSTs to the same URL (Slack's documented limit is 5). Default: unlimited. */
  maxUsesPerUrl?: number;
}

export interface ResponseUrlServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** A fresh, unique response URL (`${origin}/commands/T0FAKE0001/<n>/<random>` unless `path` is given). */
  newUrl(path?: string): string;
  /** Every POST, in order (live array). */
  requests: RecordedResponse[];
  /** Requests to one URL (full URL or path). */
  requestsTo(urlOrPath: string): RecordedResponse[];
  /** Resolves when at least `count` requests (default 1; to `url` if given) have arrived; rejects after `timeoutMs` (default 5000). */
  waitForRequests(options?: { count?: number; url?: string; timeoutMs?: number }): Promise<RecordedResponse[]>;
  /** The next `times` (default 1) POSTs are answered with this status (and body). */
  failNext(status: number, body?: string, times?: number): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startResponseUrlServer(options: ResponseUrlServerOptions = {}): Promise<ResponseUrlServer> {
  const requests: RecordedResponse[] = [];
  const failures: Array<{ status: number; body: string }> = [];
  let counter = 0;
  let seq = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const url = new URL(req.url ?? '/', origin);
      const previousUses = requests.filter((r) => r.path === url.pathname && r.status < 300).length;
      let status = 200;
      let answer = 'ok';
      const failure = failures.shift();
      if (failure) {
        status = failure.status;
        answer = failure.body;
      } else if (req.method !== 'POST') {
        status = 405;
        answer = 'method_not_allowed';
      } else if (options.maxUsesPerUrl !== undefined && previousUses >= options.maxUsesPerUrl) {
        status = 404;
        answer = 'used_url';
      }
      requests.push({
        seq: ++seq,
        path: url.pathname,
        url: url.toString(),
        method: req.method ?? 'GET',
        headers: req.headers,
        rawBody,
        body,
        status,
        time: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  const matches = (r: RecordedResponse, urlOrPath: string) => r.url === urlOrPath || r.path === urlOrPath;

  return {
    origin,
    newUrl(path) {
      counter += 1;
      const p = path ?? `/commands/T0FAKE0001/${counter}/${Math.random().toString(36).slice(2, 14)}`;
      return `${origin}${p.startsWith('/') ? p : `/${p}`}`;
    },
    requests,
    requestsTo: (urlOrPath) => requests.filter((r) => matches(r, urlOrPath)),
    async waitForRequests({ count = 1, url, timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = url === undefined ? requests : requests.filter((r) => matches(r, url));
        if (got.length >= count) return got;
        if (Date.now() > deadline) {
          throw new Error(`response-url-server: ${got.length} request(s), expected ${count}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    failNext(status, body = 'error', times = 1) {
      for (let i = 0; i < times; i++) failures.push({ status, body });
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      seq = 0;
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
