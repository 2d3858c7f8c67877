/** Backpack's public `MarketAsset` and `Market` JSON shapes, built from the configured assets and markets. */
import type { AssetConfig, MarketConfig } from '../../exchange/index.ts';

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
