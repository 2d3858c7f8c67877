/** Exchange → Deposits & Withdrawals: per subaccount, both histories, newest first. */
import type { ReactNode } from 'react';

import { consoleApi, type Deposit, type Subaccount, type Withdrawal } from '../api/console-api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DataCard } from '../features/exchange/data-card.tsx';
import { labelOf, shortenAddress } from '../features/exchange/exchange-labels.ts';
import { SubaccountPage } from '../features/exchange/subaccount-page.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function DepositsPage(): ReactNode {
  const { t } = useI18n();
  return (
    <SubaccountPage id="capital-title" title={t('capital.title')} description={t('capital.description')}>
      {(subaccount, version) => (
        <>
          <DepositsCard key={`deposits:${subaccount.id}:${version}`} subaccount={subaccount} />
          <WithdrawalsCard key={`withdrawals:${subaccount.id}:${version}`} subaccount={subaccount} />
        </>
      )}
    </SubaccountPage>
  );
}

function Address({ address, what }: { address: string | null; what: string }): ReactNode {
  if (address === null) return <span className="muted">—</span>;
  return (
    <span className="key-cell">
      <code title={address}>{shortenAddress(address)}</code>
      <CopyButton value={address} what={what} compact />
    </span>
  );
}

function StatusBadge({ status }: { status: string }): ReactNode {
  const { t } = useI18n();
  return (
    <span className={status === 'confirmed' ? 'badge badge-success' : 'badge badge-neutral'}>
      {labelOf(status, t)}
    </span>
  );
}

function CapitalHead({ withFee }: { withFee?: boolean }): ReactNode {
  const { t } = useI18n();
  return (
    <tr>
      <th scope="col">{t('capital.col.id')}</th>
      <th scope="col">{t('capital.col.asset')}</th>
      <th scope="col" className="num">
        {t('capital.col.quantity')}
      </th>
      {withFee && (
        <th scope="col" className="num">
          {t('capital.col.fee')}
        </th>
      )}
      <th scope="col">{t('capital.col.network')}</th>
      <th scope="col">{t('capital.col.address')}</th>
      <th scope="col">{t('capital.col.status')}</th>
      <th scope="col">{t('capital.col.time')}</th>
    </tr>
  );
}

function DepositsCard({ subaccount }: { subaccount: Subaccount }): ReactNode {
  const { t, formatTime } = useI18n();
  return (
    <DataCard<Deposit>
      title={t('capital.deposits')}
      tableLabel={t('capital.depositsLabel')}
      load={() => consoleApi.listDeposits(subaccount.id)}
      empty={t('capital.depositsEmpty')}
      head={<CapitalHead />}
      row={(deposit) => (
        <tr key={deposit.id} data-deposit-id={deposit.id}>
          <th scope="row">
            <code>{deposit.id}</code>
          </th>
          <td>{deposit.symbol}</td>
          <td className="num">{deposit.quantity}</td>
          <td>{deposit.blockchain}</td>
          <td className="nowrap">
            <Address address={deposit.toAddress} what={t('capital.addressOf', { id: String(deposit.id) })} />
          </td>
          <td>
            <StatusBadge status={deposit.status} />
          </td>
          <td className="nowrap">{formatTime(deposit.createdAt)}</td>
        </tr>
      )}
    />
  );
}

function WithdrawalsCard({ subaccount }: { subaccount: Subaccount }): ReactNode {
  const { t, formatTime } = useI18n();
  return (
    <DataCard<Withdrawal>
      title={t('capital.withdrawals')}
      tableLabel={t('capital.withdrawalsLabel')}
      load={() => consoleApi.listWithdrawals(subaccount.id)}
      empty={t('capital.withdrawalsEmpty')}
      head={<CapitalHead withFee />}
      row={(withdrawal) => (
        <tr key={withdrawal.id} data-withdrawal-id={withdrawal.id}>
          <th scope="row">
            <code>{withdrawal.id}</code>
          </th>
          <td>{withdrawal.symbol}</td>
          <td className="num">{withdrawal.quantity}</td>
          <td className="num">{withdrawal.fee}</td>
          <td>{withdrawal.blockchain}</td>
          <td className="nowrap">
            <Address
              address={withdrawal.toAddress}
              what={t('capital.addressOf', { id: String(withdrawal.id) })}
            />
          </td>
          <td>
            <StatusBadge status={withdrawal.status} />
          </td>
          <td className="nowrap">{formatTime(withdrawal.createdAt)}</td>
        </tr>
      )}
    />
  );
}
