/**
 * `GET /gateway/v1/keys?apiKey=<base64>`: the key record a signed request is decided on, for embedded verifiers
 * that cannot reach the database (`signet/verify` with `signetUrl`). Registered only when SIGNET_VERIFY_TOKEN is
 * set; every request needs `Authorization: Bearer <token>` (compared in constant time). Hidden from the API docs.
 *
 * What it tells: the record's ids, permissions by name, allowlist, expiry and revocation (revoked and expired keys
 * are answered as they are: the caller's decision refuses them the way Signet's does). Nothing secret: an API key
 * is a public key. Threat: the ids and allowlists are the operator's business, hence the token; without it the
 * endpoint does not exist. The embedded verifier caches a record for its `cacheMs`, which bounds how long a
 * revocation takes to reach it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import type { FromSchema } from 'json-schema-to-ts';

import { AppError } from '../errors.ts';
import { permissionNames, type SignedRequestVerifier } from '../keys/index.ts';
import { sendError } from '../server/plugins/error-handler.ts';

export const KEY_ENDPOINT_PATH = '/gateway/v1/keys';
export const MIN_VERIFY_TOKEN_LENGTH = 32;

const nullableInteger = { type: ['integer', 'null'] } as const;

const recordSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'apiKey',
    'id',
    'userId',
    'subaccountId',
    'subaccountNumber',
    'permissions',
    'allowedIps',
    'expiresAt',
    'revokedAt',
  ],
  properties: {
    apiKey: { type: 'string' },
    id: { type: 'string' },
    userId: { type: 'string' },
    subaccountId: { type: 'string' },
    subaccountNumber: { type: 'integer' },
    permissions: { type: 'array', items: { type: 'string' } },
    allowedIps: { type: ['string', 'null'] },
    expiresAt: nullableInteger,
    revokedAt: nullableInteger,
  },
} as const;

/** The wire form of a key record (the embedded verifier turns it back into the verifier's own): its schema's type. */
export type KeyRecordView = FromSchema<typeof recordSchema>;

/** SIGNET_VERIFY_TOKEN: opens the key endpoint; at least 32 characters. */
export function verifyTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.SIGNET_VERIFY_TOKEN;
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_VERIFY_TOKEN_LENGTH) {
    throw new Error(
      `SIGNET_VERIFY_TOKEN must be at least ${MIN_VERIFY_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`,
    );
  }
  return token;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

export async function keyEndpoint(
  app: FastifyInstance,
  options: { verifier: SignedRequestVerifier; token: string },
): Promise<void> {
  const { verifier, token } = options;
  // Typed by the route's schema (as src/server/schema-types.ts does for Signet's routes; gateway/ may not import it).
  app.withTypeProvider<JsonSchemaToTsProvider>().get(
    KEY_ENDPOINT_PATH,
    {
      schema: {
        hide: true,
        querystring: {
          type: 'object',
          required: ['apiKey'],
          properties: { apiKey: { type: 'string', maxLength: 64 } },
        },
        response: { 200: recordSchema },
      },
      // The token before anything else, validation included: a stranger learns nothing of the parameters.
      onRequest: async (request, reply) => {
        if (!bearerMatches(request.headers.authorization, token)) {
          return sendError(reply, new AppError('UNAUTHORIZED', 'The key endpoint needs the verify token'));
        }
      },
    },
    async (request): Promise<KeyRecordView> => {
      const { apiKey } = request.query;
      const key = await verifier.keys.lookup(apiKey, (name) => verifier.findKey(name));
      if (key === undefined) throw new AppError('RESOURCE_NOT_FOUND', 'No such API key');
      return {
        apiKey,
        id: key.id,
        userId: key.userId,
        subaccountId: key.subaccountId,
        subaccountNumber: key.subaccountNumber,
        permissions: permissionNames(key.permissions, key.customPermissions),
        allowedIps: key.allowedIps,
        expiresAt: key.expiresAt,
        revokedAt: key.revokedAt,
      };
    },
  );
}
