/**
 * Withdrawals: requestWithdrawal() validates the request against the asset's chain configuration (address
 * format, minimum, maximum, fee) and debits quantity + fee in the same transaction that records the withdrawal
 * as `pending`; settleWithdrawals() later marks pending ones `confirmed` with a transaction hash (the server
 * runs it every second; tests call it directly).
 *
 * Invariants: funds leave the ledger exactly once, when the withdrawal is requested (ledger entry
 * 'withdrawal:<id>'); the withdrawal fee leaves the system with them (it pays the chain, not the fee account).
 * Settling never touches balances and is idempotent (`where status = 'pending'`), so several processes may run
 * it at once. Read-only keys never get here: the gateway refuses `withdraw` to them (403).
 * Destinations: callers pass `authorize` (the address book's rule for API and console withdrawals); Signet
 * ignores `twoFactorToken` (it unlocks nothing, as on Backpack's API) and refuses borrowing options.
 */
import { sql, type Kysely } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';
import { deriveTransactionHash, isValidAddress } from './blockchain-addresses.ts';
import { parseQuantity } from '../model/client-input.ts';
import { getLedger } from '../persistence/ledger.ts';
import type { PageFilter } from '../persistence/paging.ts';
import { allocateIds } from '../persistence/id-counters.ts';
import { requireAsset } from '../model/client-input.ts';
import type { ExchangeConfig } from '../model/markets.ts';
import type { WithdrawalRecord, WithdrawalStatus } from '../persistence/order-records.ts';
import { pageByTime } from '../persistence/paging.ts';

export interface WithdrawalFilter extends PageFilter {
  readonly id?: number;
  readonly clientId?: string;
}

/** Refuses a destination by throwing (the address book's rule); called with a validated address. */
export type AuthorizeDestination = (destination: { blockchain: string; address: string }) => Promise<void>;

const MAX_CLIENT_ID_LENGTH = 255;
const SETTLE_BATCH = 100;

/** Requests a withdrawal from `subaccountId` (a parsed `POST /wapi/v1/capital/withdrawals` body). */
export async function requestWithdrawal(
  db: Kysely<Database>,
  config: ExchangeConfig,
  input: { subaccountId: string; payload: unknown; now: number; authorize?: AuthorizeDestination },
): Promise<WithdrawalRecord> {
  const body = readObject(input.payload);
  const asset = requireAsset(config, body['symbol']);
  const blockchain = body['blockchain'];
  const token = asset.tokens.find((t) => t.blockchain === blockchain);
  if (typeof blockchain !== 'string' || token === undefined) {
    throw new AppError('INVALID_CLIENT_REQUEST', `Invalid blockchain for ${asset.symbol}`);
  }
  if (!token.withdrawEnabled) {
    throw new AppError(
      'INVALID_CLIENT_REQUEST',
      `Withdrawals of ${asset.symbol} on ${blockchain} are disabled`,
    );
  }
  const address = body['address'];
  if (typeof address !== 'string' || !isValidAddress(blockchain, address)) {
    throw AppError.of('ADDRESS_INVALID', `Invalid ${blockchain} address`);
  }
  const quantity = parseQuantity(body['quantity'], asset.decimals);
  if (quantity < token.minimumWithdrawalUnits) {
    throw new AppError(
      'INVALID_QUANTITY',
      `Quantity is below the minimum withdrawal of ${token.minimumWithdrawal}`,
    );
  }
  if (token.maximumWithdrawalUnits !== null && quantity > token.maximumWithdrawalUnits) {
    throw new AppError(
      'INVALID_QUANTITY',
      `Quantity is above the maximum withdrawal of ${token.maximumWithdrawal}`,
    );
  }
  for (const option of ['autoBorrow', 'autoLendRedeem']) {
    if (body[option] === true || body[option] === 'true') {
      throw new AppError('INVALID_CLIENT_REQUEST', `${option} is not supported`);
    }
  }
  const clientId = readClientId(body['clientId']);
  // The address-book rule (capital/address-book-service.ts), after every input check, before any debit.
  await input.authorize?.({ blockchain, address });
  const fee = token.withdrawalFeeUnits;
  const ledger = getLedger(db);
  return db.transaction().execute(async (trx) => {
    const id = await allocateIds(trx, 'withdrawal', 1);
    await ledger.applyBalanceChanges(
      trx,
      [
        {
          accountId: input.subaccountId,
          asset: asset.symbol,
          availableDelta: -(quantity + fee),
          lockedDelta: 0n,
        },
      ],
      { reason: 'withdrawal', reference: `withdrawal:${id}`, now: input.now },
    );
    await trx
      .insertInto('withdrawals')
      .values({
        id,
        subaccount_id: input.subaccountId,
        symbol: asset.symbol,
        blockchain,
        quantity: quantity.toString(),
        fee: fee.toString(),
        to_address: address,
        client_id: clientId,
        status: 'pending',
        transaction_hash: null,
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
    return {
      id,
      subaccountId: input.subaccountId,
      symbol: asset.symbol,
      blockchain,
      quantity,
      fee,
      toAddress: address,
      clientId,
      status: 'pending',
      transactionHash: null,
      createdAt: input.now,
    };
  });
}

/** Withdrawals of a subaccount, newest first. */
export async function listWithdrawals(
  db: Kysely<Database>,
  subaccountId: string,
  filter: WithdrawalFilter,
): Promise<WithdrawalRecord[]> {
  let query = db
    .selectFrom('withdrawals')
    .select([
      'id',
      'symbol',
      'blockchain',
      sql<string>`cast(quantity as text)`.as('quantity'),
      sql<string>`cast(fee as text)`.as('fee'),
      'to_address',
      'client_id',
      'status',
      'transaction_hash',
      'created_at',
    ])
    .where('subaccount_id', '=', subaccountId);
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
  const rows = await pageByTime(query, filter).execute();
  return rows.map((row) => ({
    id: Number(row.id),
    subaccountId,
    symbol: row.symbol,
    blockchain: row.blockchain,
    quantity: BigInt(row.quantity),
    fee: BigInt(row.fee),
    toAddress: row.to_address,
    clientId: row.client_id,
    status: row.status as WithdrawalStatus,
    transactionHash: row.transaction_hash,
    createdAt: Number(row.created_at),
  }));
}

/** Confirms pending withdrawals (oldest first, up to a batch); returns how many this call confirmed. */
export async function settleWithdrawals(db: Kysely<Database>, now: number): Promise<number> {
  const pending = await db
    .selectFrom('withdrawals')
    .select(['id', 'blockchain'])
    .where('status', '=', 'pending')
    .orderBy('id')
    .limit(SETTLE_BATCH)
    .execute();
  let settled = 0;
  for (const row of pending) {
    const result = await db
      .updateTable('withdrawals')
      .set({
        status: 'confirmed',
        transaction_hash: deriveTransactionHash(`withdrawal:${row.id}`, row.blockchain),
        updated_at: now,
      })
      .where('id', '=', Number(row.id))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    settled += Number(result.numUpdatedRows);
  }
  return settled;
}

function readObject(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new AppError('INVALID_CLIENT_REQUEST', 'Body must be a JSON object');
  }
  return payload as Record<string, unknown>;
}

function readClientId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CLIENT_ID_LENGTH) {
    throw new AppError(
      'INVALID_CLIENT_REQUEST',
      `clientId must be a string of 1-${MAX_CLIENT_ID_LENGTH} characters`,
    );
  }
  return text;
}
