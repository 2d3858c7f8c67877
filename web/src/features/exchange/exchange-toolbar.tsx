/** The row above an exchange page's tables: the subaccount switcher and a Refresh button. */
import type { ReactNode } from 'react';

import type { Subaccount } from '../../api/console-api.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { SubaccountSelect } from './subaccount-picker.tsx';

export function ExchangeToolbar({
  subaccounts,
  selected,
  onSelect,
  onRefresh,
}: {
  subaccounts: Subaccount[];
  selected: Subaccount;
  onSelect: (id: string) => void;
  onRefresh: () => void;
}): ReactNode {
  const { t } = useI18n();
  return (
    <div className="toolbar">
      <SubaccountSelect subaccounts={subaccounts} value={selected.id} onChange={onSelect} />
      <button type="button" className="button button-secondary" onClick={onRefresh}>
        {t('exchange.refresh')}
      </button>
    </div>
  );
}
