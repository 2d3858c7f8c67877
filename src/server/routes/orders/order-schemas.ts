/**
 * JSON schemas shared by the order and history routes: Backpack's order object (response schemas also stop
 * any field not listed from leaking), the order payload accepted by `orderExecute`, and paging parameters.
 * Request schemas check types only; validateOrder() applies the market rules and Backpack's error codes.
 */
import type { Exchange, OrderRecord } from '../../../exchange/index.ts';
import { toBackpackOrder } from '../../views/backpack-wire.ts';

const nullableString = { type: ['string', 'null'] } as const;
const decimalInput = {
  anyOf: [{ type: 'string' }, { type: 'number' }],
  description: 'Decimal string, e.g. "100.13"',
} as const;

const orderProperties = {
  id: { type: 'string' },
  clientId: { type: ['integer', 'null'] },
  symbol: { type: 'string' },
  side: { type: 'string', enum: ['Bid', 'Ask'] },
  orderType: { type: 'string', enum: ['Limit', 'Market'] },
  timeInForce: { type: 'string' },
  selfTradePrevention: { type: 'string' },
  status: { type: 'string', enum: ['New', 'PartiallyFilled', 'Filled', 'Cancelled', 'Expired'] },
  executedQuantity: { type: 'string' },
  executedQuoteQuantity: { type: 'string' },
  price: nullableString,
  quantity: nullableString,
  quoteQuantity: nullableString,
  postOnly: { type: 'boolean' },
  reduceOnly: { type: ['boolean', 'null'] },
  relatedOrderId: nullableString,
  strategyId: nullableString,
  triggerBy: nullableString,
  triggerPrice: nullableString,
  triggerQuantity: nullableString,
  triggeredAt: { type: ['integer', 'null'] },
  stopLossTriggerPrice: nullableString,
  stopLossLimitPrice: nullableString,
  stopLossTriggerBy: nullableString,
  takeProfitTriggerPrice: nullableString,
  takeProfitLimitPrice: nullableString,
  takeProfitTriggerBy: nullableString,
} as const;

/** An order as the order endpoints return it (`createdAt` in integer milliseconds). */
export const orderSchema = {
  type: 'object',
  properties: { ...orderProperties, createdAt: { type: 'integer', description: 'Unix ms' } },
} as const;

/** An order in `/wapi/v1/history/orders` (`createdAt` a naive UTC date-time, plus the expiry reason). */
export const historyOrderSchema = {
  type: 'object',
  properties: {
    ...orderProperties,
    createdAt: { type: 'string', description: 'Naive UTC date-time' },
    expiryReason: nullableString,
    systemOrderType: nullableString,
  },
} as const;

/** One item of `POST /api/v1/orders`: the order plus `operation: "Ok"`, or `operation: "Err"` with an error. */
export const batchItemSchema = {
  type: 'object',
  properties: {
    ...orderSchema.properties,
    operation: { type: 'string', enum: ['Ok', 'Err'] },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

/** `orderExecute` payload. Unknown keys are accepted and ignored (ccxt passes user params through). */
export const orderPayloadSchema = {
  type: 'object',
  properties: {
    symbol: { type: 'string' },
    side: { type: 'string', description: 'Bid or Ask' },
    orderType: { type: 'string', description: 'Limit or Market' },
    price: decimalInput,
    quantity: decimalInput,
    quoteQuantity: decimalInput,
    timeInForce: { type: 'string', description: 'GTC (default), IOC or FOK' },
    postOnly: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
    clientId: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'uint32' },
    selfTradePrevention: {
      type: 'string',
      description: 'RejectTaker (default), RejectMaker, RejectBoth or Allow',
    },
  },
} as const;

export const pagingProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

export const sortDirectionProperty = { type: 'string', enum: ['Asc', 'Desc'], default: 'Desc' } as const;

export function formatOrder(
  exchange: Exchange,
  order: OrderRecord,
  createdAt: 'ms' | 'naive',
): Record<string, unknown> {
  const market = exchange.config.marketsBySymbol.get(order.symbol);
  if (market === undefined) throw new Error(`Order ${order.id} is in unknown market ${order.symbol}`);
  return toBackpackOrder(order, market, { createdAt });
}
