/** `GET /console/api/exchange/balances?subaccountId=`: one of the caller's subaccounts' balances, per asset. */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { balanceSchema, subaccountQuerySchema, toBalanceViews } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeBalancesRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/balances',
    schema: {
      summary: 'Balances of a subaccount',
      tags: ['Console'],
      querystring: subaccountQuerySchema,
      response: { 200: { type: 'array', items: balanceSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId } = request.query;
      // Ownership: resolveSubaccount() looks the id up among this user's subaccounts only (404 otherwise).
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      return toBalanceViews(await exchange.readBalances(subaccount.id), exchange.config);
    },
  });
}
