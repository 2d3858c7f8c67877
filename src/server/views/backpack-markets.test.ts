import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { readMarketConfigFile } from '../../exchange/config/market-config.ts';
import { toBackpackAsset, toBackpackMarket } from './backpack-markets.ts';

const CONFIG_PATH = fileURLToPath(new URL('../../../config/markets.json', import.meta.url));

describe('toBackpackMarket()', () => {
  it('builds the Backpack Market shape', async () => {
    const config = await readMarketConfigFile(CONFIG_PATH);
    expect(toBackpackMarket(config.marketsBySymbol.get('SOL_USDC')!)).toEqual({
      symbol: 'SOL_USDC',
      baseSymbol: 'SOL',
      quoteSymbol: 'USDC',
      marketType: 'SPOT',
      filters: {
        price: { minPrice: '0.01', maxPrice: '100000', tickSize: '0.01' },
        quantity: { minQuantity: '0.01', maxQuantity: '100000', stepSize: '0.01' },
      },
      orderBookState: 'Open',
      visible: true,
      createdAt: '2025-01-01T00:00:00',
      imfFunction: null,
      mmfFunction: null,
      fundingInterval: null,
      fundingRateUpperBound: null,
      fundingRateLowerBound: null,
      openInterestLimit: null,
      positionLimitWeight: null,
    });
  });
});

describe('toBackpackAsset()', () => {
  it('builds the Backpack MarketAsset shape', async () => {
    const config = await readMarketConfigFile(CONFIG_PATH);
    const sol = toBackpackAsset(config.assetsBySymbol.get('SOL')!);
    expect(sol).toEqual({
      symbol: 'SOL',
      displayName: 'Solana',
      coingeckoId: 'solana',
      tokens: [
        {
          blockchain: 'Solana',
          displayName: 'Solana',
          contractAddress: null,
          depositEnabled: true,
          minimumDeposit: '0.01',
          withdrawEnabled: true,
          minimumWithdrawal: '0.02',
          maximumWithdrawal: '10000',
          withdrawalFee: '0.002',
          nativeDecimals: 9,
        },
      ],
    });
  });
});
