/**
 * The ledger: balances per (account, asset) as exact integers of the asset's smallest unit, and the one function
 * through which every balance change goes, applyBalanceChanges(), which must run inside a transaction.
 *
 * Invariants:
 * - A balance column never goes negative. Debits are guarded updates (`where available + delta >= 0 and
 *   locked + delta >= 0`): if another transaction spent the funds first, zero rows change and the whole
 *   transaction fails with INSUFFICIENT_FUNDS. Pure credits are upserts. A CHECK constraint backs both.
 * - Every change writes a ledger entry in the same transaction, with a unique id derived from what caused it
 *   ('deposit:7', 'order:42', 'cancel:42', ...), so the same cause can never be applied twice; for every row,
 *   balance = sum of its entries.
 * - Amounts travel to the database as decimal strings and come back with `cast(.. as text)`: no JS number ever
 *   holds money. Trading fees are credited to FEE_ACCOUNT_ID, a system account that is not a subaccount.
 * Concurrency: on PostgreSQL, changes are applied in (account, asset) order to keep lock order stable.
 * Group commits (market-books.ts) read their balances first with readBalancesForUpdate(), locked on PostgreSQL
 * (`for update`) so that what the group checks in memory stays true until it commits, and write a whole group's
 * changes at once (group-writes.ts: on SQLite through updateBalances(), on PostgreSQL in the group's one statement).
 */
import { PostgresAdapter, sql, type Kysely, type Selection } from 'kysely';

import { AppError } from '../../errors.ts';
import { prepareQuery, RowsInsert } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import type { BalanceChange } from '../model/balance-change.ts';

/** The system account that collects trading fees (a balance owner, never a subaccount or a user). */
export const FEE_ACCOUNT_ID = 'sys_fees';

/** Why a balance changed; 'fee' entries are the fee account's trading fees, one per asset per group commit. */
export type LedgerReason = 'deposit' | 'withdrawal' | 'order' | 'cancel' | 'fee';

/** One row of the ledger: what a change did to one balance row, and why. */
export interface LedgerEntry {
  /** '<reference>:<n>': unique, so the same cause can never be applied twice. */
  readonly id: string;
  readonly accountId: string;
  readonly asset: string;
  readonly availableDelta: bigint;
  readonly lockedDelta: bigint;
  readonly reason: LedgerReason;
  readonly createdAt: number;
}

export interface Balance {
  readonly available: bigint;
  readonly locked: bigint;
  readonly staked: bigint;
}

/** The entry insert's columns, in the order its values are laid out. */
const ENTRY_COLUMNS = [
  'id',
  'subaccount_id',
  'asset',
  'available_delta',
  'locked_delta',
  'reason',
  'created_at',
] as const;

/** The ledger's compiled statements, made once per database handle. */
export class Ledger {
  private readonly credit;
  private readonly debit;
  private readonly readOne;
  private readonly readAll;
  private readonly entryInsert;
  /** PostgreSQL only: a group's balance rows in one locking read (unnest arrays). */
  private readonly readForUpdate: ReturnType<typeof prepareReadForUpdate> | undefined;

