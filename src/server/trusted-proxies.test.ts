import { describe, expect, it } from 'vitest';

import { LOOPBACK_PROXIES, parseTrustedProxies, trustedProxiesFromEnv } from './trusted-proxies.ts';

describe('trustedProxiesFromEnv()', () => {
  it('reads SIGNET_TRUSTED_PROXIES as a comma- or space-separated CIDR list', () => {
    expect(trustedProxiesFromEnv({ SIGNET_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.1  2001:db8::/32' })).toEqual(
      ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32'],
    );
  });

  it('trusts nobody by default', () => {
    expect(trustedProxiesFromEnv({})).toEqual([]);
    expect(trustedProxiesFromEnv({ SIGNET_TRUST_PROXY: 'false' })).toEqual([]);
  });

  it('reads the deprecated SIGNET_TRUST_PROXY=true as loopback only, with a warning', () => {
    const warnings: string[] = [];
    expect(trustedProxiesFromEnv({ SIGNET_TRUST_PROXY: 'true' }, (m) => warnings.push(m))).toEqual(
      LOOPBACK_PROXIES,
    );
    expect(warnings[0]).toContain('deprecated');
  });

  it('prefers the list when both are set', () => {
    expect(
      trustedProxiesFromEnv({ SIGNET_TRUSTED_PROXIES: '192.0.2.9', SIGNET_TRUST_PROXY: 'true' }),
    ).toEqual(['192.0.2.9']);
  });
});

describe('parseTrustedProxies()', () => {
  it('refuses a bad entry and a range that would trust every peer', () => {
    expect(() => parseTrustedProxies('10.0.0.300')).toThrow('SIGNET_TRUSTED_PROXIES');
    expect(() => parseTrustedProxies('0.0.0.0/0')).toThrow('every peer');
    expect(() => parseTrustedProxies('::/0')).toThrow('every peer');
  });
});
