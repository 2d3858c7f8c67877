/**
 * Two-factor recovery codes: ten single-use codes made when 2FA is turned on (and when regenerated), shown once,
 * stored as SHA-256 hashes only. A code stands in for a TOTP code at sign-in and to turn 2FA off, nowhere else.
 *
 * A code is 10 characters of a 32-letter alphabet without look-alikes (50 bits), shown as `xxxxx-xxxxx`; case,
 * spaces and dashes are ignored when typed. 50 random bits need no slow hash: guessing is throttled per user
 * with the TOTP code's counter (two-factor-service.ts), and the hash only keeps a database reader from using them.
 * Spending is one UPDATE guarded by `used_at IS NULL`, so two concurrent sign-ins cannot both use one code.
 */
import { createHash, randomInt } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1
const CODE_LENGTH = 10;

/** What a recovery code looks like once normalised; a 6-digit TOTP code never does. */
const NORMALISED = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

function createRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Lower case, no spaces or dashes; undefined when it cannot be a recovery code. */
export function normaliseRecoveryCode(text: string): string | undefined {
  const code = text.toLowerCase().replace(/[\s-]+/g, '');
  return NORMALISED.test(code) ? code : undefined;
}

function hashCode(normalised: string): string {
  return createHash('sha256').update(`signet-recovery:${normalised}`).digest('hex');
}

/** Replaces the user's codes with ten new ones (in `trx`); returns them for showing once. */
export async function replaceRecoveryCodes(
  trx: Kysely<Database>,
  input: { userId: string; now: number },
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, createRecoveryCode);
  await trx.deleteFrom('totp_recovery_codes').where('user_id', '=', input.userId).execute();
  await trx
    .insertInto('totp_recovery_codes')
    .values(
      codes.map((code) => ({
        user_id: input.userId,
        code_hash: hashCode(normaliseRecoveryCode(code) as string),
        created_at: input.now,
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/** Spends one code: true when it was the user's and unused (now used), false otherwise. */
export async function spendRecoveryCode(
  db: Kysely<Database>,
  input: { userId: string; code: string; now: number },
): Promise<boolean> {
  const normalised = normaliseRecoveryCode(input.code);
  if (normalised === undefined) return false;
  const result = await db
    .updateTable('totp_recovery_codes')
    .set({ used_at: input.now })
    .where('user_id', '=', input.userId)
    .where('code_hash', '=', hashCode(normalised))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const { count } = await db
    .selectFrom('totp_recovery_codes')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function deleteRecoveryCodes(trx: Kysely<Database>, userId: string): Promise<void> {
  await trx.deleteFrom('totp_recovery_codes').where('user_id', '=', userId).execute();
}
