/**
 * A card that loads one list for a subaccount and shows it as a table: a heading, then the loading state, the
 * error with a retry, the empty message, or the table (scrolling sideways on narrow screens).
 */
import { useId, type ReactNode } from 'react';

import { LoadState } from '../../components/load-state.tsx';
import { useResource } from '../../use-resource.ts';

export function DataCard<T>({
  title,
  tableLabel,
  load,
  empty,
  head,
  row,
}: {
  title: string;
  tableLabel: string;
  /** Called once: the card is keyed by subaccount (and refresh count), so a new choice mounts a new card. */
  load: () => Promise<T[]>;
  empty: string;
  head: ReactNode;
  row: (item: T) => ReactNode;
}): ReactNode {
  const titleId = useId();
  const items = useResource(load);
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <h2 id={titleId}>{title}</h2>
      </div>
      <LoadState loading={items.loading && !items.data} error={items.error} onRetry={items.reload} />
      {items.data &&
        (items.data.length === 0 ? (
          <p className="empty">{empty}</p>
        ) : (
          <div className="table-scroll">
            <table className="table" aria-label={tableLabel}>
              <thead>{head}</thead>
              <tbody>{items.data.map(row)}</tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
