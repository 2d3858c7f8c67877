/**
 * Checks a Backpack `orderExecute` payload (parsed JSON) against its market and turns it into an exact
 * OrderSpec. Outcomes are values: `{ ok: false, code, message }` with Backpack error codes, never a throw.
 *
 * Rules: price and quantity are decimal strings (or JS numbers whose String() is a plain decimal: 0.1 yes,
 * 1e-7 no); price is a multiple of tickSize within [minPrice, maxPrice]; quantity a multiple of stepSize within
 * [minQuantity, maxQuantity]. Limit needs price + quantity; Market needs exactly one of quantity /
 * quoteQuantity and no price. postOnly is Limit-only and incompatible with IOC/FOK. Market orders accept
 * timeInForce GTC/IOC (they never rest either way; Backpack itself reports "GTC" on them) but not FOK.
 * Defaults: timeInForce GTC, postOnly false, selfTradePrevention RejectTaker (Backpack's defaults).
 * Unsupported features are rejected rather than ignored, so no one gets an order they did not ask for:
 * trigger / take-profit / stop-loss orders, reduceOnly true.
 * Unknown keys are ignored (ccxt passes user params through).
 */
import { DecimalError, parseDecimal } from '../model/decimal.ts';
import type { MarketConfig } from '../model/markets.ts';
import type { OrderSpec, OrderType, SelfTradePrevention, Side, TimeInForce } from '../model/order-types.ts';

export type OrderErrorCode =
  'INVALID_CLIENT_REQUEST' | 'INVALID_MARKET' | 'INVALID_ORDER' | 'INVALID_PRICE' | 'INVALID_QUANTITY';

export interface ValidOrder extends OrderSpec {
  readonly symbol: string;
  /** uint32 or null. */
  readonly clientId: number | null;
}

export type OrderValidation =
  | { readonly ok: true; readonly order: ValidOrder }
  | { readonly ok: false; readonly code: OrderErrorCode; readonly message: string };

type Payload = Readonly<Record<string, unknown>>;

/** Thrown only inside this module; validateOrder() turns it into an `{ ok: false }` value. */
class Rejection extends Error {
  readonly code: OrderErrorCode;

