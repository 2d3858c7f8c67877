/**
 * What one market commit did, as one serialisable event: the changed depth levels, the best bid and ask, the
 * trades and the order events of every subaccount involved. Amounts are bigint units written as decimal strings
 * (exact, JSON-safe, the same on every node); stream-messages.ts formats them with the market's decimals.
 *
 * Invariant: one MarketEvent per committed market sequence, so a receiver that sees sequence n+2 after n knows
 * it missed one (see event-sequencer.ts).
 */
import type { OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce } from '../exchange/index.ts';

/** [price units, quantity units]; quantity "0" removes the level. */
export type LevelChange = [price: string, quantity: string];

export interface TradeEvent {
  readonly id: number;
  readonly price: string;
  readonly quantity: string;
  readonly buyerOrderId: string;
  readonly sellerOrderId: string;
  readonly buyerIsMaker: boolean;
  /** Engine time, ms. */
  readonly time: number;
}

export type OrderEventType = 'orderAccepted' | 'orderCancelled' | 'orderExpired' | 'orderFill';

export interface OrderEvent {
  readonly e: OrderEventType;
  readonly subaccountId: string;
  readonly id: string;
  readonly clientId: number | null;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly selfTradePrevention: SelfTradePrevention;
  readonly postOnly: boolean;
  readonly price: string | null;
  readonly quantity: string | null;
  readonly quoteQuantity: string | null;
  readonly status: OrderStatus;
  readonly expiryReason: string | null;
  /** Cumulative, after this event. */
  readonly executedQuantity: string;
  readonly executedQuoteQuantity: string;
  readonly fill?: {
    readonly tradeId: number;
    readonly price: string;
    readonly quantity: string;
    readonly maker: boolean;
    readonly fee: string;
    readonly feeSymbol: string;
  };
}

export interface MarketEvent {
  /** The node that committed it (receivers skip their own events arriving back through a shared bus). */
  readonly node: string;
  readonly symbol: string;
  readonly sequence: number;
  /** Engine time of the commit, µs. */
  readonly time: number;
  readonly bids: LevelChange[];
  readonly asks: LevelChange[];
  readonly bestBid: LevelChange | null;
  readonly bestAsk: LevelChange | null;
  readonly trades: TradeEvent[];
  readonly orders: OrderEvent[];
}
