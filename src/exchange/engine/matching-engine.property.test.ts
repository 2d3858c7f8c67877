import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchOrder, type IncomingOrder } from './matching-engine.ts';
import { cancelOrder, createOrderBook, listOrders, type BookSide, type OrderBook } from './order-book.ts';
import type { SelfTradePrevention, Side, TimeInForce } from '../model/order-types.ts';
import {
  computeOrderLock,
  computeRestingLock,
  settleCancel,
  settleFill,
  settleTakerRemainder,
} from './settlement.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import { FEE_ACCOUNT, SOL_USDC, qty, usdc } from '../../../test/helpers/exchange-fixtures.ts';

const market = SOL_USDC;
const ACCOUNTS = ['alice', 'bob', 'carol', 'dave'];
const ASSETS = [market.baseSymbol, market.quoteSymbol];

type Command =
  | {
      kind: 'limit';
      account: number;
      side: Side;
      ticks: number;
      steps: number;
      tif: TimeInForce;
      postOnly: boolean;
      stp: SelfTradePrevention;
    }
  | {
      kind: 'market';
      account: number;
      side: Side;
      byQuote: boolean;
      amount: number;
      stp: SelfTradePrevention;
    }
  | { kind: 'cancel'; pick: number };

const side = fc.constantFrom<Side>('Bid', 'Ask');
const stp = fc.constantFrom<SelfTradePrevention>('RejectTaker', 'RejectMaker', 'RejectBoth');
const account = fc.nat({ max: ACCOUNTS.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      account,
      side,
      ticks: fc.integer({ min: 9_980, max: 10_020 }),
      steps: fc.integer({ min: 1, max: 400 }),
      tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'IOC', 'FOK'),
      postOnly: fc.boolean(),
      stp,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('market' as const),
      account,
      side,
      byQuote: fc.boolean(),
      amount: fc.integer({ min: 1, max: 500 }),
      stp,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
);

/** An in-memory ledger that applies deltas the way the service's guarded updates would. */
class Ledger {
  readonly balances = new Map<string, { available: bigint; locked: bigint }>();

  get(accountId: string, asset: string): { available: bigint; locked: bigint } {
    const key = `${accountId}/${asset}`;
    let balance = this.balances.get(key);
    if (balance === undefined) this.balances.set(key, (balance = { available: 0n, locked: 0n }));
    return balance;
  }

  apply(deltas: readonly BalanceChange[]): void {
    for (const delta of deltas) {
      const balance = this.get(delta.accountId, delta.asset);
      balance.available += delta.availableDelta;
      balance.locked += delta.lockedDelta;
      expect(balance.available).toBeGreaterThanOrEqual(0n);
      expect(balance.locked).toBeGreaterThanOrEqual(0n);
    }
  }

  total(asset: string): bigint {
    let sum = 0n;
    for (const [key, balance] of this.balances)
      if (key.endsWith(`/${asset}`)) sum += balance.available + balance.locked;
    return sum;
  }
}

function toOrder(cmd: Exclude<Command, { kind: 'cancel' }>, id: string): IncomingOrder {
  const base = {
    id,
    accountId: ACCOUNTS[cmd.account] as string,
    side: cmd.side,
    selfTradePrevention: cmd.stp,
  };
  if (cmd.kind === 'limit') {
    const price = BigInt(cmd.ticks) * market.tickUnits;
    const postOnly = cmd.postOnly && cmd.tif === 'GTC';
    return {
      ...base,
      orderType: 'Limit',
      price,
      quantity: BigInt(cmd.steps) * market.stepUnits,
      timeInForce: cmd.tif,
      postOnly,
    };
  }
  const amount = cmd.byQuote
    ? { quoteQuantity: usdc(String(cmd.amount)) }
    : { quantity: BigInt(cmd.amount) * market.stepUnits };
  return { ...base, orderType: 'Market', ...amount, timeInForce: 'GTC', postOnly: false };
}

