/**
 * Rotate an API key: a new pair is generated here in the browser (as for any new key), the server makes a key
 * with the old one's settings, and the old key keeps working for the chosen grace period. The new secret goes to
 * the "created" dialog, shown once.
 */
import { useRef, useState, type ReactNode } from 'react';

import { generateKeyPair } from '../../../../src/client/signer.ts';
import { consoleApi, type ApiKey, type GracePeriod } from '../../api/console-api.ts';
import { describeError, errorField } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import type { CreatedKey } from './created-key-dialog.tsx';
import { KeyProofField, keyProof } from './totp-field.tsx';

const GRACES: GracePeriod[] = ['0', '1h', '24h', '7d'];

export function RotateKeyDialog({
  apiKey,
  onClose,
  onRotated,
}: {
  apiKey: ApiKey;
  onClose: () => void;
  onRotated: (created: CreatedKey) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const [grace, setGrace] = useState<GracePeriod>('24h');
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [codeError, setCodeError] = useState<string>();
  const select = useRef<HTMLSelectElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  const rotate = async (): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setCodeError(undefined);
    try {
      const pair = await generateKeyPair();
      const result = await consoleApi.rotateKey(apiKey.id, {
        publicKey: pair.apiKey,
        publicKeySource: 'browser',
        grace,
        ...keyProof(user.twoFactorEnabled, totpCode),
      });
      onRotated({ key: result.key, secret: pair.secret });
    } catch (caught) {
      const message = describeError(caught, language, t);
      setBusy(false);
      if (errorField(caught) === 'totpCode' || errorField(caught) === 'password') {
        setCodeError(message);
        window.setTimeout(() => codeInput.current?.focus(), 0);
      } else {
        setError(message);
        window.setTimeout(() => errorBox.current?.focus(), 0);
      }
    }
  };

  return (
    <Dialog
      title={t('rotate.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={select}
      description={<p>{t('rotate.body')}</p>}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button-primary" onClick={rotate} disabled={busy}>
            {busy ? t('rotate.rotating') : t('rotate.confirm')}
          </button>
        </>
      }
    >
      <div ref={errorBox} tabIndex={-1} className="form-error-anchor">
        <FormError message={error} />
      </div>
      <p className="small">
        <strong>{apiKey.name}</strong> <span className="mono break">{apiKey.apiKey}</span>
      </p>
      <div className="field">
        <label htmlFor="rotate-grace">{t('rotate.grace')}</label>
        <select
          id="rotate-grace"
          name="grace"
          ref={select}
          value={grace}
          onChange={(event) => setGrace(event.target.value as GracePeriod)}
        >
          {GRACES.map((g) => (
            <option key={g} value={g}>
              {t(`rotate.grace.${g}`)}
            </option>
          ))}
        </select>
      </div>
      <KeyProofField value={totpCode} onChange={setTotpCode} error={codeError} inputRef={codeInput} />
    </Dialog>
  );
}
