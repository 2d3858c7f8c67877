/**
 * English and Russian, one dictionary each (en.ts, ru.ts). The language starts from the browser's
 * (`navigator.language`), can be switched in the header, and the choice is remembered in localStorage.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { en, type Dictionary, type MessageKey } from './en.ts';
import { ru } from './ru.ts';

export type Language = 'en' | 'ru';
export const LANGUAGES: Record<Language, { label: string; dictionary: Dictionary; locale: string }> = {
  en: { label: 'English', dictionary: en, locale: 'en-GB' },
  ru: { label: 'Русский', dictionary: ru, locale: 'ru-RU' },
};
const STORAGE_KEY = 'signet.language';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  formatTime: (ms: number) => string;
}

const I18nContext = createContext<I18n | undefined>(undefined);

function initialLanguage(): Language {
  const saved = window.localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ru') return saved;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }): ReactNode {
  const [language, setLanguageState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    window.localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const { dictionary, locale } = LANGUAGES[language];
    // Unambiguous everywhere: `1 Dec 2026, 13:30` (en-GB), `1 дек. 2026 г., 13:30` (ru), never 01/12/26.
    const dateFormat = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    return {
      language,
      setLanguage,
      t: (key, values) =>
        dictionary[key].replace(/\{(\w+)\}/g, (match, name: string) => String(values?.[name] ?? match)),
      formatTime: (ms) => dateFormat.format(new Date(ms)),
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error('useI18n() outside <I18nProvider>');
  return context;
}
