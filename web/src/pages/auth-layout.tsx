/** The frame around the sign-in and sign-up forms: brand, language switch, a centred card. */
import type { ReactNode } from 'react';

import { LanguageSwitch } from '../components/language-switch.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function AuthLayout({ title, children }: { title: string; children: ReactNode }): ReactNode {
  const { t } = useI18n();
  return (
    <div className="auth-screen">
      <div className="auth-top">
        <span className="brand">
          <img src="/favicon.svg" alt="" width="28" height="28" />
          <span>{t('app.name')}</span>
        </span>
        <LanguageSwitch />
      </div>
      <main className="auth-card">
        <h1>{title}</h1>
        <p className="muted">{t('app.tagline')}</p>
        {children}
      </main>
    </div>
  );
}
