/**
 * Reading what a client sent: markets and assets by symbol, order ids, client ids, order references and
 * quantities, with Backpack's 400 for anything unknown or malformed. Pure: no I/O.
 * Unknown values are never echoed back at length (they may be arbitrary client input).
 */
import { AppError } from '../../errors.ts';
import { DecimalError, parseDecimal } from './decimal.ts';
import type { AssetConfig, ExchangeConfig, MarketConfig } from './markets.ts';

export function requireMarket(config: ExchangeConfig, symbol: unknown): MarketConfig {
  const market = typeof symbol === 'string' ? config.marketsBySymbol.get(symbol) : undefined;
  if (market === undefined) throw new AppError('INVALID_CLIENT_REQUEST', 'Invalid market symbol');
  return market;
}

export function requireAsset(config: ExchangeConfig, symbol: unknown): AssetConfig {
  const asset = typeof symbol === 'string' ? config.assetsBySymbol.get(symbol) : undefined;
  if (asset === undefined) throw new AppError('INVALID_ASSET', 'Invalid asset symbol');
  return asset;
}

/** A Backpack order id: a positive integer, sent as a string (or a JSON number by some clients). */
export function parseOrderId(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string' && /^[1-9]\d{0,14}$/.test(text)) return Number(text);
  throw new AppError('INVALID_CLIENT_REQUEST', 'orderId must be a positive integer string');
}

/** A client order id: an unsigned 32-bit integer (string or number). */
export function parseClientId(value: unknown): number {
  const number = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= 4_294_967_295) {
    return number;
  }
  throw new AppError('INVALID_CLIENT_REQUEST', 'clientId must be an unsigned 32-bit integer');
}

/** Exactly one of orderId / clientId (Backpack rejects both). */
export function readOrderReference(input: { orderId?: unknown; clientId?: unknown }): {
  orderId?: number;
  clientId?: number;
} {
  const hasOrderId = input.orderId !== undefined && input.orderId !== null;
  const hasClientId = input.clientId !== undefined && input.clientId !== null;
  if (hasOrderId === hasClientId) {
    throw new AppError('INVALID_CLIENT_REQUEST', 'Specify exactly one of orderId or clientId');
  }
  return hasOrderId ? { orderId: parseOrderId(input.orderId) } : { clientId: parseClientId(input.clientId) };
}

/** No single amount may come near a signed 64-bit column's limit. */
export const MAX_AMOUNT_UNITS = 2n ** 62n;

/** A positive decimal string exact in `decimals` places, as units. */
export function parseQuantity(text: unknown, decimals: number): bigint {
  const value = typeof text === 'number' && Number.isFinite(text) ? String(text) : text;
  if (typeof value !== 'string')
    throw AppError.of('QUANTITY_NOT_DECIMAL', 'Quantity must be a decimal string');
  let units: bigint;
  try {
    units = parseDecimal(value, decimals);
  } catch (error) {
    if (!(error instanceof DecimalError)) throw error;
    throw AppError.of(
      error.kind === 'decimals' ? 'QUANTITY_DECIMALS' : 'QUANTITY_NOT_DECIMAL',
      error.message,
    );
  }
  if (units <= 0n) throw AppError.of('QUANTITY_NOT_POSITIVE', 'Quantity must be greater than zero');
  if (units > MAX_AMOUNT_UNITS) throw AppError.of('QUANTITY_TOO_LARGE', 'Quantity is too large');
  return units;
}
