/**
 * The balances one group commit (market-books.ts) decides with: read once per row inside the group's transaction
 * (most in one statement before the first write, from the rows the pending orders will pay with), then kept in
 * memory with every change of the group's successful writes added. An order's funds check is then a comparison,
 * not a guarded UPDATE per order; the changes themselves are written once, at the end of the group.
 *
 * Invariant: for every row held here, the value is the database's row plus the group's changes so far, and
 * nobody else can change that row before the group ends: PostgreSQL rows are read `for update` (locked until
 * commit), SQLite's writer holds the whole database. The group's final guarded update is the safety net.
 */
import type { Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import { balanceKey, type Ledger } from './ledger.ts';

export interface BalanceRowKey {
  readonly account: string;
  readonly asset: string;
}

export class GroupBalances {
  private readonly known = new Map<string, { available: bigint; locked: bigint }>();

  /**
   * `unwritten(key)`: the group's changes to a row that are not in the database yet (a row first read after the
   * group changed it, e.g. a maker's credit, is the database's value plus those).
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly trx: Kysely<Database>,
    private readonly unwritten: (key: string) => BalanceChange | undefined = () => undefined,
  ) {}

  /** Reads (and on PostgreSQL locks) the rows of `keys` not held yet, in one go. */
  async load(keys: readonly BalanceRowKey[]): Promise<void> {
    const missing = new Map<string, BalanceRowKey>();
    for (const key of keys) {
      const name = balanceKey(key.account, key.asset);
      if (!this.known.has(name)) missing.set(name, key);
    }
    if (missing.size === 0) return;
    const read = await this.ledger.readBalancesForUpdate(this.trx, [...missing.values()]);
    for (const [name, balance] of read) {
      const change = this.unwritten(name);
      this.known.set(name, {
        available: balance.available + (change?.availableDelta ?? 0n),
        locked: balance.locked + (change?.lockedDelta ?? 0n),
      });
    }
  }

  /** The row's available balance as the group leaves it so far. */
  async available(account: string, asset: string): Promise<bigint> {
    const name = balanceKey(account, asset);
    if (!this.known.has(name)) await this.load([{ account, asset }]);
    return (this.known.get(name) as { available: bigint }).available;
  }

  /** Adds a successful write's changes to the rows held (rows not held were never checked here). */
  apply(changes: Iterable<BalanceChange>): void {
    for (const change of changes) {
      const row = this.known.get(balanceKey(change.accountId, change.asset));
      if (row === undefined) continue;
      row.available += change.availableDelta;
      row.locked += change.lockedDelta;
    }
  }

  /** Drops every row held (after a savepoint rollback, which may have released PostgreSQL's row locks). */
  forget(): void {
    this.known.clear();
  }
}
