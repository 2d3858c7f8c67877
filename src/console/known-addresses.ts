/**
 * Whether a client address is known to an account: the account was created or signed in from it before
 * (the audit trail records both, with the address). Sign-in throttling uses it so that failures from elsewhere
 * cannot lock the owner out: an attacker can slow down guesses at an account from addresses the account has never
 * used, never the owner's own.
 *
 * Threat: behind a proxy without SIGNET_TRUST_PROXY every client shares one address; then every address is
 * "known" to everyone who signed in through it, which is why the per-address and (account, address) counters
 * still apply to known addresses.
 */
import type { Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';

export async function isKnownAddress(db: Kysely<Database>, userId: string, ip: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_events')
    .select('id')
    .where('user_id', '=', userId)
    .where('ip', '=', ip)
    .where('type', 'in', ['login.succeeded', 'user.created'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
