/**
 * `GET /console/api/exchange/orders/history?subaccountId=&symbol=&limit=`: the market page's order history, the
 * subaccount's finished orders (Filled, Cancelled, Expired) in one market, newest first. Open orders are in
 * `GET /console/api/exchange/orders`; the signed API's `/wapi/v1/history/orders` lists both.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { orderSchema, subaccountQuerySchema, toOrderView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export const orderHistoryQuerySchema = {
  type: 'object',
  required: ['symbol'],
  additionalProperties: false,
  properties: {
    ...subaccountQuerySchema.properties,
    symbol: { type: 'string', maxLength: 32, description: 'The market, e.g. SOL_USDC' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  },
} as const;

export function getExchangeOrderHistoryRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/orders/history',
    schema: {
      summary: "Finished orders of a subaccount in one market (the market page's order history)",
      tags: ['Console'],
      querystring: orderHistoryQuerySchema,
      response: { 200: { type: 'array', items: orderSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId, symbol, limit } = request.query;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const orders = await exchange.listOrderHistory(subaccount.id, {
        symbol,
        finishedOnly: true,
        limit,
        offset: 0,
        sortDirection: 'Desc',
      });
      return orders.map((order) => toOrderView(order, exchange.config));
    },
  });
}
