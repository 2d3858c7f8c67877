/**
 * The makers' accounts: one user the operator owns (found by its `operator_accounts` row, role `liquidity`, never
 * by email) and one subaccount per market, named after the market. Ordinary accounts: a person could be given the
 * same shape by `signet users create` and `signet subaccounts create`. Nobody can sign in as this user: its
 * password is random, never stored or shown, and only its hash exists.
 */
import { randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';

import { createSubaccount, createUser, listSubaccounts } from '../accounts/index.ts';
import type { Database } from '../store/schema.ts';

export const LIQUIDITY_ROLE = 'liquidity';

export interface MakerAccounts {
  readonly userId: string;
  /** Subaccount id by market symbol. */
  readonly subaccounts: ReadonlyMap<string, string>;
}

/** The makers' user id, or undefined before the makers first ran. */
export async function findMakerUser(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('operator_accounts')
    .select('user_id')
    .where('role', '=', LIQUIDITY_ROLE)
    .executeTakeFirst();
  return row?.user_id;
}

/** Finds or creates the makers' user and a subaccount for each of `symbols`. */
export async function ensureMakerAccounts(
  db: Kysely<Database>,
  symbols: readonly string[],
  now: number = Date.now(),
): Promise<MakerAccounts> {
  let userId = await findMakerUser(db);
  if (userId === undefined) {
    const user = await createUser(db, {
      email: `market-makers-${randomBytes(6).toString('hex')}@signet.invalid`,
      password: randomBytes(32).toString('base64url'),
      now,
    });
    await db
      .insertInto('operator_accounts')
      .values({ role: LIQUIDITY_ROLE, user_id: user.id, created_at: now })
      .onConflict((oc) => oc.column('role').doNothing())
      .execute();
    userId = (await findMakerUser(db)) as string;
  }
  const existing = new Map((await listSubaccounts(db, userId)).map((sub) => [sub.name, sub.id]));
  for (const symbol of symbols) {
    if (!existing.has(symbol)) {
      existing.set(symbol, (await createSubaccount(db, { userId, name: symbol, now })).id);
    }
  }
  return { userId, subaccounts: new Map(symbols.map((symbol) => [symbol, existing.get(symbol) as string])) };
}
