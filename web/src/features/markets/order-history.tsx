/**
 * The market page's order history: the chosen subaccount's most recent finished orders (Filled, Cancelled,
 * Expired) in this market, newest first, reloaded whenever the page's trading tick (`version`) moves: every two
 * seconds and after every order or cancel. The rows already shown stay while the next load runs, so nothing
 * flickers; a failed load says so above them.
 */
import { useEffect, useState, type ReactNode } from 'react';

import { consoleApi, type Order, type Subaccount } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { labelOf } from '../exchange/exchange-labels.ts';
import { SideCell } from './side-cell.tsx';

/** How many of the newest finished orders the table shows. */
export const ORDER_HISTORY_ROWS = 50;

const STATUS_BADGE: Partial<Record<string, string>> = {
  Filled: 'badge-success',
  Expired: 'badge-warning',
};

export function OrderHistory({
  symbol,
  quoteSymbol,
  subaccount,
  version,
}: {
  symbol: string;
  quoteSymbol: string;
  subaccount: Subaccount;
  version: number;
}): ReactNode {
  const { t, language } = useI18n();
  const [orders, setOrders] = useState<Order[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    consoleApi.listOrderHistory(subaccount.id, symbol, ORDER_HISTORY_ROWS).then(
      (finished) => {
        if (!current) return;
        setOrders(finished);
        setError(undefined);
      },
      (caught: unknown) => current && setError(describeError(caught, language, t)),
    );
    return () => {
      current = false;
    };
  }, [subaccount.id, symbol, version, language, t]);

  return (
    <div className="card market-history">
      <div className="card-header">
        <h2>{t('market.history')}</h2>
      </div>
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      {orders?.length === 0 && <p className="muted">{t('market.historyEmpty')}</p>}
      {orders !== undefined && orders.length > 0 && (
        <HistoryTable orders={orders} quoteSymbol={quoteSymbol} />
      )}
    </div>
  );
}

function HistoryTable({ orders, quoteSymbol }: { orders: Order[]; quoteSymbol: string }): ReactNode {
  const { t, formatClock } = useI18n();
  // Today's orders show the time only (the table stays narrow beside the trading panel); older ones the day too.
  const startOfToday = new Date().setHours(0, 0, 0, 0);
  return (
    <div className="table-scroll">
      <table className="table compact" aria-label={t('market.history')}>
        <thead>
          <tr>
            <th scope="col">{t('fills.col.time')}</th>
            <th scope="col">{t('orders.col.side')}</th>
            <th scope="col">{t('orders.col.type')}</th>
            <th scope="col" className="num">
              {t('orders.col.price')}
            </th>
            <th scope="col" className="num">
              {t('orders.col.quantity')}
            </th>
            <th scope="col" className="num">
              {t('orders.col.filled')}
            </th>
            <th scope="col">{t('orders.col.status')}</th>
          </tr>
        </thead>
        <tbody data-testid="order-history">
          {orders.map((order) => (
            <tr key={order.id} data-order-id={order.id} data-status={order.status}>
              <td className="nowrap">
                {formatClock(order.createdAt, { withDay: order.createdAt < startOfToday })}
              </td>
              <SideCell side={order.side} />
              <td>{labelOf(order.orderType, t)}</td>
              <td className="num">
                {order.price ?? <span className="muted">{t('orders.marketPrice')}</span>}
              </td>
              <td className="num nowrap">
                {/* A Market order by quote amount has no base quantity: show what it spends instead. */}
                {order.quantity ?? `${order.quoteQuantity ?? ''} ${quoteSymbol}`}
              </td>
              <td className="num">{order.executedQuantity}</td>
              <td>
                <span className={`badge ${STATUS_BADGE[order.status] ?? 'badge-neutral'}`}>
                  {labelOf(order.status, t)}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
