/**
 * Turns each group commit of the exchange into one MarketEvent (market-events.ts) and hands it to the event bus
 * once the transaction has committed.
 *
 * - Depth: the book's levels are compared with the levels this node last published for the market (absolute
 *   quantities, "0" for a level that went away). The new levels become "published" only after the commit, so a
 *   rolled-back group never shifts the baseline. A book rebuilt from another node's writes just yields a larger
 *   (still correct) delta.
 * - Orders: the exchange recorded each order's changes as it made them (GroupCommit.orders: accepted, each fill
 *   with the order's state after it, cancelled, expired), so each becomes one event as it is, in the order the
 *   writes ran; nothing is read back from the database. A placement gives orderAccepted, then per trade the
 *   maker's and the taker's orderFill, then orderExpired; makers removed by self-trade prevention and cancels give
 *   orderCancelled.
 * - Record: a bus that sends through the database (the SQLite outbox) writes the event inside the transaction.
 * Threat: events carry subaccount ids; the hub routes private events by them and never to another subaccount.
 */
import type { Kysely } from 'kysely';

import type {
  BookSide,
  CommitObserver,
  ExchangeConfig,
  GroupCommit,
  MarketConfig,
  OrderChange,
  OrderState,
  TradeRow,
} from '../exchange/index.ts';
import type { Database } from '../store/schema.ts';
import type { LevelChange, MarketEvent, OrderEvent, TradeEvent } from './market-events.ts';

type Levels = Map<bigint, bigint>;

interface PublishedBook {
  bids: Levels;
  asks: Levels;
}

export class CommitEventBuilder implements CommitObserver {
  private readonly published = new Map<string, PublishedBook>();

  constructor(
    private readonly options: {
      readonly node: string;
      readonly config: ExchangeConfig;
      readonly publish: (event: MarketEvent) => void;
      /** Inside the transaction, once the event is known (a bus whose channel is the database: the outbox). */
      readonly record?: (trx: Kysely<Database>, event: MarketEvent) => Promise<void>;
      readonly now?: () => number;
    },
  ) {}

  async beforeCommit(trx: Kysely<Database>, commit: GroupCommit): Promise<() => void> {
    const market = this.options.config.marketsBySymbol.get(commit.symbol) as MarketConfig;
    const previous = this.published.get(commit.symbol) ?? { bids: new Map(), asks: new Map() };
    const bids = diffLevels(commit.book.bids, previous.bids);
    const asks = diffLevels(commit.book.asks, previous.asks);
    const orders = commit.orders.map((change) => toOrderEvent(market, change));
    const event: MarketEvent = {
      node: this.options.node,
      symbol: commit.symbol,
      sequence: commit.sequence,
      time: (this.options.now ?? Date.now)() * 1000,
      bids: bids.changes,
      asks: asks.changes,
      bestBid: bestLevel(commit.book.bids),
      bestAsk: bestLevel(commit.book.asks),
      trades: commit.trades.map(toTradeEvent),
      orders,
    };
    if (this.options.record) await this.options.record(trx, event);
    return () => {
      this.published.set(commit.symbol, { bids: bids.levels, asks: asks.levels });
      // After the writes' HTTP answers: fan-out never delays an order's response. setImmediate runs in FIFO
      // order, so events keep their commit order.
      setImmediate(() => this.options.publish(event));
    };
  }
}

/** One order change as its event: the order's fields as the change left it, plus the fill for a fill. Pure. */
export function toOrderEvent(market: MarketConfig, change: OrderChange): OrderEvent {
  const fields = orderFields(change.order);
  switch (change.kind) {
    case 'accepted':
      return { ...fields, e: 'orderAccepted' };
    case 'cancelled':
      return { ...fields, e: 'orderCancelled' };
    case 'expired':
      return { ...fields, e: 'orderExpired' };
    case 'fill': {
      const { trade, maker } = change;
      const side = maker ? (trade.takerSide === 'Bid' ? 'Ask' : 'Bid') : trade.takerSide;
      return {
        ...fields,
        e: 'orderFill',
        fill: {
          tradeId: trade.id,
          price: String(trade.price),
          quantity: String(trade.quantity),
          maker,
          fee: String(maker ? trade.makerFee : trade.takerFee),
          feeSymbol: side === 'Bid' ? market.baseSymbol : market.quoteSymbol,
        },
      };
    }
  }
}

function orderFields(order: OrderState): Omit<OrderEvent, 'e'> {
  return {
    subaccountId: order.subaccountId,
    id: order.id,
    clientId: order.clientId,
    side: order.side,
    orderType: order.orderType,
    timeInForce: order.timeInForce,
    selfTradePrevention: order.selfTradePrevention,
    postOnly: order.postOnly,
    price: order.price === null ? null : String(order.price),
    quantity: order.quantity === null ? null : String(order.quantity),
    quoteQuantity: order.quoteQuantity === null ? null : String(order.quoteQuantity),
    status: order.status,
    expiryReason: order.expiryReason,
    executedQuantity: String(order.executedQuantity),
    executedQuoteQuantity: String(order.executedQuoteQuantity),
  };
}

function toTradeEvent(trade: TradeRow): TradeEvent {
  const takerBuys = trade.takerSide === 'Bid';
  return {
    id: trade.id,
    price: String(trade.price),
    quantity: String(trade.quantity),
    buyerOrderId: String(takerBuys ? trade.takerOrderId : trade.makerOrderId),
    sellerOrderId: String(takerBuys ? trade.makerOrderId : trade.takerOrderId),
    buyerIsMaker: !takerBuys,
    time: trade.createdAt,
  };
}

/** The side's levels now, and what changed since `previous` (absolute quantities; "0" = gone). */
export function diffLevels(side: BookSide, previous: Levels): { levels: Levels; changes: LevelChange[] } {
  const levels: Levels = new Map();
  const changes: LevelChange[] = [];
  for (const level of side.levels) {
    levels.set(level.price, level.quantity);
    if (previous.get(level.price) !== level.quantity) {
      changes.push([String(level.price), String(level.quantity)]);
    }
  }
  for (const price of previous.keys()) {
    if (!levels.has(price)) changes.push([String(price), '0']);
  }
  changes.sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1));
  return { levels, changes };
}

function bestLevel(side: BookSide): LevelChange | null {
  const best = side.levels[side.levels.length - 1];
  return best === undefined ? null : [String(best.price), String(best.quantity)];
}
