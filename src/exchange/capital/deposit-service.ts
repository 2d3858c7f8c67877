/**
 * Sandbox funding: depositTestFunds() credits a subaccount and records the deposit as Backpack reports one
 * (status `confirmed`, `source` the lower-camel chain name, a stable deposit address, a derived transaction
 * hash). Used by `signet deposit` and meant for the console's "Deposit test funds" button. Also the deposit
 * history and the per-chain deposit address that `GET /wapi/v1/capital/deposit/address` returns.
 *
 * Invariants: the credit and the deposit row are written in one transaction (ledger entry 'deposit:<id>').
 * Amounts must be exact in the asset's configured decimals (ETH has 8 here although its chains have 18: finer
 * amounts are refused, never truncated). One deposit credits at most MAX_DEPOSIT_UNITS and no balance may pass
 * MAX_BALANCE_UNITS, which keeps every sum far inside a 64-bit integer. minimumDeposit does not apply to
 * sandbox funding.
 */
import { sql, type Kysely } from 'kysely';

import { resolveSubaccount } from '../../accounts/index.ts';
import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';
import { deriveDepositAddress, deriveTransactionHash, getChainFamily } from './blockchain-addresses.ts';
import { allocateIds } from '../persistence/id-counters.ts';
import { getLedger } from '../persistence/ledger.ts';
import { parseQuantity, requireAsset } from '../model/client-input.ts';
import type { ExchangeConfig, TokenConfig } from '../model/markets.ts';
import type { DepositRecord } from '../persistence/order-records.ts';
import { pageByTime, type PageFilter } from '../persistence/paging.ts';
import { assertSupplyRoom } from '../persistence/supply.ts';

export const MAX_DEPOSIT_UNITS = 10n ** 15n;
export const MAX_BALANCE_UNITS = 10n ** 17n;

export interface DepositTestFundsInput {
  readonly userId: string;
  /** The user's subaccount by id (console) or name (CLI); the main subaccount when both are absent. */
  readonly subaccountId?: string;
  readonly subaccountName?: string;
  /** Asset symbol, e.g. `USDC`. */
  readonly symbol: string;
  /** Decimal string, e.g. `1000` or `0.5`. */
  readonly quantity: string;
  /** Backpack's spelling (`Solana`); default: the asset's first deposit-enabled chain. */
  readonly blockchain?: string;
  readonly now?: number;
}

/** Credits sandbox funds to one of the user's subaccounts and records a confirmed deposit. */
export async function depositTestFunds(
  db: Kysely<Database>,
  config: ExchangeConfig,
  input: DepositTestFundsInput,
): Promise<DepositRecord> {
  const asset = requireAsset(config, input.symbol);
  const token = chooseDepositToken(asset.tokens, input.blockchain, asset.symbol);
  const quantity = parseQuantity(input.quantity, asset.decimals);
  if (quantity > MAX_DEPOSIT_UNITS) {
    throw AppError.of('DEPOSIT_TOO_LARGE', 'Quantity is larger than one sandbox deposit may be');
  }
  const subaccount = await resolveSubaccount(db, input.userId, {
    id: input.subaccountId,
    name: input.subaccountName,
  });
  const now = input.now ?? Date.now();
  const ledger = getLedger(db);
  return db.transaction().execute(async (trx) => {
    const id = await allocateIds(trx, 'deposit', 1);
    // After the id: the counter row serialises deposits, so the supply read here is exact (supply.ts).
    await assertSupplyRoom(trx, asset, quantity);
    const balance = await ledger.readBalance(trx, subaccount.id, asset.symbol);
    if (balance.available + balance.locked + balance.staked + quantity > MAX_BALANCE_UNITS) {
      throw AppError.of('BALANCE_LIMIT', 'This deposit would take the balance past the sandbox limit');
    }
    await ledger.applyBalanceChanges(
      trx,
      [{ accountId: subaccount.id, asset: asset.symbol, availableDelta: quantity, lockedDelta: 0n }],
      { reason: 'deposit', reference: `deposit:${id}`, now },
    );
    const record: DepositRecord = {
      id,
      subaccountId: subaccount.id,
      symbol: asset.symbol,
      blockchain: token.blockchain,
      quantity,
      status: 'confirmed',
      toAddress: deriveDepositAddress(subaccount.id, token.blockchain),
      fromAddress: null,
      transactionHash: deriveTransactionHash(`deposit:${id}`, token.blockchain),
      createdAt: now,
    };
    await trx
      .insertInto('deposits')
      .values({
        id,
        subaccount_id: record.subaccountId,
        symbol: record.symbol,
        blockchain: record.blockchain,
        quantity: quantity.toString(),
        status: record.status,
        to_address: record.toAddress,
        from_address: null,
        transaction_hash: record.transactionHash,
        created_at: now,
      })
      .execute();
    return record;
  });
}

/** Deposits of a subaccount, newest first. */
export async function listDeposits(
  db: Kysely<Database>,
  subaccountId: string,
  filter: PageFilter,
): Promise<DepositRecord[]> {
  const query = db
    .selectFrom('deposits')
    .select([
      'id',
      'subaccount_id',
      'symbol',
      'blockchain',
      sql<string>`cast(quantity as text)`.as('quantity'),
      'to_address',
      'from_address',
      'transaction_hash',
      'created_at',
    ])
    .where('subaccount_id', '=', subaccountId);
  const rows = await pageByTime(query, filter).execute();
  return rows.map((row) => ({
    id: Number(row.id),
    subaccountId: row.subaccount_id,
    symbol: row.symbol,
    blockchain: row.blockchain,
    quantity: BigInt(row.quantity),
    status: 'confirmed',
    toAddress: row.to_address,
    fromAddress: row.from_address,
    transactionHash: row.transaction_hash,
    createdAt: Number(row.created_at),
  }));
}

/**
 * The subaccount's stable deposit address on `blockchain` (Backpack's spelling). 400 when no configured asset
 * can be deposited on that chain.
 */
export function getDepositAddress(config: ExchangeConfig, subaccountId: string, blockchain: unknown): string {
  const known =
    typeof blockchain === 'string' &&
    getChainFamily(blockchain) !== undefined &&
    config.assets.some((asset) => asset.tokens.some((t) => t.blockchain === blockchain && t.depositEnabled));
  if (!known) throw new AppError('INVALID_CLIENT_REQUEST', 'Invalid blockchain');
  return deriveDepositAddress(subaccountId, blockchain as string);
}

function chooseDepositToken(
  tokens: readonly TokenConfig[],
  blockchain: string | undefined,
  symbol: string,
): TokenConfig {
  const token =
    blockchain === undefined
      ? tokens.find((t) => t.depositEnabled && getChainFamily(t.blockchain) !== undefined)
      : tokens.find((t) => t.blockchain === blockchain);
  if (token === undefined || !token.depositEnabled || getChainFamily(token.blockchain) === undefined) {
    throw new AppError(
      'INVALID_CLIENT_REQUEST',
      blockchain === undefined
        ? `${symbol} has no deposit network`
        : `${symbol} cannot be deposited on that blockchain`,
    );
  }
  return token;
}
