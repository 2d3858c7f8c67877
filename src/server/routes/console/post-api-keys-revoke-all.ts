/**
 * `POST /console/api/keys/revoke-all`: revokes every live key of the account, or of one subaccount — the button
 * for a compromised machine. Needs the TOTP code with 2FA on, the password with it off (a stolen session alone must
 * not be able to stop every bot of the account); effective on each key's next request.
 */
import type { RouteOptions } from 'fastify';

import { listSubaccounts, resolveSubaccount } from '../../../accounts/index.ts';
import { revokeAllApiKeys } from '../../../keys/index.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { toApiKeyView } from './api-key-view.ts';
import { confirmKeyAction } from './key-two-factor.ts';
import { apiKeySchema, errorResponses } from './schemas.ts';
import { identityProofProperties } from './withdrawal-address-view.ts';

export function postApiKeysRevokeAllRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/keys/revoke-all',
    schema: {
      summary: 'Revoke all API keys of the account or of one subaccount',
      tags: ['Console'],
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          subaccountId: { type: 'string', maxLength: 64, description: 'Only this subaccount’s keys' },
          ...identityProofProperties,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['revoked'],
          additionalProperties: false,
          properties: { revoked: { type: 'array', items: apiKeySchema } },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const body = request.body ?? {};
      const at = now();
      const subaccount =
        body.subaccountId === undefined
          ? undefined
          : await resolveSubaccount(db, user.id, { id: body.subaccountId });
      await confirmKeyAction(
        { db, config },
        { user, proof: body, now: at, grantsAccess: false, needsProof: true },
      );
      const revoked = await revokeAllApiKeys(db, {
        userId: user.id,
        subaccountId: subaccount?.id,
        context: auditContextOf(request),
        now: at,
      });
      const names = new Map((await listSubaccounts(db, user.id)).map((s) => [s.id, s.name]));
      return {
        revoked: revoked.map((key) => toApiKeyView(key, names.get(key.subaccountId) ?? '', { now: at })),
      };
    },
  });
}
