/** Raw ED25519 verifications per second on one core (Node crypto, cached KeyObject), same as the server uses. */
import { createRequire } from 'node:module';

import { generateKeyPair, signEd25519, verifyEd25519 } from '../src/protocol/ed25519-node.ts';
import { parseSecret } from '../src/protocol/key-encoding.ts';

export function benchVerify(seconds = 2): { verifiesPerSecond: number } {
  const pair = generateKeyPair();
  const seed = parseSecret(pair.secret);
  if (!seed.ok) throw new Error(seed.message);
  const message = `instruction=balanceQuery&timestamp=${Date.now()}&window=5000`;
  const signature = signEd25519(message, seed.bytes);
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) if (verifyEd25519(message, signature, pair.apiKey)) count++;
  }
  return { verifiesPerSecond: count / seconds };
}

interface Sodium {
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
}

/** The same with libsodium (sodium-native), which the server uses when it loads; undefined when it does not. */
export function benchVerifySodium(seconds = 2): { verifiesPerSecond: number } | undefined {
  let sodium: Sodium;
  try {
    sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return undefined;
  }
  const pair = generateKeyPair();
  const seed = parseSecret(pair.secret);
  if (!seed.ok) throw new Error(seed.message);
  const message = Buffer.from(`instruction=balanceQuery&timestamp=${Date.now()}&window=5000`);
  const signature = Buffer.from(signEd25519(message.toString(), seed.bytes), 'base64');
  const publicKey = Buffer.from(pair.apiKey, 'base64');
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++)
      if (sodium.crypto_sign_verify_detached(signature, message, publicKey)) count++;
  }
  return { verifiesPerSecond: count / seconds };
}
