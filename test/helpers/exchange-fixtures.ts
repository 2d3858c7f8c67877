/**
 * Shared fixtures for the exchange tests: a SOL_USDC market with fixed parameters (independent of
 * config/markets.json, which operators may edit), order builders that read like the decimal strings a client
 * sends, and formatters that turn results back into strings for readable expectations. Not production code.
 */
import { formatDecimal, parseDecimal } from '../../src/exchange/model/decimal.ts';
import {
  matchOrder,
  type IncomingOrder,
  type MatchAccepted,
} from '../../src/exchange/engine/matching-engine.ts';
import { loadMarketConfig } from '../../src/exchange/config/market-config.ts';
import type { MarketConfig } from '../../src/exchange/model/markets.ts';
import { getDepth, type OrderBook } from '../../src/exchange/engine/order-book.ts';
import type { Side } from '../../src/exchange/model/order-types.ts';

export const FEE_ACCOUNT = 'fees';

const TEST_CONFIG = loadMarketConfig({
  assets: [
    { symbol: 'USDC', displayName: 'USD Coin', coingeckoId: 'usd-coin', decimals: 6, tokens: [] },
    { symbol: 'SOL', displayName: 'Solana', coingeckoId: 'solana', decimals: 9, tokens: [] },
  ],
  markets: [
    {
      symbol: 'SOL_USDC',
      baseSymbol: 'SOL',
      quoteSymbol: 'USDC',
      tickSize: '0.01',
      minPrice: '0.01',
      maxPrice: '100000',
      stepSize: '0.01',
      minQuantity: '0.01',
      maxQuantity: '100000',
      makerFeeBps: 2,
      takerFeeBps: 5,
      createdAt: '2025-01-01T00:00:00',
    },
  ],
});

/** SOL (9 decimals) / USDC (6 decimals), tick 0.01, step 0.01, maker 2 bps, taker 5 bps. */
export const SOL_USDC: MarketConfig = TEST_CONFIG.marketsBySymbol.get('SOL_USDC') as MarketConfig;

/** "100.13" -> quote units per whole SOL. */
export function price(text: string): bigint {
  return parseDecimal(text, SOL_USDC.quoteDecimals);
}

/** "1.5" -> SOL units. */
export function qty(text: string): bigint {
  return parseDecimal(text, SOL_USDC.baseDecimals);
}

/** "150" -> USDC units. */
export function usdc(text: string): bigint {
  return parseDecimal(text, SOL_USDC.quoteDecimals);
}

export function limitOrder(
  id: string,
  accountId: string,
  side: Side,
  priceText: string,
  quantityText: string,
  overrides: Partial<IncomingOrder> = {},
): IncomingOrder {
  return {
    id,
    accountId,
    side,
    orderType: 'Limit',
    price: price(priceText),
    quantity: qty(quantityText),
    timeInForce: 'GTC',
    postOnly: false,
    selfTradePrevention: 'RejectTaker',
    ...overrides,
  };
}

export function marketOrder(
  id: string,
  accountId: string,
  side: Side,
  amount: { quantity: string } | { quoteQuantity: string },
  overrides: Partial<IncomingOrder> = {},
): IncomingOrder {
  return {
    id,
    accountId,
    side,
    orderType: 'Market',
    ...('quantity' in amount
      ? { quantity: qty(amount.quantity) }
      : { quoteQuantity: usdc(amount.quoteQuantity) }),
    timeInForce: 'GTC',
    postOnly: false,
    selfTradePrevention: 'RejectTaker',
    ...overrides,
  };
}

/** matchOrder() on SOL_USDC, failing the test on a rejection. */
export function placeOrder(book: OrderBook, order: IncomingOrder): MatchAccepted {
  const result = matchOrder(book, order, SOL_USDC);
  if (!result.ok) throw new Error(`unexpected rejection: ${result.message}`);
  return result;
}

/** Depth as decimal strings, e.g. { bids: [['99', '1']], asks: [['100', '2.5']] }. */
export function formatDepth(book: OrderBook, limit = 100): { bids: string[][]; asks: string[][] } {
  const { bids, asks } = getDepth(book, limit);
  return { bids: bids.map(formatLevel), asks: asks.map(formatLevel) };
}

/** Fills as [makerOrderId, price, quantity] decimal strings. */
export function formatTrades(result: MatchAccepted): string[][] {
  return result.fills.map((fill) => [
    fill.makerOrderId,
    formatDecimal(fill.price, SOL_USDC.quoteDecimals),
    formatDecimal(fill.quantity, SOL_USDC.baseDecimals),
  ]);
}

function formatLevel([levelPrice, quantity]: [bigint, bigint]): string[] {
  return [formatDecimal(levelPrice, SOL_USDC.quoteDecimals), formatDecimal(quantity, SOL_USDC.baseDecimals)];
}
