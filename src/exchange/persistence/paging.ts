/**
 * The paging every history list shares: an optional inclusive time range on `created_at`, newest first unless
 * asked otherwise (ties broken by `id`), then limit and offset. For tables with `created_at` and `id` columns.
 */
import { sql, type SelectQueryBuilder } from 'kysely';

export interface PageFilter {
  /** Inclusive lower bound, ms. */
  readonly from?: number;
  /** Inclusive upper bound, ms. */
  readonly to?: number;
  readonly limit: number;
  readonly offset: number;
}

export function pageByTime<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filter: PageFilter,
  direction: 'asc' | 'desc' = 'desc',
): SelectQueryBuilder<DB, TB, O> {
  let page = query;
  if (filter.from !== undefined) page = page.where(sql.ref('created_at'), '>=', filter.from);
  if (filter.to !== undefined) page = page.where(sql.ref('created_at'), '<=', filter.to);
  return page
    .orderBy(sql.ref('created_at'), direction)
    .orderBy(sql.ref('id'), direction)
    .limit(filter.limit)
    .offset(filter.offset);
}
