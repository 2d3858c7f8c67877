import { describe, expect, it } from 'vitest';
import { matchOrder, type MatchAccepted } from './matching-engine.ts';
import { createOrderBook, type BookOrder } from './order-book.ts';
import {
  computeOrderLock,
  computeRestingLock,
  mergeBalanceChanges,
  settleCancel,
  settleFill,
  settleTakerRemainder,
} from './settlement.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import {
  FEE_ACCOUNT,
  SOL_USDC,
  limitOrder,
  marketOrder,
  price,
  qty,
  usdc,
} from '../../../test/helpers/exchange-fixtures.ts';

function accepted(result: ReturnType<typeof matchOrder>): MatchAccepted {
  if (!result.ok) throw new Error(result.message);
  return result;
}

function sumByAsset(deltas: readonly BalanceChange[]): Record<string, bigint> {
  const sums: Record<string, bigint> = {};
  for (const delta of deltas) {
    sums[delta.asset] = (sums[delta.asset] ?? 0n) + delta.availableDelta + delta.lockedDelta;
  }
  return sums;
}

describe('computeOrderLock()', () => {
  it('locks price * quantity of quote for a limit bid and the quantity of base for a limit ask', () => {
    expect(computeOrderLock(SOL_USDC, limitOrder('b', 'a', 'Bid', '100.13', '1.5'))).toEqual({
      asset: 'USDC',
      units: usdc('150.195'),
    });
    expect(computeOrderLock(SOL_USDC, limitOrder('s', 'a', 'Ask', '100', '1.5'))).toEqual({
      asset: 'SOL',
      units: qty('1.5'),
    });
  });

  it('locks the stated amount for a market buy by quote and a market sell by quantity', () => {
    const buy = marketOrder('m', 'a', 'Bid', { quoteQuantity: '15' });
    expect(computeOrderLock(SOL_USDC, buy)).toEqual({ asset: 'USDC', units: usdc('15') });
    const sell = marketOrder('m', 'a', 'Ask', { quantity: '0.1' });
    expect(computeOrderLock(SOL_USDC, sell)).toEqual({ asset: 'SOL', units: qty('0.1') });
  });

  it('locks the whole available balance when the cost is only known after matching', () => {
    const buy = marketOrder('m', 'a', 'Bid', { quantity: '2' });
    expect(computeOrderLock(SOL_USDC, buy, { available: usdc('500') })).toEqual({
      asset: 'USDC',
      units: usdc('500'),
    });
    const sell = marketOrder('m', 'a', 'Ask', { quoteQuantity: '100' });
    expect(computeOrderLock(SOL_USDC, sell, { available: qty('3') })).toEqual({
      asset: 'SOL',
      units: qty('3'),
    });
    expect(() => computeOrderLock(SOL_USDC, buy)).toThrow(/available/);
  });
});

describe('settleFill()', () => {
  it('moves each side out of its lock, credits the other asset net of fees, and pays the fee account', () => {
    const book = createOrderBook('SOL_USDC');
    accepted(matchOrder(book, limitOrder('a1', 'seller', 'Ask', '100', '1'), SOL_USDC));
    const [fill] = accepted(matchOrder(book, limitOrder('b1', 'buyer', 'Bid', '100', '1'), SOL_USDC)).fills;
    const deltas = settleFill(SOL_USDC, fill!, { feeAccountId: FEE_ACCOUNT });
    expect(mergeBalanceChanges(deltas)).toEqual([
      { accountId: 'buyer', asset: 'USDC', availableDelta: 0n, lockedDelta: -usdc('100') },
      { accountId: 'buyer', asset: 'SOL', availableDelta: qty('0.9995'), lockedDelta: 0n },
      { accountId: 'seller', asset: 'SOL', availableDelta: 0n, lockedDelta: -qty('1') },
      { accountId: 'seller', asset: 'USDC', availableDelta: usdc('99.98'), lockedDelta: 0n },
      { accountId: FEE_ACCOUNT, asset: 'SOL', availableDelta: qty('0.0005'), lockedDelta: 0n },
      { accountId: FEE_ACCOUNT, asset: 'USDC', availableDelta: usdc('0.02'), lockedDelta: 0n },
    ]);
    expect(sumByAsset(deltas)).toEqual({ USDC: 0n, SOL: 0n });
  });
});

