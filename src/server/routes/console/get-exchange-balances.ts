/** `GET /console/api/exchange/balances?subaccountId=`: one of the caller's subaccounts' balances, per asset. */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import {
  balanceSchema,
  subaccountQuerySchema,
  toBalanceViews,
  type SubaccountQuery,
} from '../../views/console-exchange-views.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeBalancesRoute({ db, exchange }: ConsoleRouteDeps): RouteOptions {
  return {
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
      const { subaccountId } = request.query as SubaccountQuery;
      // Ownership: resolveSubaccount() looks the id up among this user's subaccounts only (404 otherwise).
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      return toBalanceViews(await exchange.readBalances(subaccount.id), exchange.config);
    },
  };
}
