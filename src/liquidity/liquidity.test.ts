/**
 * The makers' pure parts (the walk, the price file, the ladder and its changes) and the lease on both dialects.
 * The whole thing against a real server lives in test/sandbox-liquidity.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from '../../test/helpers/dialects.ts';
import { readMarketConfigFile } from '../exchange/index.ts';
import { DEFAULT_MARKETS_FILE } from '../server/start-server.ts';
import { openStore } from '../store/create-database.ts';
import { LeaderLease } from './leader-lease.ts';
import { liquiditySettingsFromEnv } from './liquidity-settings.ts';
import { parsePriceCsv, randomWalk, replayPath, seededRandom, seedFromText } from './price-path.ts';
import { levelStep, quoteLadder, reconcileQuotes } from './quote-ladder.ts';

const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);

describe('the price path', () => {
  const walk = (seed: string) =>
    randomWalk({
      start: 150,
      volatility: 0.8,
      random: seededRandom(seedFromText(seed)),
      floor: 15,
      ceiling: 1500,
      startMs: 0,
    });

  it('is the same walk for the same seed, another for another seed, and it moves', () => {
    const a = walk('7');
    const b = walk('7');
    const c = walk('8');
    const seq = (path: ReturnType<typeof walk>) =>
      Array.from({ length: 50 }, (_, i) => path.next((i + 1) * 1000));
    const [pa, pb, pc] = [seq(a), seq(b), seq(c)];
    expect(pa).toEqual(pb);
    expect(pa).not.toEqual(pc);
    expect(new Set(pa).size).toBeGreaterThan(40);
    for (const price of pa) expect(price).toBeGreaterThan(100);
  });

  it('stays inside its floor and ceiling whatever the volatility', () => {
    const path = randomWalk({
      start: 150,
      volatility: 10,
      random: seededRandom(1),
      floor: 100,
      ceiling: 200,
      startMs: 0,
    });
    for (let i = 1; i < 5000; i++) {
      const price = path.next(i * 3_600_000);
      expect(price).toBeGreaterThanOrEqual(100);
      expect(price).toBeLessThanOrEqual(200);
    }
  });

  it('replays a timestamp,price file in a loop, holding each price until the next', () => {
    const points = parsePriceCsv('timestamp,price\n1700000000,100\n1700000002,101.5\n1700000004,99\n');
    expect(points.map((p) => p.price)).toEqual([100, 101.5, 99]);
    const path = replayPath(points, 0);
    expect([0, 1000, 2000, 3999, 4000, 5999, 6000, 8500].map((t) => path.next(t))).toEqual([
      100, 100, 101.5, 101.5, 99, 99, 100, 101.5,
    ]);
  });

  it('refuses a price file with a bad line or a timestamp going back, naming the line', () => {
    expect(() => parsePriceCsv('1,100\n2,abc\n', 'p.csv')).toThrow('p.csv, line 2');
    expect(() => parsePriceCsv('5,100\n2,101\n', 'p.csv')).toThrow('line 2: timestamps must increase');
    expect(() => parsePriceCsv('\n', 'p.csv')).toThrow('holds no prices');
  });
});

describe('the ladder', () => {
  const market = config.marketsBySymbol.get('SOL_USDC')!;
  const liquidity = market.liquidity!;

  it('puts at least 10 valid levels on each side around the middle, best bid below best ask', () => {
    const mid = 150_000_000n;
    const step = levelStep(market, liquidity, mid);
    const quotes = quoteLadder(market, liquidity, { mid, step, random: seededRandom(3) });
    const bids = quotes.filter((q) => q.side === 'Bid');
    const asks = quotes.filter((q) => q.side === 'Ask');
    expect(bids.length).toBeGreaterThanOrEqual(10);
    expect(asks.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...bids.map((q) => Number(q.price)))).toBeLessThan(Number(mid));
    expect(Math.min(...asks.map((q) => Number(q.price)))).toBeGreaterThan(Number(mid));
    for (const quote of quotes) {
      expect(quote.price % market.tickUnits).toBe(0n);
      expect(quote.quantity % market.stepUnits).toBe(0n);
      expect(quote.quantity).toBeGreaterThanOrEqual(market.minQuantityUnits);
    }
  });

  it('keeps every resting level a one-tick move still wants, and changes only the ends', () => {
    const step = levelStep(market, liquidity, 150_000_000n);
    const before = quoteLadder(market, liquidity, { mid: 150_000_000n, step, random: () => 0.5 });
    const resting = before.map((q, i) => ({
      id: String(i),
      side: q.side,
      price: q.price,
      remaining: q.quantity,
    }));
    const after = quoteLadder(market, liquidity, { mid: 150_000_000n + step, step, random: () => 0.5 });
    const changes = reconcileQuotes(after, resting);
    expect(changes.cancel.length).toBeLessThanOrEqual(2);
    expect(changes.place.length).toBeLessThanOrEqual(2);
    expect(reconcileQuotes(before, resting)).toEqual({ cancel: [], place: [] });
  });

  it('replaces a level mostly taken and cancels a duplicate', () => {
    const quote = { side: 'Ask' as const, price: 151_000_000n, quantity: 2_000_000_000n };
    const changes = reconcileQuotes(
      [quote],
      [
        { id: '1', side: 'Ask', price: quote.price, remaining: 100_000_000n },
        { id: '2', side: 'Ask', price: 152_000_000n, remaining: 2_000_000_000n },
      ],
    );
    expect(changes.cancel.map((c) => c.id)).toEqual(['1', '2']);
    expect(changes.place).toEqual([quote]);
  });
});

describe('SIGNET_LIQUIDITY', () => {
  it('is on by default, off when asked, and refuses anything else', () => {
    expect(liquiditySettingsFromEnv({}).enabled).toBe(true);
    expect(liquiditySettingsFromEnv({ SIGNET_LIQUIDITY: 'off' }).enabled).toBe(false);
    expect(liquiditySettingsFromEnv({ SIGNET_LIQUIDITY_SEED: 'abc' }).seed).toBe('abc');
    expect(() => liquiditySettingsFromEnv({ SIGNET_LIQUIDITY: 'yes' })).toThrow('on or off');
    expect(() => liquiditySettingsFromEnv({ SIGNET_LIQUIDITY_STEP_MS: '5' })).toThrow('100 to 60000');
  });
});

describe.each(DIALECTS)('the leader lease on %s', (_name, create) => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it('has one holder at a time, is taken over once expired, and handed over at once on release', async () => {
    database = await create();
    const db = await openStore(database.url);
    try {
      const clock = { now: 1_000_000 };
      const a = new LeaderLease(db, { name: 'job', ttlMs: 6000, now: () => clock.now });
      const b = new LeaderLease(db, { name: 'job', ttlMs: 6000, now: () => clock.now });
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      clock.now += 3000;
      expect(await a.acquire()).toBe(true); // renewed
      clock.now += 4000;
      expect(await b.acquire()).toBe(false); // a renewed 4 s ago: still a's
      expect(a.held).toBe(true);
      clock.now += 2500;
      expect(a.held).toBe(false); // a stops acting before its row expires
      expect(await b.acquire()).toBe(true); // expired: b takes over
      expect(await a.acquire()).toBe(false);
      await b.release();
      expect(await a.acquire()).toBe(true);
      expect((await LeaderLease.read(db, 'job'))?.holder).toBe(a.holder);
    } finally {
      await db.destroy();
    }
  });
});
