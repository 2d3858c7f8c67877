/** `GET /console/api/exchange/fills?subaccountId=&limit=`: the subaccount's side of its recent trades, newest first. */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { fillSchema, subaccountListQuerySchema, toFillView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeFillsRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/fills',
    schema: {
      summary: 'Recent fills of a subaccount',
      tags: ['Console'],
      querystring: subaccountListQuerySchema,
      response: { 200: { type: 'array', items: fillSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId, limit } = request.query;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const fills = await exchange.listFills(subaccount.id, { limit, offset: 0, sortDirection: 'Desc' });
      return fills.map((fill) => toFillView(fill, exchange.config));
    },
  });
}
