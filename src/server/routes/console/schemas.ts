/**
 * JSON schemas shared by the console routes. Response schemas are the allow-list of what leaves the server:
 * a field not named here (a password hash, a TOTP secret outside enrolment, a session token) cannot leak.
 */
import type { Subaccount, User } from '../../../accounts/index.ts';
import { MAX_CUSTOM_PERMISSIONS } from '../../../keys/index.ts';
import type { Wire } from '../../schema-types.ts';

export const errorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    /** Signet's stable name of the situation (docs/ERRORS.md), for translations. */
    detail: { type: 'string' },
    /** The values the detail's translation quotes (an allowlist entry, a limit). */
    params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
  },
} as const;

/** 4xx answers every console route may give; listed so the OpenAPI document shows them. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
} as const;

export const userSchema = {
  type: 'object',
  required: ['id', 'email', 'twoFactorEnabled', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    twoFactorEnabled: { type: 'boolean' },
    createdAt: { type: 'integer' },
  },
} as const;

export type UserView = Wire<typeof userSchema>;

export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, twoFactorEnabled: user.totpEnabled, createdAt: user.createdAt };
}

export const subaccountSchema = {
  type: 'object',
  required: ['id', 'name', 'number', 'isMain', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    number: { type: 'integer', description: "Backpack's subaccountId: 0 for the main account" },
    isMain: { type: 'boolean' },
    createdAt: { type: 'integer' },
  },
} as const;

export function toSubaccountView(subaccount: Subaccount): Omit<Subaccount, 'userId'> {
  const { userId: _userId, ...view } = subaccount;
  return view;
}

export const apiKeySchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'apiKey',
    'subaccountId',
    'subaccountName',
    'readOnly',
    'permissions',
    'allowedIps',
    'expiresAt',
    'source',
    'createdAt',
    'revokedAt',
    'lastUsedAt',
    'lastUsedIp',
    'status',
    'replacedBy',
    'replaces',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    apiKey: { type: 'string', description: 'Base64 ED25519 public key (X-API-Key); never a secret' },
    subaccountId: { type: 'string' },
    subaccountName: { type: 'string' },
    readOnly: { type: 'boolean', description: 'True when the key holds the read permission alone' },
    permissions: {
      type: 'array',
      items: { type: 'string' },
      description: "read, trade, withdraw, then the operator's custom permissions (gateway routes)",
    },
    allowedIps: {
      type: 'array',
      items: { type: 'string' },
      description: 'IPv4/IPv6 addresses and CIDR ranges the key may be used from; empty = any address',
    },
    expiresAt: { type: ['integer', 'null'], description: 'When the key stops working (ms); null = never' },
    source: { type: 'string', enum: ['server', 'browser', 'user'] },
    createdAt: { type: 'integer' },
    revokedAt: { type: ['integer', 'null'] },
    lastUsedAt: { type: ['integer', 'null'] },
    lastUsedIp: { type: ['string', 'null'] },
    status: {
      type: 'string',
      enum: ['active', 'expiring', 'grace', 'expired', 'retired', 'revoked'],
      description:
        'At the server clock: expiring = within 7 days; grace = replaced by rotation, still working until expiresAt; retired = its rotation grace has ended',
    },
    replacedBy: { type: ['string', 'null'], description: 'Id of the key that replaced this one by rotation' },
    replaces: { type: ['string', 'null'], description: 'Id of the key this one replaced by rotation' },
  },
} as const;

export const csrfTokenSchema = {
  type: 'string',
  description: 'Send back in X-CSRF-Token on every state-changing console request',
} as const;

export const sessionStateSchema = {
  type: 'object',
  required: ['user', 'csrfToken'],
  additionalProperties: false,
  properties: { user: userSchema, csrfToken: csrfTokenSchema },
} as const;

export const totpCodeSchema = { type: 'string', maxLength: 16, description: '6-digit TOTP code' } as const;

/** Body of the routes that take only a TOTP code (2FA enable and disable). */
export const totpCodeBodySchema = {
  type: 'object',
  required: ['code'],
  additionalProperties: false,
  properties: { code: totpCodeSchema },
} as const;

/** A response schema with the ten 2FA recovery codes added (shown once). */
export function withRecoveryCodes<T extends { required: readonly string[]; properties: object }>(schema: T) {
  return {
    ...schema,
    required: [...schema.required, 'recoveryCodes'],
    properties: {
      ...schema.properties,
      recoveryCodes: {
        type: 'array',
        items: { type: 'string' },
        description: 'Ten single-use recovery codes, shown this once',
      },
    },
  };
}

/** `{ user }`: the answer of routes that change the user's own settings. */
export const userResponseSchema = {
  type: 'object',
  required: ['user'],
  additionalProperties: false,
  properties: { user: userSchema },
} as const;

/** Body fields that set a key's controls (create and edit). */
export const keyControlsProperties = {
  permissions: {
    type: 'array',
    maxItems: 3 + MAX_CUSTOM_PERMISSIONS,
    items: { type: 'string', maxLength: 32 },
    description:
      "Must include read; read, trade, withdraw and the operator's custom permissions (gateway routes). Default for a new console key: read + trade (withdraw only when listed)",
  },
  allowedIps: {
    type: 'array',
    maxItems: 64,
    items: { type: 'string', maxLength: 64 },
    description: 'Up to 30 IPv4/IPv6 addresses or CIDR ranges; empty = any address',
  },
  allowAnyAddress: { type: 'boolean', description: 'Confirms a 0.0.0.0/0 or ::/0 entry' },
  expiresAt: {
    type: ['string', 'null'],
    maxLength: 40,
    description: 'ISO-8601 date or date-time with a zone; null or "never" = never',
  },
} as const;

export const keyIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^key_[0-9A-Z]+$' } },
} as const;
