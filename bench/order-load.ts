/**
 * Load for the signed `POST /api/v1/order` benchmark: pairs of funded subaccounts (one buys, one sells) and
 * pre-signed crossing Bid/Ask limit orders at one price, so every Ask fills against a resting Bid and the book
 * stays small however long the run. Requests are replayed within their 60 s window (allowed by the protocol).
 * Also audits the ledger after the run (read-only, while the server still runs: SQLite WAL readers are fine).
 */
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { auditLedger, type LedgerAudit } from '../src/exchange/persistence/ledger-audit.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import type { LoadRequest } from './lib/load.ts';

/**
 * Order requests from `pairs` buyer/seller subaccounts, alternating Bid, Ask: crossing at one price (every Ask
 * fills a resting Bid), or resting on both sides of the book (no fills: the cost of placing alone).
 */
export async function createOrderRequests(
  databaseUrl: string,
  pairs: number,
  options: { crossing: boolean } = { crossing: true },
): Promise<LoadRequest[]> {
  const prices = options.crossing ? { Bid: '100', Ask: '100' } : { Bid: '50', Ask: '150' };
  const db = await openStore(databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, {
    email: `bench-orders-${Date.now()}@example.com`,
    password: 'bench password',
  });
  const requests: LoadRequest[] = [];
  try {
    for (let i = 0; i < pairs; i += 1) {
      const order = async (side: 'Bid' | 'Ask', symbol: string, quantity: string): Promise<LoadRequest> => {
        const sub = await createSubaccount(db, { userId: user.id, name: `${side} ${i} ${prices[side]}` });
        await depositTestFunds(db, config, { userId: user.id, subaccountId: sub.id, symbol, quantity });
        const { key, secret } = await createApiKey(db, {
          userId: user.id,
          name: `${side} ${i}`,
          subaccountId: sub.id,
        });
        const body = { symbol: 'SOL_USDC', side, orderType: 'Limit', price: prices[side], quantity: '0.01' };
        const prepared = await createSignedRequest(
          { method: 'POST', path: '/api/v1/order', body, window: 60_000 },
          { ...(await createSigner(secret as string)), apiKey: key.apiKey },
        );
        return {
          method: 'POST',
          path: prepared.pathWithQuery,
          headers: prepared.headers,
          body: prepared.body,
        };
      };
      requests.push(await order('Bid', 'USDC', '100000000'), await order('Ask', 'SOL', '1000000'));
    }
  } finally {
    await db.destroy();
  }
  return requests;
}

export async function auditDatabase(databaseUrl: string): Promise<LedgerAudit & { trades: number }> {
  const db = await openStore(databaseUrl);
  try {
    const audit = await auditLedger(db, await readMarketConfigFile(DEFAULT_MARKETS_FILE));
    const { count } = await db
      .selectFrom('trades')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return { ...audit, trades: Number(count) };
  } finally {
    await db.destroy();
  }
}
