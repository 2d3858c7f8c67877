/**
 * Load for the signed `GET /api/v1/capital` benchmarks: `count` keys of a new user, one pre-signed request each
 * (60 s window: a request may be replayed within it, and a load run lasts far less). With `controls`, every key
 * has a 30-entry IP allowlist whose only match for the bench client (127.0.0.1) is the last entry (the worst
 * case), an expiry and the read,trade permissions.
 */
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { openStore } from '../src/store/create-database.ts';
import type { LoadRequest } from './lib/load.ts';

const FULL_ALLOWLIST = [
  ...Array.from({ length: 15 }, (_, i) => `10.${i}.0.0/16`),
  ...Array.from({ length: 14 }, (_, i) => `2001:db8:${i.toString(16)}::/48`),
  '127.0.0.1',
];

export async function createCapitalRequests(
  databaseUrl: string,
  count = 20,
  options: { controls?: boolean } = {},
): Promise<LoadRequest[]> {
  const db = await openStore(databaseUrl);
  try {
    const user = await createUser(db, {
      email: `bench-capital-${Date.now()}-${Math.random()}@example.com`,
      password: 'bench password',
    });
    const out: LoadRequest[] = [];
    for (let i = 0; i < count; i++) {
      const { key, secret } = await createApiKey(db, {
        userId: user.id,
        name: `capital ${i}`,
        ...(options.controls
          ? { allowedIps: FULL_ALLOWLIST, expiresAt: Date.now() + 24 * 3600_000, permissions: 'read,trade' }
          : {}),
      });
      const prepared = await createSignedRequest(
        { method: 'GET', path: '/api/v1/capital', window: 60_000 },
        await createSigner(secret!),
      );
      out.push({ path: prepared.pathWithQuery, headers: { ...prepared.headers, 'X-API-Key': key.apiKey } });
    }
    return out;
  } finally {
    await db.destroy();
  }
}
