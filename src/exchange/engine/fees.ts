/**
 * Trading fees. Rule (Backpack-style): each side pays its fee in the asset it RECEIVES, so the buyer pays in
 * base and the seller in quote, and nobody ever needs more than the order's lock to pay a fee.
 *
 * Rounding: fee = ceil(received * bps / 10_000), per fill, in favour of the exchange. Splitting an order into
 * tiny fills therefore never avoids the fee. With bps <= 10_000 the fee never exceeds what is received.
 * The fee is deducted from the received amount and credited to the fee account, so the ledger balances
 * exactly (see settlement.ts).
 */
import { mulDiv } from '../model/decimal.ts';

const BPS_DENOMINATOR = 10_000n;

/** Fee in the received asset's units for `receivedUnits` at `feeBps` basis points (rounded up). */
export function computeFee(receivedUnits: bigint, feeBps: number): bigint {
  if (feeBps === 0 || receivedUnits === 0n) return 0n;
  return mulDiv(receivedUnits, BigInt(feeBps), BPS_DENOMINATOR, 'ceil');
}
