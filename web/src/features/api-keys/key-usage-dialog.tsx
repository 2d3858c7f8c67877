/**
 * A key's usage: requests per minute over the last 24 hours as a small bar chart (10-minute bars, successes and
 * refusals stacked), the totals by outcome, and the recent refusals with their reasons and messages, so a person
 * can see that their bot is failing and why.
 */
import { useCallback, type ReactNode } from 'react';

import { consoleApi, type ApiKey, type KeyUsage, type UsageCounts } from '../../api/console-api.ts';
import { Dialog } from '../../components/dialog.tsx';
import { LoadState } from '../../components/load-state.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useResource } from '../../use-resource.ts';

const BAR_MS = 10 * 60_000;
const BARS = 144;
const REFUSALS: Array<[keyof UsageCounts, string]> = [
  ['badSignature', 'bad_signature'],
  ['expiredWindow', 'expired_window'],
  ['ipNotAllowed', 'ip_not_allowed'],
  ['permission', 'permission'],
  ['invalidKey', 'invalid_key'],
];

const refusedOf = (c: UsageCounts): number =>
  c.badSignature + c.expiredWindow + c.ipNotAllowed + c.permission + c.invalidKey;

function bars(usage: KeyUsage): Array<{ ok: number; refused: number }> {
  const out = Array.from({ length: BARS }, () => ({ ok: 0, refused: 0 }));
  const start = usage.to - BARS * BAR_MS;
  for (const m of usage.minutes) {
    const index = Math.min(BARS - 1, Math.max(0, Math.floor((m.minute - start) / BAR_MS)));
    const bar = out[index] as { ok: number; refused: number };
    bar.ok += m.ok;
    bar.refused += refusedOf(m);
  }
  return out;
}

export function UsageChart({ usage }: { usage: KeyUsage }): ReactNode {
  const { t } = useI18n();
  const data = bars(usage);
  const max = Math.max(1, ...data.map((b) => b.ok + b.refused));
  const refused = refusedOf(usage.totals);
  return (
    <figure className="usage-chart">
      <svg
        viewBox={`0 0 ${BARS * 2} 60`}
        preserveAspectRatio="none"
        role="img"
        aria-label={t('usage.chartLabel', { ok: usage.totals.ok, refused })}
      >
        {data.map((bar, i) => {
          const okHeight = (bar.ok / max) * 58;
          const refusedHeight = (bar.refused / max) * 58;
          return (
            <g key={i}>
              {bar.ok > 0 && (
                <rect className="bar-ok" x={i * 2} width={1.6} y={60 - okHeight} height={okHeight} />
              )}
              {bar.refused > 0 && (
                <rect
                  className="bar-refused"
                  x={i * 2}
                  width={1.6}
                  y={60 - okHeight - refusedHeight}
                  height={refusedHeight}
                />
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="usage-legend">
        <span className="legend-ok">
          {t('usage.ok')}: <strong data-testid="usage-ok">{usage.totals.ok}</strong>
        </span>
        <span className="legend-refused">
          {t('usage.refused')}: <strong data-testid="usage-refused">{refused}</strong>
        </span>
        {REFUSALS.filter(([field]) => usage.totals[field] > 0).map(([field, reason]) => (
          <span key={field} className="muted">
            {t(`usage.reason.${reason}` as MessageKey)}: {usage.totals[field]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function KeyUsageDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }): ReactNode {
  const { t, formatTime } = useI18n();
  const load = useCallback(() => consoleApi.keyUsage(apiKey.id), [apiKey.id]);
  const usage = useResource(load);
  return (
    <Dialog
      title={t('usage.title', { name: apiKey.name })}
      onClose={onClose}
      wide
      description={<p className="muted">{t('usage.description')}</p>}
      footer={
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      }
    >
      <LoadState loading={usage.loading && !usage.data} error={usage.error} onRetry={usage.reload} />
      {usage.data &&
        (usage.data.minutes.length === 0 ? (
          <p className="empty">{t('usage.empty')}</p>
        ) : (
          <UsageChart usage={usage.data} />
        ))}
      {usage.data && (
        <section aria-labelledby="usage-refusals-title">
          <h3 id="usage-refusals-title" className="subheading">
            {t('usage.refusals')}
          </h3>
          {usage.data.refusals.length === 0 ? (
            <p className="muted">{t('usage.noRefusals')}</p>
          ) : (
            <ul className="refusal-list">
              {usage.data.refusals.map((r, i) => (
                <li key={i}>
                  <span className="badge badge-danger">{t(`usage.reason.${r.reason}` as MessageKey)}</span>{' '}
                  <span className="nowrap">{formatTime(r.at)}</span> · {r.ip}
                  {r.instruction && (
                    <>
                      {' '}
                      · <code>{r.instruction}</code>
                    </>
                  )}
                  <div className="secondary-line break">{r.message}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Dialog>
  );
}
