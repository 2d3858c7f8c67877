/**
 * `GET /api/v1/account` (accountQuery): the account's settings in Backpack's shape. The switches set with
 * `PATCH /api/v1/account` are stored per subaccount and reported (Signet has no margin or lending, so they change
 * nothing else); limits are fixed; fees are the default spot fees in basis points.
 */
import type { Exchange } from '../../../exchange/index.ts';
import type { SignedRoute } from '../../plugins/signed-api.ts';

export const ACCOUNT_SETTINGS = {
  autoBorrowSettlements: false,
  autoLend: false,
  autoRealizePnl: false,
  autoRepayBorrows: false,
  borrowLimit: '0',
  futuresMakerFee: '2',
  futuresTakerFee: '5',
  leverageLimit: '1',
  limitOrders: 500,
  liquidating: false,
  positionLimit: '0',
  spotMakerFee: '2',
  spotTakerFee: '5',
  triggerOrders: 100,
} as const;

const booleanField = { type: 'boolean' } as const;
const stringField = { type: 'string' } as const;

export const getAccountRoute = (exchange: Exchange): SignedRoute => ({
  method: 'GET',
  url: '/api/v1/account',
  schema: {
    summary: 'Account settings (accountQuery)',
    tags: ['Account'],
    response: {
      200: {
        type: 'object',
        properties: {
          autoBorrowSettlements: booleanField,
          autoLend: booleanField,
          autoRealizePnl: booleanField,
          autoRepayBorrows: booleanField,
          borrowLimit: stringField,
          futuresMakerFee: stringField,
          futuresTakerFee: stringField,
          leverageLimit: stringField,
          limitOrders: { type: 'integer' },
          liquidating: booleanField,
          positionLimit: stringField,
          spotMakerFee: stringField,
          spotTakerFee: stringField,
          triggerOrders: { type: 'integer' },
        },
      },
    },
  },
  handler: async (request) => ({
    ...ACCOUNT_SETTINGS,
    ...(await exchange.readAccountSettings(request.caller.subaccountId)),
  }),
});
