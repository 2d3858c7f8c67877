/** `GET /console/api/exchange/withdrawals?subaccountId=&limit=`: the subaccount's withdrawals, newest first. */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import {
  subaccountListQuerySchema,
  toWithdrawalView,
  withdrawalSchema,
} from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeWithdrawalsRoute({ db, exchange }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/exchange/withdrawals',
    schema: {
      summary: 'Withdrawals of a subaccount',
      tags: ['Console'],
      querystring: subaccountListQuerySchema,
      response: { 200: { type: 'array', items: withdrawalSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { subaccountId, limit } = request.query;
      const subaccount = await resolveSubaccount(db, user.id, { id: subaccountId });
      const withdrawals = await exchange.listWithdrawals(subaccount.id, { limit, offset: 0 });
      return withdrawals.map((withdrawal) => toWithdrawalView(withdrawal, exchange.config));
    },
  });
}
