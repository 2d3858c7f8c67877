/**
 * Backpack's WebSocket API on Signet's HTTP port: an upgrade on `/` becomes a stream connection (a plain GET of `/`
 * still serves the console). One socket carries public and private streams. This file wires the transport: the
 * market events come from events/ (openMarketEventFeed), the hub fans them out (stream-hub.ts), each socket is a
 * StreamConnection (stream-connection.ts) written by the FrameWriter (frame-writer.ts), client frames are handled
 * by stream-subscriptions.ts and revocations by key-watch.ts.
 *
 * Invariants and limits (StreamLimits): subscriptions per connection, connections per client address (the one REST
 * sees, trusted proxies included: trusted-proxies.ts; refused with 429 at the upgrade), frame size (maxPayload, closed with 1009 by `ws`), and each socket's send buffer: a consumer
 * whose buffered bytes pass the bound is closed (1008 "send buffer limit") instead of growing the server's memory;
 * and the sum of all sockets' buffered bytes (maxTotalBufferedBytes): past it, the biggest holder is closed the same
 * way (send-budget.ts).
 * Keep-alive: a protocol ping every pingIntervalMs; when no pong came for pongTimeoutMs, a Close frame (1001 "pong
 * timeout"), then the socket is destroyed after a grace (stream-connection.ts); client pings are answered by `ws`.
 * Revocation: see key-watch.ts (every keyCheckMs, error 4104).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { WebSocket, WebSocketServer } from 'ws';

import type { Exchange } from '../../exchange/index.ts';
import type { SignedRequestVerifier } from '../../keys/index.ts';
import { databaseOutageOf } from '../../store/database-outage.ts';
import type { RedisLink } from '../../store/redis-link.ts';
import type { Database } from '../../store/schema.ts';
import { openMarketEventFeed } from '../../events/index.ts';
import { FrameWriter } from './frame-writer.ts';
import { watchBoundKeys } from './key-watch.ts';
import { SendBudget } from './send-budget.ts';
import { StreamConnection } from './stream-connection.ts';
import { StreamHub } from './stream-hub.ts';
import { createFrameHandler } from './stream-subscriptions.ts';
import { clientAddressOf } from '../trusted-proxies.ts';

export interface StreamLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerAddress: number;
  /** Bytes queued on one socket before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** Bytes queued on all sockets of the node together before the one holding the most is closed. */
  maxTotalBufferedBytes: number;
  /** Largest client frame, bytes. */
  maxPayloadBytes: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  keyCheckMs: number;
  /** Shortest time between two writes to a socket while frames keep coming (0: every turn). */
  flushIntervalMs: number;
  /** How old a signed SUBSCRIBE's timestamp may be past its window (stream-subscriptions.ts; 0: window only). */
  subscribeMaxAgeMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxSubscriptionsPerConnection: 200,
  maxConnectionsPerAddress: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxTotalBufferedBytes: 64 * 1024 * 1024,
  maxPayloadBytes: 64 * 1024,
  pingIntervalMs: 60_000,
  pongTimeoutMs: 120_000,
  keyCheckMs: 500,
  flushIntervalMs: 5,
  subscribeMaxAgeMs: 300_000,
};

export interface StreamServerOptions {
  app: FastifyInstance;
  db: Kysely<Database>;
  exchange: Exchange;
  verifier: SignedRequestVerifier;
  /** The database's URL: events of every node sharing it reach this node's subscribers (open-event-bus.ts). */
  databaseUrl?: string;
  /** REDIS_URL's link: events travel through Redis pub/sub while it is up (redis-event-bus.ts). */
  redis?: RedisLink;
  limits?: Partial<StreamLimits>;
  now?: () => number;
  /** Called when a slow consumer is disconnected for passing a send-buffer bound, its own or the node's (metrics). */
  onConsumerDropped?: () => void;
  /**
   * The app's trusted proxies (buildApp's `trustProxy`): a stream's client address is the one REST sees, for the
   * key's allowlist, the per-address connection cap and usage records. The socket peer when absent.
   */
  trustProxy?: boolean | string[];
}

export interface StreamServer {
  readonly hub: StreamHub;
  readonly connections: ReadonlySet<StreamConnection>;
  /** Bytes held for consumers across connections, as the budget counts them (at most maxTotalBufferedBytes). */
  readonly bufferedBytes: number;
  close(): Promise<void>;
}

