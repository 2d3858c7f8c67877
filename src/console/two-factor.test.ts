import { describe, expect, it } from 'vitest';

import { createTotpSecret, generateTotpCode, matchTotpCode } from './two-factor.ts';

const secret = createTotpSecret();
const now = 1_700_000_000_000;
const step = Math.floor(now / 30_000);

describe('matchTotpCode()', () => {
  it('accepts the current code and returns its time step', () => {
    expect(matchTotpCode({ secret, code: generateTotpCode(secret, now), now, lastStep: null })).toBe(step);
  });

  it('accepts one step of clock drift either way, not two', () => {
    for (const drift of [-1, 1]) {
      const code = generateTotpCode(secret, now + drift * 30_000);
      expect(matchTotpCode({ secret, code, now, lastStep: null })).toBe(step + drift);
    }
    expect(matchTotpCode({ secret, code: generateTotpCode(secret, now + 60_000), now, lastStep: null })).toBe(
      undefined,
    );
  });

  it('refuses a code whose step is not after the last one used (single use)', () => {
    const code = generateTotpCode(secret, now);
    expect(matchTotpCode({ secret, code, now, lastStep: step })).toBeUndefined();
    expect(matchTotpCode({ secret, code, now, lastStep: step + 1 })).toBeUndefined();
    expect(matchTotpCode({ secret, code, now, lastStep: step - 1 })).toBe(step);
  });

  it('ignores spaces ("123 456") and refuses anything but six digits', () => {
    const code = generateTotpCode(secret, now);
    expect(matchTotpCode({ secret, code: `${code.slice(0, 3)} ${code.slice(3)}`, now, lastStep: null })).toBe(
      step,
    );
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}\n1`]) {
      expect(matchTotpCode({ secret, code: bad, now, lastStep: null })).toBeUndefined();
    }
  });

  it('makes 160-bit base32 secrets', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(createTotpSecret()).not.toBe(secret);
  });
});
