/**
 * Runs the built-in market makers in exactly one process of the deployment. Every process that serves the
 * exchange starts a runner; each tries the `liquidity` lease (leader-lease.ts) every LEASE_TRY_MS and only the
 * holder runs the makers, one MarketMaker per market with a `liquidity` block. When the holder dies its lease
 * expires and another process takes over within LEASE_TTL_MS + LEASE_TRY_MS (under 10 s); it finds the makers'
 * accounts and resting orders in the database and carries on from the last traded price.
 */
import type { Kysely } from 'kysely';

import {
  latestSandboxReset,
  type Exchange,
  type MarketConfig,
  type MarketLiquidity,
} from '../exchange/index.ts';
import type { Database } from '../store/schema.ts';
import { LeaderLease } from './leader-lease.ts';
import type { LiquiditySettings } from './liquidity-settings.ts';
import { ensureMakerAccounts } from './maker-accounts.ts';
import { MarketMaker } from './market-maker.ts';
import {
  randomWalk,
  readPriceFile,
  replayPath,
  seededRandom,
  seedFromText,
  type PricePath,
} from './price-path.ts';

export const LIQUIDITY_LEASE = 'liquidity';
export const LEASE_TTL_MS = 6000;
export const LEASE_TRY_MS = 2000;

export interface LiquidityLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface LiquidityRunner {
  /** True while this process runs the makers. */
  readonly leading: boolean;
  /** Stops the makers (their orders stay on the book) and hands the lease over at once. */
  close(): Promise<void>;
}

export function startLiquidity(options: {
  db: Kysely<Database>;
  exchange: Exchange;
  settings: LiquiditySettings;
  log: LiquidityLog;
}): LiquidityRunner {
  const { db, exchange, settings, log } = options;
  const lease = new LeaderLease(db, { name: LIQUIDITY_LEASE, ttlMs: LEASE_TTL_MS });
  let makers: MarketMaker[] | null = null;
  /** The newest sandbox reset when the makers were made: a newer one means the books were emptied under them. */
  let resetSeen: string | undefined;
  let closed = false;
  let nextLeaseTry = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastError = 0;
  const reportError = (error: unknown, what: string): void => {
    // At most one line a minute: a database outage must not flood the log.
    if (Date.now() - lastError < 60_000) return;
    lastError = Date.now();
    log.warn({ err: error }, `market makers: ${what} failed`);
  };
  const allowed = (): boolean => !closed && lease.held;

  const tick = async (): Promise<void> => {
    if (Date.now() >= nextLeaseTry) {
      nextLeaseTry = Date.now() + LEASE_TRY_MS;
      const wasLeading = makers !== null;
      const leading = await lease.acquire().catch((error: unknown) => {
        reportError(error, 'lease');
        return false;
      });
      const reset = leading ? (await latestSandboxReset(db))?.id : undefined;
      if (leading && wasLeading && reset !== resetSeen) {
        makers = null; // `signet reset`: start over from the configured price, with fresh accounts if need be
        log.info({ reset }, 'market makers: the exchange was reset, starting over');
      }
      if (leading && makers === null) {
        resetSeen = reset;
        makers = await createMakers(db, exchange, settings, log);
        log.info({ holder: lease.holder, markets: makers.length }, 'market makers: this process runs them');
      } else if (!leading && makers !== null) {
        makers = null;
        log.info({ holder: lease.holder }, 'market makers: lease lost, stopped');
      }
    }
    if (makers === null || !allowed()) return;
    await Promise.all(
      makers.map((maker) => maker.runStep(allowed).catch((error: unknown) => reportError(error, 'a step'))),
    );
  };

  const schedule = (delay: number): void => {
    if (closed) return;
    timer = setTimeout(() => {
      const started = Date.now();
      running = tick()
        .catch((error: unknown) => reportError(error, 'start'))
        .finally(() => schedule(Math.max(0, settings.stepMs - (Date.now() - started))));
    }, delay);
    timer.unref();
  };
  schedule(0);

  return {
    get leading(): boolean {
      return makers !== null && lease.held;
    },
    async close(): Promise<void> {
      closed = true;
      clearTimeout(timer);
      await running;
      if (makers !== null) await lease.release().catch((error: unknown) => reportError(error, 'release'));
      makers = null;
    },
  };
}

async function createMakers(
  db: Kysely<Database>,
  exchange: Exchange,
  settings: LiquiditySettings,
  log: LiquidityLog,
): Promise<MarketMaker[]> {
  const markets = exchange.config.markets.filter(
    (market): market is MarketConfig & { liquidity: MarketLiquidity } => market.liquidity !== null,
  );
  const accounts = await ensureMakerAccounts(
    db,
    markets.map((market) => market.symbol),
  );
  const now = Date.now();
  return Promise.all(
    markets.map(async (market) => {
      const lastPrice = (await exchange.getTicker(market.symbol)).lastPrice;
      return new MarketMaker({
        exchange,
        market,
        liquidity: market.liquidity,
        userId: accounts.userId,
        subaccountId: accounts.subaccounts.get(market.symbol) as string,
        path: await pricePath(market, market.liquidity, { seed: settings.seed, lastPrice, now }),
        random: seededRandom(seedFromText(`${settings.seed}:${market.symbol}:sizes`)),
        log,
      });
    }),
  );
}

/** The replayed file, or a walk from the last traded price (continuity across takeovers) or the start price. */
async function pricePath(
  market: MarketConfig,
  liquidity: MarketLiquidity,
  input: { seed: string; lastPrice: bigint | null; now: number },
): Promise<PricePath> {
  if (liquidity.priceFile !== null) return replayPath(await readPriceFile(liquidity.priceFile), input.now);
  const scale = 10 ** market.quoteDecimals;
  const start = Number(input.lastPrice ?? liquidity.startPriceUnits) / scale;
  const configured = Number(liquidity.startPriceUnits) / scale;
  return randomWalk({
    start,
    volatility: liquidity.volatility,
    random: seededRandom(seedFromText(`${input.seed}:${market.symbol}`)),
    floor: Math.max(Number(market.minPriceUnits) / scale, configured / 10),
    ceiling: Math.min(Number(market.maxPriceUnits) / scale, configured * 10),
    startMs: input.now,
  });
}
