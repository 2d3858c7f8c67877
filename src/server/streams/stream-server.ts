/**
 * Backpack's WebSocket API on Signet's HTTP port: an upgrade on `/` becomes a stream connection (a plain GET of `/`
 * still serves the console). One socket carries public and private streams.
 *
 * Per connection: SUBSCRIBE / UNSUBSCRIBE frames (stream-frames.ts), no reply on success, error frames otherwise.
 * Private (`account.*`) subscriptions are signed (`instruction=subscribe&timestamp=..&window=..`) and verified by
 * the REST verifier, so the window, the key lookup and revocation rules are the same; read-only keys may subscribe.
 * A connection is bound to the first key that signs on it.
 *
 * Invariants and limits (StreamLimits): subscriptions per connection, connections per address (refused with 429
 * at the upgrade), frame size (maxPayload, closed with 1009 by `ws`), and each socket's send buffer: a consumer
 * whose buffered bytes pass the bound is closed (1008 "send buffer limit") instead of growing the server's memory.
 * Keep-alive: a protocol ping every pingIntervalMs, closed when no pong came for pongTimeoutMs; client pings are
 * answered by `ws`.
 * Revocation: the keys of connections with private subscriptions are re-read every keyCheckMs in one query; a key
 * that is gone or revoked ends those subscriptions with error 4104 (on every node: each node checks its own).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { WebSocket, WebSocketServer } from 'ws';

import type { Exchange } from '../../exchange/exchange-service.ts';
import type { SignedRequestVerifier } from '../../keys/signed-request-verifier.ts';
import { STREAM_SUBSCRIBE_ROUTE } from '../../protocol/instructions.ts';
import { checkTimeWindow } from '../../protocol/signed-request.ts';
import type { RedisLink } from '../../store/redis-link.ts';
import type { Database } from '../../store/schema.ts';
import { CommitEventBuilder } from './commit-events.ts';
import type { EventBus } from './event-bus.ts';
import { EventSequencer } from './event-sequencer.ts';
import type { MarketEvent } from './market-events.ts';
import { openEventBus } from './open-event-bus.ts';
import {
  errorFrame,
  isPrivateStream,
  parseClientFrame,
  parseStreamName,
  type SignatureItems,
  type StreamErrorName,
  type StreamName,
} from './stream-frames.ts';
import { StreamHub, type StreamSubscriber } from './stream-hub.ts';
import { payloadStart, textFrame, type WireFrame } from './wire-frame.ts';

export interface StreamLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerAddress: number;
  /** Bytes queued on one socket before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** Largest client frame, bytes. */
  maxPayloadBytes: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  keyCheckMs: number;
  /** Shortest time between two writes to a socket while frames keep coming (0: every turn). */
  flushIntervalMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxSubscriptionsPerConnection: 200,
  maxConnectionsPerAddress: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPayloadBytes: 64 * 1024,
  pingIntervalMs: 60_000,
  pongTimeoutMs: 120_000,
  keyCheckMs: 500,
  flushIntervalMs: 5,
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
  /** Called when a slow consumer is disconnected for passing the send-buffer bound (metrics). */
  onConsumerDropped?: () => void;
}

export interface StreamServer {
  readonly hub: StreamHub;
  readonly connections: ReadonlySet<StreamConnection>;
  close(): Promise<void>;
}

interface BoundKey {
  id: string;
  apiKey: string;
  subaccountId: string;
}

/** The frames one connection's flush wrote, joined, for the next connection queued the same ones. */
interface JoinedFrames {
  frames: readonly Buffer[];
  bytes: Buffer | null;
}

function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `ws` keeps the TCP socket in `_socket`. */
type RawSocket = { write(bytes: Buffer): boolean };

/**
 * Writes the frames queued on connections, together: one write per socket per flush, whatever the number of
 * frames. A flush follows the turn that queued the first frame (setImmediate) when the last flush is older than
 * `intervalMs`, and otherwise waits for the interval to end: an idle market's frames leave at once, a busy
 * market's leave in one write per socket every few milliseconds instead of one per group commit, and the
 * sockets that queued the same frames share one joined buffer. With 100 subscribers of a busy market the writes (a
 * syscall each) and their copies were the fan-out's largest cost (bench/streams.ts: 2 ms gave ~84 % of the order
 * rate without subscribers, 5 ms ~91 %).
 */
class FrameWriter {
  private readonly queued = new Set<StreamConnection>();
  private scheduled = false;
  private lastFlushAt = 0;

  constructor(private readonly intervalMs: number) {}

  queue(connection: StreamConnection): void {
    this.queued.add(connection);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastFlushAt + this.intervalMs - performance.now();
    if (wait <= 0) setImmediate(this.flush);
    else setTimeout(this.flush, wait);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.lastFlushAt = performance.now();
    // Subscribers of the same streams queue the very same frames: their joined bytes are built once per flush.
    const joined: JoinedFrames = { frames: [], bytes: null };
    for (const connection of this.queued) connection.flush(joined);
    this.queued.clear();
  };
}

