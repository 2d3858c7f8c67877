/**
 * Exchange → Markets: one page per market (`/exchange/markets/SOL_USDC`). The public side comes from the same
 * public API and streams a bot uses (features/markets/market-feed.ts): order book, recent trades, the 24 h ticker
 * and candles with volume. The signed-in person trades for the chosen subaccount: limit and market orders, open
 * orders with Cancel, recent fills and the order history (finished orders), refreshed every two seconds and after
 * every action.
 */
import { useCallback, useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type Fill, type Order, type Subaccount } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { LoadState } from '../components/load-state.tsx';
import {
  SubaccountSelect,
  useSubaccountChoice,
  type SubaccountChoice,
} from '../features/exchange/subaccount-picker.tsx';
import { CandleChart } from '../features/markets/candle-chart.tsx';
import {
  CANDLE_INTERVALS,
  useMarketFeed,
  type BookLevel,
  type CandleInterval,
  type MarketFeed,
} from '../features/markets/market-feed.ts';
import { OrderHistory } from '../features/markets/order-history.tsx';
import { SideCell } from '../features/markets/side-cell.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, usePathname } from '../router.ts';
import { useResource } from '../use-resource.ts';

interface MarketInfo {
  symbol: string;
  baseSymbol: string;
  quoteSymbol: string;
  filters: { price: { tickSize: string }; quantity: { stepSize: string } };
}

export const MARKETS_PATH = '/exchange/markets';

function decimalsOf(step: string): number {
  return step.includes('.') ? (step.split('.')[1] ?? '').length : 0;
}

