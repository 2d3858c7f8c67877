import { beforeEach, describe, expect, it } from 'vitest';
import type { IncomingOrder, MatchAccepted } from './matching-engine.ts';
import {
  addRestingOrder,
  cancelOrder,
  createOrderBook,
  getBestAsk,
  getBestBid,
  OrderBookError,
  type OrderBook,
} from './order-book.ts';
import {
  formatDepth,
  formatTrades as trades,
  limitOrder,
  placeOrder,
  price,
  qty,
} from '../../../test/helpers/exchange-fixtures.ts';

let book: OrderBook;

beforeEach(() => {
  book = createOrderBook('SOL_USDC');
});

const place = (order: IncomingOrder): MatchAccepted => placeOrder(book, order);
const depth = (limit?: number): ReturnType<typeof formatDepth> => formatDepth(book, limit);

describe('cancelOrder()', () => {
  it('removes a resting order and returns it with its remaining quantity', () => {
    place(limitOrder('a1', 'alice', 'Ask', '100', '2'));
    place(limitOrder('b1', 'bob', 'Bid', '100', '0.5'));
    expect(cancelOrder(book, 'a1')).toMatchObject({ id: 'a1', remaining: qty('1.5'), quantity: qty('2') });
    expect(depth()).toEqual({ bids: [], asks: [] });
    expect(getBestAsk(book)).toBeNull();
  });

  it('returns null for an order that is not on the book', () => {
    expect(cancelOrder(book, 'nope')).toBeNull();
  });

  it('keeps the time priority of the other orders at the level', () => {
    for (const id of ['a1', 'a2', 'a3']) place(limitOrder(id, id, 'Ask', '100', '1'));
    cancelOrder(book, 'a2');
    const result = place(limitOrder('b1', 'bob', 'Bid', '100', '2'));
    expect(trades(result).map(([id]) => id)).toEqual(['a1', 'a3']);
  });
});

describe('getDepth()', () => {
  beforeEach(() => {
    for (const [id, p] of [
      ['b1', '97'],
      ['b2', '99'],
      ['b3', '98'],
      ['b4', '99'],
    ] as const) {
      place(limitOrder(id, id, 'Bid', p, '1'));
    }
    for (const [id, p] of [
      ['a1', '102'],
      ['a2', '100'],
      ['a3', '101'],
    ] as const) {
      place(limitOrder(id, id, 'Ask', p, '1.5'));
    }
  });

  it('lists bids ascending with the best last and asks ascending with the best first', () => {
    expect(depth()).toEqual({
      bids: [
        ['97', '1'],
        ['98', '1'],
        ['99', '2'],
      ],
      asks: [
        ['100', '1.5'],
        ['101', '1.5'],
        ['102', '1.5'],
      ],
    });
    expect(getBestBid(book)).toBe(price('99'));
    expect(getBestAsk(book)).toBe(price('100'));
  });

  it('keeps the best levels when limited', () => {
    expect(depth(2)).toEqual({
      bids: [
        ['98', '1'],
        ['99', '2'],
      ],
      asks: [
        ['100', '1.5'],
        ['101', '1.5'],
      ],
    });
  });
});

describe('addRestingOrder()', () => {
  const resting = (id: string, createdSeq: number): Parameters<typeof addRestingOrder>[1] => ({
    id,
    accountId: id,
    side: 'Ask',
    price: price('100'),
    quantity: qty('1'),
    remaining: qty('1'),
    createdSeq,
    selfTradePrevention: 'RejectTaker',
  });

  it('rebuilds time priority from createdSeq whatever the load order', () => {
    for (const [id, seq] of [
      ['c', 30],
      ['a', 10],
      ['d', 40],
      ['b', 20],
    ] as const)
      addRestingOrder(book, resting(id, seq));
    const result = place(limitOrder('t', 'taker', 'Bid', '100', '4'));
    expect(trades(result).map(([id]) => id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives later orders a higher createdSeq than any loaded order', () => {
    addRestingOrder(book, resting('old', 500));
    expect(place(limitOrder('new', 'x', 'Ask', '100', '1')).resting?.createdSeq).toBeGreaterThan(500);
  });

  it('refuses duplicates, empty orders and orders that would cross', () => {
    addRestingOrder(book, resting('a', 1));
    expect(() => addRestingOrder(book, resting('a', 2))).toThrow(OrderBookError);
    expect(() => addRestingOrder(book, { ...resting('z', 3), remaining: 0n })).toThrow(OrderBookError);
    expect(() => addRestingOrder(book, { ...resting('b', 4), side: 'Bid', price: price('100') })).toThrow(
      /would cross/,
    );
  });
});
