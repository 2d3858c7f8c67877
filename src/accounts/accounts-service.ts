/**
 * People and their subaccounts. Every user has exactly one main subaccount (number 0, created with the user)
 * plus any named subaccounts (numbers 1, 2, ...). Ownership is always checked by user id in the query itself,
 * so one user can never read or use another's subaccount by guessing its id or name.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import { createId } from '../ids.ts';
import { isUniqueViolation } from '../store/errors.ts';
import type { Database } from '../store/schema.ts';
import { recordAuditEvent, type AuditContext } from './audit.ts';
import { checkPasswordPolicy, hashPassword } from './password.ts';

export const MAIN_SUBACCOUNT_NAME = 'Main';

export interface User {
  id: string;
  email: string;
  totpEnabled: boolean;
  createdAt: number;
}

export interface Subaccount {
  id: string;
  userId: string;
  name: string;
  /** Backpack's `subaccountId`: 0 for the main account. */
  number: number;
  isMain: boolean;
  createdAt: number;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SUBACCOUNT_NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,31}$/u;

export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL_RE.test(normalized)) {
    throw AppError.of('EMAIL_INVALID', 'Email address is not valid');
  }
  return normalized;
}

function toUser(row: Database['users']): User {
  return {
    id: row.id,
    email: row.email,
    totpEnabled: row.totp_enabled === 1,
    createdAt: Number(row.created_at),
  };
}

function toSubaccount(row: Database['subaccounts']): Subaccount {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    number: Number(row.number),
    isMain: row.is_main === 1,
    createdAt: Number(row.created_at),
  };
}

export async function createUser(
  db: Kysely<Database>,
  input: { email: string; password: string; context?: AuditContext; now?: number },
): Promise<User> {
  const email = normalizeEmail(input.email);
  const policy = checkPasswordPolicy(input.password);
  if (policy) throw AppError.of('PASSWORD_TOO_SHORT', policy);
  const now = input.now ?? Date.now();
  const passwordHash = await hashPassword(input.password);
  const id = createId('usr', now);
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id,
          email,
          password_hash: passwordHash,
          totp_secret: null,
          totp_enabled: 0,
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('subaccounts')
        .values({
          id: createId('sub', now),
          user_id: id,
          name: MAIN_SUBACCOUNT_NAME,
          number: 0,
          is_main: 1,
          created_at: now,
        })
        .execute();
      await recordAuditEvent(trx, { userId: id, type: 'user.created', context: input.context, now });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw AppError.of('EMAIL_TAKEN', 'An account with this email already exists');
    throw error;
  }
  return { id, email, totpEnabled: false, createdAt: now };
}

export async function findUserByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<(User & { passwordHash: string; totpSecret: string | null }) | undefined> {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row && { ...toUser(row), passwordHash: row.password_hash, totpSecret: row.totp_secret };
}

export async function getUser(db: Kysely<Database>, userId: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  return row && toUser(row);
}

/** A user by email, or RESOURCE_NOT_FOUND: for operator commands that name a user. */
export async function requireUserByEmail(db: Kysely<Database>, email: string): Promise<User> {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AppError('RESOURCE_NOT_FOUND', `No user with email ${email.trim().toLowerCase()}`);
  return { id: user.id, email: user.email, totpEnabled: user.totpEnabled, createdAt: user.createdAt };
}

export async function listSubaccounts(db: Kysely<Database>, userId: string): Promise<Subaccount[]> {
  const rows = await db
    .selectFrom('subaccounts')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('number')
    .execute();
  return rows.map(toSubaccount);
}

/** Named subaccounts (besides the main one) a user may hold, unless SIGNET_MAX_SUBACCOUNTS_PER_USER says. */
export const DEFAULT_MAX_SUBACCOUNTS_PER_USER = 50;

/** SIGNET_MAX_SUBACCOUNTS_PER_USER: a whole number from 1; a bad value stops the start, naming the variable. */
export function maxSubaccountsFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.SIGNET_MAX_SUBACCOUNTS_PER_USER?.trim();
  if (text === undefined || text === '') return DEFAULT_MAX_SUBACCOUNTS_PER_USER;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) {
    throw new Error(`SIGNET_MAX_SUBACCOUNTS_PER_USER must be a whole number from 1 (got ${text})`);
  }
  return Number(text);
}

