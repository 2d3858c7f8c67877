/**
 * The frame of a read-only exchange page: title and description, the subaccount switcher with Refresh, and the
 * page's cards for the chosen subaccount (remounted on Refresh or when the subaccount changes).
 */
import { useState, type ReactNode } from 'react';

import type { Subaccount } from '../../api/console-api.ts';
import { LoadState } from '../../components/load-state.tsx';
import { ExchangeToolbar } from './exchange-toolbar.tsx';
import { useSubaccountChoice } from './subaccount-picker.tsx';

export function SubaccountPage({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: string;
  /** The cards for `subaccount`; `version` changes on Refresh (use it in the cards' keys). */
  children: (subaccount: Subaccount, version: number) => ReactNode;
}): ReactNode {
  const { subaccounts, selected, select } = useSubaccountChoice();
  const [version, setVersion] = useState(0);

  return (
    <section className="page" aria-labelledby={id}>
      <div className="page-header">
        <div>
          <h1 id={id}>{title}</h1>
          <p className="muted">{description}</p>
        </div>
      </div>
      <LoadState
        loading={subaccounts.loading && !subaccounts.data}
        error={subaccounts.error}
        onRetry={subaccounts.reload}
      />
      {subaccounts.data && selected && (
        <>
          <ExchangeToolbar
            subaccounts={subaccounts.data}
            selected={selected}
            onSelect={select}
            onRefresh={() => setVersion((v) => v + 1)}
          />
          {children(selected, version)}
        </>
      )}
    </section>
  );
}
