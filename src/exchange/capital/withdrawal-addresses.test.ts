import { describe, expect, it } from 'vitest';

import {
  DEFAULT_COOLING_OFF_MS,
  cancelEffect,
  canonicalAddress,
  eligible,
  entryStatus,
  normalizeLabel,
  parseDuration,
  pendingUntil,
  withdrawalAddressSettingsFromEnv,
  type AddressBookEntry,
} from './withdrawal-addresses.ts';

const T = 1_000_000;
const entry = (changes: Partial<AddressBookEntry> = {}): AddressBookEntry => ({
  id: 'adr_1',
  userId: 'usr_1',
  label: 'Cold',
  blockchain: 'Solana',
  address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM',
  createdAt: T,
  activeAt: T + 100,
  apiAllowedAt: T + 100,
  ...changes,
});

describe('eligible()', () => {
  it('allows an entry with 2FA off once both cooling-offs have passed, on its own chain only', () => {
    expect(eligible(entry(), T + 99, 'Solana')).toBe(false);
    expect(eligible(entry(), T + 100, 'Solana')).toBe(true);
    expect(eligible(entry(), T + 100, 'Eclipse')).toBe(false);
  });

  it('never allows an entry that requires 2FA', () => {
    expect(eligible(entry({ apiAllowedAt: null }), T + 10 ** 9, 'Solana')).toBe(false);
  });

  it('waits for a later API allowance even when the address itself is active', () => {
    const allowedLater = entry({ apiAllowedAt: T + 500 });
    expect(eligible(allowedLater, T + 200, 'Solana')).toBe(false);
    expect(entryStatus(allowedLater, T + 200)).toBe('pending');
    expect(pendingUntil(allowedLater, T + 200)).toBe(T + 500);
    expect(cancelEffect(allowedLater, T + 200)).toBe('require-two-factor');
    expect(eligible(allowedLater, T + 500, 'Solana')).toBe(true);
    expect(cancelEffect(allowedLater, T + 500)).toBe('none');
  });

  it('cancels a pending addition by removing the entry', () => {
    expect(cancelEffect(entry(), T)).toBe('remove');
    expect(entryStatus(entry({ apiAllowedAt: null }), T)).toBe('pending');
    expect(entryStatus(entry({ apiAllowedAt: null }), T + 100)).toBe('active');
  });
});

describe('canonicalAddress()', () => {
  it('ignores case where the chain does (EVM, bech32) and keeps it where it matters (base58)', () => {
    expect(canonicalAddress('Ethereum', '0xAbC0000000000000000000000000000000000001')).toBe(
      '0xabc0000000000000000000000000000000000001',
    );
    expect(canonicalAddress('Bitcoin', 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4')).toBe(
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
    );
    expect(canonicalAddress('Solana', 'AbC')).toBe('AbC');
    expect(canonicalAddress('Bitcoin', '1BoatSLRHtKNngkdXEeobR76b53LETtpyT')).toBe(
      '1BoatSLRHtKNngkdXEeobR76b53LETtpyT',
    );
  });
});

describe('normalizeLabel()', () => {
  it('trims and refuses empty, long and control-character labels', () => {
    expect(normalizeLabel('  Ledger  ')).toBe('Ledger');
    expect(normalizeLabel('   ')).toBeUndefined();
    expect(normalizeLabel('x'.repeat(65))).toBeUndefined();
    expect(normalizeLabel('a\nb')).toBeUndefined();
  });
});

describe('settings from the environment', () => {
  it('defaults to the address book and a 24 h cooling-off', () => {
    expect(withdrawalAddressSettingsFromEnv({})).toEqual({
      mode: 'book',
      coolingOffMs: DEFAULT_COOLING_OFF_MS,
    });
  });

  it('reads any, and cooling-offs such as 24h, 1h, 30m, 0', () => {
    const read = (value: string) =>
      withdrawalAddressSettingsFromEnv({ SIGNET_ADDRESS_COOLING_OFF: value }).coolingOffMs;
    expect(read('24h')).toBe(86_400_000);
    expect(read('1h')).toBe(3_600_000);
    expect(read('30m')).toBe(1_800_000);
    expect(read('0')).toBe(0);
    expect(read('2d')).toBe(172_800_000);
    expect(withdrawalAddressSettingsFromEnv({ SIGNET_WITHDRAWAL_ADDRESSES: 'ANY' }).mode).toBe('any');
  });

  it('refuses to start on a value it does not understand, naming the variable', () => {
    expect(() => withdrawalAddressSettingsFromEnv({ SIGNET_WITHDRAWAL_ADDRESSES: 'off' })).toThrow(
      /SIGNET_WITHDRAWAL_ADDRESSES/,
    );
    for (const bad of ['-1h', '1 week', '1.5h', '400d', '99999999999999d']) {
      expect(() => withdrawalAddressSettingsFromEnv({ SIGNET_ADDRESS_COOLING_OFF: bad }), bad).toThrow(
        /SIGNET_ADDRESS_COOLING_OFF/,
      );
    }
    expect(parseDuration('')).toBeUndefined();
  });
});
