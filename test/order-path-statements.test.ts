/**
 * The order path's statements, counted on the real drivers (better-sqlite3's statement hook, pg's client query):
 * a group of crossing orders reads nothing back (no SELECT of orders or trades; balances are read once per row,
 * before the first order), records each order's changes as it makes them (the makers' states after each fill come
 * with the commit, exactly), and on PostgreSQL costs the same few statements (round trips) whatever the number of
 * orders in the group.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createExchange, type Exchange, type GroupCommit, type OrderChange } from '../src/exchange/index.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';

interface Harness {
  exchange: Exchange;
  /** Runs `work` and returns the statements it ran and the commits it made. */
  record: (work: () => Promise<unknown>) => Promise<{ statements: string[]; commits: GroupCommit[] }>;
  account: (asset: 'USDC' | 'SOL', quantity: string) => Promise<string>;
}

const bid = (quantity = '0.01') => ({
  symbol: 'SOL_USDC',
  side: 'Bid',
  orderType: 'Limit',
  price: '100',
  quantity,
});
const ask = (quantity = '0.01') => ({ ...bid(quantity), side: 'Ask' });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function harness(create: () => Promise<TestDatabase>): Promise<Harness> {
  const database = await create();
  let statements: string[] | null = null;
  const db: Store = await openStore(database.url, { onStatement: (sql) => statements?.push(sql) });
  closers.push(async () => {
    await db.destroy();
    await database.drop();
  });
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const exchange = await createExchange({ db, config });
  let commits: GroupCommit[] = [];
  exchange.observeCommits({
    beforeCommit: async (_trx, commit) => {
      commits.push({ ...commit, orders: [...commit.orders], trades: [...commit.trades] });
      return undefined;
    },
  });
  const user = await createUser(db, {
    email: `statements-${Date.now()}@example.com`,
    password: 'pw pw pw pw',
  });
  let n = 0;
  return {
    exchange,
    account: async (asset, quantity) => {
      const sub = await createSubaccount(db, { userId: user.id, name: `account ${++n}` });
      await exchange.depositTestFunds({ userId: user.id, subaccountId: sub.id, symbol: asset, quantity });
      return sub.id;
    },
    record: async (work) => {
      statements = [];
      commits = [];
      await work();
      const ran = { statements, commits };
      statements = null;
      commits = [];
      return ran;
    },
  };
}

/** Places `pairs` resting bids in one group, then as many crossing asks in another; returns the asks' group. */
async function crossingGroup(h: Harness, pairs: number) {
  const buyers = await Promise.all(Array.from({ length: pairs }, () => h.account('USDC', '1000')));
  const sellers = await Promise.all(Array.from({ length: pairs }, () => h.account('SOL', '10')));
  await Promise.all(buyers.map((buyer) => h.exchange.placeOrder(buyer, bid())));
  return h.record(() => Promise.all(sellers.map((seller) => h.exchange.placeOrder(seller, ask()))));
}

/** Statements prepared, order and trade id blocks reserved, the book in step: one trade. */
async function warmUp(h: Harness): Promise<void> {
  await h.exchange.placeOrder(await h.account('USDC', '10'), bid());
  await h.exchange.placeOrder(await h.account('SOL', '1'), ask());
}

const READ_BACK = /\bselect\b[\s\S]*\bfrom\s+"?(orders|trades|ledger_entries)"?/i;

