/** EN | RU toggle buttons (aria-pressed), in the header and on the sign-in pages. */
import type { ReactNode } from 'react';

import { LANGUAGES, useI18n, type Language } from '../i18n/i18n.tsx';

export function LanguageSwitch(): ReactNode {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="language-switch" role="group" aria-label={t('lang.label')}>
      {(Object.keys(LANGUAGES) as Language[]).map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          aria-pressed={language === code}
          title={LANGUAGES[code].label}
          onClick={() => setLanguage(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