  constructor(private readonly db: Kysely<Database>) {
    this.readForUpdate =
      db.getExecutor().adapter instanceof PostgresAdapter ? prepareReadForUpdate(db) : undefined;
    this.entryInsert = new RowsInsert(db, 'ledger_entries', ENTRY_COLUMNS, 64, (entry: LedgerEntry, out) => {
      out.push(
        entry.id,
        entry.accountId,
        entry.asset,
        entry.availableDelta,
        entry.lockedDelta,
        entry.reason,
        entry.createdAt,
      );
    });
    this.credit = prepareQuery<never, 'account' | 'asset' | 'available' | 'locked' | 'zero' | 'now'>((p) =>
      db
        .insertInto('balances')
        .values({
          subaccount_id: p('account'),
          asset: p('asset'),
          available: p('available'),
          locked: p('locked'),
          staked: p('zero'),
          updated_at: p('now'),
        })
        .onConflict((oc) =>
          oc.columns(['subaccount_id', 'asset']).doUpdateSet({
            available: sql`balances.available + excluded.available`,
            locked: sql`balances.locked + excluded.locked`,
            updated_at: sql`excluded.updated_at`,
          }),
        ),
    );
    this.debit = prepareQuery<never, 'account' | 'asset' | 'available' | 'locked' | 'now'>((p) =>
      db
        .updateTable('balances')
        .set({
          available: sql`available + ${p('available')}`,
          locked: sql`locked + ${p('locked')}`,
          updated_at: p('now'),
        })
        .where('subaccount_id', '=', p('account'))
        .where('asset', '=', p('asset'))
        .where(sql<boolean>`available + ${p('available')} >= 0`)
        .where(sql<boolean>`locked + ${p('locked')} >= 0`),
    );
    this.readOne = prepareQuery<BalanceRow, 'account' | 'asset'>((p) =>
      db
        .selectFrom('balances')
        .select(BALANCE_COLUMNS)
        .where('subaccount_id', '=', p('account'))
        .where('asset', '=', p('asset')),
    );
    this.readAll = prepareQuery<BalanceRow, 'account'>((p) =>
      db
        .selectFrom('balances')
        .select(BALANCE_COLUMNS)
        .where('subaccount_id', '=', p('account'))
        .orderBy('asset'),
    );
  }

  /**
   * Applies `changes` (at most one per account and asset) and writes one ledger entry per change, ids
   * `<reference>:<n>`. Must run inside a transaction (`trx`): a failed guard throws INSUFFICIENT_FUNDS and the
   * caller's transaction rolls back whatever it did before.
   */
  async applyBalanceChanges(
    trx: Kysely<Database>,
    changes: readonly BalanceChange[],
    entry: { reason: LedgerReason; reference: string; now: number },
  ): Promise<void> {
    await this.updateBalances(trx, changes, entry.now);
    await this.writeEntries(trx, ledgerEntries(changes, entry));
  }

  /**
   * The balance half of applyBalanceChanges(): guarded debits and upserted credits, no entries. The caller must
   * write ledgerEntries() for the same changes in the same transaction (a group commit writes them in one go).
   */
  async updateBalances(trx: Kysely<Database>, changes: readonly BalanceChange[], now: number): Promise<void> {
    if (!trx.isTransaction) throw new Error('Balances change only inside a transaction');
    const ordered = changes.length > 1 ? [...changes].sort(compareChanges) : changes;
    for (const change of ordered) {
      if (change.availableDelta === 0n && change.lockedDelta === 0n) continue;
      const values = {
        account: change.accountId,
        asset: change.asset,
        available: change.availableDelta,
        locked: change.lockedDelta,
        zero: 0n,
        now,
      };
      if (change.availableDelta >= 0n && change.lockedDelta >= 0n) {
        await this.credit.run(trx, values);
        continue;
      }
      const result = await this.debit.run(trx, values);
      if (result.numAffectedRows === 0n) {
        throw new AppError('INSUFFICIENT_FUNDS', `Insufficient funds: ${change.asset}`);
      }
    }
  }

  /**
   * Balances of `keys` inside `trx`, keyed `account\u0000asset` (absent rows read as zero), locked until the
   * transaction ends on PostgreSQL (one statement, rows locked in key order); SQLite's writer holds the database.
   */
  async readBalancesForUpdate(
    trx: Kysely<Database>,
    keys: readonly { readonly account: string; readonly asset: string }[],
  ): Promise<Map<string, Balance>> {
    const found = new Map<string, Balance>();
    if (this.readForUpdate !== undefined) {
      const sorted = [...keys].sort((a, b) => compareChanges(changeOf(a), changeOf(b)));
      const { rows } = await this.readForUpdate.run(trx, {
        account: sorted.map((key) => key.account),
        asset: sorted.map((key) => key.asset),
      });
      for (const row of rows) found.set(balanceKey(row.subaccount_id, row.asset), toBalance(row));
    } else {
      for (const key of keys) {
        const row = (await this.readOne.run(trx, { account: key.account, asset: key.asset })).rows[0];
        if (row !== undefined) found.set(balanceKey(key.account, key.asset), toBalance(row));
      }
    }
    for (const key of keys) {
      const name = balanceKey(key.account, key.asset);
      if (!found.has(name)) found.set(name, ZERO);
    }
    return found;
  }

