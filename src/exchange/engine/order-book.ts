/**
 * A price-time-priority limit order book for one market, held in memory.
 *
 * Structure: each side keeps its price levels in an array sorted from worst to BEST (best is last, so the
 * level consumed most often is popped in O(1)), plus a Map<price, level>. Each level is a FIFO doubly linked
 * list of orders, and the book keeps a Map<orderId, node>, so cancel is O(1) plus, when a level empties, one
 * binary search and splice over the (short) level array.
 * Invariants: no empty level is ever stored; level.quantity = sum of its orders' remaining; every order has
 * remaining > 0; within a level orders are in ascending createdSeq; the book is never crossed (only
 * matchOrder() adds orders that could cross, and it matches them first).
 * Pure: no I/O, no clock. `sequence` increases on every change (use it as depth's lastUpdateId).
 */
import type { SelfTradePrevention, Side } from '../model/order-types.ts';

export interface BookOrder {
  readonly id: string;
  /** Subaccount that owns the order. */
  readonly accountId: string;
  readonly side: Side;
  readonly price: bigint;
  /** Original quantity in base units. */
  readonly quantity: bigint;
  readonly remaining: bigint;
  /** Time priority within a price level (lower first). */
  readonly createdSeq: number;
  /** Kept for reporting; a resting order's own setting never decides anything (the taker's does). */
  readonly selfTradePrevention: SelfTradePrevention;
  /** Reporting only (a maker's fill event and trade row carry them without reading the order back). */
  readonly clientId?: number | null;
  readonly postOnly?: boolean;
}

export interface OrderNode extends BookOrder {
  remaining: bigint;
  prev: OrderNode | null;
  next: OrderNode | null;
  level: PriceLevel;
}

export interface PriceLevel {
  readonly price: bigint;
  quantity: bigint;
  head: OrderNode | null;
  tail: OrderNode | null;
}

export interface BookSide {
  readonly side: Side;
  /** Worst to best: ascending prices for bids, descending for asks. */
  readonly levels: PriceLevel[];
  readonly byPrice: Map<bigint, PriceLevel>;
}

export interface OrderBook {
  readonly symbol: string;
  readonly bids: BookSide;
  readonly asks: BookSide;
  readonly orders: Map<string, OrderNode>;
  sequence: number;
}

export type DepthLevel = [price: bigint, quantity: bigint];

export class OrderBookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderBookError';
  }
}

export function createOrderBook(symbol: string): OrderBook {
  const side = (name: Side): BookSide => ({ side: name, levels: [], byPrice: new Map() });
  return { symbol, bids: side('Bid'), asks: side('Ask'), orders: new Map(), sequence: 0 };
}

/**
 * Puts an order on the book, behind orders with a lower createdSeq at its price. Used to rebuild a book from
 * the database at start-up (any load order works) and by matchOrder() to rest a remainder. Throws on a
 * duplicate id, a non-positive remaining, or an order that would cross the opposite side.
 */
export function addRestingOrder(book: OrderBook, order: BookOrder): BookOrder {
  if (book.orders.has(order.id)) throw new OrderBookError(`Order ${order.id} is already on the book`);
  if (order.remaining <= 0n || order.remaining > order.quantity) {
    throw new OrderBookError(`Order ${order.id} has an invalid remaining quantity`);
  }
  const opposite = getBestPrice(order.side === 'Bid' ? book.asks : book.bids);
  if (opposite !== null && crossesPrice(order.side, order.price, opposite)) {
    throw new OrderBookError(`Order ${order.id} would cross the book`);
  }
  const bookSide = order.side === 'Bid' ? book.bids : book.asks;
  const level = bookSide.byPrice.get(order.price) ?? insertLevel(bookSide, order.price);
  const node: OrderNode = {
    id: order.id,
    accountId: order.accountId,
    side: order.side,
    price: order.price,
    quantity: order.quantity,
    remaining: order.remaining,
    createdSeq: order.createdSeq,
    selfTradePrevention: order.selfTradePrevention,
    clientId: order.clientId ?? null,
    postOnly: order.postOnly ?? false,
    prev: null,
    next: null,
    level,
  };
  let after = level.tail;
  while (after !== null && after.createdSeq > node.createdSeq) after = after.prev;
  node.prev = after;
  node.next = after === null ? level.head : after.next;
  if (node.next === null) level.tail = node;
  else node.next.prev = node;
  if (after === null) level.head = node;
  else after.next = node;
  level.quantity += node.remaining;
  book.orders.set(node.id, node);
  book.sequence = Math.max(book.sequence, node.createdSeq) + 1;
  return snapshotOrder(node);
}

