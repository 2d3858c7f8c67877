/**
 * Who listens to what, and what each market event means for every stream: the fan-out half of the WebSocket
 * API (stream-server.ts owns sockets, frames and keys).
 *
 * - depth.<s>: one message per market event that changed levels; U..u cover every sequence since the previous
 *   message (events that changed no level are folded into the next one), so U == previous u + 1 always holds,
 *   except after a gap the sequencer reported: then U restarts at that event's sequence and the client resyncs.
 * - depth.<window>.<s>: changes merged per window (200/600/1000 ms). Like depth.<s>, U..u cover every sequence
 *   since the previous frame of that stream (a window whose events changed no level sends nothing and folds into
 *   the next frame), so U == previous u + 1 always holds, except after a sequencer gap.
 * - bookTicker.<s>: when the best bid or ask changed. trade.<s>: every trade. kline.<i>.<s>: the open candle at
 *   most once a second when it changed, and a final X:true when it ends. ticker.<s>: every second (24 h rolling,
 *   read from the database like REST's ticker).
 * - account.orderUpdate[.<s>]: order events routed by the subaccount of the key the connection signed with; a
 *   connection never receives another subaccount's events. account.positionUpdate: accepted, spot sends nothing.
 * Each message is serialised and framed once (wire-frame.ts) and queued to every subscriber; the socket layer
 * batches a turn's frames into one write per socket and bounds each send buffer.
 */
import {
  bucketEnd,
  bucketStart,
  type Exchange,
  type ExchangeConfig,
  type KlineInterval,
  type MarketConfig,
} from '../../exchange/index.ts';
import type { LevelChange, MarketEvent } from '../../events/index.ts';
import {
  DEPTH_WINDOWS,
  type DepthWindow,
  type KlineStreamInterval,
  type StreamName,
} from './stream-frames.ts';
import {
  bookTickerMessage,
  depthMessage,
  klineMessage,
  orderUpdateMessage,
  tickerMessage,
  tradeMessage,
  type Candle,
} from './stream-messages.ts';
import { textFrame, type WireFrame } from './wire-frame.ts';

export interface StreamSubscriber {
  /** Queues one text frame (the socket layer enforces the send-buffer bound). */
  send(frame: WireFrame): void;
  /** The subaccount of the key that signed this connection's private subscriptions, if any. */
  readonly subaccountId: string | null;
}

interface DepthState {
  /** First sequence the next depth message covers; null until the first event. */
  start: number | null;
  bestBid: LevelChange | null;
  bestAsk: LevelChange | null;
}

interface WindowAccumulator {
  bids: Map<string, string>;
  asks: Map<string, string>;
  /** U of the next frame: the sequence after the previous frame's u (null until the first event). */
  first: number | null;
  last: number;
  engineTime: number;
}

interface KlineState {
  candle: Candle | null;
  dirty: boolean;
  /** Trades before this time are already in the candle loaded from the database. */
  liveFrom: number;
}

const SECOND = 1000;

export class StreamHub {
  /** stream name -> subscribers (public streams and `account.*` names alike). */
  private readonly subscribers = new Map<string, Set<StreamSubscriber>>();
  private readonly depth = new Map<string, DepthState>();
  private readonly windows = new Map<string, WindowAccumulator>();
  private readonly klines = new Map<string, KlineState>();
  private readonly timers: NodeJS.Timeout[] = [];
  private tickerRunning = false;

  constructor(
    private readonly options: {
      readonly config: ExchangeConfig;
      readonly exchange: Exchange;
      readonly now?: () => number;
      readonly onError: (error: unknown) => void;
    },
  ) {}