/** Places an order the way the service will: lock, match, settle. Skips orders the account cannot fund. */
function placeOrder(book: OrderBook, ledger: Ledger, order: IncomingOrder): void {
  const paying = ledger.get(order.accountId, order.side === 'Bid' ? market.quoteSymbol : market.baseSymbol);
  const lock = computeOrderLock(market, order, { available: paying.available });
  if (lock.units > paying.available) return; // INSUFFICIENT_FUNDS
  ledger.apply([
    { accountId: order.accountId, asset: lock.asset, availableDelta: -lock.units, lockedDelta: lock.units },
  ]);
  const result = matchOrder(
    book,
    order.orderType === 'Market' ? { ...order, spendLimit: lock.units } : order,
    market,
  );
  if (!result.ok) {
    ledger.apply([
      { accountId: order.accountId, asset: lock.asset, availableDelta: lock.units, lockedDelta: -lock.units },
    ]);
    return;
  }
  for (const fill of result.fills) {
    expect(fill.quantity % market.stepUnits).toBe(0n);
    expect(fill.quote).toBe((fill.price * fill.quantity) / market.baseScale);
    if (order.price !== undefined)
      expect(order.side === 'Bid' ? fill.price <= order.price : fill.price >= order.price).toBe(true);
    ledger.apply(settleFill(market, fill, { feeAccountId: FEE_ACCOUNT }));
  }
  for (const maker of result.cancelledMakers) ledger.apply(settleCancel(market, maker));
  ledger.apply(settleTakerRemainder(market, order, lock, result));
  expect(result.executedQuantity).toBe(result.fills.reduce((sum, fill) => sum + fill.quantity, 0n));
  if (order.timeInForce === 'FOK' && result.status !== 'Filled') {
    // A killed FOK order changes nothing: no fills and no maker cancelled by self-trade prevention.
    expect(result).toMatchObject({
      status: 'Expired',
      expiryReason: 'FillOrKill',
      fills: [],
      cancelledMakers: [],
    });
  }
  if (order.orderType === 'Market' || order.timeInForce !== 'GTC') expect(result.rested).toBe(false);
}

function expectSideConsistent(book: OrderBook, bookSide: BookSide): number {
  let count = 0;
  bookSide.levels.forEach((level, i) => {
    const next = bookSide.levels[i + 1];
    if (next !== undefined)
      expect(bookSide.side === 'Bid' ? level.price < next.price : level.price > next.price).toBe(true);
    expect(bookSide.byPrice.get(level.price)).toBe(level);
    let sum = 0n;
    let lastSeq = -Infinity;
    for (let node = level.head; node !== null; node = node.next) {
      expect(node.remaining > 0n && node.price === level.price && node.side === bookSide.side).toBe(true);
      expect(node.createdSeq).toBeGreaterThan(lastSeq);
      expect(book.orders.get(node.id)).toBe(node);
      lastSeq = node.createdSeq;
      sum += node.remaining;
      count += 1;
    }
    expect(level.quantity).toBe(sum);
    expect(sum).toBeGreaterThan(0n);
  });
  expect(bookSide.byPrice.size).toBe(bookSide.levels.length);
  return count;
}

function expectInvariants(book: OrderBook, ledger: Ledger, totals: Map<string, bigint>): void {
  const bestBid = book.bids.levels.at(-1)?.price;
  const bestAsk = book.asks.levels.at(-1)?.price;
  if (bestBid !== undefined && bestAsk !== undefined) expect(bestBid).toBeLessThan(bestAsk);
  expect(expectSideConsistent(book, book.bids) + expectSideConsistent(book, book.asks)).toBe(
    book.orders.size,
  );
  for (const asset of ASSETS) expect(ledger.total(asset)).toBe(totals.get(asset));
  const lockedByOrders = new Map<string, bigint>();
  for (const order of listOrders(book)) {
    const lock = computeRestingLock(market, order);
    const key = `${order.accountId}/${lock.asset}`;
    lockedByOrders.set(key, (lockedByOrders.get(key) ?? 0n) + lock.units);
  }
  for (const accountId of ACCOUNTS) {
    for (const asset of ASSETS) {
      expect(ledger.get(accountId, asset).locked).toBe(lockedByOrders.get(`${accountId}/${asset}`) ?? 0n);
    }
  }
}

describe('matchOrder() on random order streams', () => {
  it('keeps the book consistent and uncrossed, locks exact, and the ledger conserved', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 200 }), (commands) => {
        const book = createOrderBook(market.symbol);
        const ledger = new Ledger();
        for (const accountId of ACCOUNTS) {
          ledger.get(accountId, market.quoteSymbol).available = usdc('20000');
          ledger.get(accountId, market.baseSymbol).available = qty('200');
        }
        const totals = new Map(ASSETS.map((asset) => [asset, ledger.total(asset)]));
        commands.forEach((cmd, i) => {
          if (cmd.kind === 'cancel') {
            const live = listOrders(book).sort((a, b) => a.createdSeq - b.createdSeq);
            const target = live[cmd.pick % Math.max(1, live.length)];
            const cancelled = target === undefined ? null : cancelOrder(book, target.id);
            if (cancelled !== null) ledger.apply(settleCancel(market, cancelled));
          } else {
            placeOrder(book, ledger, toOrder(cmd, `o${i}`));
          }
          expectInvariants(book, ledger, totals);
        });
      }),
      { numRuns: 150 },
    );
  });
});
