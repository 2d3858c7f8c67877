/**
 * The two dictionaries and the message format: every English key has a Russian twin quoting the same values, every
 * audit event type the server writes has a label in both (regression: `api_key.updated` showed as a raw code), and
 * plural forms follow each language's rules (regression: "1 keys", Russian "1 дн.." at a sentence end).
 */
import { describe, expect, it } from 'vitest';

import { AUDIT_EVENT_TYPES } from '../../../src/accounts/audit.ts';
import { en, type MessageKey } from './en.ts';
import { formatDuration, formatMessage, type Translate } from './i18n.tsx';
import { ru } from './ru.ts';

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)(?:, plural,|\})/g)].map((m) => m[1] as string).sort();

const translator =
  (dictionary: Record<MessageKey, string>, locale: string): Translate =>
  (key, values) =>
    formatMessage(dictionary[key], values, new Intl.PluralRules(locale));

describe('the dictionaries', () => {
  it('have the same keys, none empty, each quoting the same values', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(ru[key].trim(), key).not.toBe('');
      expect({ key, values: placeholders(ru[key]) }).toEqual({ key, values: placeholders(en[key]) });
    }
  });

  it('label every audit event type in both languages', () => {
    for (const type of AUDIT_EVENT_TYPES) {
      const key = `event.${type}` as MessageKey;
      expect(en[key], type).toBeTruthy();
      expect(ru[key], type).toBeTruthy();
      expect(ru[key]).not.toBe(en[key]);
    }
  });
});

describe('formatMessage()', () => {
  const t = translator(en, 'en-GB');
  const tRu = translator(ru, 'ru-RU');

  it('fills values and leaves unknown ones visible', () => {
    expect(formatMessage('Key “{name}” updated.', { name: 'bot' }, new Intl.PluralRules('en'))).toBe(
      'Key “bot” updated.',
    );
    expect(formatMessage('{missing} stays', {}, new Intl.PluralRules('en'))).toBe('{missing} stays');
  });

  it('picks the plural form each language needs', () => {
    expect([1, 2, 5].map((count) => t('revokeAll.confirmCount', { count }))).toEqual([
      'Revoke 1 key',
      'Revoke 2 keys',
      'Revoke 5 keys',
    ]);
    expect([1, 3, 5, 21].map((count) => tRu('revokeAll.confirmCount', { count }))).toEqual([
      'Отозвать 1 ключ',
      'Отозвать 3 ключа',
      'Отозвать 5 ключей',
      'Отозвать 21 ключ',
    ]);
    expect(t('revokeAll.willStop', { count: 0 })).toBe('No key would stop.');
  });

  it('says durations in words, days with their plural', () => {
    expect(formatDuration(30_000, t)).toBe('less than a minute');
    expect(formatDuration(3 * 3600_000 + 20 * 60_000, t)).toBe('3 h 20 min');
    expect(formatDuration(24 * 3600_000, tRu)).toBe('1 день');
    expect(formatDuration(2 * 24 * 3600_000 + 3600_000, tRu)).toBe('2 дня 1 ч');
  });
});