  start(): void {
    for (const [window, ms] of Object.entries(DEPTH_WINDOWS)) {
      this.timers.push(setInterval(() => this.flushWindows(window as DepthWindow), ms));
    }
    this.timers.push(setInterval(() => this.flushKlines(), SECOND));
    this.timers.push(setInterval(() => void this.sendTickers(), SECOND));
    for (const timer of this.timers) timer.unref();
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  /** Adds `subscriber` to `name` (idempotent). */
  subscribe(subscriber: StreamSubscriber, name: string, stream: StreamName): void {
    let set = this.subscribers.get(name);
    if (set === undefined) {
      set = new Set();
      this.subscribers.set(name, set);
      if (stream.kind === 'depth' && stream.window !== null) {
        this.windows.set(name, { bids: new Map(), asks: new Map(), first: null, last: 0, engineTime: 0 });
      }
      if (stream.kind === 'kline') this.startKline(name, stream.symbol, stream.interval);
    }
    set.add(subscriber);
  }

  unsubscribe(subscriber: StreamSubscriber, name: string): void {
    const set = this.subscribers.get(name);
    if (set === undefined) return;
    set.delete(subscriber);
    if (set.size === 0) {
      this.subscribers.delete(name);
      this.windows.delete(name);
      this.klines.delete(name);
    }
  }

  subscriberCount(name: string): number {
    return this.subscribers.get(name)?.size ?? 0;
  }

  /** A market event, in sequence order (see event-sequencer.ts). */
  onEvent(event: MarketEvent, info: { afterGap: boolean }): void {
    const market = this.options.config.marketsBySymbol.get(event.symbol);
    if (market === undefined) return;
    const eventTime = this.nowMs() * 1000;
    const depth = this.depthState(event.symbol);
    if (depth.start === null || info.afterGap) depth.start = event.sequence;
    if (event.bids.length > 0 || event.asks.length > 0) {
      this.publish(`depth.${event.symbol}`, () =>
        depthMessage({
          market,
          eventTime,
          engineTime: event.time,
          bids: event.bids,
          asks: event.asks,
          firstSequence: depth.start as number,
          lastSequence: event.sequence,
        }),
      );
      depth.start = event.sequence + 1;
    }
    this.accumulateWindows(event, info.afterGap);
    if (!sameLevel(depth.bestBid, event.bestBid) || !sameLevel(depth.bestAsk, event.bestAsk)) {
      depth.bestBid = event.bestBid;
      depth.bestAsk = event.bestAsk;
      this.publish(`bookTicker.${event.symbol}`, () =>
        bookTickerMessage({
          market,
          eventTime,
          engineTime: event.time,
          bestBid: event.bestBid,
          bestAsk: event.bestAsk,
          sequence: event.sequence,
        }),
      );
    }
    for (const trade of event.trades) {
      this.publish(`trade.${event.symbol}`, () => tradeMessage(trade, market, eventTime));
      this.addTradeToKlines(market, trade.time, BigInt(trade.price), BigInt(trade.quantity));
    }
    for (const order of event.orders) {
      const times = { eventTime, engineTime: event.time };
      for (const name of ['account.orderUpdate', `account.orderUpdate.${event.symbol}`]) {
        const set = this.subscribers.get(name);
        if (set === undefined) continue;
        let frame: WireFrame | undefined;
        for (const subscriber of set) {
          // The routing rule: only connections signed by a key of the order's subaccount.
          if (subscriber.subaccountId !== order.subaccountId) continue;
          frame ??= textFrame(
            JSON.stringify({ stream: name, data: orderUpdateMessage(order, market, times) }),
          );
          subscriber.send(frame);
        }
      }
    }
  }

  private publish(name: string, make: () => Record<string, unknown>): void {
    const set = this.subscribers.get(name);
    if (set === undefined || set.size === 0) return;
    // Encoded and framed once: every subscriber's socket gets the same bytes.
    const frame = textFrame(JSON.stringify({ stream: name, data: make() }));
    for (const subscriber of set) subscriber.send(frame);
  }

  /** Every event moves each window's u (so the next frame's U follows on); only level changes make a frame. */
  private accumulateWindows(event: MarketEvent, afterGap: boolean): void {
    for (const window of Object.keys(DEPTH_WINDOWS)) {
      const accumulator = this.windows.get(`depth.${window}.${event.symbol}`);
      if (accumulator === undefined) continue;
      if (accumulator.first === null || afterGap) accumulator.first = event.sequence;
      accumulator.last = event.sequence;
      if (event.bids.length === 0 && event.asks.length === 0) continue;
      accumulator.engineTime = event.time;
      for (const [price, quantity] of event.bids) accumulator.bids.set(price, quantity);
      for (const [price, quantity] of event.asks) accumulator.asks.set(price, quantity);
    }
  }

  private depthState(symbol: string): DepthState {
    let state = this.depth.get(symbol);
    if (state === undefined) {
      state = { start: null, bestBid: null, bestAsk: null };
      this.depth.set(symbol, state);
    }
    return state;
  }

  private flushWindows(window: DepthWindow): void {
    const eventTime = this.nowMs() * 1000;
    for (const [name, accumulator] of this.windows) {
      if (!name.startsWith(`depth.${window}.`) || accumulator.first === null) continue;
      if (accumulator.bids.size === 0 && accumulator.asks.size === 0) continue;
      const symbol = name.slice(`depth.${window}.`.length);
      const market = this.options.config.marketsBySymbol.get(symbol);
      if (market === undefined) continue;
      const sorted = (levels: Map<string, string>): LevelChange[] =>
        [...levels].sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1));
      const message = depthMessage({
        market,
        eventTime,
        engineTime: accumulator.engineTime,
        bids: sorted(accumulator.bids),
        asks: sorted(accumulator.asks),
        firstSequence: accumulator.first,
        lastSequence: accumulator.last,
      });
      accumulator.bids.clear();
      accumulator.asks.clear();
      accumulator.first = accumulator.last + 1;
      this.publish(name, () => message);
    }
  }

  // --- klines ---

  private startKline(name: string, symbol: string, interval: KlineStreamInterval): void {
    const now = this.nowMs();
    const state: KlineState = { candle: null, dirty: false, liveFrom: now };
    this.klines.set(name, state);
    const market = this.options.config.marketsBySymbol.get(symbol);
    if (market === undefined || interval === '1s') return;
    // The open candle so far comes from the trades table, like REST klines; live trades add to it.
    this.options.exchange
      .listKlines(symbol, {
        interval: interval as KlineInterval,
        startMs: candleStart(interval, now),
        endMs: now,
      })
      .then((candles) => {
        const loaded = candles[candles.length - 1];
        if (loaded === undefined || this.klines.get(name) !== state) return;
        const live = state.candle;
        state.candle = { ...loaded };
        if (live !== null && live.start === loaded.start) {
          state.candle.high = live.high > loaded.high ? live.high : loaded.high;
          state.candle.low = live.low < loaded.low ? live.low : loaded.low;
          state.candle.close = live.close;
          state.candle.volume += live.volume;
          state.candle.trades += live.trades;
        }
        state.dirty = true;
      })
      .catch(this.options.onError);
  }

  private addTradeToKlines(market: MarketConfig, time: number, price: bigint, quantity: bigint): void {
    for (const [name, state] of this.klines) {
      if (!name.endsWith(`.${market.symbol}`) || time < state.liveFrom) continue;
      const interval = name.split('.')[1] as KlineStreamInterval;
      const start = candleStart(interval, time);
      if (state.candle !== null && state.candle.start !== start) this.closeCandle(name, market, state);
      if (state.candle === null) {
        state.candle = {
          start,
          end: candleEnd(interval, start),
          open: price,
          high: price,
          low: price,
          close: price,
          volume: 0n,
          trades: 0,
        };
      }
      const candle = state.candle;
      if (price > candle.high) candle.high = price;
      if (price < candle.low) candle.low = price;
      candle.close = price;
      candle.volume += quantity;
      candle.trades += 1;
      state.dirty = true;
    }
  }

  private closeCandle(name: string, market: MarketConfig, state: KlineState): void {
    const candle = state.candle;
    if (candle === null) return;
    const eventTime = this.nowMs() * 1000;
    this.publish(name, () => klineMessage({ market, candle, closed: true, eventTime }));
    state.candle = null;
    state.dirty = false;
  }

  private flushKlines(): void {
    const now = this.nowMs();
    for (const [name, state] of this.klines) {
      const candle = state.candle;
      if (candle === null) continue;
      const market = this.options.config.marketsBySymbol.get(
        candle === null ? '' : (name.split('.')[2] ?? ''),
      );
      if (market === undefined) continue;
      if (now >= candle.end) {
        this.closeCandle(name, market, state);
      } else if (state.dirty) {
        state.dirty = false;
        const eventTime = now * 1000;
        this.publish(name, () => klineMessage({ market, candle, closed: false, eventTime }));
      }
    }
  }

  // --- tickers ---

  private async sendTickers(): Promise<void> {
    if (this.tickerRunning) return;
    this.tickerRunning = true;
    try {
      for (const market of this.options.config.markets) {
        const name = `ticker.${market.symbol}`;
        if (this.subscriberCount(name) === 0) continue;
        const ticker = await this.options.exchange.getTicker(market.symbol);
        const eventTime = this.nowMs() * 1000;
        this.publish(name, () =>
          tickerMessage({
            market,
            eventTime,
            first: ticker.firstPrice,
            last: ticker.lastPrice,
            high: ticker.high,
            low: ticker.low,
            volume: ticker.volume,
            quoteVolume: ticker.quoteVolume,
            trades: ticker.trades,
          }),
        );
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.tickerRunning = false;
    }
  }

  private nowMs(): number {
    return (this.options.now ?? Date.now)();
  }
}

function sameLevel(a: LevelChange | null, b: LevelChange | null): boolean {
  return a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);
}

function candleStart(interval: KlineStreamInterval, time: number): number {
  return interval === '1s' ? Math.floor(time / SECOND) * SECOND : bucketStart(interval, time);
}

function candleEnd(interval: KlineStreamInterval, start: number): number {
  return interval === '1s' ? start + SECOND : bucketEnd(interval, start);
}
