/**
 * The ten 2FA recovery codes, shown once (after 2FA is turned on, or after new ones were made): a list, Copy,
 * Download as a text file, and "I have saved them" before the panel can be closed. The server keeps only their
 * hashes, so this is the person's one chance to keep them.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { CopyButton } from '../../components/copy-button.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone: () => void }): ReactNode {
  const { t } = useI18n();
  const [saved, setSaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const text = `${t('recovery.fileHeader')}\n\n${codes.join('\n')}\n`;
  const [href, setHref] = useState<string>();

  useEffect(() => {
    heading.current?.focus();
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);

  return (
    <div className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title" ref={heading} tabIndex={-1}>
        {t('recovery.title')}
      </h3>
      <p>{t('recovery.explain')}</p>
      <ul className="recovery-list mono" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="button-row">
        <CopyButton value={codes.join('\n')} what={t('recovery.title')} />
        <a className="button button-secondary button-small" href={href} download="signet-recovery-codes.txt">
          {t('recovery.download')}
        </a>
      </div>
      <div className="recovery-saved">
        <label className="checkbox">
          <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />
          {t('recovery.saved')}
        </label>
      </div>
      <button
        type="button"
        className="button button-primary"
        aria-disabled={saved ? undefined : true}
        onClick={() => saved && onDone()}
      >
        {t('recovery.done')}
      </button>
    </div>
  );
}
