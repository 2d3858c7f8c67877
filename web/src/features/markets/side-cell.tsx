/**
 * The Side cell of the market page's own tables (open orders, fills, order history): Buy in the bid colour, Sell
 * in the ask colour.
 */
import type { ReactNode } from 'react';

import { useI18n } from '../../i18n/i18n.tsx';

export function SideCell({ side }: { side: string }): ReactNode {
  const { t } = useI18n();
  return (
    <td className={side === 'Bid' ? 'side-bid' : 'side-ask'}>
      {side === 'Bid' ? t('market.buy') : t('market.sell')}
    </td>
  );
}
