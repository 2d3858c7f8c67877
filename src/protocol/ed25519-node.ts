/**
 * ED25519 sign and verify in Node: Node's crypto (OpenSSL), and libsodium (sodium-native) for the signed path's
 * verify unless SIGNET_ED25519=node (see ED25519_LIBRARY below).
 *
 * Building a KeyObject costs more than a third of a verify, so public KeyObjects are cached by API key string in a
 * bounded map (insertion order evicts the oldest). The cache holds public keys only, never a secret: revocation is
 * decided by the key record, not here, so a cached KeyObject of a revoked key is harmless.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

import { PUBLIC_KEY_BYTES, SEED_BYTES, SIGNATURE_BYTES } from './key-encoding.ts';

const MAX_CACHED_KEYS = 50_000;
const publicKeys = new Map<string, KeyObject>();

/** The part of sodium-native (libsodium) used here. */
interface Sodium {
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

/**
 * The verify library of the signed path, chosen by measurement (README, Benchmarks; `bench/scale-out.ts` compares
 * both in every run): libsodium (sodium-native, prebuilt binaries inside its npm package) by default, verifying in
 * the calling thread; `SIGNET_ED25519=node` chooses Node's crypto, which verifies on libuv's thread pool. On this
 * 2-core machine with wrk as the load generator, signed reads: libsodium with 2 workers ~20.5k req/s against
 * ~15.2-16.0k for Node's crypto with 2 workers and ~12.5k with 1 (Node's thread pool already puts one process on
 * both cores, so its second worker adds little; libsodium's cheaper verify leaves each worker on one core).
 * If sodium-native cannot load, Node's crypto is used. Both reject non-canonical signatures and small-order keys.
 */
function loadSodium(): Sodium | undefined {
  const choice = process.env.SIGNET_ED25519?.trim().toLowerCase();
  if (choice === 'node' || choice === 'node:crypto') return undefined;
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return undefined;
  }
}

const sodium = loadSodium();
export const ED25519_LIBRARY: 'sodium-native' | 'node:crypto' = sodium ? 'sodium-native' : 'node:crypto';
const rawKeys = new Map<string, Buffer>();

function rawPublicKey(apiKey: string): Buffer {
  let key = rawKeys.get(apiKey);
  if (key) return key;
  key = Buffer.from(apiKey, 'base64');
  if (key.length !== PUBLIC_KEY_BYTES) throw new TypeError('API key must be 32 bytes');
  if (rawKeys.size >= MAX_CACHED_KEYS) rawKeys.delete(rawKeys.keys().next().value as string);
  rawKeys.set(apiKey, key);
  return key;
}

const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The public KeyObject for a base64 API key (assumed already validated), built once and cached. */
export function getPublicKeyObject(apiKey: string): KeyObject {
  let key = publicKeys.get(apiKey);
  if (key) return key;
  const raw = Buffer.from(apiKey, 'base64');
  if (raw.length !== PUBLIC_KEY_BYTES) throw new TypeError('API key must be 32 bytes');
  // The JWK form is ~10x faster to import than the DER-prefixed SPKI form and gives the same key.
  key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.delete(publicKeys.keys().next().value as string);
  publicKeys.set(apiKey, key);
  return key;
}

/** True when `signature` (base64, 64 bytes) signs `message` under `apiKey`. False, never a throw, for bad input. */
export function verifyEd25519(message: string, signature: string, apiKey: string): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== SIGNATURE_BYTES) return false;
  return verify(null, Buffer.from(message, 'utf8'), getPublicKeyObject(apiKey), sig);
}

/**
 * The signed path's check: libsodium in this thread, or Node's crypto on libuv's thread pool when chosen (see
 * ED25519_LIBRARY).
 */
export function verifyEd25519Async(message: string, signature: string, apiKey: string): Promise<boolean> {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== SIGNATURE_BYTES) return Promise.resolve(false);
  if (sodium) {
    return Promise.resolve(
      sodium.crypto_sign_verify_detached(sig, Buffer.from(message, 'utf8'), rawPublicKey(apiKey)),
    );
  }
  const key = getPublicKeyObject(apiKey);
  return new Promise((resolve, reject) => {
    verify(null, Buffer.from(message, 'utf8'), key, sig, (err, ok) => (err ? reject(err) : resolve(ok)));
  });
}

function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== SEED_BYTES) throw new TypeError('Seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Base64 signature of `message` by the 32-byte seed. */
export function signEd25519(message: string, seed: Uint8Array): string {
  return sign(null, Buffer.from(message, 'utf8'), privateKeyFromSeed(seed)).toString('base64');
}

/** A fresh key pair: `apiKey` is the base64 public key, `secret` the base64 32-byte seed. */
export function generateKeyPair(): { apiKey: string; secret: string } {
  const seed = crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  return { apiKey: publicKeyFromSeed(seed), secret: Buffer.from(seed).toString('base64') };
}

export function publicKeyFromSeed(seed: Uint8Array): string {
  const jwk = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}