  /** Inserts ledger entries, many per statement. */
  async writeEntries(trx: Kysely<Database>, entries: readonly LedgerEntry[]): Promise<void> {
    if (!trx.isTransaction) throw new Error('Ledger entries are written only inside a transaction');
    await this.entryInsert.run(trx, entries);
  }

  /** Balance of one account and asset (zeros when it has none). */
  async readBalance(executor: Kysely<Database>, accountId: string, asset: string): Promise<Balance> {
    const { rows } = await this.readOne.run(executor, { account: accountId, asset });
    const row = rows[0];
    return row === undefined ? ZERO : toBalance(row);
  }

  /** Every balance row of an account, by asset. */
  async readBalances(accountId: string): Promise<Map<string, Balance>> {
    const { rows } = await this.readAll.run(this.db, { account: accountId });
    return new Map(rows.map((row) => [row.asset, toBalance(row)]));
  }
}

const BALANCE_COLUMNS = [
  'asset',
  sql<string>`cast(available as text)`.as('available'),
  sql<string>`cast(locked as text)`.as('locked'),
  sql<string>`cast(staked as text)`.as('staked'),
] as const;

/** A balance row as BALANCE_COLUMNS reads it, derived from the schema. */
type BalanceRow = Selection<Database, 'balances', (typeof BALANCE_COLUMNS)[number]>;

const ZERO: Balance = { available: 0n, locked: 0n, staked: 0n };

function toBalance(row: BalanceRow): Balance {
  return { available: BigInt(row.available), locked: BigInt(row.locked), staked: BigInt(row.staked) };
}

/** The ledger entries of `changes` (zero changes have none), ids `<reference>:<n>`. */
export function ledgerEntries(
  changes: readonly BalanceChange[],
  entry: { reason: LedgerReason; reference: string; now: number },
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const change of changes) {
    if (change.availableDelta === 0n && change.lockedDelta === 0n) continue;
    entries.push({
      id: `${entry.reference}:${entries.length}`,
      accountId: change.accountId,
      asset: change.asset,
      availableDelta: change.availableDelta,
      lockedDelta: change.lockedDelta,
      reason: entry.reason,
      createdAt: entry.now,
    });
  }
  return entries;
}

/** The map key of one balance row. */
export function balanceKey(account: string, asset: string): string {
  return `${account}\u0000${asset}`;
}

function changeOf(key: { account: string; asset: string }): BalanceChange {
  return { accountId: key.account, asset: key.asset, availableDelta: 0n, lockedDelta: 0n };
}

/** PostgreSQL: the rows of a list of (account, asset) keys, locked in key order, one statement for any number. */
function prepareReadForUpdate(db: Kysely<Database>) {
  return prepareQuery<BalanceRow & { subaccount_id: string }, 'account' | 'asset'>((p) => ({
    compile: () =>
      sql<
        BalanceRow & { subaccount_id: string }
      >`select subaccount_id, asset, cast(available as text) as available, cast(locked as text) as locked, cast(staked as text) as staked from balances where (subaccount_id, asset) in (select * from unnest(cast(${p('account')} as text[]), cast(${p('asset')} as text[]))) order by subaccount_id, asset for update`.compile(
        db,
      ),
  }));
}

function compareChanges(a: BalanceChange, b: BalanceChange): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0;
}

const ledgers = new WeakMap<Kysely<Database>, Ledger>();

/** One Ledger (compiled statements) per database handle. */
export function getLedger(db: Kysely<Database>): Ledger {
  let ledger = ledgers.get(db);
  if (ledger === undefined) {
    ledger = new Ledger(db);
    ledgers.set(db, ledger);
  }
  return ledger;
}
