/**
 * `GET /console/api/session`: who is signed in, the CSRF token for this session, and the operator's console
 * settings the SPA must know about (the exchange's presence and the gateway's custom permissions among them). Answers 200 `{ authenticated: false }` without a session, so the SPA's first
 * request is not an error.
 */
import type { RouteOptions } from 'fastify';

import { deriveCsrfToken } from '../../../console/csrf.ts';
import { DEFAULT_SANDBOX_FUNDING } from '../../../exchange/index.ts';
import { DEFAULT_KEY_POLICY } from '../../../keys/index.ts';
import type { ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { csrfTokenSchema, toUserView, userSchema } from './schemas.ts';

/** The session and the operator settings the SPA needs (the SPA imports its type, wire.ts). */
export const sessionInfoSchema = {
  type: 'object',
  required: ['authenticated', 'requireTwoFactorForKeys', 'exchange', 'customPermissions'],
  additionalProperties: false,
  properties: {
    authenticated: { type: 'boolean' },
    user: userSchema,
    csrfToken: csrfTokenSchema,
    requireTwoFactorForKeys: { type: 'boolean' },
    sandboxDeposits: { type: 'boolean', description: 'Whether Deposit test funds is available' },
    exchange: {
      type: 'boolean',
      description: 'Whether the built-in exchange runs (SIGNET_EXCHANGE); its pages are hidden when not',
    },
    customPermissions: {
      type: 'array',
      items: { type: 'string' },
      description: "The operator's own permissions for gateway routes (SIGNET_ROUTES), offered for keys",
    },
    broadAllowlistPrefixes: {
      type: 'object',
      required: ['ipv4', 'ipv6'],
      additionalProperties: false,
      properties: { ipv4: { type: 'integer' }, ipv6: { type: 'integer' } },
      description: 'Allowlist entries broader than these prefix lengths are warned about',
    },
  },
} as const;

export function getSessionRoute({
  config,
  declaredPermissions,
  exchangeEnabled,
}: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/session',
    config: { consoleAccess: 'public' },
    schema: {
      summary: 'The current session',
      tags: ['Console'],
      response: {
        200: sessionInfoSchema,
      },
    },
    handler: async (request) => {
      const current = request.consoleSession;
      const settings = {
        requireTwoFactorForKeys: config.requireTwoFactorForKeys,
        sandboxDeposits: exchangeEnabled && (config.sandboxDeposits ?? DEFAULT_SANDBOX_FUNDING).enabled,
        exchange: exchangeEnabled,
        customPermissions: [...declaredPermissions],
        broadAllowlistPrefixes: (config.keys ?? DEFAULT_KEY_POLICY).broadPrefixes,
      };
      if (!current) return { authenticated: false, ...settings };
      return {
        authenticated: true,
        user: toUserView(current.user),
        csrfToken: deriveCsrfToken(current.token),
        ...settings,
      };
    },
  });
}
