/**
 * The TOTP code field the key actions show when the account has 2FA on (create, widen, rotate, revoke), and the
 * proof field (code or password) of the actions that always need proof.
 */
import type { ReactNode } from 'react';

import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';

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

/**
 * The owner's proof for a key action that widens access or replaces keys (edit, rotate, revoke all): the TOTP
 * code with 2FA on, the password with it off, as the server asks (console/confirm-identity.ts).
 */
export function KeyProofField({
  value,
  onChange,
  error,
  hint,
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  /** Said under the field; by default, what the proof is for. */
  hint?: string;
  inputRef?: React.Ref<HTMLInputElement>;
}): ReactNode {
  const { t } = useI18n();
  const { user } = useSession();
  if (user.twoFactorEnabled) {
    return <TotpField value={value} onChange={onChange} error={error} hint={hint} inputRef={inputRef} />;
  }
  return (
    <Field
      label={t('keys.password')}
      hint={hint ?? t('keys.passwordHint')}
      name="password"
      type="password"
      autoComplete="current-password"
      value={value}
      error={error}
      inputRef={inputRef}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** The body fields for a proof typed into `KeyProofField` (none when it is empty). */
export function keyProof(twoFactorEnabled: boolean, value: string): { totpCode?: string; password?: string } {
  if (value === '') return {};
  return twoFactorEnabled ? { totpCode: value } : { password: value };
}
