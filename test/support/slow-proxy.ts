/**
 * A loopback HTTP proxy in front of a real server (the scenario Prometheus) that delays every request, or holds
 * requests unanswered: for runs that must still be going when a test stops or kills the process running them.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './local-process.js';

export interface SlowProxy {
  url: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  /** Delay added before forwarding each request. */
  setDelay(ms: number): void;
  /** Hold every new request unanswered until `release()` or `stop()`. */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

export async function startSlowProxy(target: string, options: { delayMs?: number } = {}): Promise<SlowProxy> {
  const upstream = new URL(target);
  let delayMs = options.delayMs ?? 0;
  let holding = false;
  let forwarded = 0;
  const held: (() => void)[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    forwarded++;
    const out = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    const go = () => setTimeout(() => forward(req, res), delayMs);
    if (holding) held.push(go);
    else go();
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    get forwarded() {
      return forwarded;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const go of held.splice(0)) go();
    },
    async stop() {
      held.length = 0;
      await listening.close();
    },
  };
}
