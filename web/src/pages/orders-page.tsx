/**
 * Exchange → Orders: per subaccount, the open orders and the recent fills, as the exchange holds them. Read
 * only: trading happens through the API with a key.
 */
import type { ReactNode } from 'react';

import { consoleApi, type Fill, type Order, type Subaccount } from '../api/console-api.ts';
import { DataCard } from '../features/exchange/data-card.tsx';
import { labelOf } from '../features/exchange/exchange-labels.ts';
import { SubaccountPage } from '../features/exchange/subaccount-page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function OrdersPage(): ReactNode {
  const { t } = useI18n();
  return (
    <SubaccountPage id="orders-title" title={t('orders.title')} description={t('orders.description')}>
      {(subaccount, version) => (
        <>
          <OpenOrdersCard key={`orders:${subaccount.id}:${version}`} subaccount={subaccount} />
          <FillsCard key={`fills:${subaccount.id}:${version}`} subaccount={subaccount} />
        </>
      )}
    </SubaccountPage>
  );
}

function SideLabel({ side }: { side: string }): ReactNode {
  const { t } = useI18n();
  return <span className={side === 'Bid' ? 'side-bid' : 'side-ask'}>{labelOf(side, t)}</span>;
}

function OpenOrdersCard({ subaccount }: { subaccount: Subaccount }): ReactNode {
  const { t, formatTime } = useI18n();
  return (
    <DataCard<Order>
      title={t('orders.open')}
      tableLabel={t('orders.openLabel')}
      load={() => consoleApi.listOpenOrders(subaccount.id)}
      empty={t('orders.openEmpty')}
      head={
        <tr>
          <th scope="col">{t('orders.col.symbol')}</th>
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
          <th scope="col">{t('orders.col.created')}</th>
        </tr>
      }
      row={(order) => (
        <tr key={order.id} data-order-id={order.id}>
          <th scope="row">{order.symbol}</th>
          <td>
            <SideLabel side={order.side} />
          </td>
          <td>{labelOf(order.orderType, t)}</td>
          <td className="num">{order.price ?? <span className="muted">{t('orders.marketPrice')}</span>}</td>
          <td className="num">
            {/* A Market order by quote amount has no base quantity: show what it spends instead. */}
            {order.quantity ?? `${order.quoteQuantity ?? ''} ${order.symbol.split('_')[1] ?? ''}`}
          </td>
          <td className="num">{order.executedQuantity}</td>
          <td>
            <span className="badge badge-neutral">{labelOf(order.status, t)}</span>
          </td>
          <td className="nowrap">{formatTime(order.createdAt)}</td>
        </tr>
      )}
    />
  );
}

function FillsCard({ subaccount }: { subaccount: Subaccount }): ReactNode {
  const { t, formatTime } = useI18n();
  return (
    <DataCard<Fill>
      title={t('fills.title')}
      tableLabel={t('fills.tableLabel')}
      load={() => consoleApi.listFills(subaccount.id)}
      empty={t('fills.empty')}
      head={
        <tr>
          <th scope="col">{t('fills.col.symbol')}</th>
          <th scope="col">{t('fills.col.side')}</th>
          <th scope="col" className="num">
            {t('fills.col.price')}
          </th>
          <th scope="col" className="num">
            {t('fills.col.quantity')}
          </th>
          <th scope="col" className="num">
            {t('fills.col.fee')}
          </th>
          <th scope="col">{t('fills.col.feeAsset')}</th>
          <th scope="col">{t('fills.col.role')}</th>
          <th scope="col">{t('fills.col.time')}</th>
        </tr>
      }
      row={(fill) => (
        <tr key={`${fill.tradeId}:${fill.side}`} data-trade-id={fill.tradeId}>
          <th scope="row">{fill.symbol}</th>
          <td>
            <SideLabel side={fill.side} />
          </td>
          <td className="num">{fill.price}</td>
          <td className="num">{fill.quantity}</td>
          <td className="num">{fill.fee}</td>
          <td>{fill.feeSymbol}</td>
          <td>{fill.isMaker ? t('fills.maker') : t('fills.taker')}</td>
          <td className="nowrap">{formatTime(fill.timestamp)}</td>
        </tr>
      )}
    />
  );
}
