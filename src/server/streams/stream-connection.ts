/**
 * One WebSocket stream connection: its subscriptions, the key bound to it, and its queue of frames.
 *
 * Invariants: a connection is bound to at most one key (the first that signs on it); frames leave in the order
 * they were queued, through the FrameWriter (one write per socket per flush); a consumer whose queued plus
 * buffered bytes pass `maxBufferedBytes` is closed (1008 "send buffer limit") instead of growing the server's
 * memory; the bytes it holds (queued plus buffered, `held`) count in the node's SendBudget, which closes the
 * biggest holder the same way when the sum over all connections passes maxTotalBufferedBytes (send-budget.ts);
 * a peer that misses its pongs is closed with 1001 "pong timeout". Threat: a peer that never reads or never
 * answers; it gets a Close frame with the reason and is terminated CLOSE_GRACE_MS after it.
 */
import { WebSocket } from 'ws';

import type { StreamErrorName } from './stream-frames.ts';
import { errorFrame } from './stream-frames.ts';
import type { StreamSubscriber } from './stream-hub.ts';
import { sameFrames, type FrameWriter, type JoinedFrames } from './frame-writer.ts';
import type { BudgetHolder, SendBudget } from './send-budget.ts';
import { payloadStart, textFrame, type WireFrame } from './wire-frame.ts';

export interface BoundKey {
  id: string;
  apiKey: string;
  subaccountId: string;
}

/** How long a peer closed for not keeping up (reading or answering pings) has to answer the Close frame. */
export const CLOSE_GRACE_MS = 1000;

/** `ws` keeps the TCP socket in `_socket`. */
type RawSocket = { write(bytes: Buffer): boolean };

export class StreamConnection implements StreamSubscriber, BudgetHolder {
  readonly subscriptions = new Set<string>();
  key: BoundKey | null = null;
  lastPongAt: number;
  closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** What this connection counts in the budget: queued bytes plus its socket's buffer when last looked at. */
  private held = 0;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    private readonly writer: FrameWriter,
    private readonly maxBufferedBytes: number,
    private readonly budget: SendBudget,
    now: number,
    private readonly onDropped: () => void = () => {},
  ) {
    this.lastPongAt = now;
  }

  get subaccountId(): string | null {
    return this.key?.subaccountId ?? null;
  }

  /**
   * Queues one frame: the per-subscriber cost of a fan-out, kept to a push and two counts. The send-buffer bound
   * is checked here against what is queued and at the flush against what the socket still holds; the node's
   * budget here, against every connection's bytes.
   */
  send(frame: WireFrame): void {
    if (this.closed) return;
    const size = frame.bytes.length;
    this.pending.push(frame.bytes);
    this.pendingBytes += size;
    if (this.pending.length === 1) this.writer.queue(this);
    else if (this.pendingBytes > this.maxBufferedBytes) return this.dropSlowConsumer();
    this.held += size;
    this.budget.grow(size);
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
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return this.count(0);
    if (this.socket.bufferedAmount + bytes > this.maxBufferedBytes) return this.dropSlowConsumer();
    this.write(pending, bytes, joined);
    // What the socket did not take yet: exact now, and it only shrinks until the next flush.
    this.count(this.socket.bufferedAmount);
  }

  private write(pending: Buffer[], bytes: number, joined: JoinedFrames): void {
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

  /** Its bytes now (budget's recount, when the node is past its budget). */
  recount(): number {
    this.held = this.pendingBytes + this.socket.bufferedAmount;
    return this.held;
  }

  /** Sets its count in the budget to `bytes`. */
  private count(bytes: number): void {
    this.budget.adjust(bytes - this.held);
    this.held = bytes;
  }

  /** The socket closed: it holds nothing any more. */
  released(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.count(0);
  }

  /**
   * A consumer that does not read is closed before its send buffer passes the bound, or when it holds the most
   * while the node is past its budget (send-budget.ts).
   */
  dropSlowConsumer(): void {
    if (this.closed) return;
    this.onDropped();
    this.closeThenDrop(1008, 'send buffer limit');
  }

  /** A peer that missed its pongs: told why in a Close frame, then dropped after the grace. */
  closeUnresponsive(): void {
    if (this.closed) return;
    this.closeThenDrop(1001, 'pong timeout');
  }

  /**
   * Sends a Close frame with `code` and `reason` (queued frames are discarded: the peer is not keeping up), then
   * destroys the socket after CLOSE_GRACE_MS whether or not the peer answered the close.
   */
  private closeThenDrop(code: number, reason: string): void {
    this.released();
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Closes after the frames already queued (a going-away close must not overtake them). */
  close(code: number, reason: string): void {
    this.flush();
    this.socket.close(code, reason);
  }

  sendError(error: StreamErrorName, detail?: string): void {
    this.send(textFrame(errorFrame(error, detail)));
  }

  /** True when one of its subscriptions is an `account.*` stream. */
  hasPrivateSubscription(isPrivate: (name: string) => boolean): boolean {
    for (const name of this.subscriptions) if (isPrivate(name)) return true;
    return false;
  }
}
