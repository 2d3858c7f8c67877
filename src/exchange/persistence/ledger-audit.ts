/**
 * Checks the ledger invariants against the database (tests, and operators after a crash). Read-only.
 *
 * The invariants, per asset A (amounts in A's smallest unit):
 * 1. Conservation: sum over every balance row of A, the fee account included, of available + locked + staked
 *    == sum of confirmed deposits of A - sum over withdrawals of A (pending or confirmed) of quantity + fee.
 *    In words: user balances + trading fees collected == deposits - withdrawals - withdrawal fees. Trades
 *    only move value between accounts and the fee account; a withdrawal's fee leaves with it.
 * 2. Every balance row equals the sum of its ledger entries (available and locked separately).
 * 3. Every account's locked balance of A equals what its resting orders hold: price * remaining (rounded up)
 *    for bids in markets quoted in A, remaining for asks in markets based on A.
 * 4. No column is negative (also enforced by a CHECK constraint).
 * 5. No asset's outstanding supply passes its configured maximum (supply.ts), so no balance can near 2^63.
 * Sums are exact halves (supply.ts): an audit of a long history cannot overflow.
 */
import { sql, type Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';
import { FEE_ACCOUNT_ID } from './ledger.ts';
import type { ExchangeConfig } from '../model/markets.ts';
import { computeRestingLock } from '../engine/settlement.ts';
import type { Side } from '../model/order-types.ts';
import { joinSplitSum, splitSum } from './supply.ts';

export interface AssetAudit {
  readonly asset: string;
  readonly deposits: bigint;
  readonly withdrawals: bigint;
  /** All balance rows except the fee account. */
  readonly userBalances: bigint;
  /** The fee account's balance: trading fees collected. */
  readonly fees: bigint;
}

export interface LedgerAudit {
  readonly ok: boolean;
  readonly assets: AssetAudit[];
  /** Human-readable violations; empty when ok. */
  readonly problems: string[];
}

export async function auditLedger(db: Kysely<Database>, config: ExchangeConfig): Promise<LedgerAudit> {
  // One snapshot for every read (SQLite: one read transaction; PostgreSQL: repeatable read), so the audit is
  // exact even while orders are being placed. Read only: on SQLite it then never holds the write lock.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => auditSnapshot(trx, config));
}

async function auditSnapshot(db: Kysely<Database>, config: ExchangeConfig): Promise<LedgerAudit> {
  const problems: string[] = [];
  const balances = await db
    .selectFrom('balances')
    .select([
      'subaccount_id',
      'asset',
      sql<string>`cast(available as text)`.as('available'),
      sql<string>`cast(locked as text)`.as('locked'),
      sql<string>`cast(staked as text)`.as('staked'),
    ])
    .execute();
  const entries = await db
    .selectFrom('ledger_entries')
    .select([
      'subaccount_id',
      'asset',
      splitSum(sql`available_delta`).high.as('available_high'),
      splitSum(sql`available_delta`).low.as('available_low'),
      splitSum(sql`locked_delta`).high.as('locked_high'),
      splitSum(sql`locked_delta`).low.as('locked_low'),
    ])
    .groupBy(['subaccount_id', 'asset'])
    .execute();
  const deposits = await db
    .selectFrom('deposits')
    .select(['symbol', splitSum(sql`quantity`).high.as('high'), splitSum(sql`quantity`).low.as('low')])
    .where('status', '=', 'confirmed')
    .groupBy('symbol')
    .execute();
  const withdrawals = await db
    .selectFrom('withdrawals')
    .select([
      'symbol',
      splitSum(sql`quantity`).high.as('high'),
      splitSum(sql`quantity`).low.as('low'),
      splitSum(sql`fee`).high.as('fee_high'),
      splitSum(sql`fee`).low.as('fee_low'),
    ])
    .groupBy('symbol')
    .execute();
  const openOrders = await db
    .selectFrom('orders')
    .select([
      'subaccount_id',
      'symbol',
      'side',
      sql<string>`cast(price as text)`.as('price'),
      sql<string>`cast(remaining as text)`.as('remaining'),
    ])
    .where('is_open', '=', 1)
    .execute();

  const key = (account: string, asset: string): string => `${account}\u0000${asset}`;
  const entrySums = new Map(
    entries.map((e) => [
      key(e.subaccount_id, e.asset),
      {
        available: joinSplitSum(e.available_high, e.available_low),
        locked: joinSplitSum(e.locked_high, e.locked_low),
      },
    ]),
  );
  const expectedLocks = new Map<string, bigint>();
  for (const order of openOrders) {
    const market = config.marketsBySymbol.get(order.symbol);
    if (market === undefined) {
      problems.push(`open order in unknown market ${order.symbol}`);
      continue;
    }
    const lock = computeRestingLock(market, {
      side: order.side as Side,
      price: BigInt(order.price),
      remaining: BigInt(order.remaining),
    });
    const k = key(order.subaccount_id, lock.asset);
    expectedLocks.set(k, (expectedLocks.get(k) ?? 0n) + lock.units);
  }

  const totals = new Map<string, { users: bigint; fees: bigint }>();
  for (const row of balances) {
    const available = BigInt(row.available);
    const locked = BigInt(row.locked);
    const staked = BigInt(row.staked);
    const where = `${row.subaccount_id} ${row.asset}`;
    if (available < 0n || locked < 0n || staked < 0n) problems.push(`negative balance: ${where}`);
    const sums = entrySums.get(key(row.subaccount_id, row.asset));
    entrySums.delete(key(row.subaccount_id, row.asset));
    if (sums === undefined || sums.available !== available || sums.locked !== locked) {
      problems.push(`balance differs from its ledger entries: ${where}`);
    }
    const expectedLock = expectedLocks.get(key(row.subaccount_id, row.asset)) ?? 0n;
    expectedLocks.delete(key(row.subaccount_id, row.asset));
    if (row.subaccount_id !== FEE_ACCOUNT_ID && locked !== expectedLock) {
      problems.push(`locked ${locked} but resting orders hold ${expectedLock}: ${where}`);
    }
    const total = totals.get(row.asset) ?? { users: 0n, fees: 0n };
    if (row.subaccount_id === FEE_ACCOUNT_ID) total.fees += available + locked + staked;
    else total.users += available + locked + staked;
    totals.set(row.asset, total);
  }
  for (const [k, sums] of entrySums) {
    if (sums.available !== 0n || sums.locked !== 0n) {
      problems.push(`ledger entries without a balance row: ${k.replace('\u0000', ' ')}`);
    }
  }
  for (const [k, units] of expectedLocks) {
    if (units !== 0n)
      problems.push(`resting orders hold ${units} with no balance row: ${k.replace('\u0000', ' ')}`);
  }

  const depositTotals = new Map(deposits.map((d) => [d.symbol, joinSplitSum(d.high, d.low)]));
  const withdrawalTotals = new Map(
    withdrawals.map((w) => [w.symbol, joinSplitSum(w.high, w.low) + joinSplitSum(w.fee_high, w.fee_low)]),
  );
  const assets = [...new Set([...totals.keys(), ...depositTotals.keys(), ...withdrawalTotals.keys()])].sort();
  const audits = assets.map((asset): AssetAudit => {
    const total = totals.get(asset) ?? { users: 0n, fees: 0n };
    const audit = {
      asset,
      deposits: depositTotals.get(asset) ?? 0n,
      withdrawals: withdrawalTotals.get(asset) ?? 0n,
      userBalances: total.users,
      fees: total.fees,
    };
    const maxSupply = config.assetsBySymbol.get(asset)?.maxSupplyUnits;
    if (maxSupply !== undefined && audit.userBalances + audit.fees > maxSupply) {
      problems.push(`${asset}: supply ${audit.userBalances + audit.fees} is past its maximum ${maxSupply}`);
    }
    if (audit.userBalances + audit.fees !== audit.deposits - audit.withdrawals) {
      problems.push(
        `${asset}: balances ${audit.userBalances} + fees ${audit.fees} != deposits ${audit.deposits} - withdrawals ${audit.withdrawals}`,
      );
    }
    return audit;
  });
  return { ok: problems.length === 0, assets: audits, problems };
}
