import { describe, expect, it } from 'vitest';

import { VECTORS } from '../../test/helpers/vectors.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { generateKeyPair, publicKeyFromSeed } from './ed25519-node.ts';
import { derivePublicKey, parsePublicKey, parseSecret } from './key-encoding.ts';

const bytes = (...head: number[]): Uint8Array => {
  const out = new Uint8Array(32);
  out.set(head);
  return out;
};

describe('parsePublicKey()', () => {
  it('accepts the vector keys', () => {
    expect(parsePublicKey(VECTORS.keys.A.apiKey).ok).toBe(true);
    expect(parsePublicKey(VECTORS.keys.B.apiKey).ok).toBe(true);
  });

  it('rejects text that is not padded standard base64', () => {
    const urlSafe = VECTORS.keys.A.apiKey.replace(/\+/g, '-').replace(/\//g, '_');
    for (const text of ['', 'not base64!', urlSafe, VECTORS.keys.A.apiKey.replace('=', '')]) {
      expect(parsePublicKey(text)).toMatchObject({ ok: false });
    }
  });

  it('rejects keys that are not exactly 32 bytes', () => {
    expect(parsePublicKey(encodeBase64(new Uint8Array(31).fill(7)))).toMatchObject({
      ok: false,
      message: expect.stringContaining('32 bytes'),
    });
    expect(parsePublicKey(encodeBase64(new Uint8Array(64).fill(7)))).toMatchObject({ ok: false });
  });

  it('rejects small-order points (identity, order 2, order 4)', () => {
    const identity = bytes(1);
    const order2 = new Uint8Array(32).fill(0xff);
    order2[0] = 0xec;
    order2[31] = 0x7f;
    const order4 = new Uint8Array(32); // (x=sqrt(-1), y=0) encodes as all zeros
    for (const point of [identity, order2, order4]) {
      expect(parsePublicKey(encodeBase64(point))).toMatchObject({ ok: false });
    }
  });

  it('rejects 32 bytes that are not a curve point', () => {
    let rejected = 0;
    for (let y = 2; y < 40; y++) {
      const result = parsePublicKey(encodeBase64(bytes(y)));
      if (!result.ok && result.message.includes('not a valid')) rejected++;
    }
    expect(rejected).toBeGreaterThan(5);
  });

  it('rejects a non-canonical base64 spelling of a valid key', () => {
    const key = VECTORS.keys.A.apiKey; // ends "Ro=": the last character carries 2 spare bits
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(key[42]!);
    const twisted =
      key.slice(0, 42) +
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[lastIndex + 1] +
      '=';
    expect(decodeBase64(twisted)).toBeUndefined();
    expect(parsePublicKey(twisted).ok).toBe(false);
  });
});

describe('parseSecret()', () => {
  it('accepts a 32-byte seed and derives the vector API key', () => {
    const seed = parseSecret(VECTORS.keys.B.secret);
    expect(seed.ok && derivePublicKey(seed.bytes)).toBe(VECTORS.keys.B.apiKey);
    expect(seed.ok && publicKeyFromSeed(seed.bytes)).toBe(VECTORS.keys.B.apiKey);
  });

  it('accepts the 64-byte seed‖public form when its halves match', () => {
    const seed = decodeBase64(VECTORS.keys.A.secret)!;
    const pub = decodeBase64(VECTORS.keys.A.apiKey)!;
    const both = new Uint8Array([...seed, ...pub]);
    const parsed = parseSecret(encodeBase64(both));
    expect(parsed.ok && encodeBase64(parsed.bytes)).toBe(VECTORS.keys.A.secret);
  });

  it('rejects a 64-byte secret whose public half belongs to another key', () => {
    const seed = decodeBase64(VECTORS.keys.A.secret)!;
    const otherPub = decodeBase64(VECTORS.keys.B.apiKey)!;
    expect(parseSecret(encodeBase64(new Uint8Array([...seed, ...otherPub])))).toMatchObject({ ok: false });
  });

  it('rejects other lengths and bad base64', () => {
    expect(parseSecret(encodeBase64(new Uint8Array(16)))).toMatchObject({ ok: false });
    expect(parseSecret('%%%')).toMatchObject({ ok: false });
  });
});

describe('generateKeyPair()', () => {
  it('makes distinct valid pairs whose secret derives the API key', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.apiKey).not.toBe(b.apiKey);
    expect(parsePublicKey(a.apiKey).ok).toBe(true);
    const seed = parseSecret(a.secret);
    expect(seed.ok && derivePublicKey(seed.bytes)).toBe(a.apiKey);
  });
});
