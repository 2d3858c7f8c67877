/**
 * The key form's own checks: all problems at once (regression: one error at a time), the expiry typed in the
 * console's format and read in the browser's time zone, and presets counted from now (regression: unticking
 * "Never" silently meant +30 days).
 */
import { describe, expect, it } from 'vitest';

import { en } from '../../i18n/en.ts';
import { formatMessage, type Translate } from '../../i18n/i18n.tsx';
import {
  expiryOf,
  initialControls,
  isReadOnlyChoice,
  parseLocalText,
  permissionsOf,
  toLocalText,
  validateKeyControls,
} from './key-controls-fields.tsx';

const t: Translate = (key, values) => formatMessage(en[key], values, new Intl.PluralRules('en'));
const NOW = new Date(2026, 5, 1, 12, 0).getTime();

describe('the key controls', () => {
  it('start as read + trade, never expiring, any address: withdraw only when ticked', () => {
    const state = initialControls();
    expect(permissionsOf(state)).toEqual(['read', 'trade']);
    expect(permissionsOf({ ...state, withdraw: true })).toEqual(['read', 'trade', 'withdraw']);
    expect(permissionsOf({ ...state, withdraw: true, readOnly: true })).toEqual(['read']);
    expect(expiryOf(state, NOW)).toBeNull();
  });

  it("send the operator's custom permissions that are ticked, none when Read Only, and start from the key's", () => {
    const state = { ...initialControls(), custom: ['transfers'] };
    expect(permissionsOf(state)).toEqual(['read', 'trade', 'transfers']);
    // Read Only takes the exchange's trade and withdraw away, not the operator's own permissions.
    expect(permissionsOf({ ...state, readOnly: true })).toEqual(['read', 'transfers']);
    expect(isReadOnlyChoice({ ...state, readOnly: true })).toBe(false);
    expect(isReadOnlyChoice({ ...state, readOnly: true, custom: [] })).toBe(true);
    const held = initialControls({
      permissions: ['read', 'transfers'],
      readOnly: false,
      allowedIps: [],
      expiresAt: null,
    } as unknown as Parameters<typeof initialControls>[0]);
    expect(held).toMatchObject({ custom: ['transfers'], readOnly: true });
    expect(permissionsOf(held)).toEqual(['read', 'transfers']);
  });

  it('reads a typed expiry in the local time zone and refuses what is not a real time', () => {
    expect(parseLocalText('2026-12-01 13:30')).toBe(new Date(2026, 11, 1, 13, 30).getTime());
    expect(parseLocalText(toLocalText(NOW))).toBe(NOW);
    for (const text of ['2026-02-30 10:00', '01/12/2026 13:30', '2026-12-01', '2026-12-01 25:00']) {
      expect(parseLocalText(text)).toBeUndefined();
    }
  });

  it('counts presets from now', () => {
    expect(expiryOf({ ...initialControls(), expiry: '90' }, NOW)).toBe(NOW + 90 * 86_400_000);
  });

  it('reports every problem at once', () => {
    const errors = validateKeyControls(
      {
        ...initialControls(),
        allowedIps: '127.0.0.1\nnot an address',
        expiry: 'custom',
        expiresText: '2020-01-01 00:00',
      },
      NOW,
      t,
    );
    expect(errors).toEqual({
      allowedIps: '“not an address” is not an IPv4/IPv6 address or CIDR range.',
      expiresAt: 'The expiry must be in the future.',
    });
    expect(
      validateKeyControls({ ...initialControls(), allowedIps: '0.0.0.0/0' }, NOW, t).allowedIps,
    ).toContain('allows every address');
  });
});
