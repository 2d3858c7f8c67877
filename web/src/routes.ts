/**
 * The console's pages and the navigation built from them. Settings pages are here; the exchange pages
 * (Balances, Orders, Deposits) belong in EXCHANGE_ROUTES: add an entry with a component from `pages/` and a
 * label in both dictionaries, and the navigation shows an "Exchange" section above Settings.
 */
import type { ComponentType } from 'react';

import type { MessageKey } from './i18n/en.ts';
import { ApiKeysPage } from './pages/api-keys-page.tsx';
import { SecurityPage } from './pages/security-page.tsx';
import { SubaccountsPage } from './pages/subaccounts-page.tsx';

export interface PageRoute {
  path: string;
  label: MessageKey;
  component: ComponentType;
}

/** ── Exchange pages go here (Balances, Orders, Deposits): built by the exchange work, not yet. ── */
export const EXCHANGE_ROUTES: PageRoute[] = [];

export const SETTINGS_ROUTES: PageRoute[] = [
  { path: '/settings/api-keys', label: 'nav.apiKeys', component: ApiKeysPage },
  { path: '/settings/subaccounts', label: 'nav.subaccounts', component: SubaccountsPage },
  { path: '/settings/security', label: 'nav.security', component: SecurityPage },
];

export const HOME_PATH = '/settings/api-keys';

export function findRoute(pathname: string): PageRoute | undefined {
  const path = pathname.replace(/\/+$/, '') || '/';
  return [...EXCHANGE_ROUTES, ...SETTINGS_ROUTES].find((route) => route.path === path);
}
