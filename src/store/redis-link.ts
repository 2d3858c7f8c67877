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
    });
    this.client.on('error', () => this.markDown());
    this.client.on('end', () => this.markDown());
    this.client.on('close', () => this.markDown());
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
