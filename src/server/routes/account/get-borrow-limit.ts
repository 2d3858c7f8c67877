/**
 * `GET /api/v1/account/limits/borrow` (maxBorrowQuantity): no borrowing on a spot exchange, so always "0" for a
 * known asset (INVALID_ASSET otherwise).
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { requireKnownAsset } from './asset-input.ts';

export function getBorrowLimitRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/account/limits/borrow',
    schema: {
      summary: 'Largest borrow (maxBorrowQuantity): always 0 on spot',
      tags: ['Account'],
      querystring: { type: 'object', required: ['symbol'], properties: { symbol: { type: 'string' } } },
    },
    handler: async (request) => {
      const asset = requireKnownAsset(exchange.config, request.query.symbol);
      return { maxBorrowQuantity: '0', symbol: asset.symbol };
    },
  });
}