/** Removes a resting order; returns it as it was (with its remaining), or null when it is not on the book. */
export function cancelOrder(book: OrderBook, orderId: string): BookOrder | null {
  const node = book.orders.get(orderId);
  if (node === undefined) return null;
  removeOrderNode(book, node);
  return snapshotOrder(node);
}

export function getOrder(book: OrderBook, orderId: string): BookOrder | undefined {
  const node = book.orders.get(orderId);
  return node === undefined ? undefined : snapshotOrder(node);
}

/** All resting orders, in no particular order. */
export function listOrders(book: OrderBook): BookOrder[] {
  return Array.from(book.orders.values(), snapshotOrder);
}

/** A plain copy of a node's order fields: callers never hold live nodes (which change as they fill). */
export function snapshotOrder(node: OrderNode): BookOrder {
  return {
    id: node.id,
    accountId: node.accountId,
    side: node.side,
    price: node.price,
    quantity: node.quantity,
    remaining: node.remaining,
    createdSeq: node.createdSeq,
    selfTradePrevention: node.selfTradePrevention,
    clientId: node.clientId ?? null,
    postOnly: node.postOnly ?? false,
  };
}

export function getBestBid(book: OrderBook): bigint | null {
  return getBestPrice(book.bids);
}

export function getBestAsk(book: OrderBook): bigint | null {
  return getBestPrice(book.asks);
}

/** Backpack depth order: bids ascending with the best LAST, asks ascending with the best FIRST. */
export function getDepth(book: OrderBook, limit: number): { bids: DepthLevel[]; asks: DepthLevel[] } {
  const take = (levels: PriceLevel[]): DepthLevel[] =>
    levels
      .slice(Math.max(0, levels.length - limit))
      .map((level): DepthLevel => [level.price, level.quantity]);
  return { bids: take(book.bids.levels), asks: take(book.asks.levels).reverse() };
}

/** True when an order on `side` at `price` would trade against a resting order at `restingPrice`. */
export function crossesPrice(side: Side, price: bigint, restingPrice: bigint): boolean {
  return side === 'Bid' ? price >= restingPrice : price <= restingPrice;
}

/** Reduces a resting order by a traded quantity, removing it when nothing remains. */
export function reduceOrderNode(book: OrderBook, node: OrderNode, tradedQuantity: bigint): void {
  node.remaining -= tradedQuantity;
  node.level.quantity -= tradedQuantity;
  if (node.remaining === 0n) removeOrderNode(book, node);
  else book.sequence += 1;
}

export function removeOrderNode(book: OrderBook, node: OrderNode): void {
  const level = node.level;
  if (node.prev === null) level.head = node.next;
  else node.prev.next = node.next;
  if (node.next === null) level.tail = node.prev;
  else node.next.prev = node.prev;
  level.quantity -= node.remaining;
  book.orders.delete(node.id);
  if (level.head === null) removeLevel(node.side === 'Bid' ? book.bids : book.asks, level);
  book.sequence += 1;
}

function getBestPrice(bookSide: BookSide): bigint | null {
  const best = bookSide.levels[bookSide.levels.length - 1];
  return best === undefined ? null : best.price;
}

function insertLevel(bookSide: BookSide, price: bigint): PriceLevel {
  const level: PriceLevel = { price, quantity: 0n, head: null, tail: null };
  bookSide.levels.splice(findLevelIndex(bookSide, price), 0, level);
  bookSide.byPrice.set(price, level);
  return level;
}

function removeLevel(bookSide: BookSide, level: PriceLevel): void {
  const levels = bookSide.levels;
  if (levels[levels.length - 1] === level) levels.pop();
  else levels.splice(findLevelIndex(bookSide, level.price), 1);
  bookSide.byPrice.delete(level.price);
}

/** Index of the first level not worse than `price` (binary search, worst-to-best array). */
function findLevelIndex(bookSide: BookSide, price: bigint): number {
  const levels = bookSide.levels;
  const ascending = bookSide.side === 'Bid';
  let low = 0;
  let high = levels.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const levelPrice = (levels[middle] as PriceLevel).price;
    if (ascending ? levelPrice < price : levelPrice > price) low = middle + 1;
    else high = middle;
  }
  return low;
}
