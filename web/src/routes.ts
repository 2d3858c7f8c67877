/**
 * The console's pages and the navigation built from them: the Exchange section (Balances, Orders, Deposits &
 * Withdrawals) above Settings. Without the exchange (SIGNET_EXCHANGE=off) its pages and the withdrawal address book
 * are not offered. A page is an entry with a component from `pages/` and a label in both
 * dictionaries.
 */
import type { ComponentType } from 'react';

import type { MessageKey } from './i18n/en.ts';
import { ApiKeysPage } from './pages/api-keys-page.tsx';
import { BalancesPage } from './pages/balances-page.tsx';
import { DepositsPage } from './pages/deposits-page.tsx';
import { MARKETS_PATH, MarketPage } from './pages/market-page.tsx';
import { OrdersPage } from './pages/orders-page.tsx';
import { SecurityPage } from './pages/security-page.tsx';
import { SubaccountsPage } from './pages/subaccounts-page.tsx';
import { WithdrawalAddressesPage } from './pages/withdrawal-addresses-page.tsx';

export interface PageRoute {
  path: string;
  label: MessageKey;
  component: ComponentType;
}

export const EXCHANGE_ROUTES: PageRoute[] = [
  { path: MARKETS_PATH, label: 'nav.markets', component: MarketPage },
  { path: '/exchange/balances', label: 'nav.balances', component: BalancesPage },
  { path: '/exchange/orders', label: 'nav.orders', component: OrdersPage },
  { path: '/exchange/deposits', label: 'nav.deposits', component: DepositsPage },
];

export const SETTINGS_ROUTES: PageRoute[] = [
  { path: '/settings/api-keys', label: 'nav.apiKeys', component: ApiKeysPage },
  { path: '/settings/subaccounts', label: 'nav.subaccounts', component: SubaccountsPage },
  {
    path: '/settings/withdrawal-addresses',
    label: 'nav.withdrawalAddresses',
    component: WithdrawalAddressesPage,
  },
  { path: '/settings/security', label: 'nav.security', component: SecurityPage },
];

export const HOME_PATH = '/settings/api-keys';

/** The pages of the exchange: hidden, with the exchange, when the operator runs Signet without it. */
const NEEDS_EXCHANGE = new Set(['/settings/withdrawal-addresses']);

export function visibleRoutes(options: { exchange: boolean }): {
  exchange: PageRoute[];
  settings: PageRoute[];
} {
  return options.exchange
    ? { exchange: EXCHANGE_ROUTES, settings: SETTINGS_ROUTES }
    : { exchange: [], settings: SETTINGS_ROUTES.filter((route) => !NEEDS_EXCHANGE.has(route.path)) };
}

export function findRoute(
  pathname: string,
  options: { exchange: boolean } = { exchange: true },
): PageRoute | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  const { exchange, settings } = visibleRoutes(options);
  // One page per market: /exchange/markets/SOL_USDC is the markets page with that market chosen.
  const page = path.startsWith(`${MARKETS_PATH}/`) ? MARKETS_PATH : path;
  return [...exchange, ...settings].find((route) => route.path === page);
}
