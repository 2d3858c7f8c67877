import { describe, expect, it } from 'vitest';

import { AppError } from '../errors.ts';
import {
  addressLimitKey,
  allowlistFromStored,
  broadEntries,
  formatStoredAllowlist,
  isAddressAllowed,
  MAX_ALLOWLIST_ENTRIES,
  parseAddress,
  parseAllowlist,
  parseAllowlistEntry,
} from './ip-allowlist.ts';

const list = (...entries: string[]) => {
  const parsed = parseAllowlist(entries, { allowAnyAddress: true });
  if (!parsed) throw new Error('empty list');
  return parsed;
};

describe('parseAllowlistEntry()', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1/32', '192.0.2.1'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/128', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['::1', '::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.0/120', '192.0.2.0/24'],
    [' 198.51.100.7 ', '198.51.100.7'],
  ])('%s is stored as %s', (input, canonical) => {
    expect(parseAllowlistEntry(input).canonical).toBe(canonical);
  });

  it.each([
    ['256.0.0.1', 'is not an IPv4 or IPv6 address'],
    ['1.2.3', 'is not an IPv4 or IPv6 address'],
    ['01.2.3.4', 'is not an IPv4 or IPv6 address'],
    ['1.2.3.4/33', 'prefix length outside 0-32'],
    ['1.2.3.4/-1', 'prefix length outside 0-32'],
    ['1.2.3.4/', 'prefix length outside 0-32'],
    ['2001:db8::/129', 'prefix length outside 0-128'],
    ['10.0.0.1/8', 'did you mean 10.0.0.0/8?'],
    ['2001:db8::1/32', 'did you mean 2001:db8::/32?'],
    ['1::2::3', 'is not an IPv4 or IPv6 address'],
    ['1:2:3:4:5:6:7:8:9', 'is not an IPv4 or IPv6 address'],
    ['fe80::1%eth0', 'zone'],
    ['example.com', 'is not an IPv4 or IPv6 address'],
    ['', 'is not an IPv4 or IPv6 address'],
  ])('refuses %j (%s)', (input, message) => {
    expect(() => parseAllowlistEntry(input)).toThrow(AppError);
    expect(() => parseAllowlistEntry(input)).toThrow(message);
  });
});

describe('parseAllowlist()', () => {
  it('is null for an empty list (any address) and deduplicates', () => {
    expect(parseAllowlist([])).toBeNull();
    expect(parseAllowlist(['', '  '])).toBeNull();
    expect(parseAllowlist(['192.0.2.1', '192.0.2.1/32'])?.entries).toEqual(['192.0.2.1']);
  });

  it('refuses /0 without the confirmation', () => {
    expect(() => parseAllowlist(['0.0.0.0/0'])).toThrow('allows every address');
    expect(() => parseAllowlist(['::/0'])).toThrow('allows every address');
    expect(parseAllowlist(['0.0.0.0/0'], { allowAnyAddress: true })?.entries).toEqual(['0.0.0.0/0']);
  });

  it.each([
    [['0.0.0.0/1', '128.0.0.0/1'], 'IPv4'],
    [['::/1', '8000::/1'], 'IPv6'],
    [['128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/3', '96.0.0.0/3'], 'IPv4'],
    [['::ffff:0.0.0.0/97', '::ffff:128.0.0.0/97'], 'IPv4'],
  ])(
    'refuses %j, which together allow every address, without the confirmation (regression: halves passed)',
    (entries, family) => {
      expect(() => parseAllowlist(entries)).toThrow(`together allow every ${family} address`);
      expect(parseAllowlist(entries, { allowAnyAddress: true })?.entries).toHaveLength(entries.length);
    },
  );

  it('accepts ranges that leave even one address out', () => {
    expect(
      parseAllowlist([
        '0.0.0.0/1',
        '128.0.0.0/2',
        '192.0.0.0/3',
        '224.0.0.0/4',
        '240.0.0.0/5',
        '248.0.0.0/6',
        '252.0.0.0/7',
        '254.0.0.0/8',
        '255.0.0.0/9',
        '255.128.0.0/10',
      ]),
    ).not.toBeNull();
    expect(() => parseAllowlist(['::/1', '8000::/2', 'c000::/3', 'e000::/3'])).toThrow('every IPv6 address');
    expect(parseAllowlist(['::/1', '8000::/2', 'c000::/3', 'e000::/4'])?.entries).toHaveLength(4);
  });

  it(`holds at most ${MAX_ALLOWLIST_ENTRIES} entries`, () => {
    const entries = Array.from({ length: MAX_ALLOWLIST_ENTRIES + 1 }, (_, i) => `10.0.0.${i}`);
    expect(parseAllowlist(entries.slice(0, MAX_ALLOWLIST_ENTRIES))?.entries).toHaveLength(30);
    expect(() => parseAllowlist(entries)).toThrow('at most 30');
  });

  it('round-trips through the stored form', () => {
    const parsed = list('10.0.0.0/8', '2001:db8::/32');
    const stored = formatStoredAllowlist(parsed) as string;
    expect(stored).toBe('10.0.0.0/8,2001:db8::/32');
    expect(allowlistFromStored(stored).entries).toEqual(parsed.entries);
  });
});

