/**
 * What the exchange reports about orders, fills, deposits and withdrawals, as exact values (bigint units,
 * millisecond times). Backpack's wire shapes are made from these in backpack-wire.ts; the console can use them
 * as they are. Also the row <-> record mapping for orders, shared by every query that reads them.
 */
import { sql, type Selection } from 'kysely';

import type { Database } from '../../store/schema.ts';

import type { OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce } from '../model/order-types.ts';

export interface OrderRecord {
  /** Backpack's numeric order id, as a string. */
  readonly id: string;
  readonly subaccountId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly selfTradePrevention: SelfTradePrevention;
  readonly clientId: number | null;
  /** Quote units per whole base unit (Limit only). */
  readonly price: bigint | null;
  /** Base units as requested (Limit, or Market by quantity). */
  readonly quantity: bigint | null;
  /** Quote units as requested (Market by quoteQuantity). */
  readonly quoteQuantity: bigint | null;
  readonly executedQuantity: bigint;
  readonly executedQuoteQuantity: bigint;
  readonly status: OrderStatus;
  readonly expiryReason: string | null;
  readonly createdAt: number;
}

export interface FillRecord {
  readonly tradeId: number;
  readonly orderId: string;
  readonly clientId: number | null;
  readonly symbol: string;
  readonly side: Side;
  readonly price: bigint;
  readonly quantity: bigint;
  /** In feeSymbol's units: the asset this side received. */
  readonly fee: bigint;
  readonly feeSymbol: string;
  readonly isMaker: boolean;
  readonly timestamp: number;
}

export interface DepositRecord {
  readonly id: number;
  readonly subaccountId: string;
  readonly symbol: string;
  readonly blockchain: string;
  readonly quantity: bigint;
  readonly status: 'confirmed';
  readonly toAddress: string | null;
  readonly fromAddress: string | null;
  readonly transactionHash: string | null;
  readonly createdAt: number;
}

export type WithdrawalStatus = 'pending' | 'confirmed';

export interface WithdrawalRecord {
  readonly id: number;
  readonly subaccountId: string;
  readonly symbol: string;
  readonly blockchain: string;
  readonly quantity: bigint;
  readonly fee: bigint;
  readonly toAddress: string;
  readonly clientId: string | null;
  readonly status: WithdrawalStatus;
  readonly transactionHash: string | null;
  readonly createdAt: number;
}

/** Columns of `orders` as read everywhere: amounts as text, so they become bigints without a JS number. */
export const ORDER_SELECT_COLUMNS = [
  'id',
  'subaccount_id',
  'symbol',
  'side',
  'order_type',
  'time_in_force',
  'post_only',
  'self_trade_prevention',
  'client_id',
  sql<string | null>`cast(price as text)`.as('price'),
  sql<string | null>`cast(quantity as text)`.as('quantity'),
  sql<string | null>`cast(quote_quantity as text)`.as('quote_quantity'),
  sql<string>`cast(executed_quantity as text)`.as('executed_quantity'),
  sql<string>`cast(executed_quote_quantity as text)`.as('executed_quote_quantity'),
  'status',
  'expiry_reason',
  'created_at',
] as const;

/** A row as ORDER_SELECT_COLUMNS reads it, derived from the schema so a column change cannot drift. */
export type OrderRow = Selection<Database, 'orders', (typeof ORDER_SELECT_COLUMNS)[number]>;

export function toOrderRecord(row: OrderRow): OrderRecord {
  return {
    id: String(row.id),
    subaccountId: row.subaccount_id,
    symbol: row.symbol,
    side: row.side as Side,
    orderType: row.order_type as OrderType,
    timeInForce: row.time_in_force as TimeInForce,
    postOnly: Number(row.post_only) === 1,
    selfTradePrevention: row.self_trade_prevention as SelfTradePrevention,
    clientId: row.client_id === null ? null : Number(row.client_id),
    price: optionalBigInt(row.price),
    quantity: optionalBigInt(row.quantity),
    quoteQuantity: optionalBigInt(row.quote_quantity),
    executedQuantity: BigInt(row.executed_quantity),
    executedQuoteQuantity: BigInt(row.executed_quote_quantity),
    status: row.status as OrderStatus,
    expiryReason: row.expiry_reason,
    createdAt: Number(row.created_at),
  };
}

export function optionalBigInt(text: string | null): bigint | null {
  return text === null ? null : BigInt(text);
}
