/**
 * The subaccount switcher of the exchange pages. The choice is kept for the browser tab (sessionStorage), so
 * Balances, Orders and Deposits all show the same subaccount until it is changed; the main one by default.
 */
import { useCallback, useId, useState, type ReactNode } from 'react';

import { consoleApi, type Subaccount } from '../../api/console-api.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useResource, type Resource } from '../../use-resource.ts';
import { subaccountLabel } from './subaccount-label.ts';

const STORAGE_KEY = 'signet.subaccount';

export interface SubaccountChoice {
  subaccounts: Resource<Subaccount[]>;
  /** The chosen subaccount once the list has loaded. */
  selected: Subaccount | undefined;
  select: (id: string) => void;
}

function storedChoice(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function useSubaccountChoice(): SubaccountChoice {
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [chosenId, setChosenId] = useState(storedChoice);
  const select = useCallback((id: string) => {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, id);
    } catch {
      // Storage may be disabled; the choice then lasts until the page changes.
    }
    setChosenId(id);
  }, []);
  const list = subaccounts.data;
  const selected = list && (list.find((s) => s.id === chosenId) ?? list.find((s) => s.isMain) ?? list[0]);
  return { subaccounts, selected, select };
}

export function SubaccountSelect({
  subaccounts,
  value,
  onChange,
}: {
  subaccounts: Subaccount[];
  value: string;
  onChange: (id: string) => void;
}): ReactNode {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field field-inline">
      <label htmlFor={id}>{t('exchange.subaccount')}</label>
      <select id={id} name="subaccount" value={value} onChange={(event) => onChange(event.target.value)}>
        {subaccounts.map((subaccount) => (
          <option key={subaccount.id} value={subaccount.id}>
            {subaccountLabel(subaccount, t)}
          </option>
        ))}
      </select>
    </div>
  );
}