class StreamConnection implements StreamSubscriber {
  readonly subscriptions = new Set<string>();
  key: BoundKey | null = null;
  lastPongAt: number;
  closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    private readonly writer: FrameWriter,
    private readonly maxBufferedBytes: number,
    now: number,
    private readonly onDropped: () => void = () => {},
  ) {
    this.lastPongAt = now;
  }

  get subaccountId(): string | null {
    return this.key?.subaccountId ?? null;
  }

  /**
   * Queues one frame: the per-subscriber cost of a fan-out, kept to a push. The send-buffer bound is checked here
   * against what is queued and at the flush against what the socket still holds.
   */
  send(frame: WireFrame): void {
    if (this.closed) return;
    this.pending.push(frame.bytes);
    this.pendingBytes += frame.bytes.length;
    if (this.pending.length === 1) this.writer.queue(this);
    else if (this.pendingBytes > this.maxBufferedBytes) this.dropSlowConsumer();
  }

  /**
   * Writes the queued frames. Frames go to the TCP socket directly: `ws` writes each of its own frames (pings,
   * pongs, close) whole and at once when compression is off, as here, so frames never interleave.
   */
  flush(joined: JoinedFrames = { frames: [], bytes: null }): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount + bytes > this.maxBufferedBytes) return this.dropSlowConsumer();
    const raw = (this.socket as unknown as { _socket?: RawSocket })._socket;
    if (raw === undefined) {
      // Not expected with ws 8; kept so a change of its internals degrades to one send per frame, not silence.
      for (const frame of pending) this.socket.send(frame.subarray(payloadStart(frame)), { binary: false });
      return;
    }
    if (pending.length === 1) {
      raw.write(pending[0] as Buffer);
      return;
    }
    if (joined.bytes === null || !sameFrames(joined.frames, pending)) {
      joined.frames = pending;
      joined.bytes = Buffer.concat(pending, bytes);
    }
    raw.write(joined.bytes);
  }

  /** A consumer that does not read is closed before its send buffer passes the bound. */
  private dropSlowConsumer(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.onDropped();
    this.socket.close(1008, 'send buffer limit');
    // A peer that does not read will not read the close frame either: drop it after a grace period.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  /** Closes after the frames already queued (a going-away close must not overtake them). */
  close(code: number, reason: string): void {
    this.flush();
    this.socket.close(code, reason);
  }

  sendError(error: StreamErrorName, detail?: string): void {
    this.send(textFrame(errorFrame(error, detail)));
  }
}

