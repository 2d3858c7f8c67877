/**
 * Prefixed, sortable ids for Signet's own records (`usr_`, `sub_`, `key_`, `evt_`, `ses_`), from one module.
 * Shape: prefix + 10 Crockford base32 characters of millisecond time + 16 of randomness (a ULID), so ids sort
 * by creation time and are unguessable. Backpack-visible ids (orders, fills) keep Backpack's numeric types.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix = 'usr' | 'sub' | 'key' | 'evt' | 'ses' | 'dep' | 'wdr' | 'adr' | 'ref';

export function createId(prefix: IdPrefix, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 32];
  return `${prefix}_${time}${random}`;
}
