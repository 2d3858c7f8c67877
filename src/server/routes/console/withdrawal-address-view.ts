/**
 * The console's view of an address-book entry, its schema (the allow-list of what leaves the server) and the
 * schemas the address-book routes share.
 */
import { entryStatus, pendingUntil, type AddressBookEntry } from '../../../exchange/index.ts';
import type { Wire } from '../../schema-types.ts';

/** An entry as the console sees it: the type of `withdrawalAddressSchema` (below). */
export type WithdrawalAddressView = Wire<typeof withdrawalAddressSchema>;

export function toWithdrawalAddressView(entry: AddressBookEntry, now: number): WithdrawalAddressView {
  return {
    id: entry.id,
    label: entry.label,
    blockchain: entry.blockchain,
    address: entry.address,
    twoFactorRequired: entry.apiAllowedAt === null,
    status: entryStatus(entry, now),
    pendingUntil: pendingUntil(entry, now),
    apiWithdrawals: entry.apiAllowedAt !== null && entryStatus(entry, now) === 'active',
    activeAt: entry.activeAt,
    apiAllowedAt: entry.apiAllowedAt,
    createdAt: entry.createdAt,
  };
}

export const withdrawalAddressSchema = {
  type: 'object',
  required: [
    'id',
    'label',
    'blockchain',
    'address',
    'twoFactorRequired',
    'status',
    'pendingUntil',
    'apiWithdrawals',
    'activeAt',
    'apiAllowedAt',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    label: { type: 'string' },
    blockchain: { type: 'string' },
    address: { type: 'string' },
    twoFactorRequired: {
      type: 'boolean',
      description: 'True while API keys may not withdraw to it (they never may while it requires 2FA)',
    },
    status: {
      type: 'string',
      enum: ['pending', 'active'],
      description:
        "'pending' during a cooling-off (the addition, or allowing API withdrawals), 'active' after",
    },
    pendingUntil: {
      type: ['integer', 'null'],
      description: 'When the pending change takes effect (ms), or null',
    },
    apiWithdrawals: { type: 'boolean', description: 'True when an API key may withdraw to it now' },
    activeAt: { type: 'integer', description: 'When the address takes effect (ms)' },
    apiAllowedAt: {
      type: ['integer', 'null'],
      description: 'When API withdrawals to it take effect (ms); null while it requires 2FA',
    },
    createdAt: { type: 'integer' },
  },
} as const;

export const withdrawalAddressIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^adr_[0-9A-Z]+$' } },
} as const;

/** The proof a loosening change needs: the TOTP code with 2FA on, the password otherwise. Never logged. */
export const identityProofProperties = {
  totpCode: { type: 'string', maxLength: 16, description: '6-digit TOTP code (accounts with 2FA)' },
  password: { type: 'string', maxLength: 256, description: 'The account password (accounts without 2FA)' },
} as const;