export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const { app, exchange, db } = options;
  const limits: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  // A lost database is logged once per outage (database-outage.ts), not once per stream error it causes.
  const outage = databaseOutageOf(db);
  const onError = (error: unknown): void => {
    if (!outage.failed(error)) app.log.error({ err: error }, 'stream error');
  };

  const hub = new StreamHub({ config: exchange.config, exchange, onError });
  const feed = await openMarketEventFeed({
    db,
    exchange,
    databaseUrl: options.databaseUrl,
    redis: options.redis,
    deliver: (event, info) => hub.onEvent(event, info),
    onError,
  });
  hub.start();

  const connections = new Set<StreamConnection>();
  const budget = new SendBudget(limits.maxTotalBufferedBytes, connections);
  const stopUpgrades = acceptConnections({
    app,
    limits,
    now,
    connections,
    budget,
    hub,
    handleFrame: createFrameHandler({
      hub,
      verifier: options.verifier,
      maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection,
      subscribeMaxAgeMs: limits.subscribeMaxAgeMs,
    }),
    onError,
    onConsumerDropped: options.onConsumerDropped,
    clientAddress: clientAddressOf(options.trustProxy),
  });
  const stopKeepAlive = keepAlive(connections, limits, now);
  const stopKeyWatch = watchBoundKeys({
    verifier: options.verifier,
    hub,
    connections,
    intervalMs: limits.keyCheckMs,
    now,
    onError,
  });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopKeepAlive();
      stopKeyWatch();
      const feedClosed = feed.close();
      hub.close();
      stopUpgrades();
      await feedClosed;
    })();
    return closing;
  };
  return {
    hub,
    connections,
    get bufferedBytes() {
      return budget.held;
    },
    close,
  };
}

/**
 * Turns upgrades on `/` into connections (404 elsewhere, 429 past the per-address bound); returns the function
 * that stops accepting and closes every connection (1001, after the frames already queued).
 */
function acceptConnections(input: {
  app: FastifyInstance;
  limits: StreamLimits;
  now: () => number;
  connections: Set<StreamConnection>;
  budget: SendBudget;
  hub: StreamHub;
  handleFrame: (connection: StreamConnection, text: string) => Promise<void>;
  onError: (error: unknown) => void;
  onConsumerDropped: (() => void) | undefined;
  clientAddress: (request: IncomingMessage) => string;
}): () => void {
  const { app, limits, now, connections, hub } = input;
  const writer = new FrameWriter(limits.flushIntervalMs);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayloadBytes,
    perMessageDeflate: false,
  });
  const perAddress = new Map<string, number>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '') return refuseUpgrade(socket, 404, 'Not Found');
    // The client, not the proxy: behind a trusted proxy, each client has its own allowance.
    const address = input.clientAddress(request);
    if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) {
      return refuseUpgrade(socket, 429, 'Too Many Requests');
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      const connection = new StreamConnection(
        ws,
        address,
        writer,
        limits.maxBufferedBytes,
        input.budget,
        now(),
        input.onConsumerDropped,
      );
      connections.add(connection);
      ws.on('pong', () => (connection.lastPongAt = now()));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return connection.sendError('PARSE_ERROR');
        void input.handleFrame(connection, String(data)).catch(input.onError);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        connection.released();
        connections.delete(connection);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left <= 0) perAddress.delete(address);
        else perAddress.set(address, left);
        for (const name of connection.subscriptions) hub.unsubscribe(connection, name);
        connection.subscriptions.clear();
      });
    });
  };
  app.server.on('upgrade', onUpgrade);
  return () => {
    app.server.off('upgrade', onUpgrade);
    for (const connection of connections) connection.close(1001, 'server shutting down');
    for (const connection of connections) connection.socket.terminate();
    wss.close();
  };
}

/**
 * Protocol pings every pingIntervalMs; a connection silent for pongTimeoutMs gets a Close frame (1001 "pong
 * timeout") and is destroyed after a short grace if it does not complete the close.
 */
function keepAlive(
  connections: ReadonlySet<StreamConnection>,
  limits: StreamLimits,
  now: () => number,
): () => void {
  const timer = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (at - connection.lastPongAt > limits.pongTimeoutMs) connection.closeUnresponsive();
      else if (connection.socket.readyState === WebSocket.OPEN) connection.socket.ping();
    }
  }, limits.pingIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
