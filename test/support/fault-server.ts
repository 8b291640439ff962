/**
 * A misbehaving data source on loopback, for fault tests and the bench's fault matrix: real sockets, answering
 * every request with one fault (or holding it unanswered). `down` is a closed port.
 */
import { createServer, type ServerResponse } from 'node:http';
import { closedPort, listenOnLoopback } from './local-process.js';

export const FAULTS = ['down', 'slow', '500 json', '503 html', '404 text', 'truncated json', 'wrong shape'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultServer {
  url: string;
  /** Requests received (0 for `down`). */
  readonly requests: number;
  stop(): Promise<void>;
}

function answer(res: ServerResponse, fault: Exclude<Fault, 'down' | 'slow'>): void {
  switch (fault) {
    case '500 json':
      // Prometheus's error envelope; Elasticsearch and Loki callers see an HTTP 500 with a JSON body.
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'storage failure' }));
      return;
    case '503 html':
      res.writeHead(503, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>503 Service Temporarily Unavailable</h1><hr><center>nginx</center></body></html>');
      return;
    case '404 text':
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    case 'truncated json':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"val');
      return;
    case 'wrong shape':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ hello: 'world', data: [1, 2, 3] }));
      return;
  }
}

export async function startFaultServer(fault: Fault): Promise<FaultServer> {
  if (fault === 'down') {
    const port = await closedPort();
    return { url: `http://127.0.0.1:${port}`, requests: 0, stop: async () => {} };
  }
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    if (fault === 'slow') return; // never answered: the client's timeout must fire
    answer(res, fault);
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    get requests() {
      return requests;
    },
    stop: listening.close,
  };
}
