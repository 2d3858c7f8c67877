/** Sign up: email, password twice; signs the new account in. After a failure the focus returns to the email. */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type User } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { Field, FormError } from '../components/field.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate } from '../router.ts';
import { AuthLayout } from './auth-layout.tsx';

export function SignUpPage({
  onSignedIn,
}: {
  onSignedIn: (user: User, csrfToken: string) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const mismatch = confirm !== '' && confirm !== password;
  const emailInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (mismatch || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await consoleApi.signUp(email, password);
      onSignedIn(result.user, result.csrfToken);
    } catch (caught) {
      setError(describeError(caught, language, t));
      window.setTimeout(() => emailInput.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('auth.signUpTitle')}>
      <form className="form" onSubmit={submit}>
        <FormError message={error} />
        <Field
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="username"
          required
          inputRef={emailInput}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label={t('auth.password')}
          hint={t('auth.passwordHint')}
          type="password"
          name="password"
          autoComplete="new-password"
          minLength={8}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Field
          label={t('auth.confirmPassword')}
          type="password"
          name="confirmPassword"
          autoComplete="new-password"
          required
          value={confirm}
          error={mismatch ? t('auth.passwordsDiffer') : undefined}
          onChange={(event) => setConfirm(event.target.value)}
        />
        <button
          type="submit"
          className="button button-primary button-block"
          aria-disabled={busy || mismatch ? true : undefined}
        >
          {busy ? t('auth.signingUp') : t('auth.signUp')}
        </button>
      </form>
      <p className="auth-switch">
        {t('auth.haveAccount')}{' '}
        <a
          href="/sign-in"
          onClick={(event) => {
            event.preventDefault();
            navigate('/sign-in');
          }}
        >
          {t('auth.goSignIn')}
        </a>
      </p>
    </AuthLayout>
  );
}
