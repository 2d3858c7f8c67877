/**
 * Group commit on a real database: writes queued in the same turn share one transaction, a write refused before
 * it touched anything changes nothing, and a write that fails after changing the book and the database is undone
 * alone (the group runs again with savepoints) while its neighbours commit exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createExchangeTestContext,
  type ExchangeTestContext,
} from '../../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../../test/helpers/dialects.ts';
import { GroupWriter } from './group-writes.ts';
import { getLedger, ledgerEntries, type Ledger } from './ledger.ts';
import { MarketBooks, type BookWriteContext } from './market-books.ts';
import { addRestingOrder } from '../engine/order-book.ts';

describe.each(DIALECTS.map(([name]) => name))('MarketBooks group commit on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  let accounts: string[];
  let calls: number[];
  let runs = 0;
  let ledger: Ledger;
  let books: MarketBooks;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
    ledger = getLedger(ctx.db);
    books = new MarketBooks(ctx.db, ctx.config, new GroupWriter(ctx.db, ledger));
    await books.initialize();
    accounts = [await ctx.createAccount(), await ctx.createAccount(), await ctx.createAccount()];
    calls = [0, 0, 0, 0];
  });
  afterEach(() => ctx.close());

  /** Credits 1 USDC to accounts[n] the way orders change balances: balance now, ledger entry at group end. */
  const credit = async ({ trx, later }: BookWriteContext, n: number) => {
    const change = {
      accountId: accounts[n] as string,
      asset: 'USDC',
      availableDelta: 1_000_000n,
      lockedDelta: 0n,
    };
    await ledger.updateBalances(trx, [change], 1);
    later.entries.push(
      ...ledgerEntries([change], { reason: 'deposit', reference: `test:${(runs += 1)}`, now: 1 }),
    );
  };
  const restOnBook = ({ book }: BookWriteContext, id: string) =>
    addRestingOrder(book, {
      id,
      accountId: accounts[1] as string,
      side: 'Bid',
      price: 1_000_000n,
      quantity: 100n,
      remaining: 100n,
      createdSeq: 1,
      selfTradePrevention: 'RejectTaker',
    });

  const called = (n: number) => {
    calls[n] = (calls[n] ?? 0) + 1;
  };
  const write = (work: (context: BookWriteContext) => Promise<string>) => books.write('SOL_USDC', work);

  it('undoes a write that failed after touching, alone, and commits its neighbours once', async () => {
    const outcomes = await Promise.allSettled([
      write(async (context) => {
        called(0);
        context.touch();
        await credit(context, 0);
        return 'first';
      }),
      write(async (context) => {
        called(1);
        context.touch();
        await credit(context, 1);
        restOnBook(context, '999001');
        throw new Error('failed after changing the book and a balance');
      }),
      write(async () => {
        called(2);
        throw new Error('refused before touching');
      }),
      write(async (context) => {
        called(3);
        context.touch();
        await credit(context, 2);
        return 'last';
      }),
    ]);

    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'first',
      'failed after changing the book and a balance',
      'refused before touching',
      'last',
    ]);
    // The optimistic run stops at the second write; the group then runs again write by write (savepoints).
    expect(calls).toEqual([2, 2, 1, 1]);
    expect(await ctx.balances(accounts[0] as string)).toEqual({ USDC: '1 / 0' });
    expect(await ctx.balances(accounts[1] as string)).toEqual({});
    expect(await ctx.balances(accounts[2] as string)).toEqual({ USDC: '1 / 0' });
    const entries = await ctx.db.selectFrom('ledger_entries').select('subaccount_id').execute();
    expect(entries.map((e) => e.subaccount_id).sort()).toEqual([accounts[0], accounts[2]].sort());
    expect(await books.read('SOL_USDC', (book) => book.orders.has('999001'))).toBe(false);
  });

  it('runs a group once when its refusals happen before anything was touched', async () => {
    const outcomes = await Promise.allSettled([
      write(async (context) => {
        called(0);
        context.touch();
        await credit(context, 0);
        restOnBook(context, '999002');
        return 'rested';
      }),
      write(async () => {
        called(1);
        throw new Error('refused');
      }),
      write(async (context) => {
        called(2);
        context.touch();
        await credit(context, 2);
        return 'credited';
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([1, 1, 1, 0]);
    expect(await ctx.balances(accounts[0] as string)).toEqual({ USDC: '1 / 0' });
    expect(await ctx.balances(accounts[2] as string)).toEqual({ USDC: '1 / 0' });
    expect(await books.read('SOL_USDC', (book) => book.orders.has('999002'))).toBe(true);
  });

  it('rolls a lone failing write back entirely, sequence included', async () => {
    const sequence = () => books.read('SOL_USDC', (_book, seq) => seq);
    const before = await sequence();
    await expect(
      write(async (context) => {
        context.touch();
        await credit(context, 0);
        throw new Error('alone');
      }),
    ).rejects.toThrow('alone');
    expect(await sequence()).toBe(before);
    expect(await ctx.balances(accounts[0] as string)).toEqual({});
  });
});