describe('settleTakerRemainder()', () => {
  it('releases the price improvement of a limit bid that traded below its limit', () => {
    const book = createOrderBook('SOL_USDC');
    accepted(matchOrder(book, limitOrder('a1', 'seller', 'Ask', '100', '1'), SOL_USDC));
    const order = limitOrder('b1', 'buyer', 'Bid', '105', '3');
    const lock = computeOrderLock(SOL_USDC, order);
    const result = accepted(matchOrder(book, order, SOL_USDC));
    // Locked 315; paid 100 for 1 SOL; 2 SOL rest at 105 (210 stays locked): 5 USDC goes back.
    expect(settleTakerRemainder(SOL_USDC, order, lock, result)).toEqual([
      { accountId: 'buyer', asset: 'USDC', availableDelta: usdc('5'), lockedDelta: -usdc('5') },
    ]);
  });

  it('releases the unused budget of a market buy and nothing when all was used', () => {
    const book = createOrderBook('SOL_USDC');
    accepted(matchOrder(book, limitOrder('a1', 'seller', 'Ask', '100', '1'), SOL_USDC));
    const order = marketOrder('m1', 'buyer', 'Bid', { quantity: '2' });
    const lock = computeOrderLock(SOL_USDC, order, { available: usdc('1000') });
    const result = accepted(matchOrder(book, { ...order, spendLimit: lock.units }, SOL_USDC));
    expect(settleTakerRemainder(SOL_USDC, order, lock, result)).toEqual([
      { accountId: 'buyer', asset: 'USDC', availableDelta: usdc('900'), lockedDelta: -usdc('900') },
    ]);
    expect(settleTakerRemainder(SOL_USDC, order, { asset: 'USDC', units: usdc('100') }, result)).toEqual([]);
  });

  it('throws when the lock could not have paid for the fills', () => {
    const book = createOrderBook('SOL_USDC');
    accepted(matchOrder(book, limitOrder('a1', 'seller', 'Ask', '100', '1'), SOL_USDC));
    const order = limitOrder('b1', 'buyer', 'Bid', '100', '1');
    const result = accepted(matchOrder(book, order, SOL_USDC));
    expect(() => settleTakerRemainder(SOL_USDC, order, { asset: 'USDC', units: 1n }, result)).toThrow();
  });
});

describe('settleCancel()', () => {
  it('releases exactly the lock of the remaining quantity', () => {
    const resting: BookOrder = {
      id: 'b1',
      accountId: 'buyer',
      side: 'Bid',
      price: price('100.13'),
      quantity: qty('2'),
      remaining: qty('0.5'),
      createdSeq: 1,
      selfTradePrevention: 'RejectTaker',
    };
    expect(computeRestingLock(SOL_USDC, resting)).toEqual({ asset: 'USDC', units: usdc('50.065') });
    expect(settleCancel(SOL_USDC, resting)).toEqual([
      { accountId: 'buyer', asset: 'USDC', availableDelta: usdc('50.065'), lockedDelta: -usdc('50.065') },
    ]);
  });
});

describe('mergeBalanceChanges()', () => {
  it('sums per account and asset and drops zero results', () => {
    const delta = (accountId: string, asset: string, available: bigint, locked: bigint): BalanceChange => ({
      accountId,
      asset,
      availableDelta: available,
      lockedDelta: locked,
    });
    expect(
      mergeBalanceChanges([
        delta('a', 'SOL', 1n, -1n),
        delta('a', 'SOL', 2n, 0n),
        delta('b', 'SOL', 1n, 0n),
        delta('b', 'SOL', -1n, 0n),
      ]),
    ).toEqual([delta('a', 'SOL', 3n, -1n)]);
  });
});
