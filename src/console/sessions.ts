/**
 * Console sessions: a random 32-byte token in an HttpOnly cookie; the database holds only its SHA-256, so a copy
 * of the sessions table cannot be turned back into cookies. A session ends on logout, after `SESSION_IDLE_MS`
 * without a request, or `SESSION_ABSOLUTE_MS` after sign-in, whichever comes first.
 *
 * Invariants: the token is never logged, stored or put in an audit event; expired sessions are refused (and
 * deleted when seen); every sign-in gets a fresh token, so a token planted before sign-in (fixation) is useless.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';

import { createId } from '../ids.ts';
import type { Database, SessionsTable } from '../store/schema.ts';
import type { AuditContext } from '../accounts/index.ts';

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often, so reads do not each turn into a write. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Pure: has the session run out, by idle time or by its absolute limit? */
export function isSessionExpired(session: Pick<Session, 'lastSeenAt' | 'expiresAt'>, now: number): boolean {
  return now >= session.expiresAt || now - session.lastSeenAt >= SESSION_IDLE_MS;
}

function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Starts a session for a user who has just proved who they are; returns the token for the cookie. */
export async function createSession(
  db: Kysely<Database>,
  input: { userId: string; context?: AuditContext; now: number },
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const row: SessionsTable = {
    id: createId('ses', input.now),
    token_hash: hashSessionToken(token),
    user_id: input.userId,
    created_at: input.now,
    last_seen_at: input.now,
    expires_at: input.now + SESSION_ABSOLUTE_MS,
    ip: input.context?.ip ?? null,
    user_agent: input.context?.userAgent?.slice(0, 512) ?? null,
  };
  await db.transaction().execute(async (trx) => {
    // Housekeeping: this user's sessions that ran out are of no use to anyone.
    await trx
      .deleteFrom('sessions')
      .where('user_id', '=', input.userId)
      .where((eb) =>
        eb.or([eb('expires_at', '<=', input.now), eb('last_seen_at', '<=', input.now - SESSION_IDLE_MS)]),
      )
      .execute();
    await trx.insertInto('sessions').values(row).execute();
  });
  return { token, session: toSession(row) };
}

/** The live session for a cookie token, or undefined (unknown, expired, or ended). Refreshes its idle timer. */
export async function findSession(
  db: Kysely<Database>,
  token: string,
  now: number,
): Promise<Session | undefined> {
  const tokenHash = hashSessionToken(token);
  const row = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const session = toSession(row);
  if (isSessionExpired(session, now)) {
    await db.deleteFrom('sessions').where('id', '=', session.id).execute();
    return undefined;
  }
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.id).execute();
    session.lastSeenAt = now;
  }
  return session;
}

/** Ends the session whose cookie holds `token` (logout). Ending an unknown session is not an error. */
export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', hashSessionToken(token)).execute();
}

/** Ends every session of a user except, optionally, one (e.g. after 2FA is turned off elsewhere). */
export async function deleteUserSessions(
  db: Kysely<Database>,
  input: { userId: string; exceptSessionId?: string },
): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', input.userId);
  if (input.exceptSessionId !== undefined) query = query.where('id', '!=', input.exceptSessionId);
  await query.execute();
}
