/**
 * Which stream nodes are running on this database: each node keeps a row in `stream_nodes` with a heartbeat
 * (`seen_at`) rewritten every `heartbeatMs`; a node whose heartbeat is older than `liveMs` counts as gone (its
 * row is deleted a minute later by whichever node prunes first; deletes are idempotent).
 *
 * Two users:
 * - the SQLite outbox asks, INSIDE a commit's transaction, whether another node is live (othersLiveIn()). That
 *   read is race-free: the commit already holds the write lock, so a node that registers later commits its row
 *   after this commit, and then reads the market sequences this commit set as its starting point.
 * - the Redis bus compares how many subscribers a PUBLISH reached with `liveCount` (refreshed every heartbeat).
 * Threat: none beyond the database's own: node ids are random and carry nothing.
 */
import type { Kysely } from 'kysely';

import { prepareQuery, type QueryExecutor } from '../store/prepared-query.ts';
import type { Database } from '../store/schema.ts';

const FORGET_MS = 60_000;

export class StreamNodes {
  /** Live nodes, this one included, as of the last heartbeat. */
  liveCount = 1;
  private timer: NodeJS.Timeout | null = null;
  private beating = false;
  private beats = 0;
  private readonly othersLive;

  private constructor(
    private readonly db: Kysely<Database>,
    readonly node: string,
    private readonly options: {
      heartbeatMs: number;
      liveMs: number;
      now: () => number;
      onError: (error: unknown) => void;
    },
  ) {
    this.othersLive = prepareQuery<{ one: number }, 'node' | 'since' | 'limit'>((p) =>
      db
        .selectFrom('stream_nodes')
        .select((eb) => eb.lit(1).as('one'))
        .where('node', '<>', p('node'))
        .where('seen_at', '>', p('since'))
        .limit(p('limit')),
    );
  }

  /** Registers `node` (committed before this resolves) and keeps its heartbeat going until close(). */
  static async open(
    db: Kysely<Database>,
    node: string,
    options: {
      heartbeatMs?: number;
      liveMs?: number;
      now?: () => number;
      onError: (error: unknown) => void;
    },
  ): Promise<StreamNodes> {
    const nodes = new StreamNodes(db, node, {
      heartbeatMs: options.heartbeatMs ?? 1000,
      liveMs: options.liveMs ?? 5000,
      now: options.now ?? Date.now,
      onError: options.onError,
    });
    await nodes.beat();
    nodes.timer = setInterval(() => void nodes.beat(), nodes.options.heartbeatMs);
    nodes.timer.unref();
    return nodes;
  }

  /** Whether another node is live; run it inside the commit's transaction (see the header). */
  async othersLiveIn(trx: QueryExecutor): Promise<boolean> {
    const since = this.options.now() - this.options.liveMs;
    const { rows } = await this.othersLive.run(trx, { node: this.node, since, limit: 1 });
    return rows.length > 0;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.db
      .deleteFrom('stream_nodes')
      .where('node', '=', this.node)
      .execute()
      .catch(this.options.onError);
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const now = this.options.now();
      await this.db
        .insertInto('stream_nodes')
        .values({ node: this.node, seen_at: now })
        .onConflict((oc) => oc.column('node').doUpdateSet({ seen_at: now }))
        .execute();
      const live = await this.db
        .selectFrom('stream_nodes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('seen_at', '>', now - this.options.liveMs)
        .executeTakeFirstOrThrow();
      this.liveCount = Math.max(1, Number(live.count));
      if (++this.beats % 30 === 0) {
        await this.db
          .deleteFrom('stream_nodes')
          .where('seen_at', '<', now - FORGET_MS)
          .execute();
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.beating = false;
    }
  }
}
