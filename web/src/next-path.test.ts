/** Signing in returns to the page asked for, and only to a page of this console (regression #22.13). */
import { describe, expect, it } from 'vitest';

import { safeNext } from './next-path.ts';

const pages = new Set(['/settings/security', '/exchange/orders']);
const isPage = (path: string): boolean => pages.has(path);

describe('safeNext()', () => {
  it('returns the page asked for, with its query', () => {
    expect(safeNext('?next=%2Fsettings%2Fsecurity', isPage)).toBe('/settings/security');
    expect(safeNext('?next=%2Fexchange%2Forders%3Fx%3D1', isPage)).toBe('/exchange/orders?x=1');
  });

  it('refuses other sites, odd spellings and pages that do not exist', () => {
    for (const next of [
      '//evil.example/settings/security',
      'https://evil.example',
      '/\\evil.example',
      '/nope',
      '',
    ]) {
      expect(safeNext(`?next=${encodeURIComponent(next)}`, isPage)).toBeUndefined();
    }
    expect(safeNext('', isPage)).toBeUndefined();
  });
});
