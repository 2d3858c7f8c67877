/**
 * An account with something in every corner of the console, for the browser tests that look at every page: keys in
 * every state (active with an allowlist, one that can withdraw from any address, expiring, replaced and in its
 * grace, retired by rotation, expired, revoked, read-only on a second subaccount), real signed traffic spread over
 * seven minutes (the server's signed-path clock is moved, not waited for) with refusals of several kinds,
 * withdrawal addresses pending and active, and the audit events all of that writes.
 *
 * Made through the services and the signed API, as an operator and a bot would; nothing is written to the
 * database directly except one expiry moved into the past (no service makes an already-expired key).
 */
import { SignetClient } from '../../src/client/index.ts';
import { createSubaccount } from '../../src/accounts/accounts-service.ts';
import { AddressBook } from '../../src/exchange/capital/address-book-service.ts';
import { revokeAllApiKeys, rotateApiKey, updateApiKey } from '../../src/keys/key-controls-service.ts';
import { createApiKey, revokeApiKey } from '../../src/keys/keys-service.ts';
import type { RunningServer } from '../../src/server/start-server.ts';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;

export interface SeededAccount {
  userId: string;
  /** The key whose usage holds seven minutes of traffic. */
  busyKey: { id: string; apiKey: string; name: string };
  /** Requests per minute sent with it, oldest first (then one refusal in the last minute). */
  perMinute: number[];
}

/** `clock.offset` moves the server's signed-path clock (start-server.ts `signedRequestClock`). */
export async function seedAccount(
  server: RunningServer,
  input: { email: string; clock: { offset: number } },
): Promise<SeededAccount> {
  const db = server.db;
  const now = Date.now();
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', input.email)
    .executeTakeFirstOrThrow();
  const userId = user.id;
  const bot = await createSubaccount(db, { userId, name: 'Bot' });
  const spare = await createSubaccount(db, { userId, name: 'Spare' });

  const busy = await createApiKey(db, {
    userId,
    name: 'Market maker',
    permissions: ['read', 'trade'],
    allowedIps: ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32'],
  });
  await createApiKey(db, {
    userId,
    name: 'Withdrawals anywhere',
    permissions: ['read', 'trade', 'withdraw'],
  });
  await createApiKey(db, { userId, name: 'Expiring soon', expiresAt: now + 3 * DAY, permissions: ['read'] });
  await createApiKey(db, { userId, name: 'Reporting', subaccountId: bot.id, readOnly: true });
  const rotatedOut = await createApiKey(db, {
    userId,
    name: 'Old deploy key',
    permissions: ['read', 'trade'],
  });
  await rotateApiKey(db, { key: rotatedOut.key.apiKey, graceMs: 0, now });
  const inGrace = await createApiKey(db, { userId, name: 'Signer', permissions: ['read', 'trade'] });
  await rotateApiKey(db, { key: inGrace.key.apiKey, graceMs: DAY, now });
  const expired = await createApiKey(db, { userId, name: 'Trial', expiresAt: now + DAY });
  await db
    .updateTable('api_keys')
    .set({ expires_at: now - DAY })
    .where('id', '=', expired.key.id)
    .execute();
  const gone = await createApiKey(db, { userId, name: 'Laptop', permissions: ['read', 'trade'] });
  await revokeApiKey(db, { key: gone.key.apiKey, userId });
  await createApiKey(db, { userId, name: 'Spare bot', subaccountId: spare.id });
  await revokeAllApiKeys(db, { userId, subaccountId: spare.id });
  await updateApiKey(db, {
    key: busy.key.apiKey,
    allowedIps: ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '192.0.2.0/24'],
  });

  // Seven minutes of real signed traffic: minute m carries m + 1 requests, in the middle of each of the seven
  // minutes up to this one (the server's signed clock is set there for each burst; the bursts take milliseconds).
  const client = await SignetClient.create({ baseUrl: server.url, secret: busy.secret as string });
  const thisMinute = Date.now() - (Date.now() % MINUTE);
  const at = (minute: number) => thisMinute + (minute - 6) * MINUTE + MINUTE / 2;
  const perMinute: number[] = [];
  for (let minute = 0; minute < 7; minute++) {
    input.clock.offset = at(minute) - Date.now();
    for (let i = 0; i <= minute; i++) {
      const res = await client.send({
        method: 'GET',
        path: '/api/v1/capital',
        timestamp: Date.now() + input.clock.offset,
      });
      if (res.status !== 200) throw new Error(`seed traffic answered ${res.status}`);
    }
    perMinute.push(minute + 1);
  }
  // In the last of the seven minutes: a permission refusal.
  const refused = await client.send({
    method: 'POST',
    path: '/wapi/v1/capital/withdrawals',
    body: {
      symbol: 'USDC',
      blockchain: 'Solana',
      quantity: '1',
      address: '11111111111111111111111111111111',
    },
    timestamp: Date.now() + input.clock.offset,
  });
  if (refused.status !== 403) throw new Error(`expected a permission refusal, got ${refused.status}`);
  input.clock.offset = 0;
  // Now, past the retired key's end (its rotation had no grace): refused with the uniform answer.
  const retired = await SignetClient.create({ baseUrl: server.url, secret: rotatedOut.secret as string });
  const dead = await retired.send({ method: 'GET', path: '/api/v1/capital' });
  if (dead.status !== 401) throw new Error(`expected the retired key refused, got ${dead.status}`);
  await server.verifier.usage.flush();

  const book = new AddressBook({ db, settings: { mode: 'book', coolingOffMs: DAY } });
  const operator = { operator: true } as const;
  await book.add({
    userId,
    label: 'Cold wallet',
    blockchain: 'Solana',
    address: '9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM',
    allowApi: false,
    actor: operator,
    now: now - 2 * DAY,
  });
  await book.add({
    userId,
    label: 'Exchange deposit',
    blockchain: 'Ethereum',
    address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
    allowApi: true,
    actor: operator,
    now: now - 2 * DAY,
  });
  await book.add({
    userId,
    label: 'New payout',
    blockchain: 'Solana',
    address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV',
    allowApi: true,
    actor: operator,
    now,
  });
  await server.exchange.depositTestFunds({ userId, symbol: 'USDC', quantity: '1000' });

  return {
    userId,
    busyKey: { id: busy.key.id, apiKey: busy.key.apiKey, name: busy.key.name },
    perMinute,
  };
}
