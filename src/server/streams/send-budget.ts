/**
 * The node-wide budget for the bytes held for stream consumers: what every connection has queued plus what its
 * socket still buffers, summed. Each connection is already capped on its own (maxBufferedBytes); this bounds the
 * sum, which would otherwise grow with the number of connections. Past the budget, the connection holding the most
 * is closed as a slow consumer (1008 "send buffer limit"), so the ones that read keep receiving.
 *
 * Invariants: `held` is never below the true sum of the open connections' bytes (a connection's count is exact
 * when it queues or flushes, and a socket's buffer only shrinks between two of its flushes), so a node under its
 * budget by this count is under it in fact. The hot path is one addition and one comparison per queued frame; only
 * a count past the budget recounts every connection (exactly, from their sockets), and drops holders only when the
 * exact count is still past it. A dropped connection stops counting at once: nothing more is queued on it and its
 * socket is destroyed within CLOSE_GRACE_MS.
 */

/** A connection as the budget sees it. */
export interface BudgetHolder {
  readonly closed: boolean;
  /** Recounts the bytes it holds now (queued plus still in the socket), remembers and returns them. */
  recount(): number;
  /** Closes it as a slow consumer; it gives its bytes back through `release`. */
  dropSlowConsumer(): void;
}

export class SendBudget {
  /** Bytes held across the open connections, as last counted (never below the truth). */
  held = 0;

  constructor(
    readonly maxBytes: number,
    private readonly holders: Iterable<BudgetHolder>,
  ) {}

  /** A connection queued `bytes`: the per-frame cost, unless the node is past its budget. */
  grow(bytes: number): void {
    this.held += bytes;
    if (this.held > this.maxBytes) this.shed();
  }

  /** A connection's count changed by `delta` (a flush, or its bytes given back when it closed). */
  adjust(delta: number): void {
    this.held += delta;
  }

  /**
   * Recounts every open connection; while the exact count is past the budget, drops the one holding the most.
   * Dropping usually frees enough at once (the biggest holder is the one that stopped reading).
   */
  private shed(): void {
    for (;;) {
      let total = 0;
      let biggest: BudgetHolder | null = null;
      let most = -1;
      for (const holder of this.holders) {
        if (holder.closed) continue;
        const bytes = holder.recount();
        total += bytes;
        if (bytes > most) {
          most = bytes;
          biggest = holder;
        }
      }
      this.held = total;
      if (total <= this.maxBytes || biggest === null) return;
      biggest.dropSlowConsumer();
      if (this.held <= this.maxBytes) return;
    }
  }
}
