/**
 * An exchange over a real database for service tests: SQLite (a temp file) or PostgreSQL (a fresh schema), one
 * user whose subaccounts are the trading accounts, balances read back as decimal strings, and a second Exchange
 * over the same database to play "another process".
 */
import { createSubaccount, createUser } from '../../src/accounts/accounts-service.ts';
import { formatDecimal } from '../../src/exchange/model/decimal.ts';
import { createExchange, type Exchange } from '../../src/exchange/exchange-service.ts';
import { readMarketConfigFile } from '../../src/exchange/config/market-config.ts';
import type { ExchangeConfig } from '../../src/exchange/model/markets.ts';
import { DEFAULT_MARKETS_FILE } from '../../src/server/start-server.ts';
import { openStore, type Store } from '../../src/store/create-database.ts';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from './dialects.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface ExchangeTestContext {
  readonly dialect: DialectName;
  readonly db: Store;
  readonly exchange: Exchange;
  readonly config: ExchangeConfig;
  readonly userId: string;
  readonly clock: { now: number };
  /** A new subaccount of the test user (its id is the ledger account id). */
  createAccount: (name?: string) => Promise<string>;
  /** Credits sandbox funds through depositTestFunds(). */
  fund: (accountId: string, symbol: string, quantity: string) => Promise<void>;
  /** `{ USDC: '1000 / 0' }`: available / locked per asset, as decimal strings. */
  balances: (accountId: string) => Promise<Record<string, string>>;
  /** Another Exchange (own connection, own books) over the same database: a second process. */
  openAnotherProcess: () => Promise<Exchange>;
  close: () => Promise<void>;
}

let counter = 0;

export async function createExchangeTestContext(
  dialect: DialectName = 'sqlite',
): Promise<ExchangeTestContext> {
  const database: TestDatabase =
    dialect === 'sqlite' ? await createSqliteDatabase() : await createPostgresDatabase();
  const db = await openStore(database.url);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const clock = { now: Date.UTC(2026, 0, 5, 12, 0, 0) };
  const exchange = await createExchange({ db, config, now: () => clock.now });
  const user = await createUser(db, {
    email: `exchange${++counter}-${process.pid}@example.com`,
    password: 'test password',
  });
  const others: Store[] = [];
  let accounts = 0;

  return {
    dialect,
    db,
    exchange,
    config,
    userId: user.id,
    clock,
    createAccount: async (name) =>
      (await createSubaccount(db, { userId: user.id, name: name ?? `account ${++accounts}` })).id,
    fund: async (accountId, symbol, quantity) => {
      await exchange.depositTestFunds({ userId: user.id, subaccountId: accountId, symbol, quantity });
    },
    balances: async (accountId) => {
      const out: Record<string, string> = {};
      for (const [asset, balance] of await exchange.readBalances(accountId)) {
        const decimals = config.assetsBySymbol.get(asset)?.decimals ?? 0;
        out[asset] =
          `${formatDecimal(balance.available, decimals)} / ${formatDecimal(balance.locked, decimals)}`;
      }
      return out;
    },
    openAnotherProcess: async () => {
      const other = await openStore(database.url);
      others.push(other);
      return createExchange({ db: other, config, now: () => clock.now });
    },
    close: async () => {
      for (const other of others) await other.destroy();
      await db.destroy();
      await database.drop();
    },
  };
}