export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const { app, exchange, verifier, db } = options;
  const limits: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...options.limits };
  const writer = new FrameWriter(limits.flushIntervalMs);
  const now = options.now ?? Date.now;
  const onError = (error: unknown): void => app.log.error({ err: error }, 'stream error');

  const hub = new StreamHub({ config: exchange.config, exchange, onError });
  // Events that arrive before the starting sequences are known wait here (the bus opens first: see openEventBus).
  let early: MarketEvent[] | null = [];
  let sequencer: EventSequencer | null = null;
  const receive = (event: MarketEvent): void => {
    if (sequencer !== null) sequencer.push(event);
    else early?.push(event);
  };
  // The bus registers this node before the market sequences are read: an event committed in between is then
  // received and dropped as old, never missed.
  const { bus, gapWaitMs } = await openEventBus({
    db,
    databaseUrl: options.databaseUrl,
    redis: options.redis,
    receive,
    onError,
  });
  // A hole in the sequences waits gapWaitMs for another node's event; 0 when no other process can send one.
  const ordered = new EventSequencer((event, info) => hub.onEvent(event, info), { gapWaitMs });
  const counters = await db
    .selectFrom('counters')
    .select(['name', 'value'])
    .where('name', 'like', 'market:%')
    .execute();
  for (const row of counters) ordered.setBaseline(row.name.slice('market:'.length), Number(row.value));
  sequencer = ordered;
  for (const event of early) ordered.push(event);
  early = null;
  exchange.books.observer = new CommitEventBuilder({
    node: bus.node,
    config: exchange.config,
    publish: (event) => bus.publish(event),
    ...(bus.recordInCommit
      ? {
          record: (trx, event) => (bus.recordInCommit as NonNullable<EventBus['recordInCommit']>)(trx, event),
        }
      : {}),
  });
  hub.start();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayloadBytes,
    perMessageDeflate: false,
  });
  const connections = new Set<StreamConnection>();
  const perAddress = new Map<string, number>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '') return refuseUpgrade(socket, 404, 'Not Found');
    const address = request.socket.remoteAddress ?? 'unknown';
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
        now(),
        options.onConsumerDropped,
      );
      connections.add(connection);
      ws.on('pong', () => (connection.lastPongAt = now()));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return connection.sendError('PARSE_ERROR');
        void handleFrame(connection, String(data)).catch(onError);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        connection.closed = true;
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

  async function handleFrame(connection: StreamConnection, text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return connection.sendError(parsed.error);
    const { frame } = parsed;
    if (frame.method === 'UNSUBSCRIBE') {
      for (const name of frame.streams) {
        if (connection.subscriptions.delete(name)) hub.unsubscribe(connection, name);
      }
      return;
    }
    const streams: [string, StreamName][] = [];
    for (const name of frame.streams) {
      const result = parseStreamName(name);
      if (!result.ok) return connection.sendError(result.error, name);
      streams.push([name, result.stream]);
    }
    const fresh = streams.filter(([name]) => !connection.subscriptions.has(name));
    if (connection.subscriptions.size + fresh.length > limits.maxSubscriptionsPerConnection) {
      return connection.sendError(
        'TOO_MANY_SUBSCRIPTIONS',
        `at most ${limits.maxSubscriptionsPerConnection} per connection`,
      );
    }
    if (fresh.some(([name]) => isPrivateStream(name))) {
      if (frame.signature === null) return connection.sendError('SIGNATURE_REQUIRED');
      const denied = await bindKey(connection, frame.signature);
      if (denied !== null) return connection.sendError(denied.error, denied.detail);
      if (connection.closed) return;
    }
    for (const [name, stream] of fresh) {
      connection.subscriptions.add(name);
      hub.subscribe(connection, name, stream);
    }
  }

  async function bindKey(
    connection: StreamConnection,
    [apiKey, signature, timestamp, window]: SignatureItems,
  ): Promise<{ error: StreamErrorName; detail?: string } | null> {
    if (connection.key !== null && connection.key.apiKey !== apiKey) return { error: 'ANOTHER_KEY' };
    if (/^\d{1,16}$/.test(timestamp) && /^\d{1,16}$/.test(window)) {
      const fresh = checkTimeWindow(Number(timestamp), Number(window), now());
      if (!fresh.ok) return { error: 'SIGNATURE_EXPIRED', detail: fresh.message };
    }
    const outcome = await verifier.verify(
      {
        method: STREAM_SUBSCRIBE_ROUTE.method,
        path: STREAM_SUBSCRIBE_ROUTE.path,
        query: '',
        body: undefined,
        headers: {
          'x-api-key': apiKey,
          'x-signature': signature,
          'x-timestamp': timestamp,
          'x-window': window,
        },
      },
      { ip: connection.address },
    );
    if (outcome.ok) {
      connection.key = { id: outcome.caller.id, apiKey, subaccountId: outcome.caller.subaccountId };
      return null;
    }
    if (outcome.code === 'INVALID_SIGNATURE') return { error: 'INVALID_SIGNATURE' };
    if (outcome.code === 'UNAUTHORIZED' && /expired|future/i.test(outcome.message)) {
      return { error: 'SIGNATURE_EXPIRED', detail: outcome.message };
    }
    if (outcome.code === 'UNAUTHORIZED' || outcome.code === 'FORBIDDEN') return { error: 'INVALID_API_KEY' };
    return { error: 'INVALID_SIGNATURE', detail: outcome.message };
  }

  // Keep-alive: protocol pings; a connection silent for pongTimeoutMs is dropped.
  const pingTimer = setInterval(() => {
    const at = now();
    for (const connection of connections) {
      if (at - connection.lastPongAt > limits.pongTimeoutMs) connection.socket.terminate();
      else if (connection.socket.readyState === WebSocket.OPEN) connection.socket.ping();
    }
  }, limits.pingIntervalMs);
  pingTimer.unref();

  // Revocation and expiry: one query for every key with private subscriptions on this node.
  let checking = false;
  const keyTimer = setInterval(() => {
    if (checking) return;
    const bound = [...connections].filter((c) => c.key !== null && hasPrivate(c));
    if (bound.length === 0) return;
    checking = true;
    const ids = [...new Set(bound.map((c) => (c.key as BoundKey).id))];
    db.selectFrom('api_keys')
      .select(['id', 'revoked_at', 'expires_at'])
      .where('id', 'in', ids)
      .execute()
      .then((rows) => {
        const at = Date.now();
        const live = new Set(
          rows
            .filter(
              (row) => row.revoked_at === null && (row.expires_at === null || at < Number(row.expires_at)),
            )
            .map((row) => row.id),
        );
        for (const connection of bound) {
          if (connection.key === null || live.has(connection.key.id)) continue;
          for (const name of [...connection.subscriptions]) {
            if (!isPrivateStream(name)) continue;
            connection.subscriptions.delete(name);
            hub.unsubscribe(connection, name);
          }
          connection.key = null;
          connection.sendError('API_KEY_REVOKED');
        }
      })
      .catch(onError)
      .finally(() => (checking = false));
  }, limits.keyCheckMs);
  keyTimer.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(pingTimer);
      clearInterval(keyTimer);
      app.server.off('upgrade', onUpgrade);
      exchange.books.observer = null;
      hub.close();
      ordered.close();
      for (const connection of connections) connection.close(1001, 'server shutting down');
      for (const connection of connections) connection.socket.terminate();
      wss.close();
      await bus.close();
    })();
    return closing;
  };
  return { hub, connections, close };
}

function hasPrivate(connection: StreamConnection): boolean {
  for (const name of connection.subscriptions) if (isPrivateStream(name)) return true;
  return false;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
