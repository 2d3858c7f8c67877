/**
 * Account settings (`GET`/`PATCH /api/v1/account`): Backpack's switches, stored per subaccount. Signet is spot
 * only, so the switches are kept and reported but change nothing in matching or settlement (documented).
 *
 * validateAccountUpdate() is the pure decision: only Backpack's four fields (plus autoRealizePnl), booleans as
 * booleans, leverageLimit a decimal string from 1 to 100; anything else is INVALID_CLIENT_REQUEST, so a typo is
 * never silently ignored. The subaccount always comes from the key.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';

export interface AccountSettings {
  readonly autoBorrowSettlements: boolean;
  readonly autoLend: boolean;
  readonly autoRealizePnl: boolean;
  readonly autoRepayBorrows: boolean;
  readonly leverageLimit: string;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  autoBorrowSettlements: false,
  autoLend: false,
  autoRealizePnl: false,
  autoRepayBorrows: false,
  leverageLimit: '1',
};

const BOOLEAN_FIELDS = ['autoBorrowSettlements', 'autoLend', 'autoRealizePnl', 'autoRepayBorrows'] as const;
const MAX_LEVERAGE = 100;

export type AccountUpdate = Partial<AccountSettings>;

export function validateAccountUpdate(body: unknown): AccountUpdate {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('INVALID_CLIENT_REQUEST', 'Body must be a JSON object');
  }
  const update: { -readonly [K in keyof AccountSettings]?: AccountSettings[K] } = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if ((BOOLEAN_FIELDS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean')
        throw new AppError('INVALID_CLIENT_REQUEST', `${key} must be a boolean`);
      update[key as (typeof BOOLEAN_FIELDS)[number]] = value;
    } else if (key === 'leverageLimit') {
      const text = typeof value === 'number' ? String(value) : value;
      if (
        typeof text !== 'string' ||
        !/^\d{1,3}(\.\d{1,2})?$/.test(text) ||
        Number(text) < 1 ||
        Number(text) > MAX_LEVERAGE
      ) {
        throw new AppError(
          'INVALID_CLIENT_REQUEST',
          `leverageLimit must be a decimal from 1 to ${MAX_LEVERAGE}`,
        );
      }
      update.leverageLimit = text;
    } else {
      throw new AppError('INVALID_CLIENT_REQUEST', `Unknown account setting: ${key}`);
    }
  }
  return update;
}

export async function readAccountSettings(
  db: Kysely<Database>,
  subaccountId: string,
): Promise<AccountSettings> {
  const row = await db
    .selectFrom('account_settings')
    .selectAll()
    .where('subaccount_id', '=', subaccountId)
    .executeTakeFirst();
  if (row === undefined) return DEFAULT_ACCOUNT_SETTINGS;
  return {
    autoBorrowSettlements: Number(row.auto_borrow_settlements) === 1,
    autoLend: Number(row.auto_lend) === 1,
    autoRealizePnl: Number(row.auto_realize_pnl) === 1,
    autoRepayBorrows: Number(row.auto_repay_borrows) === 1,
    leverageLimit: row.leverage_limit,
  };
}

/** Applies a validated update (read, merge, upsert in one transaction); returns the settings now in force. */
export async function updateAccountSettings(
  db: Kysely<Database>,
  subaccountId: string,
  update: AccountUpdate,
  now: number,
): Promise<AccountSettings> {
  return db.transaction().execute(async (trx) => {
    const settings = { ...(await readAccountSettings(trx, subaccountId)), ...update };
    const row = {
      auto_borrow_settlements: settings.autoBorrowSettlements ? 1 : 0,
      auto_lend: settings.autoLend ? 1 : 0,
      auto_realize_pnl: settings.autoRealizePnl ? 1 : 0,
      auto_repay_borrows: settings.autoRepayBorrows ? 1 : 0,
      leverage_limit: settings.leverageLimit,
      updated_at: now,
    };
    await trx
      .insertInto('account_settings')
      .values({ subaccount_id: subaccountId, ...row })
      .onConflict((oc) => oc.column('subaccount_id').doUpdateSet(row))
      .execute();
    return settings;
  });
}