describe.each(DIALECTS)('the order path on %s', (dialect, create) => {
  it('reads no order row back and records each order change as it happens', async () => {
    const h = await harness(create);
    await warmUp(h);

    const maker = await h.account('USDC', '1000');
    await h.exchange.placeOrder(maker, { ...bid('0.02'), clientId: 7 });
    const takers = [await h.account('SOL', '10'), await h.account('SOL', '10')];
    const { statements, commits } = await h.record(() =>
      Promise.all(takers.map((taker) => h.exchange.placeOrder(taker, ask()))),
    );
    expect(commits).toHaveLength(1); // one group
    expect(statements.filter((sql) => READ_BACK.test(sql))).toEqual([]);
    const changes = (commits[0] as GroupCommit).orders;
    const summary = (change: OrderChange) =>
      `${change.kind}${change.kind === 'fill' ? (change.maker ? ' maker' : ' taker') : ''} ${change.order.status} ${change.order.executedQuantity}/${change.order.executedQuoteQuantity}`;
    // The maker's state after EACH fill, not only at the end of the group (SOL has 9 decimals, USDC 6).
    expect(changes.map(summary)).toEqual([
      'accepted New 0/0',
      'fill maker PartiallyFilled 10000000/1000000',
      'fill taker Filled 10000000/1000000',
      'accepted New 0/0',
      'fill maker Filled 20000000/2000000',
      'fill taker Filled 10000000/1000000',
    ]);
    const makerFill = changes[1] as Extract<OrderChange, { kind: 'fill' }>;
    expect(makerFill.order.clientId).toBe(7);
    expect(makerFill.trade.makerClientId).toBe(7);
    expect((await h.exchange.audit()).problems).toEqual([]);
  });

  it('lets an order spend what an earlier order of the same group credited', async () => {
    const h = await harness(create);
    await warmUp(h);
    // The maker sells 1 SOL at 100 and holds no USDC; in one group a buyer takes it, and the maker bids with the
    // proceeds (100 USDC minus the maker fee: it bids 0.9 SOL at 100 = 90 USDC).
    const maker = await h.account('SOL', '1');
    await h.exchange.placeOrder(maker, { ...ask('1') });
    const buyer = await h.account('USDC', '1000');
    const { commits } = await h.record(() =>
      Promise.all([
        h.exchange.placeOrder(buyer, bid('1')),
        h.exchange.placeOrder(maker, { ...bid('0.9'), price: '99' }),
      ]),
    );
    expect(commits).toHaveLength(1);
    const balance = await h.exchange.readBalance(maker, 'USDC');
    expect(balance.locked).toBe(89_100_000n); // 0.9 x 99 USDC, 6 decimals
    expect((await h.exchange.audit()).problems).toEqual([]);
  });

  it(
    dialect === 'postgres'
      ? 'runs a fixed number of statements per group, whatever its size'
      : 'runs no statement per order that reads',
    async () => {
      const h = await harness(create);
      await warmUp(h);
      const small = await crossingGroup(h, 4);
      const large = await crossingGroup(h, 16);
      expect(small.commits).toHaveLength(1);
      expect(large.commits).toHaveLength(1);
      for (const group of [small, large]) {
        expect(group.statements.filter((sql) => READ_BACK.test(sql))).toEqual([]);
        expect(group.commits[0]?.trades).toHaveLength(group === small ? 4 : 16);
      }
      const balanceReads = (group: typeof small) =>
        group.statements.filter((sql) => /\bselect\b[\s\S]*\bfrom\s+"?balances"?/i.test(sql)).length;
      if (dialect === 'postgres') {
        // begin, the market sequence, the balances read for update, the group's order ids and trade ids (one
        // statement each, ordered-ids.ts), the group's one write (orders, fills, balances, ledger entries, trades:
        // postgres-group-write.ts), commit: for 4 orders as for 16.
        expect(large.statements.length).toBe(small.statements.length);
        expect(large.statements.length).toBe(7);
        expect(balanceReads(large)).toBe(1);
      } else {
        // In process, no round trips: one cached statement per row changed, and one read per balance row.
        expect(balanceReads(large)).toBe(16);
        expect(large.statements.length).toBeLessThan(small.statements.length * 4 + 8);
      }
      console.log(
        `${dialect}: ${small.statements.length} statements for a group of 4 crossing orders, ${large.statements.length} for 16`,
      );
      expect((await h.exchange.audit()).problems).toEqual([]);
    },
  );
});
