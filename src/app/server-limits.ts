import { createServer, type Server, type ServerOptions } from 'node:http';

/**
 * The HTTP server's limits, for a Slack receiver: Slack sends small requests and wants an answer within 3 s, so a
 * client still sending headers after 10 s or a body after 15 s is cut off; idle keep-alive sockets close after 5 s
 * (Slack opens new connections freely); at most 512 connections at once. Idle sockets are checked every 2 s.
 */
export const SERVER_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 2_000,
  maxConnections: 512,
} as const;

/** {@link SERVER_LIMITS} as options for `http.createServer` (the rest is set by {@link applyServerLimits}). */
export const SERVER_OPTIONS: ServerOptions = {
  connectionsCheckingInterval: SERVER_LIMITS.connectionsCheckingIntervalMs,
  headersTimeout: SERVER_LIMITS.headersTimeoutMs,
  requestTimeout: SERVER_LIMITS.requestTimeoutMs,
  keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
};

/** A server for Triage's own routes, with {@link SERVER_LIMITS}. */
export function limitedServer(): Server {
  const server = createServer(SERVER_OPTIONS);
  applyServerLimits(server);
  return server;
}

/** Applies {@link SERVER_LIMITS} to a listening server. */
export function applyServerLimits(server: Server): void {
  server.headersTimeout = SERVER_LIMITS.headersTimeoutMs;
  server.requestTimeout = SERVER_LIMITS.requestTimeoutMs;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeoutMs;
  server.maxConnections = SERVER_LIMITS.maxConnections;
}
