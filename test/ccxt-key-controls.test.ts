/**
 * Key controls as ccxt 4.5.84's `backpack` class meets them against a real listening Signet: a rotated key's new
 * secret works (and the old one until its grace ends), a key without `withdraw` makes `withdraw` raise while
 * trading still works, and an allowlist that excludes the client raises AuthenticationError.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../src/accounts/accounts-service.ts';
import { rotateApiKey } from '../src/keys/key-controls-service.ts';
import { createApiKey, type CreateApiKeyInput } from '../src/keys/keys-service.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';

let server: RunningServer;
let dir: string;
let user: User;

function backpack(credentials: { apiKey: string; secret: string }) {
  return new ccxt.backpack({ ...credentials, urls: { api: { public: server.url, private: server.url } } });
}

async function key(options: Omit<CreateApiKeyInput, 'userId' | 'name'> = {}) {
  const { key: created, secret } = await createApiKey(server.db, {
    userId: user.id,
    name: 'ccxt',
    ...options,
  });
  return { apiKey: created.apiKey, secret: secret as string };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-ccxt-keys-'));
  server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: join(dir, 'db.sqlite') });
  user = await createUser(server.db, { email: 'ccxt-keys@example.com', password: 'ccxt password' });
  await server.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '1000' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ccxt backpack with key controls', () => {
  it("works with a rotated key's new secret, and with the old one during the grace", async () => {
    const old = await key();
    const rotated = await rotateApiKey(server.db, { key: old.apiKey, graceMs: 3600_000 });
    const fresh = backpack({ apiKey: rotated.key.apiKey, secret: rotated.secret as string });
    expect((await fresh.fetchBalance())['USDC']).toMatchObject({ free: 1000 });
    expect((await backpack(old).fetchBalance())['USDC']).toMatchObject({ free: 1000 });
  });

  it('refuses the old key after a rotation without grace (AuthenticationError)', async () => {
    const old = await key();
    await rotateApiKey(server.db, { key: old.apiKey, graceMs: 0 });
    await expect(backpack(old).fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('raises on withdraw with a key without the withdraw permission, and still trades', async () => {
    const ex = backpack(await key({ permissions: 'read,trade' }));
    await ex.loadMarkets();
    const address = (await ex.fetchDepositAddress('USDC', { network: 'SOL' })).address as string;
    const attempt = ex.withdraw('USDC', 10, address, undefined, { network: 'SOL' });
    await expect(attempt).rejects.toBeInstanceOf(ccxt.OperationRejected);
    await expect(attempt).rejects.toThrow(/lacks the withdraw permission/);
    const order = await ex.createOrder('SOL/USDC', 'limit', 'buy', 1, 10);
    expect(order).toMatchObject({ status: 'open', side: 'buy' });
    expect((await ex.fetchBalance())['USDC']).toMatchObject({ free: 990, used: 10 });
  });

  it('raises AuthenticationError from an address off the allowlist', async () => {
    const ex = backpack(await key({ allowedIps: ['192.0.2.1'] }));
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });
});
