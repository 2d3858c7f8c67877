/**
 * Order vocabulary shared by validation, the order book, the matching engine and settlement. Spellings are
 * Backpack's wire values so they can be served as they are.
 *
 * Units: `price` is quote units per ONE whole base unit; `quantity` is base units; `quoteQuantity` is quote
 * units (see markets.ts).
 */

export type Side = 'Bid' | 'Ask';
export type OrderType = 'Limit' | 'Market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** Decided by the TAKER's setting when it meets a resting order of the same account. */
/** `Allow` lets the taker trade with its own resting orders (the Rust client and bpx-py send it). */
export type SelfTradePrevention = 'RejectTaker' | 'RejectMaker' | 'RejectBoth' | 'Allow';
export type OrderStatus = 'New' | 'PartiallyFilled' | 'Filled' | 'Cancelled' | 'Expired';
/** Subset of Backpack's OrderExpiryReason that this engine produces. */
export type ExpiryReason =
  | 'FillOrKill'
  | 'ImmediateOrCancel'
  | 'InsufficientFunds'
  | 'InsufficientLiquidity'
  | 'InvalidQuantity'
  | 'PostOnlyTaker'
  | 'SelfTradePrevention';

/** What the order asks for, already validated against its market (see validateOrder()). */
export interface OrderSpec {
  readonly side: Side;
  readonly orderType: OrderType;
  /** Limit only. */
  readonly price?: bigint | undefined;
  /** Required for Limit; for Market exactly one of quantity / quoteQuantity. */
  readonly quantity?: bigint | undefined;
  /** Market only: the most quote to exchange (spend on a Bid, receive on an Ask), before fees. */
  readonly quoteQuantity?: bigint | undefined;
  /** Only Limit orders use it; Market orders never rest whatever it says. */
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
}
