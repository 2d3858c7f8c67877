/**
 * Reference (index) prices: what one whole unit of each asset is worth in the valuation asset (USDC), for
 * collateral and every "mark price" field. Spot has no mark or index feed, so the rule is, per asset:
 *
 * 1. USDC itself is 1;
 * 2. the last trade of `<asset>_USDC`, when there is one (any age);
 * 3. else the asset's `referencePrice` from the markets file (config/; stablecoins "1");
 * 4. else the last trade of a market `<asset>_<quote>` whose quote has a price by 1-3, converted through it;
 * 5. else 0 (the asset counts for nothing until it trades or the operator sets its reference).
 *
 * Exact: prices are bigint USDC units (truncated toward zero where a conversion divides). Pure.
 */
import { parseDecimal } from '../model/decimal.ts';
import type { ExchangeConfig } from '../model/markets.ts';

export const VALUATION_ASSET = 'USDC';
/** Decimals of the valuation asset when the configuration does not list it. */
const DEFAULT_VALUATION_DECIMALS = 6;

export interface ReferencePrices {
  /** Decimals of the prices (the valuation asset's). */
  readonly decimals: number;
  /** Asset symbol -> valuation units per whole unit of the asset. */
  readonly prices: ReadonlyMap<string, bigint>;
}

/** `lastPrices`: market symbol -> its last trade price (quote units per whole base unit), null if none. */
export function computeReferencePrices(
  config: ExchangeConfig,
  lastPrices: ReadonlyMap<string, bigint | null>,
): ReferencePrices {
  const decimals = config.assetsBySymbol.get(VALUATION_ASSET)?.decimals ?? DEFAULT_VALUATION_DECIMALS;
  const prices = new Map<string, bigint>([[VALUATION_ASSET, 10n ** BigInt(decimals)]]);
  for (const asset of config.assets) {
    if (prices.has(asset.symbol)) continue;
    const direct = lastPrices.get(`${asset.symbol}_${VALUATION_ASSET}`);
    if (direct !== undefined && direct !== null) prices.set(asset.symbol, direct);
    else if (asset.referencePrice !== null) {
      prices.set(asset.symbol, fromConfig(asset.referencePrice, decimals));
    }
  }
  for (const asset of config.assets) {
    if (prices.has(asset.symbol)) continue;
    prices.set(asset.symbol, throughOtherQuote(config, lastPrices, prices, asset.symbol) ?? 0n);
  }
  return { decimals, prices };
}

/** A configured USD price in valuation units (extra decimals truncated). */
function fromConfig(price: string, decimals: number): bigint {
  const [whole = '0', fraction = ''] = price.split('.');
  return parseDecimal(fraction === '' ? whole : `${whole}.${fraction.slice(0, decimals) || '0'}`, decimals);
}

function throughOtherQuote(
  config: ExchangeConfig,
  lastPrices: ReadonlyMap<string, bigint | null>,
  prices: ReadonlyMap<string, bigint>,
  symbol: string,
): bigint | null {
  for (const market of config.markets) {
    if (market.baseSymbol !== symbol) continue;
    const last = lastPrices.get(market.symbol);
    const quotePrice = prices.get(market.quoteSymbol);
    if (last === undefined || last === null || quotePrice === undefined) continue;
    return (last * quotePrice) / 10n ** BigInt(market.quoteDecimals);
  }
  return null;
}
