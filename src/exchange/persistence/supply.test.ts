/**
 * Money cannot overflow: a maximum supply per asset bounds every balance and every amount (by construction), and
 * the sums no supply can bound (24 h volume, the audit's totals) are exact halves. Tested at the bounds, on both
 * dialects. Regression tests for the "ticker sum overflow" and "balances past 2^63" findings.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createExchangeTestContext,
  type ExchangeTestContext,
} from '../../../test/helpers/exchange-context.ts';
import { DEFAULT_MARKETS_FILE } from '../../server/start-server.ts';
import { createExchange } from '../exchange-service.ts';
import { ConfigError } from '../config/config-reader.ts';
import { loadMarketConfig } from '../config/market-config.ts';
import { MAX_SUPPLY_LIMIT_UNITS } from '../model/markets.ts';
import { readOutstandingSupply } from './supply.ts';

const NEAR_LIMIT = MAX_SUPPLY_LIMIT_UNITS - 1n;

function configWith(change: (json: { assets: Record<string, unknown>[]; markets: unknown[] }) => void) {
  const json = JSON.parse(readFileSync(DEFAULT_MARKETS_FILE, 'utf8')) as {
    assets: Record<string, unknown>[];
    markets: unknown[];
  };
  change(json);
  return loadMarketConfig(json);
}

describe('market configuration: maxSupply', () => {
  it('defaults to 2^62 smallest units and refuses more', () => {
    const config = configWith(() => {});
    expect(config.assetsBySymbol.get('USDC')?.maxSupplyUnits).toBe(2n ** 62n);
    expect(() =>
      configWith((json) => {
        (json.assets[0] as Record<string, unknown>)['maxSupply'] = '4611686018428';
      }),
    ).toThrow(ConfigError);
  });

  it("refuses a market whose largest order would not fit the quote asset's supply", () => {
    expect(() =>
      configWith((json) => {
        const usdc = json.assets.find((a) => a['symbol'] === 'USDC') as Record<string, unknown>;
        usdc['maxSupply'] = '1000';
      }),
    ).toThrow(/maxPrice \* maxQuantity/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('money bounds on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  beforeAll(async () => {
    ctx = await createExchangeTestContext(dialect);
  });
  afterAll(() => ctx.close());

  it('ticker sum overflow: a 24 h volume past 2^63 is summed exactly, not a 500', async () => {
    const account = await ctx.createAccount();
    const rows = Array.from({ length: 5 }, (_, i) => ({
      id: 900_000 + i,
      symbol: 'SOL_USDC',
      price: '1',
      quantity: NEAR_LIMIT.toString(),
      quote_quantity: NEAR_LIMIT.toString(),
      taker_side: 'Bid',
      maker_order_id: 1,
      taker_order_id: 2,
      maker_subaccount_id: account,
      taker_subaccount_id: account,
      maker_client_id: null,
      taker_client_id: null,
      maker_fee: '0',
      taker_fee: '0',
      created_at: ctx.clock.now - 1000,
    }));
    await ctx.db.insertInto('trades').values(rows).execute();
    const ticker = await ctx.exchange.getTicker('SOL_USDC');
    expect(ticker.quoteVolume).toBe(5n * NEAR_LIMIT);
    expect(ticker.volume).toBe(5n * NEAR_LIMIT);
    expect(ticker.quoteVolume > 2n ** 63n).toBe(true);
    await ctx.db.deleteFrom('trades').where('id', '>=', 900_000).execute();
  });

  it('balances past 2^63: no deposit takes an asset past its maximum supply, so no balance can', async () => {
    const config = configWith((json) => {
      const sol = json.assets.find((a) => a['symbol'] === 'SOL') as Record<string, unknown>;
      sol['maxSupply'] = '1000';
    });
    const exchange = await createExchange({ db: ctx.db, config, now: () => ctx.clock.now });
    const [a, b] = [await ctx.createAccount(), await ctx.createAccount()];
    const deposit = (subaccountId: string, quantity: string) =>
      exchange.depositTestFunds({ userId: ctx.userId, subaccountId, symbol: 'SOL', quantity });
    await deposit(a, '600');
    await expect(deposit(b, '500')).rejects.toMatchObject({ code: 'INVALID_QUANTITY' });
    await deposit(b, '400');
    await expect(deposit(b, '0.000000001')).rejects.toMatchObject({ code: 'INVALID_QUANTITY' });
    expect(await readOutstandingSupply(ctx.db, 'SOL')).toBe(1000n * 10n ** 9n);
    // Concurrent deposits cannot slip past the bound together either.
    const c = await ctx.createAccount();
    const config2 = configWith((json) => {
      const eth = json.assets.find((a) => a['symbol'] === 'ETH') as Record<string, unknown>;
      eth['maxSupply'] = '10';
    });
    const exchange2 = await createExchange({ db: ctx.db, config: config2, now: () => ctx.clock.now });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        exchange2.depositTestFunds({ userId: ctx.userId, subaccountId: c, symbol: 'ETH', quantity: '3' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await readOutstandingSupply(ctx.db, 'ETH')).toBe(9n * 10n ** 8n);
    const audit = await exchange2.audit();
    expect(audit.problems).toEqual([]);
  });

  it("sums the ledger's entries exactly even when running totals pass 2^63", async () => {
    const account = await ctx.createAccount();
    const deltas = [NEAR_LIMIT, NEAR_LIMIT, NEAR_LIMIT, -NEAR_LIMIT, -NEAR_LIMIT];
    await ctx.db
      .insertInto('ledger_entries')
      .values(
        deltas.map((delta, i) => ({
          id: `test:${account}:${i}`,
          subaccount_id: account,
          asset: 'USDT',
          available_delta: delta.toString(),
          locked_delta: '0',
          reason: 'deposit',
          created_at: ctx.clock.now,
        })),
      )
      .execute();
    const audit = await ctx.exchange.audit();
    expect(audit.problems).toContain(`ledger entries without a balance row: ${account} USDT`);
    await ctx.db.deleteFrom('ledger_entries').where('subaccount_id', '=', account).execute();
  });
});