describe('broadEntries()', () => {
  it('names entries broader than /8 (IPv4) and /32 (IPv6) by default, or the prefixes given', () => {
    const entries = ['10.0.0.0/8', '10.0.0.0/7', '2001:db8::/32', '2000::/3', '192.0.2.1', 'not an address'];
    expect(broadEntries(entries)).toEqual(['10.0.0.0/7', '2000::/3']);
    expect(broadEntries(entries, { ipv4: 16, ipv6: 48 })).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/7',
      '2001:db8::/32',
      '2000::/3',
    ]);
  });
});

describe('isAddressAllowed()', () => {
  it('matches single IPv4 addresses (/32) exactly', () => {
    const l = list('127.0.0.2');
    expect(isAddressAllowed(l, '127.0.0.2')).toBe(true);
    expect(isAddressAllowed(l, '127.0.0.1')).toBe(false);
  });

  it('matches IPv4 networks at their edges', () => {
    const l = list('192.168.0.0/16');
    expect(isAddressAllowed(l, '192.168.0.0')).toBe(true);
    expect(isAddressAllowed(l, '192.168.255.255')).toBe(true);
    expect(isAddressAllowed(l, '192.169.0.0')).toBe(false);
    expect(isAddressAllowed(l, '192.167.255.255')).toBe(false);
  });

  it('matches high addresses (sign bit) correctly', () => {
    const l = list('255.255.255.0/24', '128.0.0.0/1');
    expect(isAddressAllowed(l, '255.255.255.255')).toBe(true);
    expect(isAddressAllowed(l, '128.0.0.1')).toBe(true);
    expect(isAddressAllowed(l, '127.255.255.255')).toBe(false);
  });

  it('matches everything with /0, per family', () => {
    expect(isAddressAllowed(list('0.0.0.0/0'), '203.0.113.9')).toBe(true);
    expect(isAddressAllowed(list('0.0.0.0/0'), '2001:db8::1')).toBe(false);
    expect(isAddressAllowed(list('::/0'), '2001:db8::1')).toBe(true);
  });

  it('matches IPv6 addresses (/128) and networks', () => {
    const l = list('2001:db8::1', '2001:db8:abcd::/48');
    expect(isAddressAllowed(l, '2001:db8::1')).toBe(true);
    expect(isAddressAllowed(l, '2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(isAddressAllowed(l, '2001:db8::2')).toBe(false);
    expect(isAddressAllowed(l, '2001:db8:abcd:ffff::1')).toBe(true);
    expect(isAddressAllowed(l, '2001:db8:abce::1')).toBe(false);
    expect(isAddressAllowed(list('::1'), '::1')).toBe(true);
  });

  it('matches an IPv4-mapped IPv6 client address against IPv4 entries', () => {
    const l = list('127.0.0.2', '10.0.0.0/8');
    expect(isAddressAllowed(l, '::ffff:127.0.0.2')).toBe(true);
    expect(isAddressAllowed(l, '::ffff:10.1.2.3')).toBe(true);
    expect(isAddressAllowed(l, '::FFFF:7f00:2')).toBe(true);
    expect(isAddressAllowed(l, '::ffff:127.0.0.1')).toBe(false);
  });

  it('matches a mapped entry against a plain IPv4 client', () => {
    expect(isAddressAllowed(list('::ffff:192.0.2.0/120'), '192.0.2.77')).toBe(true);
  });

  it('never matches an address it cannot parse', () => {
    const l = list('0.0.0.0/0', '::/0');
    for (const bad of ['', 'unknown', '1.2.3.4.5', '::g', '1.2.3.256']) {
      expect(isAddressAllowed(l, bad)).toBe(false);
    }
  });

  it('ignores a zone on a client address', () => {
    expect(parseAddress('fe80::1%eth0')).toEqual(parseAddress('fe80::1'));
  });
});

describe('addressLimitKey()', () => {
  it('groups IPv6 by /64 in one spelling, keeps IPv4, unwraps mapped addresses', () => {
    expect(addressLimitKey('2001:DB8:0:0:1:2:3:4')).toBe('2001:db8::/64');
    expect(addressLimitKey('2001:db8::ffff')).toBe('2001:db8::/64');
    expect(addressLimitKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(addressLimitKey('2001:db8::1', 128)).toBe('2001:db8::1');
    expect(addressLimitKey('2001:db8:0:0:0:0:0:1', 128)).toBe('2001:db8::1');
    expect(addressLimitKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressLimitKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressLimitKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(addressLimitKey('not an address')).toBe('not an address');
  });
});
