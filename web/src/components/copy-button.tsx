/** Copies a value to the clipboard and says so (visibly and to screen readers) for two seconds. */
import { useEffect, useState, type ReactNode } from 'react';

import { useI18n } from '../i18n/i18n.tsx';

async function copyText(value: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(value);
    return;
  }
  // Plain-HTTP deployments have no Clipboard API: fall back to a selected, off-screen textarea.
  const area = document.createElement('textarea');
  area.value = value;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({
  value,
  what,
  compact,
}: {
  value: string;
  what: string;
  compact?: boolean;
}): ReactNode {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  return (
    <button
      type="button"
      className={compact ? 'button button-ghost button-small' : 'button button-secondary button-small'}
      aria-label={t('common.copyLabel', { what })}
      title={compact ? t('common.copyLabel', { what }) : undefined}
      onClick={() => {
        copyText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {compact ? (
        <>
          <svg className="copy-icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            {copied ? (
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="1.8" />
            ) : (
              <path
                d="M5 5V2.5h8.5V11H11M2.5 5h8.5v8.5H2.5z"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.4"
                strokeLinejoin="round"
              />
            )}
          </svg>
          <span className="visually-hidden" aria-live="polite">
            {copied ? t('common.copied') : ''}
          </span>
        </>
      ) : (
        <span aria-live="polite">{copied ? t('common.copied') : t('common.copy')}</span>
      )}
    </button>
  );
}
