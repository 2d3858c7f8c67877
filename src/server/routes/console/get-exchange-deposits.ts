/** `GET /console/api/exchange/deposits?subaccountId=&limit=`: the subaccount's deposits, newest first. */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import {
  depositSchema,
  subaccountListQuerySchema,
  toDepositView,
} from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeDepositsRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/deposits',
    schema: {
      summary: 'Deposits of a subaccount',
      tags: ['Console'],
      querystring: subaccountListQuerySchema,
      response: { 200: { type: 'array', items: depositSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId, limit } = request.query;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const deposits = await exchange.listDeposits(subaccount.id, { limit, offset: 0 });
      return deposits.map((deposit) => toDepositView(deposit, exchange.config));
    },
  });
}
