/**
 * One market's live data for the market page, from the public API the bots use: a REST snapshot (depth, trades,
 * 24 h ticker, candles) and the public streams on the same origin (`depth`, `trade`, `ticker`, `kline`), merged as
 * docs/STREAMS.md says: depth deltas buffered until the snapshot, applied when `u` is past its `lastUpdateId`, and
 * a fresh snapshot whenever `U` is not the previous `u + 1` (a gap, or an operator's reset). A closed socket
 * reconnects (0.5 s, doubling to 5 s) and everything is fetched again, so the page survives a server restart.
 */
import { useEffect, useRef, useState } from 'react';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

export interface BookLevel {
  price: string;
  quantity: string;
}

export interface PublicTrade {
  id: number;
  price: string;
  quantity: string;
  time: number;
  /** The taker bought (the buyer was not the maker). */
  buy: boolean;
}

export interface Ticker {
  last: string | null;
  open: string | null;
  high: string | null;
  low: string | null;
  volume: string;
  quoteVolume: string;
  trades: number;
}

export interface Candle {
  /** Bucket start, ms. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface MarketFeed {
  status: FeedStatus;
  bids: BookLevel[];
  asks: BookLevel[];
  trades: PublicTrade[];
  ticker: Ticker | null;
  candles: Candle[];
}

export const CANDLE_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];
const INTERVAL_SECONDS: Record<CandleInterval, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '1d': 86_400,
};
const BOOK_DEPTH = 15;
const TRADES_KEPT = 40;
const CANDLES_ASKED = 300;

/** "2026-12-01 14:35:00" or "2026-12-01T14:35:00" (UTC) to ms. */
function klineTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

interface DepthFrame {
  U: number;
  u: number;
  a: [string, string][];
  b: [string, string][];
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

export function useMarketFeed(symbol: string, interval: CandleInterval): MarketFeed {
  const [feed, setFeed] = useState<MarketFeed>({
    status: 'connecting',
    bids: [],
    asks: [],
    trades: [],
    ticker: null,
    candles: [],
  });
  const frame = useRef(0);

  useEffect(() => {
    let closed = false;
    let socket: WebSocket | null = null;
    let retry = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    let lastUpdateId: number | null = null;
    let pending: DepthFrame[] = [];
    let resyncing = false;
    let trades: PublicTrade[] = [];
    let ticker: Ticker | null = null;
    let candles: Candle[] = [];
    let status: FeedStatus = 'connecting';

    // At most one render per animation frame, however fast frames arrive.
    const publish = (): void => {
      if (frame.current !== 0) return;
      frame.current = requestAnimationFrame(() => {
        frame.current = 0;
        if (closed) return;
        const sorted = (side: Map<string, string>, descending: boolean): BookLevel[] =>
          [...side]
            .map(([price, quantity]) => ({ price, quantity }))
            .sort((x, y) =>
              descending ? Number(y.price) - Number(x.price) : Number(x.price) - Number(y.price),
            )
            .slice(0, BOOK_DEPTH);
        setFeed({ status, bids: sorted(bids, true), asks: sorted(asks, false), trades, ticker, candles });
      });
    };

    const applyDepth = (data: DepthFrame): void => {
      for (const [side, levels] of [
        [asks, data.a],
        [bids, data.b],
      ] as const) {
        for (const [price, quantity] of levels) {
          if (Number(quantity) === 0) side.delete(price);
          else side.set(price, quantity);
        }
      }
      lastUpdateId = data.u;
    };

    const loadBook = async (): Promise<void> => {
      resyncing = true;
      lastUpdateId = null;
      const depth = await getJson<{
        bids: [string, string][];
        asks: [string, string][];
        lastUpdateId: string;
      }>(`/api/v1/depth?symbol=${symbol}`);
      bids.clear();
      asks.clear();
      for (const [price, quantity] of depth.bids) bids.set(price, quantity);
      for (const [price, quantity] of depth.asks) asks.set(price, quantity);
      lastUpdateId = Number(depth.lastUpdateId);
      for (const data of pending) if (data.u > lastUpdateId) applyDepth(data);
      pending = [];
      resyncing = false;
      publish();
    };

    const loadRest = async (): Promise<void> => {
      const start = Math.floor(Date.now() / 1000) - INTERVAL_SECONDS[interval] * CANDLES_ASKED;
      const [restTrades, restTicker, klines] = await Promise.all([
        getJson<{ id: number; price: string; quantity: string; timestamp: number; isBuyerMaker: boolean }[]>(
          `/api/v1/trades?symbol=${symbol}&limit=${TRADES_KEPT}`,
        ),
        getJson<{
          firstPrice: string | null;
          lastPrice: string | null;
          high: string | null;
          low: string | null;
          volume: string;
          quoteVolume: string;
          trades: string;
        }>(`/api/v1/ticker?symbol=${symbol}`),
        getJson<{ start: string; open: string; high: string; low: string; close: string; volume: string }[]>(
          `/api/v1/klines?symbol=${symbol}&interval=${interval}&startTime=${start}`,
        ),
      ]);
      trades = restTrades
        .map((t) => ({
          id: t.id,
          price: t.price,
          quantity: t.quantity,
          time: t.timestamp,
          buy: !t.isBuyerMaker,
        }))
        .reverse();
      ticker = {
        last: restTicker.lastPrice,
        open: restTicker.firstPrice,
        high: restTicker.high,
        low: restTicker.low,
        volume: restTicker.volume,
        quoteVolume: restTicker.quoteVolume,
        trades: Number(restTicker.trades),
      };
      candles = klines.map((k) => ({
        time: klineTime(k.start),
        open: Number(k.open),
        high: Number(k.high),
        low: Number(k.low),
        close: Number(k.close),
        volume: Number(k.volume),
      }));
      publish();
    };

    const onDepth = (data: DepthFrame): void => {
      if (resyncing || lastUpdateId === null) {
        pending.push(data);
        return;
      }
      if (data.u <= lastUpdateId) return;
      if (data.U !== lastUpdateId + 1) {
        // Something was missed (or the operator reset the exchange): start over from a snapshot.
        pending = [data];
        void loadBook().catch(() => socket?.close());
        return;
      }
      applyDepth(data);
      publish();
    };

    const onMessage = (event: MessageEvent): void => {
      const message = JSON.parse(String(event.data)) as { stream?: string; data?: Record<string, unknown> };
      const data = message.data;
      if (message.stream === undefined || data === undefined) return;
      if (message.stream === `depth.${symbol}`) onDepth(data as unknown as DepthFrame);
      else if (message.stream === `trade.${symbol}`) {
        const trade: PublicTrade = {
          id: Number(data['t']),
          price: String(data['p']),
          quantity: String(data['q']),
          time: Math.floor(Number(data['T']) / 1000),
          buy: data['m'] !== true,
        };
        if (!trades.some((t) => t.id === trade.id)) trades = [trade, ...trades].slice(0, TRADES_KEPT);
        publish();
      } else if (message.stream === `ticker.${symbol}`) {
        ticker = {
          last: String(data['c']),
          open: String(data['o']),
          high: String(data['h']),
          low: String(data['l']),
          volume: String(data['v']),
          quoteVolume: String(data['V']),
          trades: Number(data['n']),
        };
        publish();
      } else if (message.stream === `kline.${interval}.${symbol}`) {
        const candle: Candle = {
          time: klineTime(String(data['t'])),
          open: Number(data['o']),
          high: Number(data['h']),
          low: Number(data['l']),
          close: Number(data['c']),
          volume: Number(data['v']),
        };
        const last = candles.at(-1);
        if (last !== undefined && last.time === candle.time) candles = [...candles.slice(0, -1), candle];
        else if (last === undefined || candle.time > last.time) candles = [...candles, candle];
        publish();
      }
    };

    const connect = (): void => {
      const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/`;
      const ws = new WebSocket(url);
      socket = ws;
      pending = [];
      lastUpdateId = null;
      ws.onopen = () => {
        ws.send(
          JSON.stringify({
            method: 'SUBSCRIBE',
            params: [`depth.${symbol}`, `trade.${symbol}`, `ticker.${symbol}`, `kline.${interval}.${symbol}`],
          }),
        );
        Promise.all([loadBook(), loadRest()]).then(
          () => {
            retry = 0;
            status = 'live';
            publish();
          },
          () => ws.close(),
        );
      };
      ws.onmessage = onMessage;
      ws.onclose = () => {
        if (closed) return;
        status = 'reconnecting';
        publish();
        retryTimer = setTimeout(connect, Math.min(5000, 500 * 2 ** retry++));
      };
    };
    connect();

    return () => {
      closed = true;
      clearTimeout(retryTimer);
      if (frame.current !== 0) cancelAnimationFrame(frame.current);
      frame.current = 0;
      socket?.close();
    };
  }, [symbol, interval]);

  return feed;
}
