/**
 * One error table: docs/ERRORS.md is generated from src/errors.ts and must match it, every code has a status
 * and a meaning, and the console translates only details that exist.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { AppError, ERROR_DETAILS, ERRORS, formatErrorTable } from '../src/errors.ts';
import { BY_DETAIL } from '../web/src/api/error-message.ts';

describe('the error table', () => {
  it('is what docs/ERRORS.md says (run `npm run docs:errors` after changing src/errors.ts)', () => {
    const doc = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');
    expect(doc).toBe(formatErrorTable());
  });

  it('lists every code and every detail in docs/ERRORS.md', () => {
    const doc = readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERRORS)) expect(doc).toContain(`| \`${code}\` |`);
    for (const detail of Object.keys(ERROR_DETAILS)) expect(doc).toContain(`| \`${detail}\` |`);
  });

  it('gives every code a 4xx/5xx status and a meaning', () => {
    for (const { status, meaning } of Object.values(ERRORS)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });

  it('gives a detail its own code; the console body carries it, Backpack’s body does not', () => {
    const error = AppError.of('EMAIL_TAKEN', 'An account with this email already exists');
    expect(error.status).toBe(409);
    expect(error.toJSON()).toEqual({
      code: 'CONFLICT',
      message: 'An account with this email already exists',
    });
    expect(error.toDetailedJSON()).toEqual({
      code: 'CONFLICT',
      message: 'An account with this email already exists',
      detail: 'EMAIL_TAKEN',
    });
    expect(new AppError('INVALID_ORDER', 'x').toJSON()).toEqual({ code: 'INVALID_ORDER', message: 'x' });
  });

  it('translates in the console only details the server can send', () => {
    for (const detail of Object.keys(BY_DETAIL)) expect(Object.keys(ERROR_DETAILS)).toContain(detail);
  });
});
