/**
 * The ledger under pressure: parallel orders and withdrawals from one subaccount never overdraw it, parallel
 * takers never lose a fill, and random order streams sent through two "processes" (two Exchange instances over
 * one database) keep every ledger invariant and keep the books equal to the open orders.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createExchangeTestContext, type ExchangeTestContext } from '../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../test/helpers/dialects.ts';
import { AppError } from '../errors.ts';
import type { Exchange } from './exchange-service.ts';

function codeOf(result: PromiseSettledResult<unknown>): string {
  if (result.status === 'fulfilled') return 'ok';
  return result.reason instanceof AppError ? result.reason.code : String(result.reason);
}

/** mulberry32: a seeded PRNG so a failing stream can be replayed. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe.each(DIALECTS.map(([name]) => name))('the exchange under concurrency on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
  });
  afterEach(async () => {
    expect((await ctx.exchange.audit()).problems).toEqual([]);
    await ctx.close();
  });

  it('never overdraws a subaccount hit by parallel orders and withdrawals', async () => {
    const account = await ctx.createAccount();
    await ctx.fund(account, 'USDC', '1000');
    const address = ctx.exchange.getDepositAddress(await ctx.createAccount(), 'Solana');
    const markets = ['SOL_USDC', 'ETH_USDC', 'BTC_USDC'];
    const work = [
      ...Array.from({ length: 24 }, (_, i) =>
        ctx.exchange.placeOrder(account, {
          symbol: markets[i % 3],
          side: 'Bid',
          orderType: 'Limit',
          price: '100',
          quantity: '1',
        }),
      ),
      ...Array.from({ length: 8 }, () =>
        ctx.exchange.requestWithdrawal(account, {
          symbol: 'USDC',
          blockchain: 'Solana',
          quantity: '50',
          address,
        }),
      ),
    ];
    const results = await Promise.allSettled(work);
    const codes = results.map(codeOf);
    expect(new Set(codes.filter((code) => code !== 'ok'))).toEqual(new Set(['INSUFFICIENT_FUNDS']));
    const orders = codes.slice(0, 24).filter((code) => code === 'ok').length;
    const withdrawals = codes.slice(24).filter((code) => code === 'ok').length;
    const spent = orders * 100 + withdrawals * 51;
    expect(spent).toBeLessThanOrEqual(1000);
    expect(1000 - spent).toBeLessThan(100); // it stopped only when the next one could not be funded
    expect(await ctx.balances(account)).toEqual({ USDC: `${1000 - spent} / ${orders * 100}` });
    expect(await ctx.exchange.listOpenOrders(account)).toHaveLength(orders);
  });

  it('never loses a fill when many takers hit one maker at once', async () => {
    const maker = await ctx.createAccount('maker');
    await ctx.fund(maker, 'SOL', '10');
    for (let i = 0; i < 10; i += 1) {
      await ctx.exchange.placeOrder(maker, {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '100',
        quantity: '1',
      });
    }
    const takers: string[] = [];
    for (let i = 0; i < 14; i += 1) {
      takers.push(await ctx.createAccount(`taker ${i}`));
      await ctx.fund(takers[i] as string, 'USDC', '150');
    }
    // Two processes on PostgreSQL (truly concurrent); SQLite in one process serializes on its one connection.
    const other = dialect === 'postgres' ? await ctx.openAnotherProcess() : ctx.exchange;
    const results = await Promise.allSettled(
      takers.map((taker, i) =>
        (i % 2 === 0 ? ctx.exchange : other).placeOrder(taker, {
          symbol: 'SOL_USDC',
          side: 'Bid',
          orderType: i % 3 === 0 ? 'Market' : 'Limit',
          ...(i % 3 === 0 ? { quantity: '1' } : { price: '100', quantity: '1', timeInForce: 'IOC' }),
        }),
      ),
    );
    const orders = results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    expect(orders.filter((o) => o.status === 'Filled')).toHaveLength(10);
    expect(orders.filter((o) => o.status === 'Expired' && o.executedQuantity === 0n)).toHaveLength(4);
    const fills = await ctx.exchange.listFills(maker, { limit: 100, offset: 0, sortDirection: 'Asc' });
    expect(fills).toHaveLength(10);
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(10);
    expect(await ctx.balances(maker)).toEqual({ SOL: '0 / 0', USDC: '999.8 / 0' });
    for (const [i, taker] of takers.entries()) {
      const filled = orders[i]?.status === 'Filled';
      expect(await ctx.balances(taker)).toEqual(
        filled ? { SOL: '0.9995 / 0', USDC: '50 / 0' } : { USDC: '150 / 0' },
      );
    }
  });

  it('keeps every invariant through a random order stream sent via two processes', async () => {
    const random = createRandom(dialect === 'sqlite' ? 7 : 11);
    const accounts: string[] = [];
    for (const name of ['a', 'b', 'c']) accounts.push(await ctx.createAccount(name));
    for (const account of accounts) {
      await ctx.fund(account, 'USDC', '5000');
      await ctx.fund(account, 'SOL', '50');
    }
    const processes: Exchange[] = [ctx.exchange, await ctx.openAnotherProcess()];
    const steps = dialect === 'sqlite' ? 300 : 120;
    const outcomes = new Map<string, number>();
    for (let step = 0; step < steps; step += 1) {
      const exchange = processes[random() < 0.5 ? 0 : 1] as Exchange;
      const account = accounts[Math.floor(random() * accounts.length)] as string;
      const side = random() < 0.5 ? 'Bid' : 'Ask';
      const roll = random();
      const price = (100 + Math.floor(random() * 11) - 5).toFixed(2);
      const quantity = (0.01 * (1 + Math.floor(random() * 300))).toFixed(2);
      let outcome: string;
      try {
        if (roll < 0.1) {
          const open = await exchange.listOpenOrders(account, 'SOL_USDC');
          const victim = open[Math.floor(random() * open.length)];
          if (victim !== undefined)
            await exchange.cancelOrder(account, { symbol: 'SOL_USDC', orderId: victim.id });
          outcome = 'cancel';
        } else if (roll < 0.13) {
          await exchange.cancelAllOrders(account, 'SOL_USDC');
          outcome = 'cancelAll';
        } else if (roll < 0.25) {
          const byQuote = random() < 0.5;
          const order = await exchange.placeOrder(account, {
            symbol: 'SOL_USDC',
            side,
            orderType: 'Market',
            ...(byQuote ? { quoteQuantity: (Number(quantity) * 100).toFixed(2) } : { quantity }),
          });
          outcome = `market ${order.status}`;
        } else {
          const tif = random();
          const order = await exchange.placeOrder(account, {
            symbol: 'SOL_USDC',
            side,
            orderType: 'Limit',
            price,
            quantity,
            timeInForce: tif < 0.1 ? 'IOC' : tif < 0.2 ? 'FOK' : 'GTC',
            postOnly: tif > 0.9,
            selfTradePrevention: ['RejectTaker', 'RejectMaker', 'RejectBoth'][Math.floor(random() * 3)],
          });
          outcome = `limit ${order.status}`;
        }
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        outcome = error.code;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (step % 50 === 49) expect((await ctx.exchange.audit()).problems).toEqual([]);
    }
    expect(outcomes.get('limit Filled') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('limit PartiallyFilled') ?? 0).toBeGreaterThan(0);
    // Both processes' books equal the open orders in the database.
    const open = await ctx.db
      .selectFrom('orders')
      .select(['side', 'price', 'remaining'])
      .where('is_open', '=', 1)
      .where('symbol', '=', 'SOL_USDC')
      .execute();
    const expected = new Map<string, bigint>();
    for (const row of open) {
      const key = `${row.side} ${row.price}`;
      expected.set(key, (expected.get(key) ?? 0n) + BigInt(row.remaining));
    }
    for (const exchange of processes) {
      const depth = await exchange.getDepth('SOL_USDC', 1000);
      const seen = new Map<string, bigint>([
        ...depth.bids.map(([p, q]): [string, bigint] => [`Bid ${p}`, q]),
        ...depth.asks.map(([p, q]): [string, bigint] => [`Ask ${p}`, q]),
      ]);
      expect(seen).toEqual(expected);
    }
  });
});
