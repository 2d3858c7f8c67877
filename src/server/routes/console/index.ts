/** Every console route, in one list, for the console-api plugin to register. */
import type { RouteOptions } from 'fastify';

import type { ConsoleRouteDeps } from '../../plugins/console-api.ts';
import { deleteApiKeyRoute } from './delete-api-key.ts';
import { getApiKeysRoute } from './get-api-keys.ts';
import { getAuditEventsRoute } from './get-audit-events.ts';
import { getSessionRoute } from './get-session.ts';
import { getSubaccountsRoute } from './get-subaccounts.ts';
import { postApiKeyRoute } from './post-api-key.ts';
import { postLoginRoute } from './post-login.ts';
import { postLogoutRoute } from './post-logout.ts';
import { postSignupRoute } from './post-signup.ts';
import { postSubaccountRoute } from './post-subaccount.ts';
import { postTwoFactorDisableRoute } from './post-two-factor-disable.ts';
import { postTwoFactorEnableRoute } from './post-two-factor-enable.ts';
import { postTwoFactorSetupRoute } from './post-two-factor-setup.ts';

export function consoleRoutes(deps: ConsoleRouteDeps): RouteOptions[] {
  return [
    postSignupRoute(deps),
    postLoginRoute(deps),
    postLogoutRoute(deps),
    getSessionRoute(deps),
    postTwoFactorSetupRoute(deps),
    postTwoFactorEnableRoute(deps),
    postTwoFactorDisableRoute(deps),
    getSubaccountsRoute(deps),
    postSubaccountRoute(deps),
    getApiKeysRoute(deps),
    postApiKeyRoute(deps),
    deleteApiKeyRoute(deps),
    getAuditEventsRoute(deps),
  ];
}
