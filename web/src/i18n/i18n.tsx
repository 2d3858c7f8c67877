/**
 * English and Russian, one dictionary each (en.ts, ru.ts). The language starts from the browser's
 * (`navigator.language`), can be switched in the header, and the choice is remembered in localStorage.
 *
 * Times are shown one way everywhere: `1 Dec 2026, 13:30` in the browser's time zone (never 01/12/26), the zone
 * named where a person types a time (`timeZoneLabel`), and durations in words ("3 h 20 min").
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
  /** `1 Dec 2026, 13:30` in the browser's time zone. */
  formatTime: (ms: number) => string;
  /** `1 Dec, 13:30` this year, `1 Dec 2025` before: for dense tables (the full time goes in a title). */
  formatShortTime: (ms: number) => string;
  /** `13:30` (or `1 Dec, 13:30` when `withDay`). */
  formatClock: (ms: number, options?: { withDay?: boolean }) => string;
  /** `3 h 20 min`, `2 d 4 h`, `less than a minute`. */
  formatDuration: (ms: number) => string;
  /** Plain integers with the language's grouping: `12,345` / `12 345`. */
  formatNumber: (value: number) => string;
  /** The browser's time zone as people read it: `Europe/Berlin (UTC+1)`. */
  timeZoneLabel: string;
  /** The locale for Intl (`en-GB`, `ru-RU`). */
  locale: string;
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
    const clockFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    const dayClockFormat = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric' });
    const thisYear = new Date().getFullYear();
    const plurals = new Intl.PluralRules(locale);
    const t: Translate = (key, values) => formatMessage(dictionary[key], values, plurals);
    return {
      language,
      setLanguage,
      t,
      locale,
      formatTime: (ms) => dateFormat.format(new Date(ms)),
      formatShortTime: (ms) =>
        (new Date(ms).getFullYear() === thisYear ? dayClockFormat : dayFormat).format(new Date(ms)),
      formatClock: (ms, options) => (options?.withDay ? dayClockFormat : clockFormat).format(new Date(ms)),
      formatDuration: (ms) => formatDuration(ms, t),
      formatNumber: (value) => numberFormat.format(value),
      timeZoneLabel: timeZoneLabel(locale),
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/**
 * A message with its values: `{name}` is replaced by the value, and `{count, plural, one {# key} other {# keys}}`
 * picks the form the language needs for the number (Intl.PluralRules: Russian has one, few, many) with `#` as the
 * number; `=0 {...}` matches an exact number first. An unknown `{name}` is left as it is.
 */
export function formatMessage(
  template: string,
  values: Record<string, string | number> | undefined,
  plurals: Intl.PluralRules,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open === -1) return out + template.slice(i);
    out += template.slice(i, open);
    const plural = /^\{(\w+), plural,/.exec(template.slice(open));
    if (plural) {
      let depth = 0;
      let end = open;
      for (; end < template.length; end++) {
        if (template[end] === '{') depth++;
        else if (template[end] === '}' && --depth === 0) break;
      }
      const body = template.slice(open + plural[0].length, end);
      const raw = values?.[plural[1] as string];
      const count = Number(raw);
      const options = new Map(
        [...body.matchAll(/(=?\w+)\s*\{([^}]*)\}/g)].map((m) => [m[1], m[2] as string]),
      );
      const chosen =
        options.get(`=${count}`) ?? options.get(plurals.select(count)) ?? options.get('other') ?? '';
      out += chosen.replace(/#/g, String(raw));
      i = end + 1;
      continue;
    }
    const close = template.indexOf('}', open);
    if (close === -1) return out + template.slice(open);
    const name = template.slice(open + 1, close);
    const value = /^\w+$/.test(name) ? values?.[name] : undefined;
    out += value === undefined ? template.slice(open, close + 1) : String(value);
    i = close + 1;
  }
  return out;
}

/** `3 h 20 min`: the largest two units, rounded up to the minute; under a minute says so. */
export function formatDuration(ms: number, t: Translate): string {
  if (ms < 60_000) return t('duration.s');
  const minutes = Math.ceil(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return hours > 0 ? t('duration.dh', { d: days, h: hours }) : t('duration.d', { d: days });
  if (minutes < 60) return t('duration.m', { m: minutes });
  return minutes % 60 === 0 ? t('duration.h', { h: hours }) : t('duration.hm', { h: hours, m: minutes % 60 });
}

function timeZoneLabel(locale: string): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset =
    new Intl.DateTimeFormat(locale, { timeZoneName: 'shortOffset' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value ?? '';
  const utc = offset.replace(/^GMT/, 'UTC');
  return zone ? `${zone} (${utc === 'UTC' || utc === '' ? 'UTC' : utc})` : utc;
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error('useI18n() outside <I18nProvider>');
  return context;
}
