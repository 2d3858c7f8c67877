/**
 * The operator's reset of a sandbox (`signet reset`, SIGNET_RESET_EVERY): markets, orders, trades, balances, the
 * ledger, deposits and withdrawals back to a clean start, in ONE transaction, on a running server or not. Users
 * (with their subaccounts, address books, sessions and audit log) stay with `keepUsers`, their API keys with
 * `keepKeys` (which needs keepUsers: a key belongs to a user). Ids (orders, trades, deposits) keep counting up, so
 * no client ever sees an id it knew mean something else.
 *
 * Running servers notice by the market sequences, which jump by SEQUENCE_JUMP: a process whose book was synced at
 * the old value rebuilds it from the (now empty) open orders at its next read or write, and stream nodes deliver
 * the market's next event as after a gap, so depth streams restart their `U` and clients resynchronise from REST
 * (docs/STREAMS.md). Deleting keys moves the key epoch (database triggers), so every key cache forgets them.
 * Each kept user gets an `exchange.reset` audit event; the reset itself is a `sandbox_resets` row.
 */
import { randomUUID } from 'node:crypto';

import { sql, type Kysely } from 'kysely';

import { recordAuditEvent } from '../../accounts/index.ts';
import type { Database } from '../../store/schema.ts';
import { ensureCounters } from '../persistence/id-counters.ts';
import type { ExchangeConfig } from '../model/markets.ts';

/** How far every market sequence jumps: far past anything a client held, so no old `u` ever matches again. */
export const SEQUENCE_JUMP = 1_000_000;

export interface SandboxResetOptions {
  readonly keepUsers: boolean;
  readonly keepKeys: boolean;
  /** `anchor`: the schedule's starting point, nothing cleared (reset-schedule.ts). */
  readonly source: 'cli' | 'schedule' | 'anchor';
  readonly now?: number;
}

export interface SandboxResetResult {
  readonly id: string;
  readonly at: number;
  readonly orders: number;
  readonly trades: number;
  readonly deposits: number;
  readonly users: number;
  readonly keys: number;
}

/** Exchange tables emptied by every reset, in an order that respects their references. */
const EXCHANGE_TABLES = [
  'trades',
  'orders',
  'ledger_entries',
  'balances',
  'deposits',
  'withdrawals',
] as const;
const KEY_TABLES = ['api_key_usage', 'api_key_refusals', 'api_keys'] as const;
const USER_TABLES = [
  'account_settings',
  'withdrawal_addresses',
  'sessions',
  'audit_events',
  'operator_accounts',
  'login_throttle',
  'subaccounts',
  'users',
] as const;

export async function resetSandbox(
  db: Kysely<Database>,
  config: ExchangeConfig,
  options: SandboxResetOptions,
): Promise<SandboxResetResult> {
  if (options.keepKeys && !options.keepUsers) throw new Error('Keeping keys needs keeping users');
  const at = options.now ?? Date.now();
  const id = randomUUID();
  const symbols = config.markets.map((market) => `market:${market.symbol}` as const);
  await ensureCounters(db, symbols);
  return db.transaction().execute(async (trx) => {
    // The market sequences first: the same lock every order takes first, so the reset waits for orders in flight
    // and the orders after it wait for the reset.
    await trx
      .updateTable('counters')
      .set({ value: sql`value + ${SEQUENCE_JUMP}` })
      .where('name', 'in', symbols)
      .execute();
    const count = async (table: 'orders' | 'trades' | 'deposits' | 'users' | 'api_keys'): Promise<number> =>
      Number(
        (
          await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const counts = {
      orders: await count('orders'),
      trades: await count('trades'),
      deposits: await count('deposits'),
      users: options.keepUsers ? 0 : await count('users'),
      keys: options.keepKeys ? 0 : await count('api_keys'),
    };
    for (const table of EXCHANGE_TABLES) await trx.deleteFrom(table).execute();
    if (!options.keepKeys) {
      // Rotation links point from key to key: cut them first so no delete order matters.
      await trx.updateTable('api_keys').set({ replaced_by: null }).execute();
      for (const table of KEY_TABLES) await trx.deleteFrom(table).execute();
    }
    if (!options.keepUsers) {
      for (const table of USER_TABLES) await trx.deleteFrom(table).execute();
    } else {
      const users = await trx.selectFrom('users').select('id').execute();
      for (const user of users) {
        await recordAuditEvent(trx, {
          userId: user.id,
          type: 'exchange.reset',
          details: { keepKeys: options.keepKeys, source: options.source },
          now: at,
        });
      }
    }
    await trx
      .insertInto('sandbox_resets')
      .values({
        id,
        at,
        source: options.source,
        keep_users: options.keepUsers ? 1 : 0,
        keep_keys: options.keepKeys ? 1 : 0,
      })
      .execute();
    return { id, at, ...counts };
  });
}

/** The newest reset (its id and time), or undefined when the exchange was never reset. */
export async function latestSandboxReset(
  db: Kysely<Database>,
): Promise<{ id: string; at: number } | undefined> {
  const row = await db
    .selectFrom('sandbox_resets')
    .select(['id', 'at'])
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { id: row.id, at: Number(row.at) };
}
