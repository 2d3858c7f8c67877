import { beforeEach, describe, expect, it } from 'vitest';
import { matchOrder, type IncomingOrder, type MatchAccepted } from './matching-engine.ts';
import { createOrderBook, getOrder, type OrderBook } from './order-book.ts';
import {
  formatDepth,
  formatTrades as trades,
  limitOrder,
  marketOrder,
  placeOrder,
  qty,
  SOL_USDC,
  usdc,
} from '../../../test/helpers/exchange-fixtures.ts';

let book: OrderBook;

beforeEach(() => {
  book = createOrderBook('SOL_USDC');
});

const place = (order: IncomingOrder): MatchAccepted => placeOrder(book, order);
const depth = (limit?: number): ReturnType<typeof formatDepth> => formatDepth(book, limit);

describe('matchOrder()', () => {
  it('rests a limit order that does not cross', () => {
    const result = place(limitOrder('b1', 'alice', 'Bid', '99', '1'));
    expect(result).toMatchObject({ status: 'New', rested: true, expiryReason: null, fills: [] });
    expect(result.resting).toMatchObject({ id: 'b1', remaining: qty('1'), quantity: qty('1') });
    expect(depth()).toEqual({ bids: [['99', '1']], asks: [] });
  });

  it('fills best price first, then oldest first within a price level', () => {
    place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
    place(limitOrder('a2', 'bob', 'Ask', '100', '1'));
    place(limitOrder('a3', 'carol', 'Ask', '99', '1'));
    const result = place(limitOrder('b1', 'dave', 'Bid', '100', '2.5'));
    expect(trades(result)).toEqual([
      ['a3', '99', '1'],
      ['a1', '100', '1'],
      ['a2', '100', '0.5'],
    ]);
    expect(result).toMatchObject({ status: 'Filled', rested: false });
    expect(result.executedQuantity).toBe(qty('2.5'));
    expect(result.executedQuoteQuantity).toBe(usdc('249'));
    expect(result.fills[2]?.makerRemaining).toBe(qty('0.5'));
    expect(depth()).toEqual({ bids: [], asks: [['100', '0.5']] });
  });

  it('trades at the maker price when the taker crosses deeper', () => {
    place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
    const result = place(limitOrder('b1', 'bob', 'Bid', '105', '1'));
    expect(trades(result)).toEqual([['a1', '100', '1']]);
    expect(result.fills[0]?.quote).toBe(usdc('100'));
  });

  it('rests the remainder of a partially filled GTC order', () => {
    place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
    const result = place(limitOrder('b1', 'bob', 'Bid', '101', '3'));
    expect(result).toMatchObject({ status: 'PartiallyFilled', rested: true });
    expect(result.resting?.remaining).toBe(qty('2'));
    expect(depth()).toEqual({ bids: [['101', '2']], asks: [] });
  });

  it('expires the remainder of an IOC order', () => {
    place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
    const result = place(limitOrder('b1', 'bob', 'Bid', '100', '3', { timeInForce: 'IOC' }));
    expect(result).toMatchObject({ status: 'Expired', expiryReason: 'ImmediateOrCancel', rested: false });
    expect(result.executedQuantity).toBe(qty('1'));
    expect(depth()).toEqual({ bids: [], asks: [] });
  });

  describe('fill or kill', () => {
    beforeEach(() => {
      place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
      place(limitOrder('a2', 'bob', 'Ask', '101', '1'));
    });

    it('expires without any fill or book change when it cannot fill entirely', () => {
      const before = depth();
      const result = place(limitOrder('b1', 'carol', 'Bid', '100', '1.5', { timeInForce: 'FOK' }));
      expect(result).toMatchObject({
        status: 'Expired',
        expiryReason: 'FillOrKill',
        fills: [],
        rested: false,
      });
      expect(depth()).toEqual(before);
    });

    it('fills entirely when liquidity within its price suffices', () => {
      const result = place(limitOrder('b1', 'carol', 'Bid', '101', '2', { timeInForce: 'FOK' }));
      expect(result.status).toBe('Filled');
      expect(trades(result)).toEqual([
        ['a1', '100', '1'],
        ['a2', '101', '1'],
      ]);
    });

    it('does not count its own resting orders as liquidity', () => {
      place(limitOrder('a3', 'carol', 'Ask', '100', '5'));
      const fok = { timeInForce: 'FOK', selfTradePrevention: 'RejectMaker' } as const;
      const result = place(limitOrder('b1', 'carol', 'Bid', '100', '2', fok));
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'FillOrKill', cancelledMakers: [] });
      expect(getOrder(book, 'a3')).toBeDefined();
    });

    it('expires when self-trade prevention would stop it before it is filled', () => {
      place(limitOrder('a0', 'carol', 'Ask', '99', '1'));
      const result = place(limitOrder('b1', 'carol', 'Bid', '101', '1', { timeInForce: 'FOK' }));
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'FillOrKill', fills: [] });
    });
  });

  describe('post only', () => {
    it('is rejected without any state change when it would take', () => {
      place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
      const result = matchOrder(
        book,
        limitOrder('b1', 'bob', 'Bid', '100', '1', { postOnly: true }),
        SOL_USDC,
      );
      expect(result).toEqual({
        ok: false,
        code: 'INVALID_ORDER',
        message: 'Order would immediately match and take',
        expiryReason: 'PostOnlyTaker',
      });
      expect(depth()).toEqual({ bids: [], asks: [['100', '1']] });
    });

    it('rests when it would not take', () => {
      place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
      const result = place(limitOrder('b1', 'bob', 'Bid', '99.99', '1', { postOnly: true }));
      expect(result).toMatchObject({ status: 'New', rested: true });
    });
  });

  describe('self-trade prevention', () => {
    beforeEach(() => {
      place(limitOrder('a1', 'bob', 'Ask', '99', '1'));
      place(limitOrder('own', 'alice', 'Ask', '100', '1'));
      place(limitOrder('a3', 'carol', 'Ask', '100', '1'));
    });

    it('RejectTaker keeps earlier fills, expires the taker and leaves the maker', () => {
      const result = place(
        limitOrder('b1', 'alice', 'Bid', '100', '3', { selfTradePrevention: 'RejectTaker' }),
      );
      expect(trades(result)).toEqual([['a1', '99', '1']]);
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'SelfTradePrevention', rested: false });
      expect(result.cancelledMakers).toEqual([]);
      expect(depth().asks).toEqual([['100', '2']]);
    });

    it('RejectMaker cancels the own resting order and keeps matching', () => {
      const result = place(
        limitOrder('b1', 'alice', 'Bid', '100', '3', { selfTradePrevention: 'RejectMaker' }),
      );
      expect(trades(result)).toEqual([
        ['a1', '99', '1'],
        ['a3', '100', '1'],
      ]);
      expect(result.cancelledMakers).toMatchObject([{ id: 'own', accountId: 'alice', remaining: qty('1') }]);
      expect(result).toMatchObject({ status: 'PartiallyFilled', rested: true });
      expect(depth()).toEqual({ bids: [['100', '1']], asks: [] });
    });

    it('RejectBoth cancels the own resting order and expires the taker', () => {
      const result = place(
        limitOrder('b1', 'alice', 'Bid', '100', '3', { selfTradePrevention: 'RejectBoth' }),
      );
      expect(trades(result)).toEqual([['a1', '99', '1']]);
      expect(result.cancelledMakers.map((order) => order.id)).toEqual(['own']);
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'SelfTradePrevention' });
      expect(depth().asks).toEqual([['100', '1']]);
    });
  });

  describe('fees', () => {
    it('charges each side in the asset it receives', () => {
      place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
      const [fill] = place(limitOrder('b1', 'bob', 'Bid', '100', '1')).fills;
      expect(fill?.takerFee).toBe(qty('0.0005')); // 5 bps of 1 SOL, paid by the buyer (taker) in SOL
      expect(fill?.makerFee).toBe(usdc('0.02')); // 2 bps of 100 USDC, paid by the seller (maker) in USDC
    });

    it('charges a buying maker in base and a selling taker in quote', () => {
      place(limitOrder('b1', 'alice', 'Bid', '100', '1'));
      const [fill] = place(limitOrder('a1', 'bob', 'Ask', '100', '1')).fills;
      expect(fill?.makerFee).toBe(qty('0.0002'));
      expect(fill?.takerFee).toBe(usdc('0.05'));
    });

    it('rounds fees up to the smallest unit', () => {
      place(limitOrder('a1', 'alice', 'Ask', '0.01', '0.01'));
      const [fill] = place(limitOrder('b1', 'bob', 'Bid', '0.01', '0.01')).fills;
      expect(fill?.quote).toBe(100n); // 0.0001 USDC
      expect(fill?.makerFee).toBe(1n); // 2 bps of 100 units = 0.02 units, rounded up
      expect(fill?.takerFee).toBe(5_000n); // 5 bps of 10^7 SOL units, exact
    });
  });

  describe('market orders', () => {
    beforeEach(() => {
      place(limitOrder('a1', 'alice', 'Ask', '100', '1'));
      place(limitOrder('a2', 'bob', 'Ask', '101', '1'));
    });

    it('by quantity sweep levels and never rest', () => {
      const result = place(marketOrder('m1', 'carol', 'Bid', { quantity: '1.5' }));
      expect(trades(result)).toEqual([
        ['a1', '100', '1'],
        ['a2', '101', '0.5'],
      ]);
      expect(result).toMatchObject({ status: 'Filled', rested: false });
    });

    it('by quantity expire for lack of liquidity', () => {
      const result = place(marketOrder('m1', 'carol', 'Bid', { quantity: '5' }));
      expect(result).toMatchObject({
        status: 'Expired',
        expiryReason: 'InsufficientLiquidity',
        rested: false,
      });
      expect(result.executedQuantity).toBe(qty('2'));
      expect(depth().asks).toEqual([]);
    });

    it('by quoteQuantity spend at most that quote, rounding each fill down to the step', () => {
      const result = place(marketOrder('m1', 'carol', 'Bid', { quoteQuantity: '150' }));
      // 1 SOL for 100 USDC, then 50 USDC buys 0.49 SOL at 101 (49.49 USDC); 0.51 USDC is left unspent.
      expect(trades(result)).toEqual([
        ['a1', '100', '1'],
        ['a2', '101', '0.49'],
      ]);
      expect(result.executedQuoteQuantity).toBe(usdc('149.49'));
      expect(result.status).toBe('Filled');
    });

    it('sell by quoteQuantity receives at most that quote', () => {
      place(limitOrder('b1', 'dave', 'Bid', '99', '2'));
      const result = place(marketOrder('m1', 'carol', 'Ask', { quoteQuantity: '50.5' }));
      expect(trades(result)).toEqual([['b1', '99', '0.51']]);
      expect(result.executedQuoteQuantity).toBe(usdc('50.49'));
      expect(result.status).toBe('Filled');
    });

    it('by quoteQuantity too small for one step expire without a fill', () => {
      const result = place(marketOrder('m1', 'carol', 'Bid', { quoteQuantity: '0.5' }));
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'InvalidQuantity', fills: [] });
    });

    it('stop at the spend limit (the amount the service locked)', () => {
      const result = place(marketOrder('m1', 'carol', 'Bid', { quantity: '2' }, { spendLimit: usdc('150') }));
      expect(trades(result)).toEqual([
        ['a1', '100', '1'],
        ['a2', '101', '0.49'],
      ]);
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'InsufficientFunds' });
    });

    it('sell stops at a base spend limit', () => {
      place(limitOrder('b1', 'dave', 'Bid', '99', '2'));
      const result = place(
        marketOrder('m1', 'carol', 'Ask', { quoteQuantity: '500' }, { spendLimit: qty('0.255') }),
      );
      expect(trades(result)).toEqual([['b1', '99', '0.25']]);
      expect(result).toMatchObject({ status: 'Expired', expiryReason: 'InsufficientFunds' });
    });
  });

  it('throws on malformed orders (validateOrder prevents them)', () => {
    expect(() =>
      matchOrder(book, { ...limitOrder('x', 'a', 'Bid', '1', '1'), price: undefined }, SOL_USDC),
    ).toThrow();
    const both = { ...marketOrder('m', 'a', 'Bid', { quantity: '1' }), quoteQuantity: usdc('1') };
    expect(() => matchOrder(book, both, SOL_USDC)).toThrow();
    const limitWithBudget = limitOrder('y', 'a', 'Bid', '1', '1', { spendLimit: 1n });
    expect(() => matchOrder(book, limitWithBudget, SOL_USDC)).toThrow();
    place(limitOrder('dup', 'a', 'Bid', '1', '1'));
    expect(() => matchOrder(book, limitOrder('dup', 'b', 'Ask', '1', '1'), SOL_USDC)).toThrow(/already/);
    expect(formatDepth(book).bids).toEqual([['1', '1']]);
  });
});
