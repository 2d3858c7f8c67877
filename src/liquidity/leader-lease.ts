/**
 * A lease row (`leases`, migration 0060): how exactly one process of a deployment runs a job, on SQLite and
 * PostgreSQL alike. A process holds the job while its row names it and has not expired; it renews well before
 * expiry. Any process may take a row whose time has passed, so when the holder dies (or hangs) another one takes
 * over within one lease time. Clocks of the processes must agree to well under a lease time (same machine, or NTP).
 *
 * One guarded upsert does everything: insert the row, or take it over when it is mine or expired; RETURNING says
 * whether this process holds it now. No advisory lock, no session state, nothing held across statements.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { sql, type Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';

export class LeaderLease {
  /** This process's name in the row (host, pid and a random part: a restarted pid is someone else). */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private heldUntil = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { name: string; ttlMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** True while this process holds the lease by its own clock (a margin before expiry: act only then). */
  get held(): boolean {
    return this.now() < this.heldUntil;
  }

  /** Takes or renews the lease; true when this process holds it afterwards. */
  async acquire(): Promise<boolean> {
    const now = this.now();
    const expiresAt = now + this.options.ttlMs;
    const { rows } = await sql<{ holder: string }>`
      insert into leases (name, holder, expires_at) values (${this.options.name}, ${this.holder}, ${expiresAt})
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where leases.holder = excluded.holder or leases.expires_at < ${now}
      returning holder`.execute(this.db);
    const mine = rows[0]?.holder === this.holder;
    // Stop acting a little before the row expires, so a successor never overlaps with this process.
    this.heldUntil = mine ? now + this.options.ttlMs - Math.min(1000, this.options.ttlMs / 4) : 0;
    return mine;
  }

  /** Gives the lease up at once (a clean shutdown): another process takes over at its next try. */
  async release(): Promise<void> {
    this.heldUntil = 0;
    await this.db
      .updateTable('leases')
      .set({ expires_at: 0 })
      .where('name', '=', this.options.name)
      .where('holder', '=', this.holder)
      .execute();
  }

  /** Who holds `name` now (tests, status): the holder and until when, or undefined. */
  static async read(
    db: Kysely<Database>,
    name: string,
  ): Promise<{ holder: string; expiresAt: number } | undefined> {
    const row = await db
      .selectFrom('leases')
      .select(['holder', 'expires_at'])
      .where('name', '=', name)
      .executeTakeFirst();
    return row && { holder: row.holder, expiresAt: Number(row.expires_at) };
  }
}
