/**
 * What the primary of `signet serve --workers N` answers itself when no worker can take a connection (all died and
 * are being replaced, or every one is shutting down): the port stays open and every request gets an answer.
 *
 * - `GET /healthz`: 200, the node is alive (its primary is replacing the workers);
 * - `GET /readyz`: 503 with a failing `workers` check, so a load balancer sends traffic elsewhere meanwhile;
 * - anything else: 503 `MAINTENANCE` in Backpack's format with `Retry-After`.
 *
 * Every answer closes the connection, so the client's next one reaches a worker once one serves again.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Slow or silent clients of the fallback do not hold the primary's sockets for long. */
const FALLBACK_SOCKET_TIMEOUT_MS = 5000;

export interface FallbackAnswers {
  /** Answers one connection the dispatcher could not hand to a worker. */
  take: (socket: Socket) => void;
}

export function createFallbackAnswers(
  state: () => { reason: string; retryAfterSeconds: number },
): FallbackAnswers {
  const server = createServer(
    { keepAlive: false, requestTimeout: FALLBACK_SOCKET_TIMEOUT_MS },
    (request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      const { reason, retryAfterSeconds } = state();
      const path = (request.url ?? '/').split('?')[0];
      const [status, body] =
        request.method === 'GET' && path === '/healthz'
          ? [200, { status: 'ok' }]
          : request.method === 'GET' && path === '/readyz'
            ? [503, { status: 'not ready', checks: [{ name: 'workers', ok: false, detail: reason }] }]
            : [503, { code: 'MAINTENANCE', message: `Temporarily unavailable: ${reason}` }];
      const text = JSON.stringify(body);
      response.shouldKeepAlive = false;
      response.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
        ...(status === 503 ? { 'retry-after': String(retryAfterSeconds) } : {}),
        connection: 'close',
      });
      response.end(text);
    },
  );
  server.on('clientError', (_error, socket) => socket.destroy());
  return {
    take: (socket) => {
      socket.setTimeout(FALLBACK_SOCKET_TIMEOUT_MS, () => socket.destroy());
      server.emit('connection', socket);
      socket.resume();
    },
  };
}
