/** What a page shows while its data loads or when loading failed (with a retry). */
import type { ReactNode } from 'react';

import { useI18n } from '../i18n/i18n.tsx';

export function LoadState({
  loading,
  error,
  onRetry,
}: {
  loading: boolean;
  error?: string;
  onRetry: () => void;
}): ReactNode {
  const { t } = useI18n();
  if (error) {
    return (
      <div className="alert alert-error" role="alert">
        <span>{t('common.loadFailed', { message: error })}</span>
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (loading) {
    return (
      <div className="loading" role="status">
        <span className="spinner" aria-hidden="true" />
        {t('app.loading')}
      </div>
    );
  }
  return null;
}
