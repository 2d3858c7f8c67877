/**
 * Why no amount can overflow a signed 64-bit column, on either dialect (the bound by construction), and how the
 * sums that no supply can bound are computed exactly.
 *
 * 1. Every asset has a maximum supply (`maxSupply` in the market configuration, in whole units; at most, and by
 *    default, MAX_SUPPLY_LIMIT_UNITS = 2^62 of its smallest units, in model/markets.ts). Value enters the system
 *    only by deposits, and a deposit is refused if the asset's outstanding supply (the sum of every balance row,
 *    fee account included) would pass it. Deposits are serialised by the `deposit` id counter row, which each one updates first in its
 *    transaction, so the check sees every committed deposit (PostgreSQL holds that row's lock until commit).
 * 2. Trades, fees, locks and withdrawals only move or remove value, and no balance column can go negative, so at
 *    every moment: every balance column, every available + locked + staked, every ledger entry, every trade's
 *    quantity and quote quantity, every withdrawal's quantity + fee <= outstanding supply <= 2^62 < 2^63.
 *    The configuration also bounds every order: maxPrice * maxQuantity of a market fits the quote asset's supply.
 * 3. Sums over time (24 h volume, the audit's deposit and ledger totals) are not bounded by any supply: the same
 *    money can trade a million times. They are summed in two halves, `sum(x >> 32)` and `sum(x & 0xFFFFFFFF)`,
 *    each of which stays below 2^63 for fewer than 2^31 rows whatever the values (|x >> 32| < 2^31 and
 *    0 <= x & 0xFFFFFFFF < 2^32), and joined as bigints: exact, and never an overflow on SQLite (whose `sum()`
 *    raises "integer overflow") nor on PostgreSQL (whose sum of bigint is numeric anyway).
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';

const LOW_MASK = 4294967295;

/** The two halves of an exact sum of `expression` (an integer column expression), to select as text. */
export function splitSum(expression: RawBuilder<unknown>): {
  high: RawBuilder<string>;
  low: RawBuilder<string>;
} {
  return {
    high: sql<string>`cast(coalesce(sum(${expression} >> 32), 0) as text)`,
    low: sql<string>`cast(coalesce(sum(${expression} & ${sql.lit(LOW_MASK)}), 0) as text)`,
  };
}

/** Joins the halves selected with splitSum() into the exact sum. */
export function joinSplitSum(high: string | null | undefined, low: string | null | undefined): bigint {
  return BigInt(high ?? '0') * 4294967296n + BigInt(low ?? '0');
}

/** The asset's outstanding supply: the sum of available + locked + staked over every balance row. */
export async function readOutstandingSupply(db: Kysely<Database>, asset: string): Promise<bigint> {
  const available = splitSum(sql`available`);
  const locked = splitSum(sql`locked`);
  const staked = splitSum(sql`staked`);
  const row = await db
    .selectFrom('balances')
    .select([
      available.high.as('ah'),
      available.low.as('al'),
      locked.high.as('lh'),
      locked.low.as('ll'),
      staked.high.as('sh'),
      staked.low.as('sl'),
    ])
    .where('asset', '=', asset)
    .executeTakeFirst();
  if (row === undefined) return 0n;
  return joinSplitSum(row.ah, row.al) + joinSplitSum(row.lh, row.ll) + joinSplitSum(row.sh, row.sl);
}

/**
 * Refuses a deposit that would take the asset's outstanding supply past its maximum. Call inside the deposit's
 * transaction, after the deposit id was allocated (which serialises deposits).
 */
export async function assertSupplyRoom(
  db: Kysely<Database>,
  asset: { symbol: string; maxSupplyUnits: bigint },
  quantity: bigint,
): Promise<void> {
  const outstanding = await readOutstandingSupply(db, asset.symbol);
  if (outstanding + quantity > asset.maxSupplyUnits) {
    throw new AppError(
      'INVALID_QUANTITY',
      `This deposit would take ${asset.symbol}'s supply past its configured maximum`,
    );
  }
}
