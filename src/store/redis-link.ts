/**
 * The optional Redis connection (REDIS_URL) that rate limits, replay refusal and stream events share between
 * nodes. Redis is never a single point of failure: while it is unreachable, callers fall back to this node's state
 * (the cluster primary's with workers, else this process's; stream events to the database), one warning is logged
 * when it goes away and one line when it is back, and they return to Redis by themselves.
 *
 * Commands fail fast instead of queueing (no offline queue, a short command timeout), so a dead or hung Redis
 * costs a request at most `commandTimeoutMs`, and usually nothing: `isUp()` is false while disconnected.
 */
import { Redis } from 'ioredis';

export interface RedisLinkLog {
  warn: (message: string) => void;
  info: (message: string) => void;
}

/** Past this offset from Redis's clock, a node warns (half the replay entries' 60 s skew allowance). */
const CLOCK_WARNING_MS = 30_000;

export class RedisLink {
  readonly client: Redis;
  /** When Redis last came back after an outage (ms; 0 if it never went away). */
  upAgainAt = 0;
  private down = false;

  constructor(
    url: string,
    private readonly log: RedisLinkLog,
    options: { commandTimeoutMs?: number } = {},
  ) {
    this.client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: 1000,
      // Keep trying every second, forever: Redis coming back must be noticed without a restart.
      retryStrategy: () => 1000,
      lazyConnect: false,
      // Commands issued in the same event-loop turn (one per request) go out in one write.
      enableAutoPipelining: true,
    });
    this.client.on('ready', () => {
      if (this.down) {
        this.upAgainAt = Date.now();
        this.log.info(
          'Redis is reachable again: shared rate limits, replay refusal and stream events resume',
        );
      }
      this.down = false;
      void this.compareClocks();
    });
    this.client.on('error', () => this.markDown());
    this.client.on('end', () => this.markDown());
    this.client.on('close', () => this.markDown());
  }

  /**
   * How far this node's clock is from Redis's (ms, positive when ahead), measured when the link comes up. Nodes
   * sharing a Redis judge a request's window by their own clocks and keep replay entries in Redis a minute longer
   * than the window (keys/replay-guard.ts): a node more than half of that away from Redis's clock is warned about,
   * once per connection (keep clocks in sync: NTP).
   */
  clockOffsetMs: number | undefined;

  private async compareClocks(): Promise<void> {
    try {
      const sent = Date.now();
      const [seconds, micros] = await this.client.time();
      const received = Date.now();
      const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      this.clockOffsetMs = Math.round((sent + received) / 2 - redisNow);
      if (Math.abs(this.clockOffsetMs) > CLOCK_WARNING_MS) {
        this.log.warn(
          `This node's clock is ${this.clockOffsetMs} ms from Redis's: nodes whose clocks differ by more than 60 s could accept a replayed request; keep clocks in sync (NTP)`,
        );
      }
    } catch {
      // Redis went away again: measured at the next connection.
    }
  }

  /** True while commands can be sent. */
  isUp(): boolean {
    return this.client.status === 'ready';
  }

  /** Called by users when a command failed: logs once per outage. */
  markDown(): void {
    if (this.down) return;
    this.down = true;
    this.log.warn(
      'Redis is unreachable: rate limits and replay refusal fall back to this node only; ' +
        'stream events cross processes through the database',
    );
  }

  async close(): Promise<void> {
    this.client.removeAllListeners();
    this.client.disconnect();
  }
}
