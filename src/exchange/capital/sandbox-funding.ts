/**
 * Sandbox funding is an operator decision: whether signed-in people may credit themselves test funds from the
 * console ("Deposit test funds"), and how much. `signet deposit` (operators, on the database) is not limited.
 *
 *   SIGNET_SANDBOX_DEPOSITS=on|off            default on (`npm start` is a sandbox); off: no button, route 403
 *   SIGNET_SANDBOX_DEPOSIT_MAX=<whole units>  per call and asset, default 1000000000
 *   SIGNET_SANDBOX_DEPOSIT_DAILY_MAX=<units>  per user and asset over the last 24 h, default 10000000000
 *
 * The day's total counts every deposit to the user's subaccounts (an operator's too). Two console deposits racing
 * each other can pass the daily cap by at most one per-call cap each; the asset's maximum supply (supply.ts) is
 * the hard bound and is exact.
 */
import { sql, type Kysely } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';
import { DecimalError, parseDecimal } from '../model/decimal.ts';
import { joinSplitSum, splitSum } from '../persistence/supply.ts';

export interface SandboxFundingPolicy {
  enabled: boolean;
  /** Whole units of any asset (a decimal string), per call. */
  maxPerCall: string;
  /** Whole units of any asset (a decimal string), per user over the last 24 h. */
  maxPerDay: string;
}

export const DEFAULT_SANDBOX_FUNDING: SandboxFundingPolicy = {
  enabled: true,
  maxPerCall: '1000000000',
  maxPerDay: '10000000000',
};

const DAY_MS = 86_400_000;

function readUnits(text: string | undefined, name: string, fallback: string): string {
  const value = text?.trim();
  if (value === undefined || value === '') return fallback;
  try {
    if (parseDecimal(value, 18) <= 0n) throw new DecimalError('not positive');
  } catch {
    throw new Error(`${name} must be a positive decimal number of whole units`);
  }
  return value;
}

export function sandboxFundingFromEnv(env: NodeJS.ProcessEnv): SandboxFundingPolicy {
  const mode = env.SIGNET_SANDBOX_DEPOSITS?.trim().toLowerCase();
  if (mode !== undefined && mode !== '' && mode !== 'on' && mode !== 'off') {
    throw new Error('SIGNET_SANDBOX_DEPOSITS must be on or off');
  }
  return {
    enabled: mode !== 'off',
    maxPerCall: readUnits(
      env.SIGNET_SANDBOX_DEPOSIT_MAX,
      'SIGNET_SANDBOX_DEPOSIT_MAX',
      DEFAULT_SANDBOX_FUNDING.maxPerCall,
    ),
    maxPerDay: readUnits(
      env.SIGNET_SANDBOX_DEPOSIT_DAILY_MAX,
      'SIGNET_SANDBOX_DEPOSIT_DAILY_MAX',
      DEFAULT_SANDBOX_FUNDING.maxPerDay,
    ),
  };
}

/** A cap in the asset's smallest units (caps finer than the asset's decimals round down). */
export function capUnits(text: string, decimals: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return parseDecimal(fraction === '' ? whole : `${whole}.${fraction.slice(0, decimals) || '0'}`, decimals);
}

export type SandboxDecision =
  { ok: true } | { ok: false; code: 'FORBIDDEN' | 'INVALID_QUANTITY'; message: string };

/** The decision, pure: may this user deposit `quantity` units now, given what they deposited in the last 24 h? */
export function decideSandboxDeposit(
  policy: SandboxFundingPolicy,
  input: { quantity: bigint; decimals: number; symbol: string; depositedToday: bigint },
): SandboxDecision {
  if (!policy.enabled) {
    return { ok: false, code: 'FORBIDDEN', message: 'Sandbox deposits are turned off on this server' };
  }
  if (input.quantity > capUnits(policy.maxPerCall, input.decimals)) {
    return {
      ok: false,
      code: 'INVALID_QUANTITY',
      message: `One sandbox deposit may be at most ${policy.maxPerCall} ${input.symbol}`,
    };
  }
  if (input.depositedToday + input.quantity > capUnits(policy.maxPerDay, input.decimals)) {
    return {
      ok: false,
      code: 'INVALID_QUANTITY',
      message: `Sandbox deposits are limited to ${policy.maxPerDay} ${input.symbol} per day`,
    };
  }
  return { ok: true };
}

/** What the user's subaccounts received in deposits of `symbol` since `now - 24 h`. */
export async function readDepositedToday(
  db: Kysely<Database>,
  input: { userId: string; symbol: string; now: number },
): Promise<bigint> {
  const total = splitSum(sql`deposits.quantity`);
  const row = await db
    .selectFrom('deposits')
    .innerJoin('subaccounts', 'subaccounts.id', 'deposits.subaccount_id')
    .select([total.high.as('high'), total.low.as('low')])
    .where('subaccounts.user_id', '=', input.userId)
    .where('deposits.symbol', '=', input.symbol)
    .where('deposits.created_at', '>=', input.now - DAY_MS)
    .executeTakeFirst();
  return row === undefined ? 0n : joinSplitSum(row.high, row.low);
}

/** Throws the decision's error when a console deposit is not allowed. */
export async function assertSandboxDepositAllowed(
  db: Kysely<Database>,
  policy: SandboxFundingPolicy,
  input: { userId: string; symbol: string; decimals: number; quantity: bigint; now: number },
): Promise<void> {
  if (!policy.enabled) {
    throw new AppError('FORBIDDEN', 'Sandbox deposits are turned off on this server');
  }
  const depositedToday = await readDepositedToday(db, input);
  const decision = decideSandboxDeposit(policy, { ...input, depositedToday });
  if (!decision.ok) throw new AppError(decision.code, decision.message);
}
