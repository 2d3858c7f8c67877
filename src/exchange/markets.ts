/**
 * Assets and spot markets: their configuration types and Backpack's public `MarketAsset` and `Market` JSON
 * shapes built from them. Loading and validation live in market-config.ts (re-exported here).
 *
 * Units: an asset amount is a bigint of 10^-decimals units. A price is quote units per ONE whole base unit
 * (100.13 USDC with 6 decimals = 100130000n). notional = price * quantity / 10^baseDecimals, always exact for
 * valid prices and quantities (tickUnits * stepUnits is a multiple of 10^baseDecimals, checked at load).
 * Decimal strings here are normalized (no trailing zeros) and served as they are.
 */

export { ConfigError } from './config-reader.ts';
export { loadMarketConfig, readMarketConfigFile } from './market-config.ts';

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
}

export interface ExchangeConfig {
  readonly assets: readonly AssetConfig[];
  readonly markets: readonly MarketConfig[];
  readonly assetsBySymbol: ReadonlyMap<string, AssetConfig>;
  readonly marketsBySymbol: ReadonlyMap<string, MarketConfig>;
}

/** Backpack `MarketAsset` (GET /api/v1/assets item). */
export function toBackpackAsset(asset: AssetConfig): Record<string, unknown> {
  return {
    symbol: asset.symbol,
    displayName: asset.displayName,
    coingeckoId: asset.coingeckoId,
    tokens: asset.tokens.map((token) => ({
      blockchain: token.blockchain,
      displayName: token.displayName,
      contractAddress: token.contractAddress,
      depositEnabled: token.depositEnabled,
      minimumDeposit: token.minimumDeposit,
      withdrawEnabled: token.withdrawEnabled,
      minimumWithdrawal: token.minimumWithdrawal,
      maximumWithdrawal: token.maximumWithdrawal,
      withdrawalFee: token.withdrawalFee,
      nativeDecimals: token.nativeDecimals,
    })),
  };
}

/** Backpack `Market` (GET /api/v1/markets item); perp-only fields are null on spot markets. */
export function toBackpackMarket(market: MarketConfig): Record<string, unknown> {
  return {
    symbol: market.symbol,
    baseSymbol: market.baseSymbol,
    quoteSymbol: market.quoteSymbol,
    marketType: 'SPOT',
    filters: {
      price: { minPrice: market.minPrice, maxPrice: market.maxPrice, tickSize: market.tickSize },
      quantity: {
        minQuantity: market.minQuantity,
        maxQuantity: market.maxQuantity,
        stepSize: market.stepSize,
      },
    },
    orderBookState: 'Open',
    visible: true,
    createdAt: market.createdAt,
    imfFunction: null,
    mmfFunction: null,
    fundingInterval: null,
    fundingRateUpperBound: null,
    fundingRateLowerBound: null,
    openInterestLimit: null,
    positionLimitWeight: null,
  };
}
