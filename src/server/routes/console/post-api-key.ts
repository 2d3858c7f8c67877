/**
 * `POST /console/api/keys`: registers a new API key for one of the caller's subaccounts.
 *
 * The console never lets the server make the pair: the body must carry a public key, generated in the browser
 * (`publicKeySource: "browser"`) or pasted by the user ("user"). So the server never sees a secret, and the
 * response (schema below) has no field that could carry one.
 *
 * Order of checks: cheap input checks first (name, public key, permissions, allowlist, expiry, subaccount
 * ownership), then the 2FA code, so a typo in the public key does not spend the user's one-time code.
 * Permissions: `readOnly` means read alone; otherwise `permissions`, or by default read + trade: a key made in the
 * console can withdraw only when the person ticked "Allow withdrawals" (the dialog then sends the permissions).
 * Custom permissions must be ones the operator declares for gateway routes (SIGNET_ROUTES).
 * The operator CLI keeps Backpack's default of all three. A user holding SIGNET_MAX_KEYS_PER_USER working keys is
 * refused (400 KEY_LIMIT). With 2FA on, a current code is required; with
 * the operator setting `requireTwoFactorForKeys`, a user without 2FA is refused until they turn it on.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { verifyTwoFactorCode } from '../../../console/two-factor-service.ts';
import { AppError } from '../../../errors.ts';
import {
  assertWithdrawAllowlist,
  createApiKey,
  customPermissionsOfStored,
  DEFAULT_KEY_POLICY,
  parseExpiry,
  PERMISSION_BITS,
  permissionNames,
  resolveAllowlist,
  resolvePermissions,
  validateKeyName,
} from '../../../keys/index.ts';
import { parsePublicKey } from '../../../protocol/key-encoding.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { toApiKeyView } from './api-key-view.ts';
import { apiKeySchema, errorResponses, keyControlsProperties, totpCodeSchema } from './schemas.ts';

/** A console key without explicit permissions: read + trade, never withdraw unless asked for. */
export const CONSOLE_DEFAULT_PERMISSIONS = PERMISSION_BITS.read | PERMISSION_BITS.trade;

export const TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE =
  'This server requires two-factor authentication for API keys. Turn it on under Security, then create the key.';

/** A new key as the console sends it (the SPA imports its type, wire.ts). */
export const createKeyBodySchema = {
  type: 'object',
  required: ['name', 'publicKey'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 256 },
    subaccountId: { type: 'string', maxLength: 64, description: 'Defaults to the main subaccount' },
    readOnly: { type: 'boolean', default: false },
    publicKey: {
      type: 'string',
      maxLength: 256,
      description: 'Base64 of the raw 32-byte ED25519 public key; the secret never leaves the browser',
    },
    publicKeySource: { type: 'string', enum: ['browser', 'user'], default: 'user' },
    totpCode: totpCodeSchema,
    ...keyControlsProperties,
  },
} as const;

export function postApiKeyRoute({ db, now, config, declaredPermissions }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/keys',
    schema: {
      summary: 'Create an API key from a public key',
      tags: ['Console'],
      body: createKeyBodySchema,
      response: { 201: apiKeySchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { body } = request;
      const at = now();

      const name = validateKeyName(body.name);
      if (body.publicKey.trim() === '') {
        throw AppError.of(
          'PUBLIC_KEY_REQUIRED',
          'Public key is required (the console makes one in your browser)',
        );
      }
      const parsed = parsePublicKey(body.publicKey);
      if (!parsed.ok) throw AppError.of(parsed.detail, parsed.message);
      const permissions = resolvePermissions({
        readOnly: body.readOnly,
        permissions: body.permissions,
        defaultPermissions: CONSOLE_DEFAULT_PERMISSIONS,
        declaredPermissions,
      });
      assertWithdrawAllowlist(config.keys, {
        permissions: permissions.permissions,
        allowedIps: resolveAllowlist(body.allowedIps, body.allowAnyAddress),
      });
      parseExpiry(body.expiresAt, at);
      const subaccount = await resolveSubaccount(db, user.id, { id: body.subaccountId });

      if (config.requireTwoFactorForKeys && !user.totpEnabled) {
        throw AppError.of('TWO_FACTOR_REQUIRED', TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE);
      }
      await verifyTwoFactorCode(db, { userId: user.id, code: body.totpCode, now: at });

      const created = await createApiKey(db, {
        userId: user.id,
        name,
        subaccountId: subaccount.id,
        permissions: permissionNames(
          permissions.permissions,
          customPermissionsOfStored(permissions.customPermissions),
        ),
        declaredPermissions,
        allowedIps: body.allowedIps,
        allowAnyAddress: body.allowAnyAddress,
        expiresAt: body.expiresAt,
        publicKey: body.publicKey,
        publicKeySource: body.publicKeySource ?? 'user',
        maxKeysPerUser: (config.keys ?? DEFAULT_KEY_POLICY).maxKeysPerUser,
        withdrawRequiresAllowlist: config.keys?.withdrawRequiresAllowlist,
        context: auditContextOf(request),
        now: at,
      });
      return reply.code(201).send(toApiKeyView(created.key, subaccount.name, { now: at }));
    },
  });
}
