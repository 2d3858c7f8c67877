/**
 * Both verify libraries of the signed path (ed25519-node.ts) give the same answers: libsodium, the default, and
 * Node's crypto (SIGNET_ED25519=node). Each is loaded as its own module instance with the environment set.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

import type * as Ed25519 from './ed25519-node.ts';

type Ed25519Module = typeof Ed25519;

async function load(choice: string | undefined): Promise<Ed25519Module> {
  vi.resetModules();
  if (choice === undefined) vi.stubEnv('SIGNET_ED25519', '');
  else vi.stubEnv('SIGNET_ED25519', choice);
  return import('./ed25519-node.ts');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

// The group order L of edwards25519, little-endian: S + L is the same scalar written non-canonically.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function withScalarPlusL(signature: string): string {
  const bytes = Buffer.from(signature, 'base64');
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(bytes[i] as number);
  s += L;
  for (let i = 32; i < 64; i++) {
    bytes[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return bytes.toString('base64');
}

describe('ed25519 verify libraries', () => {
  it('uses libsodium by default and Node crypto with SIGNET_ED25519=node', async () => {
    expect((await load(undefined)).ED25519_LIBRARY).toBe('sodium-native');
    expect((await load('node')).ED25519_LIBRARY).toBe('node:crypto');
  });

  for (const choice of [undefined, 'node']) {
    it(`accepts a good signature and refuses altered ones (${choice ?? 'default'})`, async () => {
      const ed = await load(choice);
      const { apiKey, secret } = ed.generateKeyPair();
      const message = 'instruction=balanceQuery&timestamp=1700000000000&window=5000';
      const signature = ed.signEd25519(message, Buffer.from(secret, 'base64'));
      expect(await ed.verifyEd25519Async(message, signature, apiKey)).toBe(true);
      expect(await ed.verifyEd25519Async(`${message}0`, signature, apiKey)).toBe(false);
      const flipped = Buffer.from(signature, 'base64');
      flipped[5] = (flipped[5] as number) ^ 1;
      expect(await ed.verifyEd25519Async(message, flipped.toString('base64'), apiKey)).toBe(false);
      // The same signature with S + L: equal modulo L, refused as non-canonical by both libraries.
      expect(await ed.verifyEd25519Async(message, withScalarPlusL(signature), apiKey)).toBe(false);
      expect(await ed.verifyEd25519Async(message, signature.slice(0, 40), apiKey)).toBe(false);
      const other = ed.generateKeyPair();
      expect(await ed.verifyEd25519Async(message, signature, other.apiKey)).toBe(false);
    });
  }
});
