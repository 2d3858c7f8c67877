/**
 * Sign in: email + password, then the 2FA code when the account has it, or one of its recovery codes (the code
 * field takes the focus once it is shown, on every screen size). After a failure the focus returns to the field to fix.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type User } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { Field, FormError } from '../components/field.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate } from '../router.ts';
import { AuthLayout } from './auth-layout.tsx';

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (user: User, csrfToken: string) => void;
  notice?: string;
}): ReactNode {
  const { t, language } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const codeInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  // Runs after the field is in the page (a timer could fire before React has rendered it).
  useEffect(() => {
    if (needsCode) codeInput.current?.focus();
  }, [needsCode]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await consoleApi.logIn(email, password, needsCode ? code.trim() : undefined);
      if (result.status === 'two_factor_required') {
        setNeedsCode(true);
      } else {
        onSignedIn(result.user, result.csrfToken);
      }
    } catch (caught) {
      setError(describeError(caught, language, t));
      window.setTimeout(() => (needsCode ? codeInput : passwordInput).current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('auth.signInTitle')}>
      {notice && !error && (
        <div className="alert alert-info" role="status">
          {notice}
        </div>
      )}
      <form className="form" onSubmit={submit} noValidate={false}>
        <FormError message={error} />
        <Field
          label={t('auth.email')}
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label={t('auth.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          inputRef={passwordInput}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {needsCode && (
          <Field
            label={t('auth.totpCode')}
            hint={t('auth.totpHint')}
            name="totpCode"
            autoComplete="one-time-code"
            maxLength={16}
            required
            inputRef={codeInput}
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        <button
          type="submit"
          className="button button-primary button-block"
          aria-disabled={busy ? true : undefined}
        >
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
      <p className="auth-switch">
        {t('auth.noAccount')}{' '}
        <a
          href="/sign-up"
          onClick={(event) => {
            event.preventDefault();
            navigate('/sign-up');
          }}
        >
          {t('auth.goSignUp')}
        </a>
      </p>
    </AuthLayout>
  );
}
