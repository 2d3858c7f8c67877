/** Raw ED25519 verifications per second on one core (Node crypto, cached KeyObject), same as the server uses. */
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
