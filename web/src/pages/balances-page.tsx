/** Exchange → Balances: per subaccount, each asset's available, locked and total; and Deposit test funds. */
import { useState, type ReactNode } from 'react';

import { consoleApi, type Balance, type Subaccount } from '../api/console-api.ts';
import { LoadState } from '../components/load-state.tsx';
import { DataCard } from '../features/exchange/data-card.tsx';
import { DepositTestFundsDialog } from '../features/exchange/deposit-test-funds-dialog.tsx';
import { ExchangeToolbar } from '../features/exchange/exchange-toolbar.tsx';
import { subaccountLabel } from '../features/exchange/subaccount-label.ts';
import { useSubaccountChoice } from '../features/exchange/subaccount-picker.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';

export function BalancesPage(): ReactNode {
  const { t } = useI18n();
  const { subaccounts, selected, select } = useSubaccountChoice();
  const [version, setVersion] = useState(0);
  const [depositing, setDepositing] = useState(false);
  const [notice, setNotice] = useState<string>();
  const { sandboxDeposits } = useSession();

  return (
    <section className="page" aria-labelledby="balances-title">
      <div className="page-header">
        <div>
          <h1 id="balances-title">{t('balances.title')}</h1>
          <p className="muted">{t('balances.description')}</p>
        </div>
        {sandboxDeposits && (
          <button
            type="button"
            className="button button-primary"
            disabled={!subaccounts.data}
            onClick={() => {
              setNotice(undefined);
              setDepositing(true);
            }}
          >
            {t('deposit.open')}
          </button>
        )}
      </div>

      <LoadState
        loading={subaccounts.loading && !subaccounts.data}
        error={subaccounts.error}
        onRetry={subaccounts.reload}
      />
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      {subaccounts.data && selected && (
        <>
          <ExchangeToolbar
            subaccounts={subaccounts.data}
            selected={selected}
            onSelect={(id) => {
              setNotice(undefined);
              select(id);
            }}
            onRefresh={() => setVersion((v) => v + 1)}
          />
          <BalancesCard key={`${selected.id}:${version}`} subaccount={selected} />
        </>
      )}

      {depositing && subaccounts.data && selected && (
        <DepositTestFundsDialog
          subaccounts={subaccounts.data}
          initialSubaccountId={selected.id}
          onClose={() => setDepositing(false)}
          onDeposited={(deposit, subaccount) => {
            setDepositing(false);
            setNotice(
              t('deposit.done', {
                quantity: deposit.quantity,
                asset: deposit.symbol,
                subaccount: subaccountLabel(subaccount, t),
              }),
            );
            select(subaccount.id);
            setVersion((v) => v + 1);
          }}
        />
      )}
    </section>
  );
}

function BalancesCard({ subaccount }: { subaccount: Subaccount }): ReactNode {
  const { t } = useI18n();
  return (
    <DataCard<Balance>
      title={t('balances.cardTitle', { subaccount: subaccountLabel(subaccount, t) })}
      tableLabel={t('balances.tableLabel')}
      load={() => consoleApi.listBalances(subaccount.id)}
      empty={t('balances.empty')}
      head={
        <tr>
          <th scope="col">{t('balances.col.asset')}</th>
          <th scope="col" className="num">
            {t('balances.col.available')}
          </th>
          <th scope="col" className="num">
            {t('balances.col.locked')}
          </th>
          <th scope="col" className="num">
            {t('balances.col.total')}
          </th>
        </tr>
      }
      row={(balance) => (
        <tr key={balance.symbol} data-asset={balance.symbol}>
          <th scope="row">{balance.symbol}</th>
          <td className="num">{balance.available}</td>
          <td className="num">{balance.locked}</td>
          <td className="num">{balance.total}</td>
        </tr>
      )}
    />
  );
}