  constructor(code: OrderErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const SIDES: readonly Side[] = ['Bid', 'Ask'];
const ORDER_TYPES: readonly OrderType[] = ['Limit', 'Market'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const STP_MODES: readonly SelfTradePrevention[] = ['RejectTaker', 'RejectMaker', 'RejectBoth', 'Allow'];
const TRIGGER_FIELDS = [
  'triggerPrice',
  'triggerQuantity',
  'triggerBy',
  'stopLossTriggerPrice',
  'stopLossLimitPrice',
  'takeProfitTriggerPrice',
  'takeProfitLimitPrice',
];
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;
const MAX_CLIENT_ID = 4_294_967_295;

export function validateOrder(market: MarketConfig, input: unknown): OrderValidation {
  try {
    return { ok: true, order: readOrder(market, input) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

function readOrder(market: MarketConfig, input: unknown): ValidOrder {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Rejection('INVALID_CLIENT_REQUEST', 'Order payload must be a JSON object');
  }
  const body = input as Payload;
  if (body['symbol'] != null && body['symbol'] !== market.symbol) {
    throw new Rejection('INVALID_MARKET', 'Invalid market symbol');
  }
  const side = readEnum(body, 'side', SIDES, undefined);
  const orderType = readEnum(body, 'orderType', ORDER_TYPES, undefined);
  const timeInForce = readEnum(body, 'timeInForce', TIMES_IN_FORCE, 'GTC');
  const selfTradePrevention = readEnum(body, 'selfTradePrevention', STP_MODES, 'RejectTaker');
  const postOnly = readBoolean(body, 'postOnly');
  const clientId = readClientId(body['clientId']);
  if (TRIGGER_FIELDS.some((key) => body[key] != null))
    reject('INVALID_ORDER', 'Trigger orders are not supported');
  if (readBoolean(body, 'reduceOnly'))
    reject('INVALID_ORDER', 'Reduce-only orders are not supported on spot markets');
  const price = readUnits(body, 'price', market.quoteDecimals, 'INVALID_PRICE');
  const quantity = readUnits(body, 'quantity', market.baseDecimals, 'INVALID_QUANTITY');
  const quoteQuantity = readUnits(body, 'quoteQuantity', market.quoteDecimals, 'INVALID_QUANTITY');

  if (orderType === 'Limit') {
    if (price === undefined) reject('INVALID_ORDER', 'Price is required for limit orders');
    if (quantity === undefined) reject('INVALID_ORDER', 'Quantity is required for limit orders');
    if (quoteQuantity !== undefined)
      reject('INVALID_ORDER', 'quoteQuantity is only allowed on market orders');
    if (postOnly && timeInForce !== 'GTC') reject('INVALID_ORDER', 'postOnly orders must be GTC');
  } else {
    if (price !== undefined) reject('INVALID_ORDER', 'Price is not allowed on market orders');
    if (postOnly) reject('INVALID_ORDER', 'postOnly is only allowed on limit orders');
    if (timeInForce === 'FOK') reject('INVALID_ORDER', 'FOK is not supported on market orders');
    if ((quantity === undefined) === (quoteQuantity === undefined)) {
      reject('INVALID_ORDER', 'Market orders need exactly one of quantity or quoteQuantity');
    }
    if (quoteQuantity === 0n) reject('INVALID_QUANTITY', 'quoteQuantity must be greater than zero');
  }
  if (price !== undefined) checkPrice(market, price);
  if (quantity !== undefined) checkQuantity(market, quantity);
  return {
    symbol: market.symbol,
    side,
    orderType,
    price,
    quantity,
    quoteQuantity,
    timeInForce,
    postOnly,
    selfTradePrevention,
    clientId,
  };
}

function checkPrice(market: MarketConfig, price: bigint): void {
  if (price % market.tickUnits !== 0n) {
    reject('INVALID_PRICE', `Price must be a multiple of the tick size ${market.tickSize}`);
  }
  if (price < market.minPriceUnits) reject('INVALID_PRICE', `Price is below the minimum ${market.minPrice}`);
  if (price > market.maxPriceUnits) reject('INVALID_PRICE', `Price is above the maximum ${market.maxPrice}`);
}

function checkQuantity(market: MarketConfig, quantity: bigint): void {
  if (quantity % market.stepUnits !== 0n) {
    reject('INVALID_QUANTITY', `Quantity must be a multiple of the step size ${market.stepSize}`);
  }
  if (quantity < market.minQuantityUnits) {
    reject('INVALID_QUANTITY', `Quantity is below the minimum ${market.minQuantity}`);
  }
  if (quantity > market.maxQuantityUnits) {
    reject('INVALID_QUANTITY', `Quantity is above the maximum ${market.maxQuantity}`);
  }
}

/** Absent (undefined or null) -> undefined; otherwise exact units of `decimals`. */
function readUnits(body: Payload, key: string, decimals: number, code: OrderErrorCode): bigint | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const text =
    typeof value === 'number' && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? String(value) : value;
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) {
    reject('INVALID_CLIENT_REQUEST', `${key} must be a decimal string`);
  }
  try {
    return parseDecimal(text, decimals);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    return reject(code, `${key} has more than ${decimals} decimal places`);
  }
}

function readEnum<T extends string>(
  body: Payload,
  key: string,
  allowed: readonly T[],
  fallback: T | undefined,
): T {
  const value = body[key];
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return reject('INVALID_CLIENT_REQUEST', `${key} must be one of ${allowed.join(', ')}`);
}

function readBoolean(body: Payload, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  return reject('INVALID_CLIENT_REQUEST', `${key} must be true or false`);
}

function readClientId(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= MAX_CLIENT_ID) {
    return number;
  }
  return reject('INVALID_CLIENT_REQUEST', 'clientId must be an unsigned 32-bit integer');
}

function reject(code: OrderErrorCode, message: string): never {
  throw new Rejection(code, message);
}
