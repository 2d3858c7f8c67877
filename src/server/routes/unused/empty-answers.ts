/**
 * Read-only Backpack endpoints of products a spot-only Signet does not run (perpetuals, borrow-lend, RFQ,
 * strategies, vaults, PnL): they answer what Backpack answers an account that never used the product, a 200 with
 * an empty list (a single strategy or vault: 404, as for any unknown id), so a bot that reconciles through them
 * reads "none" instead of an error. Their parameters are still checked (paging bounds, sort direction, integer
 * times and ids): bad input gets a 400, like on the served lists. Actions that would change state stay 501.
 */
import type { FastifyInstance } from 'fastify';

import { AppError } from '../../../errors.ts';
import type { SignedRoute } from '../../plugins/signed-api.ts';
import { pagingProperties, sortDirectionProperty } from '../orders/order-schemas.ts';

type Properties = Record<string, Record<string, unknown>>;

const text = { type: 'string', maxLength: 128 } as const;
const integerId = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const time = integerId;
const marketTypes = { type: 'array', items: text, maxItems: 16 } as const;
const paged: Properties = { ...pagingProperties, sortDirection: sortDirectionProperty };
const timed: Properties = { from: time, to: time };

/** Signed history lists (`/wapi/v1/history/...`) and current-state lists, each with Backpack's filters. */
const EMPTY_SIGNED_LISTS: readonly { url: string; summary: string; properties: Properties }[] = [
  {
    url: '/wapi/v1/history/funding',
    summary: 'Funding payments (fundingHistoryQueryAll): none on spot',
    properties: { subaccountId: integerId, symbol: text, ...paged },
  },
  {
    url: '/wapi/v1/history/borrowLend',
    summary: 'Borrow-lend history (borrowHistoryQueryAll): none, Signet does not lend',
    properties: {
      type: { type: 'string', enum: ['Borrow', 'Lend'] },
      sources: text,
      positionId: text,
      symbol: text,
      ...paged,
    },
  },
  {
    url: '/wapi/v1/history/interest',
    summary: 'Interest payments (interestHistoryQueryAll): none, Signet does not lend',
    properties: {
      asset: text,
      symbol: text,
      positionId: text,
      source: text,
      subaccountId: integerId,
      ...paged,
    },
  },
  {
    url: '/wapi/v1/history/borrowLend/positions',
    summary: 'Borrow-lend position history (borrowPositionHistoryQueryAll): none',
    properties: {
      symbol: text,
      side: { type: 'string', enum: ['Borrow', 'Lend'] },
      state: { type: 'string', enum: ['Open', 'Closed'] },
      ...paged,
    },
  },
  {
    url: '/wapi/v1/history/dust',
    summary: 'Dust conversions (dustHistoryQueryAll): none',
    properties: { id: integerId, symbol: text, ...paged },
  },
  {
    url: '/wapi/v1/history/position',
    summary: 'Position history (positionHistoryQueryAll): none on spot',
    properties: {
      symbol: text,
      state: { type: 'string', enum: ['Open', 'Closed'] },
      marketType: marketTypes,
      ...paged,
    },
  },
  {
    url: '/wapi/v1/history/pnl',
    summary: 'Realised PnL history (pnlHistoryQueryAll, removed by Backpack, still called by ccxt): none',
    properties: { subaccountId: integerId, symbol: text, ...paged },
  },
  {
    url: '/wapi/v1/history/settlement',
    summary: 'Settlement history (settlementHistoryQueryAll): none on spot',
    properties: { source: text, ...paged },
  },
  {
    url: '/wapi/v1/history/strategies',
    summary: 'Strategy history (strategyHistoryQueryAll): none, Signet runs no strategies',
    properties: { strategyId: text, symbol: text, ...paged },
  },
  ...['rfq', 'quote', 'rfq/fill', 'quote/fill'].map((kind) => ({
    url: `/wapi/v1/history/${kind}`,
    summary: `RFQ ${kind.replace('/', ' ')} history: none, Signet runs no RFQ`,
    properties: { rfqId: text, quoteId: text, symbol: text, status: text, ...timed, ...paged },
  })),
  ...['mint', 'redeem'].map((kind) => ({
    url: `/wapi/v1/history/vault/${kind}`,
    summary: `Vault ${kind} history: none, Signet runs no vaults`,
    properties: { vaultId: integerId, symbol: text, ...paged },
  })),
  {
    url: '/api/v1/position',
    summary: 'Open positions (positionQuery): none on spot',
    properties: { symbol: text, marketType: marketTypes },
  },
  {
    url: '/api/v1/borrowLend/positions',
    summary: 'Borrow-lend positions (borrowLendPositionQuery): none',
    properties: {},
  },
  {
    url: '/api/v1/strategies',
    summary: 'Open strategies (strategyQueryAll): none',
    properties: { symbol: text, marketType: marketTypes, strategyType: text },
  },
  {
    url: '/api/v1/rfqs',
    summary: 'Open RFQs (rfqQuery): none',
    properties: { symbol: text, rfqId: text, deferredSettlement: { type: 'boolean' } },
  },
  {
    url: '/api/v1/vault/redeems/pending',
    summary: 'Pending vault redeems (vaultPendingRedeemsQuery): none',
    properties: { vaultId: integerId },
  },
];

export function emptyAnswerRoutes(): SignedRoute[] {
  const lists = EMPTY_SIGNED_LISTS.map(({ url, summary, properties }): SignedRoute => ({
    method: 'GET',
    url,
    schema: {
      summary,
      tags: ['Not on spot'],
      querystring: { type: 'object', properties },
      response: { 200: { type: 'array', maxItems: 0 } },
    },
    handler: async () => [],
  }));
  return [
    ...lists,
    notFoundRoute('/api/v1/strategy', 'Strategy (strategyQuery): no strategy exists', 'Strategy not found', {
      symbol: text,
      strategyId: text,
      clientStrategyId: integerId,
    }),
    notFoundRoute('/api/v1/vault/nav', 'Vault NAV (vaultNavQuery): no vault exists', 'Vault not found', {
      vaultId: integerId,
    }),
  ];
}

function notFoundRoute(url: string, summary: string, message: string, properties: Properties): SignedRoute {
  return {
    method: 'GET',
    url,
    schema: { summary, tags: ['Not on spot'], querystring: { type: 'object', properties } },
    handler: async () => {
      throw new AppError('RESOURCE_NOT_FOUND', message);
    },
  };
}

/** `GET /api/v1/borrowLend/markets` (public): the lending markets, none on Signet. */
export function registerEmptyPublicLists(app: FastifyInstance): void {
  app.get(
    '/api/v1/borrowLend/markets',
    {
      schema: {
        summary: 'Borrow-lend markets: none, Signet does not lend',
        tags: ['Not on spot'],
        response: { 200: { type: 'array', maxItems: 0 } },
      },
    },
    async () => [],
  );
}
