/**
 * Reading orders and fills of one subaccount from the database (the source of truth, whatever process wrote
 * them). Every query is bounded by the caller's subaccount id in its WHERE clause, so no filter a client sends
 * can reach another subaccount's rows.
 */
import { sql, type Kysely } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';
import { requireMarket } from '../model/client-input.ts';
import type { ExchangeConfig } from '../model/markets.ts';
import { ORDER_SELECT_COLUMNS, toOrderRecord, type FillRecord, type OrderRecord } from './order-records.ts';
import type { Side } from '../model/order-types.ts';
import { readOrderReference } from '../model/client-input.ts';
import { pageByTime } from './paging.ts';

export type SortDirection = 'Asc' | 'Desc';

export interface OrderHistoryFilter {
  readonly symbol?: string;
  readonly orderId?: number;
  /** Only orders that no longer rest (Filled, Cancelled, Expired): the console's order history. */
  readonly finishedOnly?: boolean;
  readonly limit: number;
  readonly offset: number;
  readonly sortDirection: SortDirection;
}

export interface FillFilter extends OrderHistoryFilter {
  readonly from?: number;
  readonly to?: number;
}

/** The resting order (New or PartiallyFilled) by orderId or clientId; RESOURCE_NOT_FOUND otherwise. */
export async function getOpenOrder(
  db: Kysely<Database>,
  config: ExchangeConfig,
  subaccountId: string,
  input: { symbol: unknown; orderId?: unknown; clientId?: unknown },
): Promise<OrderRecord> {
  const market = requireMarket(config, input.symbol);
  const which = readOrderReference(input);
  let query = db
    .selectFrom('orders')
    .select(ORDER_SELECT_COLUMNS)
    .where('subaccount_id', '=', subaccountId)
    .where(sql<boolean>`is_open = 1`)
    .where('symbol', '=', market.symbol);
  query =
    which.orderId !== undefined
      ? query.where('id', '=', which.orderId)
      : query.where('client_id', '=', which.clientId as number).orderBy('id', 'desc');
  const row = await query.limit(1).executeTakeFirst();
  if (row === undefined) throw new AppError('RESOURCE_NOT_FOUND', 'Order not found');
  return toOrderRecord(row);
}

/** Resting orders of the subaccount, oldest first, in one market or all. */
export async function listOpenOrders(
  db: Kysely<Database>,
  config: ExchangeConfig,
  subaccountId: string,
  symbol: unknown,
): Promise<OrderRecord[]> {
  let query = db
    .selectFrom('orders')
    .select(ORDER_SELECT_COLUMNS)
    .where('subaccount_id', '=', subaccountId)
    .where(sql<boolean>`is_open = 1`);
  if (symbol !== undefined) query = query.where('symbol', '=', requireMarket(config, symbol).symbol);
  const rows = await query.orderBy('id').execute();
  return rows.map(toOrderRecord);
}

/** The subaccount's orders, open and finished (or finished only), newest first by default. */
export async function listOrderHistory(
  db: Kysely<Database>,
  config: ExchangeConfig,
  subaccountId: string,
  filter: OrderHistoryFilter,
): Promise<OrderRecord[]> {
  let query = db.selectFrom('orders').select(ORDER_SELECT_COLUMNS).where('subaccount_id', '=', subaccountId);
  if (filter.symbol !== undefined)
    query = query.where('symbol', '=', requireMarket(config, filter.symbol).symbol);
  if (filter.orderId !== undefined) query = query.where('id', '=', filter.orderId);
  if (filter.finishedOnly === true) query = query.where(sql<boolean>`is_open = 0`);
  const rows = await pageByTime(query, filter, direction(filter)).execute();
  return rows.map(toOrderRecord);
}

/** The subaccount's side of each trade it took part in, newest first by default. */
export async function listFills(
  db: Kysely<Database>,
  config: ExchangeConfig,
  subaccountId: string,
  filter: FillFilter,
): Promise<FillRecord[]> {
  let query = db
    .selectFrom('trades')
    .select([
      'id',
      'symbol',
      sql<string>`cast(price as text)`.as('price'),
      sql<string>`cast(quantity as text)`.as('quantity'),
      sql<string>`cast(quote_quantity as text)`.as('quote_quantity'),
      'taker_side',
      'maker_order_id',
      'taker_order_id',
      'maker_subaccount_id',
      'maker_client_id',
      'taker_client_id',
      sql<string>`cast(maker_fee as text)`.as('maker_fee'),
      sql<string>`cast(taker_fee as text)`.as('taker_fee'),
      'created_at',
    ])
    .where((eb) =>
      eb.or([eb('maker_subaccount_id', '=', subaccountId), eb('taker_subaccount_id', '=', subaccountId)]),
    );
  if (filter.symbol !== undefined)
    query = query.where('symbol', '=', requireMarket(config, filter.symbol).symbol);
  if (filter.orderId !== undefined) {
    const orderId = filter.orderId;
    query = query.where((eb) =>
      eb.or([eb('maker_order_id', '=', orderId), eb('taker_order_id', '=', orderId)]),
    );
  }
  const rows = await pageByTime(query, filter, direction(filter)).execute();
  return rows.map((row) => {
    const market = requireMarket(config, row.symbol);
    const isMaker = row.maker_subaccount_id === subaccountId;
    const takerSide = row.taker_side as Side;
    const side: Side = isMaker ? (takerSide === 'Bid' ? 'Ask' : 'Bid') : takerSide;
    const clientId = isMaker ? row.maker_client_id : row.taker_client_id;
    return {
      tradeId: Number(row.id),
      orderId: String(isMaker ? row.maker_order_id : row.taker_order_id),
      clientId: clientId === null ? null : Number(clientId),
      symbol: row.symbol,
      side,
      price: BigInt(row.price),
      quantity: BigInt(row.quantity),
      fee: BigInt(isMaker ? row.maker_fee : row.taker_fee),
      // Each side pays its fee in the asset it receives: the buyer in base, the seller in quote.
      feeSymbol: side === 'Bid' ? market.baseSymbol : market.quoteSymbol,
      isMaker,
      timestamp: Number(row.created_at),
    };
  });
}

function direction(filter: { sortDirection: SortDirection }): 'asc' | 'desc' {
  return filter.sortDirection === 'Asc' ? 'asc' : 'desc';
}
