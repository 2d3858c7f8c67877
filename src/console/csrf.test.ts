import { describe, expect, it } from 'vitest';

import { deriveCsrfToken, isSameOrigin, isValidCsrfToken } from './csrf.ts';

describe('isSameOrigin()', () => {
  it('passes a request that declares no origin (the CSRF token still guards it)', () => {
    expect(isSameOrigin({}, 'example.com')).toBe(true);
  });

  it('compares the Origin host with this host, default ports included', () => {
    expect(isSameOrigin({ origin: 'https://example.com' }, 'example.com')).toBe(true);
    expect(isSameOrigin({ origin: 'http://example.com' }, 'example.com:80')).toBe(true);
    expect(isSameOrigin({ origin: 'http://127.0.0.1:8080' }, '127.0.0.1:8080')).toBe(true);
    expect(isSameOrigin({ origin: 'http://127.0.0.1:8081' }, '127.0.0.1:8080')).toBe(false);
    expect(isSameOrigin({ origin: 'https://example.com.evil.test' }, 'example.com')).toBe(false);
  });

  it('refuses Origin: null and unparsable values', () => {
    expect(isSameOrigin({ origin: 'null' }, 'example.com')).toBe(false);
    expect(isSameOrigin({ origin: 'not a url' }, 'example.com')).toBe(false);
  });

  it('uses Referer when there is no Origin', () => {
    expect(isSameOrigin({ referer: 'https://example.com/settings' }, 'example.com')).toBe(true);
    expect(isSameOrigin({ referer: 'https://evil.test/' }, 'example.com')).toBe(false);
  });
});

describe('isValidCsrfToken()', () => {
  it("accepts the session's own token and nothing else", () => {
    const token = deriveCsrfToken('session-a');
    expect(isValidCsrfToken('session-a', token)).toBe(true);
    expect(isValidCsrfToken('session-b', token)).toBe(false);
    expect(isValidCsrfToken('session-a', undefined)).toBe(false);
    expect(isValidCsrfToken('session-a', '')).toBe(false);
    expect(isValidCsrfToken('session-a', `${token}x`)).toBe(false);
  });
});
