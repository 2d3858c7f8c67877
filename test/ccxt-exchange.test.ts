/**
 * ccxt 4.5.84's `backpack` class trading against a real listening Signet (temp SQLite file), changed only in its
 * base URL: keys come from the keys service, funds from depositTestFunds(), and two clients (two users) trade
 * with each other through the book and both see the fill.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ccxt, { type Exchange as CcxtExchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../src/accounts/accounts-service.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { allowWithdrawalAddress } from './helpers/address-book.ts';

let server: RunningServer;
let dir: string;
let alice: CcxtExchange;
let aliceUser: User;
let bob: CcxtExchange;
const users = new Map<string, User>();

async function client(email: string, funds: { symbol: string; quantity: string }): Promise<CcxtExchange> {
  const user = await createUser(server.db, { email, password: 'ccxt password' });
  users.set(email, user);
  const { key, secret } = await createApiKey(server.db, { userId: user.id, name: 'ccxt' });
  await server.exchange.depositTestFunds({ userId: user.id, ...funds });
  return new ccxt.backpack({
    apiKey: key.apiKey,
    secret,
    urls: { api: { public: server.url, private: server.url } },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'signet-ccxt-exchange-'));
  // The address book is on, with no cooling-off (SIGNET_ADDRESS_COOLING_OFF=0), as in a sandbox.
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: join(dir, 'db.sqlite'),
    withdrawalAddresses: { mode: 'book', coolingOffMs: 0 },
  });
  alice = await client('alice@example.com', { symbol: 'USDC', quantity: '10000' });
  aliceUser = users.get('alice@example.com') as User;
  bob = await client('bob@example.com', { symbol: 'SOL', quantity: '100' });
  await Promise.all([alice.loadMarkets(), bob.loadMarkets()]);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ccxt backpack: capital', () => {
  it('fetchBalance shows the deposited funds as free', async () => {
    const balance = await alice.fetchBalance();
    expect(balance['USDC']).toMatchObject({ free: 10000, used: 0, total: 10000 });
  });

  it('fetchDeposits lists the sandbox deposit as confirmed on Solana', async () => {
    const deposits = await alice.fetchDeposits();
    expect(deposits).toHaveLength(1);
    expect(deposits[0]).toMatchObject({ currency: 'USDC', amount: 10000, status: 'ok', network: 'SOL' });
    expect(deposits[0]?.timestamp).toBeGreaterThan(0);
  });

  it('fetchDepositAddress returns a stable Solana address', async () => {
    const first = await alice.fetchDepositAddress('USDC', { network: 'SOL' });
    const again = await alice.fetchDepositAddress('SOL', { network: 'SOL' });
    expect(first.address).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect(again.address).toBe(first.address);
    const other = await bob.fetchDepositAddress('USDC', { network: 'SOL' });
    expect(other.address).not.toBe(first.address);
  });
});

describe('ccxt backpack: two clients trade through the book', () => {
  let bidId: string;

  it('createOrder (limit) rests a bid with its clientOrderId', async () => {
    const order = await alice.createOrder('SOL/USDC', 'limit', 'buy', 1, 100, { clientOrderId: 42 });
    expect(order).toMatchObject({ status: 'open', side: 'buy', type: 'limit', price: 100, amount: 1 });
    expect(order.clientOrderId).toBe('42');
    bidId = order.id as string;
    expect((await alice.fetchBalance())['USDC']).toMatchObject({ free: 9900, used: 100 });
  });

  it('fetchOpenOrders and fetchOpenOrder find it', async () => {
    const open = await alice.fetchOpenOrders('SOL/USDC');
    expect(open.map((o) => o.id)).toEqual([bidId]);
    const one = await alice.fetchOpenOrder(bidId, 'SOL/USDC');
    expect(one).toMatchObject({ id: bidId, status: 'open', filled: 0 });
    expect(await bob.fetchOpenOrders('SOL/USDC')).toEqual([]);
  });

  it('the other client sells into it and both see the fill', async () => {
    const sell = await bob.createOrder('SOL/USDC', 'limit', 'sell', 1, 100);
    expect(sell).toMatchObject({ status: 'closed', filled: 1, cost: 100 });

    const [aliceTrades, bobTrades] = await Promise.all([
      alice.fetchMyTrades('SOL/USDC'),
      bob.fetchMyTrades('SOL/USDC'),
    ]);
    expect(aliceTrades).toHaveLength(1);
    expect(bobTrades).toHaveLength(1);
    expect(aliceTrades[0]).toMatchObject({
      side: 'buy',
      takerOrMaker: 'maker',
      price: 100,
      amount: 1,
      order: bidId,
    });
    expect(aliceTrades[0]?.fee).toMatchObject({ cost: 0.0002, currency: 'SOL' });
    expect(bobTrades[0]).toMatchObject({ side: 'sell', takerOrMaker: 'taker', price: 100, amount: 1 });
    expect(bobTrades[0]?.fee).toMatchObject({ cost: 0.05, currency: 'USDC' });
    expect(bobTrades[0]?.id).toBe(aliceTrades[0]?.id);

    expect((await alice.fetchBalance())['SOL']).toMatchObject({ free: 0.9998, used: 0 });
    expect((await bob.fetchBalance())['USDC']).toMatchObject({ free: 99.95 });
    expect(await alice.fetchOpenOrders('SOL/USDC')).toEqual([]);
  });

  it('createOrder (market by amount and by cost) takes liquidity', async () => {
    await bob.createOrder('SOL/USDC', 'limit', 'sell', 3, 101);
    const byAmount = await alice.createOrder('SOL/USDC', 'market', 'buy', 0.5);
    expect(byAmount).toMatchObject({ type: 'market', status: 'closed', filled: 0.5, cost: 50.5 });
    const byCost = await alice.createOrder(
      'SOL/USDC',
      'market',
      'buy',
      undefined as unknown as number,
      undefined,
      {
        cost: 20.2,
      },
    );
    expect(byCost).toMatchObject({ status: 'closed', filled: 0.2, cost: 20.2 });
    const sell = await bob.createOrder('SOL/USDC', 'market', 'sell', 0.1);
    expect(sell).toMatchObject({ status: 'canceled', filled: 0 }); // no bids left: expired
  });

  it('fetchTicker, fetchOrderBook, fetchTrades and fetchOHLCV show the market', async () => {
    const ticker = await alice.fetchTicker('SOL/USDC');
    expect(ticker).toMatchObject({ symbol: 'SOL/USDC', open: 100, last: 101, high: 101, low: 100 });
    expect(ticker.baseVolume).toBeCloseTo(1.7, 9);

    const book = await alice.fetchOrderBook('SOL/USDC');
    expect(book.asks).toEqual([[101, 2.3]]);
    expect(book.bids).toEqual([]);
    expect(book.timestamp).toBeGreaterThan(0);

    const trades = await alice.fetchTrades('SOL/USDC');
    expect(trades.map((t) => [t.price, t.amount, t.side])).toEqual([
      [100, 1, 'sell'],
      [101, 0.5, 'buy'],
      [101, 0.2, 'buy'],
    ]);

    const candles = await alice.fetchOHLCV('SOL/USDC', '1m');
    expect(candles.length).toBeGreaterThanOrEqual(1);
    const last = candles[candles.length - 1] as number[];
    expect(last[4]).toBe(101); // close
    expect(candles.reduce((sum, c) => sum + (c[5] as number), 0)).toBeCloseTo(1.7, 9);
  });

  it('createOrders places a batch; cancelOrder and cancelAllOrders cancel them', async () => {
    const placed = await alice.createOrders([
      { symbol: 'SOL/USDC', type: 'limit', side: 'buy', amount: 1, price: 90 },
      { symbol: 'SOL/USDC', type: 'limit', side: 'buy', amount: 1, price: 91 },
      { symbol: 'SOL/USDC', type: 'limit', side: 'buy', amount: 1, price: 92 },
    ]);
    expect(placed.map((o) => o.status)).toEqual(['open', 'open', 'open']);
    const cancelled = await alice.cancelOrder(placed[0]?.id as string, 'SOL/USDC');
    expect(cancelled).toMatchObject({ id: placed[0]?.id, status: 'canceled' });
    const all = await alice.cancelAllOrders('SOL/USDC');
    expect(all.map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect(await alice.fetchOpenOrders()).toEqual([]);
    expect((await alice.fetchBalance())['USDC']?.used).toBe(0);
  });

  it('fetchOrders returns the whole history, newest first', async () => {
    const orders = await alice.fetchOrders('SOL/USDC');
    expect(orders).toHaveLength(6);
    expect(orders.filter((o) => o.status === 'canceled')).toHaveLength(3);
    expect(orders.every((o) => (o.timestamp ?? 0) > 0)).toBe(true);
  });
});

describe('ccxt backpack: withdrawals', () => {
  it('raises a clear error for an address that is not in the address book, and debits nothing', async () => {
    const address = (await bob.fetchDepositAddress('USDC', { network: 'SOL' })).address as string;
    const before = (await alice.fetchBalance())['USDC']?.free as number;
    const refused = alice.withdraw('USDC', 10, address, undefined, { network: 'SOL' });
    await expect(refused).rejects.toBeInstanceOf(ccxt.ExchangeError);
    await expect(refused).rejects.toThrow(
      /WITHDRAWAL_ADDRESS_NOT_ALLOWED.*add this address to your address book and allow it for API withdrawals/,
    );
    expect((await alice.fetchBalance())['USDC']?.free).toBe(before);
    expect(await alice.fetchWithdrawals()).toEqual([]);
  });

  it('withdraw debits quantity + fee; fetchWithdrawals shows it pending, then confirmed', async () => {
    const address = (await bob.fetchDepositAddress('USDC', { network: 'SOL' })).address as string;
    // What `signet addresses add --email alice@example.com --blockchain Solana --address ... --api` does.
    await allowWithdrawalAddress(server.db, { userId: aliceUser.id, blockchain: 'Solana', address });
    const before = (await alice.fetchBalance())['USDC']?.free as number;
    const withdrawal = await alice.withdraw('USDC', 10, address, undefined, { network: 'SOL' });
    expect(withdrawal).toMatchObject({ status: 'pending', amount: 10, addressTo: address, network: 'SOL' });
    expect(withdrawal.fee).toMatchObject({ cost: 1, currency: 'USDC' });
    expect((await alice.fetchBalance())['USDC']?.free).toBeCloseTo(before - 11, 6);

    await server.exchange.settleWithdrawals();
    const listed = await alice.fetchWithdrawals();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: withdrawal.id, status: 'ok' });
    expect(listed[0]?.txid).toBeTruthy();
  });

  it('refuses an address that is not a Solana address', async () => {
    await expect(
      alice.withdraw('USDC', 10, '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749', undefined, { network: 'SOL' }),
    ).rejects.toBeInstanceOf(ccxt.BadRequest);
  });

  it('refuses to overdraw with InsufficientFunds', async () => {
    const address = (await bob.fetchDepositAddress('USDC', { network: 'SOL' })).address as string;
    await expect(
      alice.withdraw('USDC', 100000, address, undefined, { network: 'SOL' }),
    ).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
  });
});

describe('the ledger after the ccxt session', () => {
  it('keeps every invariant', async () => {
    const audit = await server.exchange.audit();
    expect(audit.problems).toEqual([]);
  });
});
