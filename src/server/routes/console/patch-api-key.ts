/**
 * `PATCH /console/api/keys/:id`: renames a key or changes its permissions, IP allowlist and expiry. Effective on
 * the key's next request. A change that widens anything (a permission, an address, a later expiry, extending an
 * expired key) needs the TOTP code when the account has 2FA and the password when it has not; narrowing and
 * renaming need neither. Audited with before and after.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { updateApiKey } from '../../../keys/index.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { toApiKeyView } from './api-key-view.ts';
import { confirmKeyAction } from './key-two-factor.ts';
import { apiKeySchema, errorResponses, keyControlsProperties, keyIdParamsSchema } from './schemas.ts';
import { identityProofProperties } from './withdrawal-address-view.ts';

/** A key's edit: any of its name and controls (the SPA imports its type, wire.ts). */
export const updateKeyBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 256 },
    ...keyControlsProperties,
    allowedIps: { ...keyControlsProperties.allowedIps, type: ['array', 'null'] },
    ...identityProofProperties,
  },
} as const;

export function patchApiKeyRoute({ db, now, config, declaredPermissions }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'PATCH',
    url: '/keys/:id',
    schema: {
      summary: 'Edit an API key (name, permissions, allowlist, expiry)',
      tags: ['Console'],
      params: keyIdParamsSchema,
      body: updateKeyBodySchema,
      response: { 200: apiKeySchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const body = request.body ?? {};
      const at = now();
      const key = await updateApiKey(db, {
        key: id,
        userId: user.id,
        name: body.name,
        permissions: body.permissions,
        declaredPermissions,
        allowedIps: body.allowedIps,
        allowAnyAddress: body.allowAnyAddress,
        expiresAt: body.expiresAt,
        withdrawRequiresAllowlist: config.keys?.withdrawRequiresAllowlist,
        authorize: () =>
          confirmKeyAction(
            { db, config },
            { user, proof: body, now: at, grantsAccess: true, needsProof: true },
          ),
        context: auditContextOf(request),
        now: at,
      });
      const subaccount = await resolveSubaccount(db, user.id, { id: key.subaccountId });
      return toApiKeyView(key, subaccount.name, { now: at });
    },
  });
}
