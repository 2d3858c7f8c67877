/**
 * Exchange → Deposits & Withdrawals: per subaccount, both histories, newest first; and Withdraw (to an address
 * in the address book; a refusal for that reason links to Settings → Withdrawal addresses).
 */
import { useState, type ReactNode } from 'react';

import { consoleApi, type Deposit, type Subaccount, type Withdrawal } from '../api/console-api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DataCard } from '../features/exchange/data-card.tsx';
import { labelOf, shortenAddress } from '../features/exchange/exchange-labels.ts';
import { SubaccountPage } from '../features/exchange/subaccount-page.tsx';
import { WithdrawDialog } from '../features/exchange/withdraw-dialog.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function DepositsPage(): ReactNode {
  const { t } = useI18n();
  const [withdrawing, setWithdrawing] = useState(false);
  const [withdrawn, setWithdrawn] = useState(0);
  const [notice, setNotice] = useState<string>();
  return (
    <SubaccountPage id="capital-title" title={t('capital.title')} description={t('capital.description')}>
      {(subaccount, version) => (
        <>
          <div className="toolbar">
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setNotice(undefined);
                setWithdrawing(true);
              }}
            >
              {t('withdraw.open')}
            </button>
          </div>
          {notice && (
            <div className="alert alert-success" role="status">
              {notice}
            </div>
          )}
          {withdrawing && (
            <WithdrawDialog
              subaccount={subaccount}
              onClose={() => setWithdrawing(false)}
              onWithdrawn={(withdrawal) => {
                setWithdrawing(false);
                setWithdrawn((n) => n + 1);
                setNotice(t('withdraw.done', { quantity: withdrawal.quantity, asset: withdrawal.symbol }));
              }}
            />
          )}
          <DepositsCard key={`deposits:${subaccount.id}:${version}`} subaccount={subaccount} />
          <WithdrawalsCard
            key={`withdrawals:${subaccount.id}:${version}:${withdrawn}`}
            subaccount={subaccount}
          />
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
