/**
 * `GET /console/api/exchange/orders?subaccountId=`: the subaccount's open (resting) orders, oldest first, as
 * the matching engine holds them. Read-only: orders are placed and cancelled through the signed API.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { orderSchema, subaccountQuerySchema, toOrderView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeOrdersRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/orders',
    schema: {
      summary: 'Open orders of a subaccount',
      tags: ['Console'],
      querystring: subaccountQuerySchema,
      response: { 200: { type: 'array', items: orderSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId } = request.query;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const orders = await exchange.listOpenOrders(subaccount.id);
      return orders.map((order) => toOrderView(order, exchange.config));
    },
  });
}
