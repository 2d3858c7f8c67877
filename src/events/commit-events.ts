/**
 * Turns each group commit of the exchange into one MarketEvent (market-events.ts) and hands it to the event bus
 * once the transaction has committed.
 *
 * - Depth: the book's levels are compared with the levels this node last published for the market (absolute
 *   quantities, "0" for a level that went away). The new levels become "published" only after the commit, so a
 *   rolled-back group never shifts the baseline. A book rebuilt from another node's writes just yields a larger
 *   (still correct) delta.
 * - Orders: every order a trade, a cancel or a placement touched is read back INSIDE the transaction (one query),
 *   which gives its state at the end of the group exactly; the state at each fill is found by walking the group's
 *   trades forward from (end state - the group's fills). Events come in the order the writes ran: a placement
 *   gives orderAccepted, then per trade the maker's and the taker's orderFill, then orderExpired; makers removed by
 *   self-trade prevention give orderCancelled; a cancel gives orderCancelled.
 * - Record: a bus that sends through the database (the SQLite outbox) writes the event inside the transaction.
 * Threat: events carry subaccount ids; the hub routes private events by them and never to another subaccount.
 */
import type { Kysely } from 'kysely';

import {
  ORDER_SELECT_COLUMNS,
  toOrderRecord,
  type BookSide,
  type CommitObserver,
  type ExchangeConfig,
  type GroupCommit,
  type MarketConfig,
  type OrderRecord,
  type OrderRow,
  type TradeRow,
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
    const orders = await this.orderEvents(trx, commit, market);
    const event: MarketEvent = {
      node: this.options.node,
      symbol: commit.symbol,
      sequence: commit.sequence,
      time: (this.options.now ?? Date.now)() * 1000,
      bids: bids.changes,
      asks: asks.changes,
      bestBid: bestLevel(commit.book.bids),
      bestAsk: bestLevel(commit.book.asks),
      trades: commit.writes.trades.map(toTradeEvent),
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

  private async orderEvents(
    trx: Kysely<Database>,
    commit: GroupCommit,
    market: MarketConfig,
  ): Promise<OrderEvent[]> {
    const { trades, cancelledMakers } = commit.writes;
    const records = commit.results.flatMap((value) =>
      Array.isArray(value) ? value : [value],
    ) as OrderRecord[];
    if (records.length === 0 && trades.length === 0) return [];
    const ids = new Set<number>();
    for (const trade of trades) ids.add(trade.makerOrderId).add(trade.takerOrderId);
    for (const { order } of cancelledMakers) ids.add(Number(order.id));
    const final = new Map<string, OrderRecord>();
    if (ids.size > 0) {
      const rows = (await trx
        .selectFrom('orders')
        .select(ORDER_SELECT_COLUMNS)
        .where('id', 'in', [...ids])
        .execute()) as unknown as OrderRow[];
      for (const row of rows) final.set(String(row.id), toOrderRecord(row));
    }
    return describeOrderEvents({ market, records, trades, cancelledMakers, final });
  }
}

/**
 * The order events of one group, in the order its writes ran. `final` holds every order that traded or was
 * cancelled by self-trade prevention, as the group leaves it. Pure.
 */
export function describeOrderEvents(input: {
  market: MarketConfig;
  records: readonly OrderRecord[];
  trades: readonly TradeRow[];
  cancelledMakers: GroupCommit['writes']['cancelledMakers'];
  final: ReadonlyMap<string, OrderRecord>;
}): OrderEvent[] {
  const { market, records, trades, cancelledMakers, final } = input;
  // Executed amounts before the group: the end state minus the group's fills of that order.
  const executed = new Map<string, { base: bigint; quote: bigint; fillsLeft: number }>();
  for (const trade of trades) {
    for (const id of [String(trade.makerOrderId), String(trade.takerOrderId)]) {
      const end = final.get(id);
      const state = executed.get(id) ?? {
        base: end?.executedQuantity ?? 0n,
        quote: end?.executedQuoteQuantity ?? 0n,
        fillsLeft: 0,
      };
      state.base -= trade.quantity;
      state.quote -= trade.quote;
      state.fillsLeft += 1;
      executed.set(id, state);
    }
  }
  const tradesByTaker = new Map<string, TradeRow[]>();
  for (const trade of trades) {
    const list = tradesByTaker.get(String(trade.takerOrderId)) ?? [];
    list.push(trade);
    tradesByTaker.set(String(trade.takerOrderId), list);
  }
  const events: OrderEvent[] = [];
  const fillEvent = (order: OrderRecord, trade: TradeRow, maker: boolean): OrderEvent => {
    const state = executed.get(order.id) as { base: bigint; quote: bigint; fillsLeft: number };
    state.base += trade.quantity;
    state.quote += trade.quote;
    state.fillsLeft -= 1;
    const side = maker ? (trade.takerSide === 'Bid' ? 'Ask' : 'Bid') : trade.takerSide;
    const last = state.fillsLeft === 0;
    return {
      ...orderFields(order),
      e: 'orderFill',
      status: last && order.status === 'Filled' ? 'Filled' : 'PartiallyFilled',
      expiryReason: null,
      executedQuantity: String(state.base),
      executedQuoteQuantity: String(state.quote),
      fill: {
        tradeId: trade.id,
        price: String(trade.price),
        quantity: String(trade.quantity),
        maker,
        fee: String(maker ? trade.makerFee : trade.takerFee),
        feeSymbol: side === 'Bid' ? market.baseSymbol : market.quoteSymbol,
      },
    };
  };
  for (const record of records) {
    if (record.status === 'Cancelled') {
      events.push({ ...orderFields(record), e: 'orderCancelled' });
      continue;
    }
    const order = final.get(record.id) ?? record;
    events.push({
      ...orderFields(order),
      e: 'orderAccepted',
      status: 'New',
      expiryReason: null,
      executedQuantity: '0',
      executedQuoteQuantity: '0',
    });
    for (const trade of tradesByTaker.get(record.id) ?? []) {
      const maker = final.get(String(trade.makerOrderId));
      if (maker !== undefined) events.push(fillEvent(maker, trade, true));
      events.push(fillEvent(order, trade, false));
    }
    if (record.status === 'Expired') {
      events.push({
        ...orderFields(record),
        e: 'orderExpired',
        executedQuantity: String(record.executedQuantity),
        executedQuoteQuantity: String(record.executedQuoteQuantity),
      });
    }
    for (const { order: maker, takerOrderId } of cancelledMakers) {
      if (takerOrderId !== record.id) continue;
      const cancelled = final.get(maker.id);
      if (cancelled !== undefined) events.push({ ...orderFields(cancelled), e: 'orderCancelled' });
    }
  }
  return events;
}

function orderFields(order: OrderRecord): Omit<OrderEvent, 'e'> {
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
