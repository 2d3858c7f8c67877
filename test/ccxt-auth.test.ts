/**
 * ccxt 4.5.84's `backpack` class against a real listening Signet, changed only in its base URL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser } from '../src/accounts/accounts-service.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';

let server: RunningServer;
let apiKey: string;
let secret: string;

function backpack(credentials: { apiKey: string; secret: string }) {
  return new ccxt.backpack({ ...credentials, urls: { api: { public: server.url, private: server.url } } });
}

beforeAll(async () => {
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: join(mkdtempSync(join(tmpdir(), 'signet-ccxt-')), 'db.sqlite'),
  });
  const user = await createUser(server.db, { email: 'ccxt@example.com', password: 'ccxt password' });
  const created = await createApiKey(server.db, { userId: user.id, name: 'ccxt' });
  apiKey = created.key.apiKey;
  secret = created.secret!;
});
afterAll(() => server.close());

describe('ccxt backpack against Signet', () => {
  it('loads markets with tick and step precision', async () => {
    const ex = backpack({ apiKey, secret });
    const markets = await ex.loadMarkets();
    expect(markets['SOL/USDC']).toMatchObject({ spot: true, base: 'SOL', quote: 'USDC', active: true });
    expect(markets['SOL/USDC']?.precision.price).toBeGreaterThan(0);
    expect(ex.currencies['USDC']?.networks).toHaveProperty('SOL');
  });

  it('fetchBalance works with a key created through the service', async () => {
    const balance = await backpack({ apiKey, secret }).fetchBalance();
    expect(balance['USDC']).toBeUndefined();
  });

  it('raises AuthenticationError with a wrong secret', async () => {
    const wrong = generateKeyPair().secret;
    await expect(backpack({ apiKey, secret: wrong }).fetchBalance()).rejects.toBeInstanceOf(
      ccxt.AuthenticationError,
    );
  });

  it('raises AuthenticationError with an unknown key', async () => {
    await expect(backpack(generateKeyPair()).fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });
});
