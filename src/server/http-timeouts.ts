/**
 * How long a connection may take, against slow clients (slowloris: one header line every few seconds keeps a
 * socket, and a slot, forever). Node enforces all of these on the HTTP server:
 *
 * - headersTimeout: the whole header block must arrive within this (default 10 s);
 * - requestTimeout: the whole request, body included, within this (default 30 s);
 * - keepAliveTimeout: an idle kept-alive connection is closed after this (default 5 s, Node's own);
 * - Node checks the first two every `connectionsCheckingInterval`, which is derived from headersTimeout so a short
 *   configured timeout is honoured promptly (Node's default check runs every 30 s).
 *
 * Environment: SIGNET_HEADERS_TIMEOUT_MS, SIGNET_REQUEST_TIMEOUT_MS, SIGNET_KEEP_ALIVE_TIMEOUT_MS.
 */

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

function readMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 3_600_000) {
    throw new Error(`${name} must be a whole number of milliseconds from 1 to 3600000`);
  }
  return value;
}

export function httpTimeoutsFromEnv(env: NodeJS.ProcessEnv): HttpTimeouts {
  const timeouts = {
    headersTimeoutMs: readMs(env, 'SIGNET_HEADERS_TIMEOUT_MS', DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs),
    requestTimeoutMs: readMs(env, 'SIGNET_REQUEST_TIMEOUT_MS', DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs),
    keepAliveTimeoutMs: readMs(env, 'SIGNET_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_HTTP_TIMEOUTS.keepAliveTimeoutMs),
  };
  return timeouts;
}

/** The options for Fastify and the Node HTTP server it creates. Node requires headersTimeout <= requestTimeout. */
export function httpServerOptions(timeouts: HttpTimeouts): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  const requestTimeout = Math.max(timeouts.requestTimeoutMs, timeouts.headersTimeoutMs);
  return {
    requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
  };
}