/** `150.5` shown as `150.50` in a market with a 0.01 tick: columns line up (text only, no arithmetic). */
function padDecimals(text: string, decimals: number): string {
  if (decimals === 0) return text;
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(decimals, '0')}`;
}

async function loadMarkets(): Promise<MarketInfo[]> {
  const response = await fetch('/api/v1/markets', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`markets: ${response.status}`);
  return (await response.json()) as MarketInfo[];
}

export function MarketPage(): ReactNode {
  const { t } = useI18n();
  const pathname = usePathname();
  const markets = useResource(loadMarkets);
  const wanted = decodeURIComponent(pathname.slice(MARKETS_PATH.length + 1).replace(/\/+$/, ''));
  const market = markets.data?.find((m) => m.symbol === wanted) ?? markets.data?.[0];
  return (
    <section className="page market-page" aria-labelledby="market-title">
      <div className="page-header">
        <div>
          <h1 id="market-title">{market ? market.symbol.replace('_', ' / ') : t('nav.markets')}</h1>
          <p className="muted">{t('market.description')}</p>
        </div>
      </div>
      <LoadState loading={markets.loading && !markets.data} error={markets.error} onRetry={markets.reload} />
      {markets.data && (
        <nav className="market-tabs" aria-label={t('market.choose')}>
          {markets.data.map((m) => (
            <a
              key={m.symbol}
              href={`${MARKETS_PATH}/${m.symbol}`}
              aria-current={m.symbol === market?.symbol ? 'page' : undefined}
              onClick={(event) => {
                event.preventDefault();
                navigate(`${MARKETS_PATH}/${m.symbol}`);
              }}
            >
              {m.symbol.replace('_', '/')}
            </a>
          ))}
        </nav>
      )}
      {market && <MarketView key={market.symbol} market={market} />}
    </section>
  );
}

function MarketView({ market }: { market: MarketInfo }): ReactNode {
  const { t } = useI18n();
  const [interval, setCandleInterval] = useState<CandleInterval>('1m');
  const feed = useMarketFeed(market.symbol, interval);
  const priceDecimals = decimalsOf(market.filters.price.tickSize);
  const [pickedPrice, setPickedPrice] = useState<string>();
  const intervalId = useId();
  const trading = useTradingState();
  return (
    <div className="market-grid">
      <TickerBar feed={feed} market={market} />
      <div className="card market-chart-card">
        <div className="card-header">
          <h2>{t('market.chart')}</h2>
          <div className="field field-inline">
            <label htmlFor={intervalId}>{t('market.interval')}</label>
            <select
              id={intervalId}
              value={interval}
              onChange={(event) => setCandleInterval(event.target.value as CandleInterval)}
            >
              {CANDLE_INTERVALS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </div>
        </div>
        <CandleChart candles={feed.candles} decimals={priceDecimals} />
      </div>
      <OrderBook feed={feed} market={market} onPick={setPickedPrice} />
      <RecentTrades feed={feed} />
      <TradePanel market={market} pickedPrice={pickedPrice} trading={trading} />
      {trading.selected && (
        <OrderHistory
          symbol={market.symbol}
          quoteSymbol={market.quoteSymbol}
          subaccount={trading.selected}
          version={trading.version}
        />
      )}
    </div>
  );
}

function TickerBar({ feed, market }: { feed: MarketFeed; market: MarketInfo }): ReactNode {
  const { t } = useI18n();
  const ticker = feed.ticker;
  const change =
    ticker?.last && ticker.open && Number(ticker.open) > 0
      ? ((Number(ticker.last) - Number(ticker.open)) / Number(ticker.open)) * 100
      : null;
  const figure = (label: string, value: ReactNode, test: string): ReactNode => (
    <div className="ticker-figure">
      <dt>{label}</dt>
      <dd data-testid={test}>{value ?? '—'}</dd>
    </div>
  );
  return (
    <div className="card market-ticker">
      <dl>
        {figure(t('market.last'), ticker?.last, 'ticker-last')}
        {figure(
          t('market.change'),
          change === null ? null : (
            <span
              className={change >= 0 ? 'side-bid' : 'side-ask'}
            >{`${change >= 0 ? '+' : ''}${change.toFixed(2)} %`}</span>
          ),
          'ticker-change',
        )}
        {figure(t('market.high'), ticker?.high, 'ticker-high')}
        {figure(t('market.low'), ticker?.low, 'ticker-low')}
        {figure(t('market.volume', { asset: market.baseSymbol }), ticker?.volume, 'ticker-volume')}
      </dl>
      <span
        className={`badge ${feed.status === 'live' ? 'badge-success' : 'badge-warning'}`}
        data-testid="feed-status"
      >
        {t(`market.status.${feed.status}`)}
      </span>
    </div>
  );
}

function OrderBook({
  feed,
  market,
  onPick,
}: {
  feed: MarketFeed;
  market: MarketInfo;
  onPick: (price: string) => void;
}): ReactNode {
  const { t } = useI18n();
  const rows = (levels: BookLevel[], side: 'ask' | 'bid'): ReactNode =>
    levels.map((level) => (
      <tr key={level.price} className={`book-${side}`}>
        <td className="num">
          <button type="button" className="link-button" onClick={() => onPick(level.price)}>
            {padDecimals(level.price, decimalsOf(market.filters.price.tickSize))}
          </button>
        </td>
        <td className="num">{padDecimals(level.quantity, decimalsOf(market.filters.quantity.stepSize))}</td>
      </tr>
    ));
  return (
    <div className="card market-book">
      <div className="card-header">
        <h2>{t('market.book')}</h2>
      </div>
      <table className="table compact" aria-label={t('market.book')}>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('market.price', { asset: market.quoteSymbol })}
            </th>
            <th scope="col" className="num">
              {t('market.size', { asset: market.baseSymbol })}
            </th>
          </tr>
        </thead>
        <tbody data-testid="book-asks">{rows([...feed.asks].reverse(), 'ask')}</tbody>
        <tbody data-testid="book-bids">{rows(feed.bids, 'bid')}</tbody>
      </table>
    </div>
  );
}

function RecentTrades({ feed }: { feed: MarketFeed }): ReactNode {
  const { t, formatClock } = useI18n();
  return (
    <div className="card market-trades">
      <div className="card-header">
        <h2>{t('market.trades')}</h2>
      </div>
      <table className="table compact" aria-label={t('market.trades')}>
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('orders.col.price')}
            </th>
            <th scope="col" className="num">
              {t('orders.col.quantity')}
            </th>
            <th scope="col">{t('fills.col.time')}</th>
          </tr>
        </thead>
        <tbody data-testid="trades">
          {feed.trades.slice(0, 20).map((trade) => (
            <tr key={trade.id}>
              <td className={`num ${trade.buy ? 'side-bid' : 'side-ask'}`}>{trade.price}</td>
              <td className="num">{trade.quantity}</td>
              <td className="nowrap">{formatClock(trade.time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The chosen subaccount, and a tick the trading views reload on: every two seconds and after every action. */
interface TradingState extends SubaccountChoice {
  version: number;
  refresh: () => void;
}

function useTradingState(): TradingState {
  const choice = useSubaccountChoice();
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  useEffect(() => {
    const timer = window.setInterval(refresh, 2000);
    return () => window.clearInterval(timer);
  }, [refresh]);
  return { ...choice, version, refresh };
}

function TradePanel({
  market,
  pickedPrice,
  trading,
}: {
  market: MarketInfo;
  pickedPrice?: string;
  trading: TradingState;
}): ReactNode {
  const { t } = useI18n();
  const { subaccounts, selected, select, version, refresh } = trading;
  return (
    <div className="card market-trade">
      <div className="card-header">
        <h2>{t('market.trade')}</h2>
        {subaccounts.data && selected && (
          <SubaccountSelect subaccounts={subaccounts.data} value={selected.id} onChange={select} />
        )}
      </div>
      <LoadState
        loading={subaccounts.loading && !subaccounts.data}
        error={subaccounts.error}
        onRetry={subaccounts.reload}
      />
      {selected && (
        <>
          <OrderForm market={market} subaccount={selected} pickedPrice={pickedPrice} onPlaced={refresh} />
          <MyOrders market={market} subaccount={selected} version={version} onChange={refresh} />
        </>
      )}
    </div>
  );
}

function OrderForm({
  market,
  subaccount,
  pickedPrice,
  onPlaced,
}: {
  market: MarketInfo;
  subaccount: Subaccount;
  pickedPrice?: string;
  onPlaced: () => void;
}): ReactNode {
  const { t, language } = useI18n();
  const [side, setSide] = useState<'Bid' | 'Ask'>('Bid');
  const [orderType, setOrderType] = useState<'Limit' | 'Market'>('Limit');
  const [price, setPrice] = useState('');
  const [quantity, setQuantity] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const ids = { type: useId(), price: useId(), quantity: useId() };
  useEffect(() => {
    if (pickedPrice !== undefined) setPrice(pickedPrice);
  }, [pickedPrice]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const order = await consoleApi.placeOrder({
        subaccountId: subaccount.id,
        symbol: market.symbol,
        side,
        orderType,
        quantity: quantity.trim(),
        ...(orderType === 'Limit' ? { price: price.trim() } : {}),
      });
      setMessage({ ok: true, text: t('market.placed', { id: order.id, status: order.status }) });
      onPlaced();
    } catch (error) {
      setMessage({ ok: false, text: describeError(error, language, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="order-form" onSubmit={(event) => void submit(event)} aria-label={t('market.orderForm')}>
      <div className="segmented" role="group" aria-label={t('orders.col.side')}>
        <button
          type="button"
          aria-pressed={side === 'Bid'}
          className={side === 'Bid' ? 'on buy' : ''}
          onClick={() => setSide('Bid')}
        >
          {t('market.buy')}
        </button>
        <button
          type="button"
          aria-pressed={side === 'Ask'}
          className={side === 'Ask' ? 'on sell' : ''}
          onClick={() => setSide('Ask')}
        >
          {t('market.sell')}
        </button>
      </div>
      <div className="field">
        <label htmlFor={ids.type}>{t('orders.col.type')}</label>
        <select
          id={ids.type}
          name="orderType"
          value={orderType}
          onChange={(e) => setOrderType(e.target.value as 'Limit' | 'Market')}
        >
          <option value="Limit">{t('market.limit')}</option>
          <option value="Market">{t('market.market')}</option>
        </select>
      </div>
      {orderType === 'Limit' && (
        <div className="field">
          <label htmlFor={ids.price}>{t('market.price', { asset: market.quoteSymbol })}</label>
          <input
            id={ids.price}
            name="price"
            inputMode="decimal"
            autoComplete="off"
            required
            value={price}
            onChange={(e) => setPrice(e.target.value)}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor={ids.quantity}>{t('market.size', { asset: market.baseSymbol })}</label>
        <input
          id={ids.quantity}
          name="quantity"
          inputMode="decimal"
          autoComplete="off"
          required
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
        />
      </div>
      <button
        type="submit"
        className={`button ${side === 'Bid' ? 'button-buy' : 'button-sell'}`}
        disabled={busy}
      >
        {side === 'Bid'
          ? t('market.buyAsset', { asset: market.baseSymbol })
          : t('market.sellAsset', { asset: market.baseSymbol })}
      </button>
      {message && (
        <p
          role={message.ok ? 'status' : 'alert'}
          className={message.ok ? 'alert alert-success' : 'alert alert-error'}
          data-testid="order-message"
        >
          {message.text}
        </p>
      )}
    </form>
  );
}

function MyOrders({
  market,
  subaccount,
  version,
  onChange,
}: {
  market: MarketInfo;
  subaccount: Subaccount;
  version: number;
  onChange: () => void;
}): ReactNode {
  const { t, language, formatClock } = useI18n();
  const [orders, setOrders] = useState<Order[]>([]);
  const [fills, setFills] = useState<Fill[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    Promise.all([consoleApi.listOpenOrders(subaccount.id), consoleApi.listFills(subaccount.id)]).then(
      ([open, recent]) => {
        if (!current) return;
        setOrders(open.filter((o) => o.symbol === market.symbol));
        setFills(recent.filter((f) => f.symbol === market.symbol).slice(0, 20));
        setError(undefined);
      },
      (caught: unknown) => current && setError(describeError(caught, language, t)),
    );
    return () => {
      current = false;
    };
  }, [subaccount.id, market.symbol, version, language, t]);

  const cancel = async (order: Order): Promise<void> => {
    try {
      await consoleApi.cancelOrder({ subaccountId: subaccount.id, symbol: market.symbol, orderId: order.id });
    } catch (caught) {
      setError(describeError(caught, language, t));
    }
    onChange();
  };

  return (
    <div className="my-orders">
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      <h3>{t('orders.open')}</h3>
      {orders.length === 0 ? (
        <p className="muted">{t('orders.openEmpty')}</p>
      ) : (
        <table className="table compact" aria-label={t('orders.openLabel')}>
          <thead>
            <tr>
              <th scope="col">{t('orders.col.side')}</th>
              <th scope="col" className="num">
                {t('orders.col.price')}
              </th>
              <th scope="col" className="num">
                {t('orders.col.quantity')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('market.cancel')}</span>
              </th>
            </tr>
          </thead>
          <tbody data-testid="open-orders">
            {orders.map((order) => (
              <tr key={order.id} data-order-id={order.id}>
                <SideCell side={order.side} />
                <td className="num">{order.price}</td>
                <td className="num">{order.quantity}</td>
                <td>
                  <button type="button" className="button button-small" onClick={() => void cancel(order)}>
                    {t('market.cancel')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('market.fills')}</h3>
      {fills.length === 0 ? (
        <p className="muted">{t('fills.empty')}</p>
      ) : (
        <table className="table compact" aria-label={t('market.fills')}>
          <thead>
            <tr>
              <th scope="col">{t('orders.col.side')}</th>
              <th scope="col" className="num">
                {t('orders.col.price')}
              </th>
              <th scope="col" className="num">
                {t('orders.col.quantity')}
              </th>
              <th scope="col">{t('fills.col.time')}</th>
            </tr>
          </thead>
          <tbody data-testid="fills">
            {fills.map((fill) => (
              <tr key={`${fill.tradeId}:${fill.side}`}>
                <SideCell side={fill.side} />
                <td className="num">{fill.price}</td>
                <td className="num">{fill.quantity}</td>
                <td className="nowrap">{formatClock(fill.timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
