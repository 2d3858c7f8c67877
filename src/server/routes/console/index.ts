/**
 * Every console route, in one list, for the console-api plugin to register: the exchange pages and the withdrawal
 * address book only when the built-in exchange runs (SIGNET_EXCHANGE).
 */
import type { RouteOptions } from 'fastify';

import type { ConsoleExchangeDeps, ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { deleteApiKeyRoute } from './delete-api-key.ts';
import { deleteWithdrawalAddressRoute } from './delete-withdrawal-address.ts';
import { getApiKeyUsageRoute } from './get-api-key-usage.ts';
import { patchApiKeyRoute } from './patch-api-key.ts';
import { postApiKeyRotateRoute } from './post-api-key-rotate.ts';
import { postApiKeysRevokeAllRoute } from './post-api-keys-revoke-all.ts';
import { getApiKeysRoute } from './get-api-keys.ts';
import { getAuditEventsRoute } from './get-audit-events.ts';
import { getExchangeAssetsRoute } from './get-exchange-assets.ts';
import { getExchangeBalancesRoute } from './get-exchange-balances.ts';
import { getExchangeDepositsRoute } from './get-exchange-deposits.ts';
import { getExchangeFillsRoute } from './get-exchange-fills.ts';
import { getExchangeOrderHistoryRoute } from './get-exchange-order-history.ts';
import { getExchangeOrdersRoute } from './get-exchange-orders.ts';
import { getExchangeWithdrawalsRoute } from './get-exchange-withdrawals.ts';
import { getSessionRoute } from './get-session.ts';
import { getSubaccountsRoute } from './get-subaccounts.ts';
import { getWithdrawalAddressesRoute } from './get-withdrawal-addresses.ts';
import { postApiKeyRoute } from './post-api-key.ts';
import { postExchangeDepositRoute } from './post-exchange-deposit.ts';
import { deleteExchangeOrderRoute, postExchangeOrderRoute } from './post-exchange-order.ts';
import { postExchangeWithdrawalRoute } from './post-exchange-withdrawal.ts';
import { postLoginRoute } from './post-login.ts';
import { postLogoutRoute } from './post-logout.ts';
import { postSignupRoute } from './post-signup.ts';
import { postSubaccountRoute } from './post-subaccount.ts';
import { postTwoFactorDisableRoute } from './post-two-factor-disable.ts';
import { postTwoFactorRecoveryCodesRoute } from './post-two-factor-recovery-codes.ts';
import { postTwoFactorEnableRoute } from './post-two-factor-enable.ts';
import { postTwoFactorSetupRoute } from './post-two-factor-setup.ts';
import { postWithdrawalAddressRoute } from './post-withdrawal-address.ts';
import { postWithdrawalAddressApiAccessRoute } from './post-withdrawal-address-api-access.ts';
import { postWithdrawalAddressCancelRoute } from './post-withdrawal-address-cancel.ts';

export function consoleRoutes(
  deps: ConsoleRouteDeps,
  exchange?: Pick<ConsoleExchangeDeps, 'exchange' | 'addressBook'>,
): RouteOptions[] {
  const routes = [
    postSignupRoute(deps),
    postLoginRoute(deps),
    postLogoutRoute(deps),
    getSessionRoute(deps),
    postTwoFactorSetupRoute(deps),
    postTwoFactorEnableRoute(deps),
    postTwoFactorDisableRoute(deps),
    postTwoFactorRecoveryCodesRoute(deps),
    getSubaccountsRoute(deps),
    postSubaccountRoute(deps),
    getApiKeysRoute(deps),
    postApiKeyRoute(deps),
    deleteApiKeyRoute(deps),
    patchApiKeyRoute(deps),
    postApiKeyRotateRoute(deps),
    postApiKeysRevokeAllRoute(deps),
    getApiKeyUsageRoute(deps),
    getAuditEventsRoute(deps),
  ];
  if (exchange === undefined) return routes;
  const withExchange: ConsoleExchangeDeps = { ...deps, ...exchange };
  return [
    ...routes,
    getExchangeAssetsRoute(withExchange),
    getExchangeBalancesRoute(withExchange),
    getExchangeOrdersRoute(withExchange),
    getExchangeOrderHistoryRoute(withExchange),
    getExchangeFillsRoute(withExchange),
    getExchangeDepositsRoute(withExchange),
    getExchangeWithdrawalsRoute(withExchange),
    postExchangeDepositRoute(withExchange),
    postExchangeOrderRoute(withExchange),
    deleteExchangeOrderRoute(withExchange),
    postExchangeWithdrawalRoute(withExchange),
    getWithdrawalAddressesRoute(withExchange),
    postWithdrawalAddressRoute(withExchange),
    postWithdrawalAddressApiAccessRoute(withExchange),
    postWithdrawalAddressCancelRoute(withExchange),
    deleteWithdrawalAddressRoute(withExchange),
  ];
}
