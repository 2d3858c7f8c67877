/** The exchange's signed routes (orders, history, capital, and the empty lists of products Signet does not run), for the signed-API plugin to register. */
import type { AddressBook, Exchange } from '../../exchange/index.ts';
import type { KeyPolicy } from '../../keys/index.ts';
import type { SignedRoute } from '../plugins/signed-api.ts';
import { getDepositAddressRoute } from './capital/get-deposit-address.ts';
import { getDepositsRoute } from './capital/get-deposits.ts';
import { getWithdrawalsRoute } from './capital/get-withdrawals.ts';
import { postWithdrawalRoute } from './capital/post-withdrawal.ts';
import { getFillHistoryRoute } from './history/get-fill-history.ts';
import { getOrderHistoryRoute } from './history/get-order-history.ts';
import { deleteOrderRoute } from './orders/delete-order.ts';
import { deleteOrdersRoute } from './orders/delete-orders.ts';
import { getOrderRoute } from './orders/get-order.ts';
import { getOrdersRoute } from './orders/get-orders.ts';
import { postOrderRoute } from './orders/post-order.ts';
import { postOrdersRoute } from './orders/post-orders.ts';
import { emptyAnswerRoutes } from './unused/empty-answers.ts';

export function exchangeSignedRoutes(
  exchange: Exchange,
  addressBook: AddressBook,
  keyPolicy?: KeyPolicy,
): SignedRoute[] {
  return [
    postOrderRoute(exchange),
    postOrdersRoute(exchange),
    deleteOrderRoute(exchange),
    deleteOrdersRoute(exchange),
    getOrderRoute(exchange),
    getOrdersRoute(exchange),
    getOrderHistoryRoute(exchange),
    getFillHistoryRoute(exchange),
    getDepositsRoute(exchange),
    getDepositAddressRoute(exchange),
    getWithdrawalsRoute(exchange),
    postWithdrawalRoute(exchange, addressBook, keyPolicy),
    ...emptyAnswerRoutes(),
  ];
}
