/**
 * A key's usage: its requests over the last hour (per minute), 24 hours (per 15 minutes) or 7 days (per 2 hours)
 * as a stacked bar chart with a time axis, a scale and tooltips (usage-chart.tsx), the totals by outcome, the same
 * numbers as a table, and a sample of recent refusals with their reasons, so a person can see that their bot is
 * failing and why.
 *
 * Refusals are told apart for the owner (expired, retired by rotation, revoked, bad signature, ...) even where the
 * caller was answered the uniform `Invalid API key`; the caller's exact answer is quoted below the explanation,
 * which is in the console's language. The list says that it is a sample.
 */
import { lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';

import {
  consoleApi,
  type ApiKey,
  type KeyUsage,
  type UsageRange,
  type UsageRefusal,
} from '../../api/console-api.ts';
import { Dialog } from '../../components/dialog.tsx';
import { LoadState } from '../../components/load-state.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useResource } from '../../use-resource.ts';
import { permissionLabel } from './key-badges.tsx';
import { refusedOf, USAGE_LAYERS } from './usage-layers.ts';

// The chart library is loaded with the first chart, not with every page of the console.
const UsageChart = lazy(() => import('./usage-chart.tsx').then((module) => ({ default: module.UsageChart })));

const RANGES: UsageRange[] = ['1h', '24h', '7d'];

const REASONS: Record<string, MessageKey> = {
  key_expired: 'usage.reason.key_expired',
  key_retired: 'usage.reason.key_retired',
  key_revoked: 'usage.reason.key_revoked',
  invalid_key: 'usage.reason.invalid_key',
  expired_window: 'usage.reason.expired_window',
  bad_signature: 'usage.reason.bad_signature',
  ip_not_allowed: 'usage.reason.ip_not_allowed',
  permission: 'usage.reason.permission',
  subaccount: 'usage.reason.subaccount',
};

const EXPLANATIONS: Record<string, MessageKey> = {
  key_expired: 'usage.explain.key_expired',
  key_retired: 'usage.explain.key_retired',
  key_revoked: 'usage.explain.key_revoked',
  invalid_key: 'usage.explain.invalid_key',
  expired_window: 'usage.explain.expired_window',
  bad_signature: 'usage.explain.bad_signature',
  ip_not_allowed: 'usage.explain.ip_not_allowed',
  permission: 'usage.explain.permission',
  subaccount: 'usage.explain.subaccount',
};

export function KeyUsageDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }): ReactNode {
  const { t } = useI18n();
  const [range, setRange] = useState<UsageRange>('1h');
  const load = useCallback(() => consoleApi.keyUsage(apiKey.id, range), [apiKey.id, range]);
  const usage = useResource(load);
  const { reload } = usage;
  const data = usage.data?.range === range ? usage.data : undefined;
  // A new range is a new request (the first one is made by useResource itself).
  const [loadedRange, setLoadedRange] = useState(range);
  useEffect(() => {
    if (range === loadedRange) return;
    setLoadedRange(range);
    reload();
  }, [range, loadedRange, reload]);
  return (
    <Dialog
      title={t('usage.title', { name: apiKey.name })}
      onClose={onClose}
      wide
      description={<p className="muted">{t('usage.description')}</p>}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={usage.reload}>
            {t('exchange.refresh')}
          </button>
          <button type="button" className="button button-secondary" onClick={onClose}>
            {t('common.close')}
          </button>
        </>
      }
    >
      <div className="segmented" role="group" aria-label={t('usage.range')}>
        {RANGES.map((value) => (
          <button
            key={value}
            type="button"
            className="segment-button"
            aria-pressed={range === value}
            onClick={() => setRange(value)}
          >
            {t(`usage.range.${value}`)}
          </button>
        ))}
      </div>
      <LoadState loading={usage.loading && !data} error={usage.error} onRetry={usage.reload} />
      {data && <UsageView usage={data} />}
    </Dialog>
  );
}

function UsageView({ usage }: { usage: KeyUsage }): ReactNode {
  const { t, formatClock, formatNumber } = useI18n();
  const total = usage.totals.ok + refusedOf(usage.totals);
  const shown = usage.buckets.filter((bucket) => bucket.ok + refusedOf(bucket) > 0);
  const columns = USAGE_LAYERS.filter(({ field }) => field === 'ok' || usage.totals[field] > 0);
  const multiDay = usage.bucketMs >= 3600_000;
  return (
    <>
      <p className="small muted">{t(`usage.bucket.${usage.range}`)}</p>
      {total === 0 ? (
        <p className="empty">{t(`usage.empty.${usage.range}`)}</p>
      ) : (
        <>
          <Suspense fallback={<div className="usage-chart-box" aria-busy="true" />}>
            <UsageChart usage={usage} />
          </Suspense>
          <details className="advanced usage-table">
            <summary>{t('usage.showTable')}</summary>
            <div className="table-scroll">
              <table className="table" aria-label={t('usage.tableLabel')} data-testid="usage-table">
                <thead>
                  <tr>
                    <th scope="col">{t('usage.col.time')}</th>
                    {columns.map(({ field, label }) => (
                      <th key={field} scope="col" className="num">
                        {t(label)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((bucket) => (
                    <tr key={bucket.start}>
                      <th scope="row" className="nowrap">
                        {formatClock(bucket.start, { withDay: multiDay })}–
                        {formatClock(bucket.start + usage.bucketMs)}
                      </th>
                      {columns.map(({ field }) => (
                        <td key={field} className="num">
                          {formatNumber(bucket[field])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
      <section aria-labelledby="usage-refusals-title">
        <h3 id="usage-refusals-title" className="subheading">
          {t('usage.refusals')}
        </h3>
        {usage.refusals.length === 0 ? (
          <p className="muted">{t('usage.noRefusals')}</p>
        ) : (
          <>
            <p className="small muted" data-testid="refusal-sample-note">
              {t('usage.sampleNote', {
                shown: usage.refusals.length,
                total: formatNumber(refusedOf(usage.totals)),
                limit: usage.refusalSample.limit,
              })}
            </p>
            <ul className="refusal-list">
              {usage.refusals.map((refusal, i) => (
                <RefusalItem key={i} refusal={refusal} />
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}

function RefusalItem({ refusal }: { refusal: UsageRefusal }): ReactNode {
  const { t, formatTime } = useI18n();
  const reason = REASONS[refusal.reason];
  const explanation = EXPLANATIONS[refusal.reason];
  return (
    <li data-reason={refusal.reason}>
      <span className="badge badge-danger">{reason ? t(reason) : refusal.reason}</span>{' '}
      <span className="nowrap">{formatTime(refusal.at)}</span> · {refusal.ip}
      {refusal.instruction && (
        <>
          {' '}
          · <code>{refusal.instruction}</code>
        </>
      )}
      {explanation && (
        <div className="secondary-line">
          {t(explanation, {
            ip: refusal.ip,
            instruction: refusal.instruction ?? '—',
            permission: refusal.permission ? permissionLabel(t, refusal.permission) : '—',
          })}
        </div>
      )}
      <div className="secondary-line">
        {t('usage.answered')} <code>{refusal.message}</code>
      </div>
    </li>
  );
}
