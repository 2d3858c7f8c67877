/** The TOTP code field the key actions show when the account has 2FA on (create, widen, rotate, revoke). */
import type { ReactNode } from 'react';

import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

export function TotpField({
  value,
  onChange,
  error,
  hint,
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  inputRef?: React.Ref<HTMLInputElement>;
}): ReactNode {
  const { t } = useI18n();
  return (
    <Field
      label={t('newKey.totpCode')}
      hint={hint ?? t('newKey.totpHint')}
      name="totpCode"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      value={value}
      error={error}
      inputRef={inputRef}
      onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
    />
  );
}
