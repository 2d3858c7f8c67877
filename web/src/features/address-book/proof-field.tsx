/**
 * The owner's proof for a change to the address book: the 2FA code when the account has 2FA, the password
 * otherwise (the same field and the same rule for adding, allowing for API withdrawals and removing).
 */
import type { ReactNode } from 'react';

import type { IdentityProof } from '../../api/console-api.ts';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';

export function ProofField({
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
  const { user } = useSession();
  return user.twoFactorEnabled ? (
    <Field
      label={t('addresses.code')}
      name="totpCode"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
      hint={hint}
      inputRef={inputRef}
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
    />
  ) : (
    <Field
      label={t('addresses.password')}
      name="password"
      type="password"
      autoComplete="current-password"
      required
      hint={hint}
      inputRef={inputRef}
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function useProof(): (value: string) => IdentityProof {
  const { user } = useSession();
  return (value) => (user.twoFactorEnabled ? { totpCode: value } : { password: value });
}
