/**
 * One PostgreSQL LISTEN connection that stays subscribed: it reconnects with back-off (50 ms doubling to 2 s)
 * whenever the connection ends or fails (a `pg_terminate_backend`, a restart, a failover, a network cut), and
 * reports each outage once (`onDown` at its first failure, `onUp` when subscribed again), not once per attempt.
 * Used by the key cache (keys/key-cache.ts) and the PostgreSQL event bus (events/event-bus.ts).
 *
 * Notifications sent while the connection was down are lost (PostgreSQL keeps none for an absent listener), so
 * each user resynchronises in `onSubscribed`, which runs after LISTEN and before the listener counts as
 * listening: anything committed after the LISTEN is notified, anything before it is in what `onSubscribed` reads.
 * Threat: the connection string may hold a password; it is never logged.
 */
import pg from 'pg';

export interface PgListenerOptions {
  url: string;
  channel: string;
  /** application_name of the connection, so an operator can tell it in pg_stat_activity. */
  applicationName: string;
  onNotification: (payload: string) => void;
  /** After each LISTEN, before `listening` turns true (e.g. read what may have been missed); throwing retries. */
  onSubscribed?: (connection: { schema: string }) => Promise<void>;
  /** The subscription was lost (it was listening): notifications may be missed from here on. */
  onLost?: () => void;
  /** Once per outage, with its first error. */
  onDown?: (error: unknown) => void;
  /** Once per outage, when subscribed again. */
  onUp?: (info: { downMs: number }) => void;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

export class PgListener {
  private client: pg.Client | undefined;
  private subscribed = false;
  private backendPid: number | undefined;
  private closed = false;
  private retryDelay = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private downSince: number | undefined;
  private signalReady: () => void = () => {};
  /** Resolves once subscribed the first time. */
  readonly ready: Promise<void> = new Promise<void>((resolve) => (this.signalReady = resolve));

  private constructor(private readonly options: PgListenerOptions) {}

  static start(options: PgListenerOptions): PgListener {
    const listener = new PgListener(options);
    void listener.connect();
    return listener;
  }

  get listening(): boolean {
    return this.subscribed;
  }

  /** The backend pid of the connection while subscribed (tests terminate it). */
  get pid(): number | undefined {
    return this.backendPid;
  }

  /**
   * Runs a statement on the listening connection, after every statement queued before it (pg runs one client's
   * queries in order); rejects while not subscribed.
   */
  async query(text: string, values: unknown[]): Promise<void> {
    const client = this.client;
    if (client === undefined || !this.subscribed) throw new Error(`not listening on ${this.options.channel}`);
    await client.query(text, values);
  }

  /** Drops the connection and subscribes again (a user that suspects it missed notifications). */
  reconnect(error: unknown): void {
    if (this.client !== undefined) this.drop(this.client, error);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    this.backendPid = undefined;
    if (client !== undefined) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
    });
    this.client = client;
    client.on('error', (error) => this.drop(client, error));
    client.on('end', () => this.drop(client, new Error('the listening connection ended')));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) {
        this.options.onNotification(message.payload);
      }
    });
    try {
      await client.connect();
      const info = await client.query<{ schema: string; pid: number }>(
        'select current_schema() as schema, pg_backend_pid() as pid',
      );
      await client.query(`listen ${this.options.channel}`);
      await this.options.onSubscribed?.({ schema: info.rows[0]?.schema ?? '' });
      if (this.client !== client) return;
      this.backendPid = info.rows[0]?.pid;
      this.subscribed = true;
      this.retryDelay = FIRST_RETRY_MS;
      if (this.downSince !== undefined) {
        const downMs = Date.now() - this.downSince;
        this.downSince = undefined;
        this.options.onUp?.({ downMs });
      }
      this.signalReady();
    } catch (error) {
      this.drop(client, error);
    }
  }

  /** Ends `client` if it is the current one, reports the outage (once) and schedules the next attempt. */
  private drop(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    const wasListening = this.subscribed;
    this.subscribed = false;
    this.backendPid = undefined;
    client.removeAllListeners();
    client.on('error', () => {});
    client.end().catch(() => {});
    if (this.closed) return;
    if (wasListening) this.options.onLost?.();
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.options.onDown?.(error);
    }
    this.retryTimer = setTimeout(() => void this.connect(), this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
  }
}
