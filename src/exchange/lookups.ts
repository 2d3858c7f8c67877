/**
 * Looking up configured markets and assets by what a client sent, with Backpack's 400 for anything unknown.
 * Unknown values are never echoed back at length (they may be arbitrary client input).
 */
import { AppError } from '../errors.ts';
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