/**
 * A named subaccount. With `maxSubaccounts` (the console and the CLI pass the operator's cap), a user already
 * holding that many named subaccounts is refused with SUBACCOUNT_LIMIT: "2000 requests per minute per subaccount"
 * must bound what one tenant can take, so the number of subaccounts must be bounded too.
 */
export async function createSubaccount(
  db: Kysely<Database>,
  input: { userId: string; name: string; maxSubaccounts?: number; context?: AuditContext; now?: number },
): Promise<Subaccount> {
  const name = input.name.trim();
  if (!SUBACCOUNT_NAME_RE.test(name)) {
    throw AppError.of(
      'SUBACCOUNT_NAME_INVALID',
      'Subaccount name must be 1-32 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit',
    );
  }
  const now = input.now ?? Date.now();
  // Numbers are max + 1 per user, taken under a lock on the user's row; should two creations still collide, the
  // unique constraint catches it and a retry picks the next number. A clash on the name is the caller's conflict.
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertSubaccount(db, { ...input, name, now });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const taken = await db
        .selectFrom('subaccounts')
        .select('id')
        .where('user_id', '=', input.userId)
        .where('name', '=', name)
        .executeTakeFirst();
      if (taken || attempt >= 5)
        throw AppError.of('SUBACCOUNT_NAME_TAKEN', `A subaccount named "${name}" already exists`);
    }
  }
}

async function insertSubaccount(
  db: Kysely<Database>,
  input: { userId: string; name: string; maxSubaccounts?: number; context?: AuditContext; now: number },
): Promise<Subaccount> {
  return db.transaction().execute(async (trx) => {
    // Lock the user's row first (a row lock on PostgreSQL, the write lock on SQLite), so concurrent creations for
    // one user take turns and each reads the max number the previous one committed.
    await trx
      .updateTable('users')
      .set((eb) => ({ id: eb.ref('id') }))
      .where('id', '=', input.userId)
      .execute();
    if (input.maxSubaccounts !== undefined)
      await refuseAtSubaccountCap(trx, input.userId, input.maxSubaccounts);
    const { max } = await trx
      .selectFrom('subaccounts')
      .select((eb) => eb.fn.max('number').as('max'))
      .where('user_id', '=', input.userId)
      .executeTakeFirstOrThrow();
    const row = {
      id: createId('sub', input.now),
      user_id: input.userId,
      name: input.name,
      number: Number(max ?? 0) + 1,
      is_main: 0,
      created_at: input.now,
    };
    await trx.insertInto('subaccounts').values(row).execute();
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'subaccount.created',
      details: { subaccount: input.name },
      context: input.context,
      now: input.now,
    });
    return toSubaccount(row);
  });
}

async function refuseAtSubaccountCap(trx: Kysely<Database>, userId: string, cap: number): Promise<void> {
  const { count } = await trx
    .selectFrom('subaccounts')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', userId)
    .where('is_main', '=', 0)
    .executeTakeFirstOrThrow();
  if (Number(count) >= cap) {
    throw AppError.of(
      'SUBACCOUNT_LIMIT',
      `You have ${cap} subaccounts, the most this server allows; reuse one or ask the operator to raise SIGNET_MAX_SUBACCOUNTS_PER_USER`,
      { max: cap },
    );
  }
}

/** The user's subaccount by id or name (main when neither is given); never another user's. */
export async function resolveSubaccount(
  db: Kysely<Database>,
  userId: string,
  which: { id?: string; name?: string } = {},
): Promise<Subaccount> {
  let query = db.selectFrom('subaccounts').selectAll().where('user_id', '=', userId);
  if (which.id !== undefined) query = query.where('id', '=', which.id);
  else if (which.name !== undefined) query = query.where('name', '=', which.name.trim());
  else query = query.where('is_main', '=', 1);
  const row = await query.executeTakeFirst();
  if (!row)
    throw AppError.of(
      'SUBACCOUNT_NOT_FOUND',
      `No subaccount ${which.name ?? which.id ?? ''} for this user`.trim(),
    );
  return toSubaccount(row);
}
