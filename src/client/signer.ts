/**
 * ED25519 signing for the SDK, in Node and in browsers: WebCrypto Ed25519 where the runtime has it (Node >= 20,
 * current Chromium, Firefox, Safari), otherwise @noble/curves (pure JS, audited; what ccxt uses).
 * The secret stays inside the Signer; nothing here logs or sends it.
 */
import { ed25519 } from '@noble/curves/ed25519.js';

import { encodeBase64 } from '../protocol/base64.ts';
import { parseSecret } from '../protocol/key-encoding.ts';

export interface Signer {
  /** Base64 API key (public key) derived from the secret. */
  readonly apiKey: string;
  sign(message: string): Promise<string>;
}

const PKCS8_SEED_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const encoder = new TextEncoder();

async function importWebCryptoKey(seed: Uint8Array): Promise<CryptoKey | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const pkcs8 = new Uint8Array(PKCS8_SEED_PREFIX.length + seed.length);
  pkcs8.set(PKCS8_SEED_PREFIX);
  pkcs8.set(seed, PKCS8_SEED_PREFIX.length);
  try {
    return await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  } catch {
    return undefined; // No Ed25519 in this WebCrypto: fall back to pure JS.
  }
}

/** A signer for a base64 secret (32-byte seed, or 64-byte seed‖public). Throws TypeError on a malformed secret. */
export async function createSigner(
  secret: string,
  options: { preferPureJs?: boolean } = {},
): Promise<Signer> {
  const parsed = parseSecret(secret);
  if (!parsed.ok) throw new TypeError(parsed.message);
  const seed = parsed.bytes;
  const apiKey = encodeBase64(ed25519.getPublicKey(seed));
  const key = options.preferPureJs ? undefined : await importWebCryptoKey(seed);
  if (key) {
    return {
      apiKey,
      sign: async (message) =>
        encodeBase64(
          new Uint8Array(
            await globalThis.crypto.subtle.sign({ name: 'Ed25519' }, key, encoder.encode(message)),
          ),
        ),
    };
  }
  return { apiKey, sign: async (message) => encodeBase64(ed25519.sign(encoder.encode(message), seed)) };
}

/** A fresh key pair made on this machine (in the browser for the console): WebCrypto, or pure JS as fallback. */
export async function generateKeyPair(
  options: { preferPureJs?: boolean } = {},
): Promise<{ apiKey: string; secret: string }> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle && !options.preferPureJs) {
    try {
      const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
      const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      // PKCS#8 for Ed25519 is the fixed 16-byte prefix followed by the 32-byte seed.
      return { apiKey: encodeBase64(raw), secret: encodeBase64(pkcs8.slice(pkcs8.length - 32)) };
    } catch {
      // No Ed25519 in this WebCrypto: fall through to pure JS.
    }
  }
  const seed = ed25519.utils.randomSecretKey();
  return { apiKey: encodeBase64(ed25519.getPublicKey(seed)), secret: encodeBase64(seed) };
}
