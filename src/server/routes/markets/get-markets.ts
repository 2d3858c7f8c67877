/**
 * Public market metadata from the configuration file: `GET /api/v1/assets`, `/api/v1/markets`, `/api/v1/market`.
 * ccxt's loadMarkets() reads the first two before every private call, so their shapes follow Backpack exactly:
 * decimals as strings, `tickSize`/`stepSize` present, blockchains spelled as Backpack spells them.
 */
import type { FastifyInstance } from 'fastify';

import { AppError } from '../../../errors.ts';
import type { ExchangeConfig } from '../../../exchange/index.ts';
import { toBackpackAsset, toBackpackMarket } from '../../views/backpack-markets.ts';
import type { SchemaTypes } from '../../schema-types.ts';

const nullableString = { type: ['string', 'null'] } as const;

const tokenSchema = {
  type: 'object',
  properties: {
    blockchain: { type: 'string' },
    displayName: { type: 'string' },
    contractAddress: nullableString,
    depositEnabled: { type: 'boolean' },
    minimumDeposit: { type: 'string' },
    withdrawEnabled: { type: 'boolean' },
    minimumWithdrawal: { type: 'string' },
    maximumWithdrawal: nullableString,
    withdrawalFee: { type: 'string' },
    nativeDecimals: { type: ['integer', 'null'] },
  },
} as const;

export const assetSchema = {
  type: 'object',
  properties: {
    symbol: { type: 'string' },
    displayName: { type: 'string' },
    coingeckoId: nullableString,
    tokens: { type: 'array', items: tokenSchema },
  },
} as const;

export const marketSchema = {
  type: 'object',
  properties: {
    symbol: { type: 'string' },
    baseSymbol: { type: 'string' },
    quoteSymbol: { type: 'string' },
    marketType: { type: 'string' },
    filters: {
      type: 'object',
      properties: {
        price: {
          type: 'object',
          properties: {
            minPrice: { type: 'string' },
            maxPrice: nullableString,
            tickSize: { type: 'string' },
          },
        },
        quantity: {
          type: 'object',
          properties: {
            minQuantity: { type: 'string' },
            maxQuantity: nullableString,
            stepSize: { type: 'string' },
          },
        },
      },
    },
    orderBookState: { type: 'string' },
    visible: { type: 'boolean' },
    createdAt: { type: 'string' },
    imfFunction: { type: 'null' },
    mmfFunction: { type: 'null' },
    fundingInterval: { type: 'null' },
    fundingRateUpperBound: { type: 'null' },
    fundingRateLowerBound: { type: 'null' },
    openInterestLimit: { type: 'null' },
    positionLimitWeight: { type: 'null' },
  },
} as const;

/** The market for `symbol`, or Backpack's 400 for an unknown one. */
export function requireMarket(config: ExchangeConfig, symbol: unknown) {
  const market = typeof symbol === 'string' ? config.marketsBySymbol.get(symbol) : undefined;
  if (!market) throw new AppError('INVALID_CLIENT_REQUEST', 'Invalid market symbol');
  return market;
}

export async function marketRoutes(
  untyped: FastifyInstance,
  options: { markets: ExchangeConfig },
): Promise<void> {
  const app = untyped.withTypeProvider<SchemaTypes>();
  const { markets } = options;
  const assets = markets.assets.map(toBackpackAsset);
  const allMarkets = markets.markets.map(toBackpackMarket);

  app.get(
    '/api/v1/assets',
    {
      schema: {
        summary: 'Assets and the blockchains they move on',
        tags: ['Markets'],
        response: { 200: { type: 'array', items: assetSchema } },
      },
    },
    async () => assets,
  );

  app.get(
    '/api/v1/markets',
    {
      schema: {
        summary: 'All markets (spot only on Signet)',
        tags: ['Markets'],
        querystring: {
          type: 'object',
          properties: {
            marketType: {
              type: 'array',
              items: { type: 'string', enum: ['SPOT', 'PERP', 'IPERP', 'DATED', 'PREDICTION', 'RFQ'] },
            },
          },
        },
        response: { 200: { type: 'array', items: marketSchema } },
      },
    },
    async (request) => {
      const { marketType } = request.query;
      return marketType === undefined || marketType.includes('SPOT') ? allMarkets : [];
    },
  );

  app.get(
    '/api/v1/market',
    {
      schema: {
        summary: 'One market',
        tags: ['Markets'],
        querystring: { type: 'object', required: ['symbol'], properties: { symbol: { type: 'string' } } },
        response: { 200: marketSchema },
      },
    },
    async (request) => toBackpackMarket(requireMarket(markets, request.query.symbol)),
  );
}
