/**
 * Writes the frames queued on stream connections, together: one write per socket per flush, whatever the number of
 * frames. A flush follows the turn that queued the first frame (setImmediate) when the last flush is older than
 * `intervalMs`, and otherwise waits for the interval to end: an idle market's frames leave at once, a busy
 * market's leave in one write per socket every few milliseconds instead of one per group commit, and the
 * sockets that queued the same frames share one joined buffer. With 100 subscribers of a busy market the writes (a
 * syscall each) and their copies were the fan-out's largest cost (bench/streams.ts: 2 ms gave ~84 % of the order
 * rate without subscribers, 5 ms ~91 %).
 */

/** The frames one connection's flush wrote, joined, for the next connection queued the same ones. */
export interface JoinedFrames {
  frames: readonly Buffer[];
  bytes: Buffer | null;
}

/** What the writer flushes: a connection with frames queued. */
export interface FlushTarget {
  flush(joined: JoinedFrames): void;
}

export class FrameWriter {
  private readonly queued = new Set<FlushTarget>();
  private scheduled = false;
  private lastFlushAt = 0;

  constructor(private readonly intervalMs: number) {}

  queue(connection: FlushTarget): void {
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

/** The joined bytes of `joined` are reusable for `pending` (the same frame buffers, in the same order). */
export function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
