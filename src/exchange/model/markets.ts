/**
 * Assets and spot markets: their configuration types (pure data). Loading and validation live in
 * ../config/market-config.ts; Backpack's `MarketAsset` and `Market` JSON shapes in server/views/backpack-markets.ts.
 *
 * Units: an asset amount is a bigint of 10^-decimals units. A price is quote units per ONE whole base unit
 * (100.13 USDC with 6 decimals = 100130000n). notional = price * quantity / 10^baseDecimals, always exact for
 * valid prices and quantities (tickUnits * stepUnits is a multiple of 10^baseDecimals, checked at load).
 * Decimal strings here are normalized (no trailing zeros) and served as they are.
 */

/**
 * The largest maximum supply an asset may have, in its smallest units: half of a signed 64-bit integer (why every
 * amount then fits a 64-bit column: persistence/supply.ts). The configuration (config/) bounds maxSupply by it.
 */
export const MAX_SUPPLY_LIMIT_UNITS = 2n ** 62n;

export interface TokenConfig {
  readonly blockchain: string;
  readonly displayName: string;
  readonly contractAddress: string | null;
  readonly depositEnabled: boolean;
  /** Amounts as normalized decimal strings (as served) and as units of the asset. */
  readonly minimumDeposit: string;
  readonly minimumWithdrawal: string;
  readonly maximumWithdrawal: string | null;
  readonly withdrawalFee: string;
  readonly minimumDepositUnits: bigint;
  readonly withdrawEnabled: boolean;
  readonly minimumWithdrawalUnits: bigint;
  readonly maximumWithdrawalUnits: bigint | null;
  readonly withdrawalFeeUnits: bigint;
  readonly nativeDecimals: number | null;
}

export interface AssetConfig {
  readonly symbol: string;
  readonly displayName: string;
  readonly coingeckoId: string | null;
  readonly decimals: number;
  readonly tokens: readonly TokenConfig[];
  /** No deposit may take the sum of all balances past this (supply.ts: why nothing can overflow). */
  readonly maxSupplyUnits: bigint;
  /**
   * The asset's reference (index) price in USD per whole unit from the markets file, normalized decimal string,
   * or null: used until the asset trades against USDC (capital/reference-prices.ts). Stablecoins: "1".
   */
  readonly referencePrice: string | null;
}

export interface MarketConfig {
  readonly symbol: string;
  readonly baseSymbol: string;
  readonly quoteSymbol: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  /** 10^baseDecimals: divides price * quantity into quote units. */
  readonly baseScale: bigint;
  /** Filters as normalized decimal strings (as served). */
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQuantity: string;
  readonly maxQuantity: string;
  /** Price bounds and tick, in quote units per whole base unit. */
  readonly tickUnits: bigint;
  readonly minPriceUnits: bigint;
  readonly maxPriceUnits: bigint;
  /** Quantity bounds and step, in base units. */
  readonly stepUnits: bigint;
  readonly minQuantityUnits: bigint;
  readonly maxQuantityUnits: bigint;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** Naive UTC date-time, e.g. "2025-01-01T00:00:00". */
  readonly createdAt: string;
  /** The built-in market makers' settings (src/liquidity/); null: no makers in this market. */
  readonly liquidity: MarketLiquidity | null;
}

/**
 * How the built-in market makers quote a market (the markets file's `liquidity` block, docs in README). The price
 * path is a simulation (floating point is fine there); every price and quantity an order carries is an exact
 * multiple of the market's tick and step, computed from these units.
 */
export interface MarketLiquidity {
  /** Where the random walk starts (quote units per whole base unit, a multiple of the tick). */
  readonly startPriceUnits: bigint;
  /** Annualised volatility of the geometric Brownian motion, as a fraction (0.8 = 80 %). */
  readonly volatility: number;
  /** Best ask minus best bid, in basis points of the price. */
  readonly spreadBps: number;
  /** Resting orders per side. */
  readonly levels: number;
  /** Distance between neighbouring levels, in basis points of the price (at least one tick). */
  readonly levelStepBps: number;
  /** Quantity of the best level (base units, a multiple of the step); deeper levels grow a little. */
  readonly levelSizeUnits: bigint;
  /** Trades between the makers per minute (0: none). */
  readonly tradesPerMinute: number;
  /** A `timestamp,price` CSV replayed in a loop instead of the random walk; absolute path, or null. */
  readonly priceFile: string | null;
}

export interface ExchangeConfig {
  readonly assets: readonly AssetConfig[];
  readonly markets: readonly MarketConfig[];
  readonly assetsBySymbol: ReadonlyMap<string, AssetConfig>;
  readonly marketsBySymbol: ReadonlyMap<string, MarketConfig>;
}
