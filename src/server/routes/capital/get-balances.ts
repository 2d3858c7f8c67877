/**
 * `GET /api/v1/capital` (balanceQuery): `{ "<asset>": { available, locked, staked } }` for the key's subaccount,
 * decimals as strings. The subaccount always comes from the key, never from a parameter.
 */
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

export type BalanceReader = (
  subaccountId: string,
) => Promise<Record<string, { available: string; locked: string; staked: string }>>;

export function getBalancesRoute(readBalances: BalanceReader): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/capital',
    schema: {
      summary: 'Balances of the key’s subaccount (balanceQuery)',
      tags: ['Capital'],
      response: {
        200: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['available', 'locked', 'staked'],
            properties: {
              available: { type: 'string' },
              locked: { type: 'string' },
              staked: { type: 'string' },
            },
          },
        },
      },
    },
    handler: async (request) => readBalances(request.caller.subaccountId),
  });
}
