/**
 * `POST /console/api/keys/:id/rotate`: a new key (public key from the browser, as for any new key) with the old
 * one's name, subaccount, permissions, allowlist and expiry; the old key keeps working for the grace period the
 * person picked (0, 1h, 24h, 7d), then is refused like an expired key. Needs the TOTP code with 2FA on, the
 * password with it off: a rotation to a public key of the caller's choosing hands the key's powers to its holder.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { AppError } from '../../../errors.ts';
import { DEFAULT_KEY_POLICY, GRACE_PERIODS, parseGracePeriod, rotateApiKey } from '../../../keys/index.ts';
import { parsePublicKey } from '../../../protocol/key-encoding.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { toApiKeyView } from './api-key-view.ts';
import { confirmKeyAction } from './key-two-factor.ts';
import { apiKeySchema, errorResponses, keyIdParamsSchema } from './schemas.ts';
import { identityProofProperties } from './withdrawal-address-view.ts';

/** A rotation: the new public key and the old key's grace (the SPA imports its type, wire.ts). */
export const rotateKeyBodySchema = {
  type: 'object',
  required: ['publicKey', 'grace'],
  additionalProperties: false,
  properties: {
    publicKey: { type: 'string', maxLength: 256 },
    publicKeySource: { type: 'string', enum: ['browser', 'user'], default: 'browser' },
    grace: { type: 'string', enum: Object.keys(GRACE_PERIODS) },
    ...identityProofProperties,
  },
} as const;

export function postApiKeyRotateRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/keys/:id/rotate',
    schema: {
      summary: 'Rotate an API key: a new key now, the old one expires after a grace period',
      tags: ['Console'],
      params: keyIdParamsSchema,
      body: rotateKeyBodySchema,
      response: {
        201: {
          type: 'object',
          required: ['old', 'key'],
          additionalProperties: false,
          properties: { old: apiKeySchema, key: apiKeySchema },
        },
        ...errorResponses,
      },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const { body } = request;
      const at = now();
      const graceMs = parseGracePeriod(body.grace);
      const parsed = parsePublicKey(body.publicKey);
      if (!parsed.ok) throw AppError.of(parsed.detail, parsed.message);
      const rotated = await rotateApiKey(db, {
        key: id,
        userId: user.id,
        publicKey: body.publicKey,
        publicKeySource: body.publicKeySource ?? 'browser',
        graceMs,
        maxKeysPerUser: (config.keys ?? DEFAULT_KEY_POLICY).maxKeysPerUser,
        authorize: () =>
          confirmKeyAction(
            { db, config },
            { user, proof: body, now: at, grantsAccess: true, needsProof: true },
          ),
        context: auditContextOf(request),
        now: at,
      });
      const subaccount = await resolveSubaccount(db, user.id, { id: rotated.key.subaccountId });
      return reply.code(201).send({
        old: toApiKeyView(rotated.old, subaccount.name, { now: at }),
        key: toApiKeyView(rotated.key, subaccount.name, { now: at, replaces: rotated.old.id }),
      });
    },
  });
}
