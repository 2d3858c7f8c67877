/**
 * One market's maker: every step it moves the price along its path, funds its subaccount when inventory runs low,
 * brings its resting orders to the ladder around the price (quote-ladder.ts) and, at the configured trade rate,
 * trades: an IOC order at the best price on the side the price moved to, which takes whatever rests there (its own
 * quote, with self-trade prevention `Allow`, or a person's order). Everything goes through the Exchange's public
 * methods (placeOrder, cancelOrder, listOpenOrders, depositTestFunds) exactly as a signed request would: the same
 * validation, funds lock, matching, ledger entries and stream events. Its quotes are post-only, so a quote never
 * takes by accident; a quote refused for any reason is simply not on the book this step.
 */
import { AppError } from '../errors.ts';
import {
  formatDecimal,
  type Exchange,
  type MarketConfig,
  type MarketLiquidity,
  type Side,
} from '../exchange/index.ts';
import type { PricePath } from './price-path.ts';
import { levelStep, quoteLadder, reconcileQuotes, roundTo, type Quote } from './quote-ladder.ts';

export interface MakerLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface MarketMakerOptions {
  readonly exchange: Exchange;
  readonly market: MarketConfig;
  readonly liquidity: MarketLiquidity;
  readonly userId: string;
  readonly subaccountId: string;
  readonly path: PricePath;
  readonly random: () => number;
  readonly log: MakerLog;
  readonly now?: () => number;
}

/** Inventory is topped up to FUND_TARGET ladders' worth when it falls below FUND_FLOOR ladders' worth. */
const FUND_FLOOR = 2n;
const FUND_TARGET = 6n;
/** How often a step requotes one level near the top, and among how many of the nearest levels. */
const FLICKER_CHANCE = 0.6;
const FLICKER_LEVELS = 6;
/** Steps between inventory checks (a refused quote checks at the next step anyway). */
const FUND_CHECK_EVERY = 10;

export class MarketMaker {
  private readonly market: MarketConfig;
  private readonly liquidity: MarketLiquidity;
  private step: bigint | null = null;
  private stepMid = 0n;
  private lastTradeMid: bigint | null = null;
  private nextTradeAt = 0;
  private stepsSinceFunding = FUND_CHECK_EVERY;
  private fundingRefused = false;
  /** What the last step did (tests, metrics). */
  readonly counts = { steps: 0, placed: 0, cancelled: 0, refused: 0, trades: 0, deposits: 0 };

  constructor(private readonly options: MarketMakerOptions) {
    this.market = options.market;
    this.liquidity = options.liquidity;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The mid price of the path now, as an exact multiple of the tick inside the market's bounds. */
  private mid(): bigint {
    const { market } = this;
    const price = this.options.path.next(this.now());
    const units = BigInt(Math.round(price * 10 ** market.quoteDecimals));
    const ticked = roundTo(units, market.tickUnits);
    if (ticked < market.minPriceUnits) return market.minPriceUnits;
    return ticked > market.maxPriceUnits ? market.maxPriceUnits : ticked;
  }

  /** One step; `allowed()` is asked before each write (the lease may end mid-step). */
  async runStep(allowed: () => boolean): Promise<void> {
    this.counts.steps += 1;
    const mid = this.mid();
    // The grid stays put while the price stays within a factor of two of where it was drawn.
    if (this.step === null || mid > this.stepMid * 2n || mid * 2n < this.stepMid) {
      this.step = levelStep(this.market, this.liquidity, mid);
      this.stepMid = mid;
    }
    const wanted = quoteLadder(this.market, this.liquidity, {
      mid,
      step: this.step,
      random: this.options.random,
    });
    if (this.fundingRefused || ++this.stepsSinceFunding >= FUND_CHECK_EVERY) {
      if (!allowed()) return;
      await this.fund(wanted);
    }
    const open = await this.options.exchange.listOpenOrders(this.options.subaccountId, this.market.symbol);
    const resting = open.map((order) => ({
      id: order.id,
      side: order.side,
      price: order.price ?? 0n,
      remaining: (order.quantity ?? 0n) - order.executedQuantity,
    }));
    const changes = reconcileQuotes(wanted, resting);
    for (const order of changes.cancel) {
      if (!allowed()) return;
      await this.cancel(order.id);
    }
    for (const quote of changes.place) {
      if (!allowed()) return;
      await this.place(quote);
    }
    // A live book flickers: now and then one of the levels near the top is requoted with a fresh size, so depth
    // streams move between price steps too (ccxt pro's watchOrderBook waits for ten depth events by default).
    const kept = resting.filter((order) => !changes.cancel.includes(order));
    if (kept.length > 0 && this.options.random() < FLICKER_CHANCE && allowed()) {
      const near = kept
        .map((order) => ({ order, distance: order.price > mid ? order.price - mid : mid - order.price }))
        .sort((x, y) => (x.distance < y.distance ? -1 : x.distance > y.distance ? 1 : 0))
        .slice(0, FLICKER_LEVELS);
      const chosen = near[Math.floor(this.options.random() * near.length)]?.order;
      const level = wanted.find((quote) => quote.side === chosen?.side && quote.price === chosen.price);
      if (chosen !== undefined && level !== undefined) {
        await this.cancel(chosen.id);
        if (allowed()) await this.place(level);
      }
    }
    if (this.liquidity.tradesPerMinute > 0 && this.now() >= this.nextTradeAt && allowed()) {
      await this.trade(mid);
      const interval = 60_000 / this.liquidity.tradesPerMinute;
      this.nextTradeAt = this.now() + interval * (0.5 + this.options.random());
    }
  }

  private async cancel(orderId: string): Promise<void> {
    try {
      await this.options.exchange.cancelOrder(this.options.subaccountId, {
        symbol: this.market.symbol,
        orderId,
      });
      this.counts.cancelled += 1;
    } catch (error) {
      // Filled or cancelled meanwhile (a person's order took it): nothing to do.
      if (!(error instanceof AppError && error.code === 'RESOURCE_NOT_FOUND')) throw error;
    }
  }

  private async place(quote: Quote): Promise<void> {
    try {
      await this.options.exchange.placeOrder(this.options.subaccountId, {
        symbol: this.market.symbol,
        side: quote.side,
        orderType: 'Limit',
        price: formatDecimal(quote.price, this.market.quoteDecimals),
        quantity: formatDecimal(quote.quantity, this.market.baseDecimals),
        postOnly: true,
      });
      this.counts.placed += 1;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // A person's order rests across this level (post-only refusal) or funds ran out: fund at the next step.
      this.counts.refused += 1;
      if (error.code === 'INSUFFICIENT_FUNDS') this.fundingRefused = true;
    }
  }

  /** Takes a slice of the best level on the side the price moved towards since the last trade. */
  private async trade(mid: bigint): Promise<void> {
    const depth = await this.options.exchange.getDepth(this.market.symbol, 1);
    const side: Side =
      this.lastTradeMid === null || mid === this.lastTradeMid
        ? this.options.random() < 0.5
          ? 'Bid'
          : 'Ask'
        : mid > this.lastTradeMid
          ? 'Bid'
          : 'Ask';
    const level = side === 'Bid' ? depth.asks[0] : depth.bids.at(-1);
    if (level === undefined) return;
    const [price, available] = level;
    const share = BigInt(Math.round((0.1 + 0.4 * this.options.random()) * 1000));
    let quantity =
      ((this.liquidity.levelSizeUnits * share) / 1000n / this.market.stepUnits) * this.market.stepUnits;
    if (quantity < this.market.minQuantityUnits) quantity = this.market.minQuantityUnits;
    if (quantity > available) quantity = available;
    try {
      await this.options.exchange.placeOrder(this.options.subaccountId, {
        symbol: this.market.symbol,
        side,
        orderType: 'Limit',
        price: formatDecimal(price, this.market.quoteDecimals),
        quantity: formatDecimal(quantity, this.market.baseDecimals),
        timeInForce: 'IOC',
        selfTradePrevention: 'Allow',
      });
      this.counts.trades += 1;
      this.lastTradeMid = mid;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.counts.refused += 1;
      if (error.code === 'INSUFFICIENT_FUNDS') this.fundingRefused = true;
    }
  }

  /**
   * Tops the subaccount up with recorded deposits (the operator path, `signet deposit`'s) when either asset falls
   * below FUND_FLOOR ladders' worth. A deposit the asset's supply cap refuses is logged; the makers quote what
   * they have.
   */
  private async fund(wanted: readonly Quote[]): Promise<void> {
    this.stepsSinceFunding = 0;
    this.fundingRefused = false;
    const { market } = this;
    const needs = new Map<string, bigint>([
      [market.baseSymbol, sum(wanted.filter((q) => q.side === 'Ask').map((q) => q.quantity))],
      [
        market.quoteSymbol,
        sum(wanted.filter((q) => q.side === 'Bid').map((q) => (q.price * q.quantity) / market.baseScale)),
      ],
    ]);
    for (const [asset, need] of needs) {
      const balance = await this.options.exchange.readBalance(this.options.subaccountId, asset);
      const held = balance.available + balance.locked;
      if (need === 0n || held >= need * FUND_FLOOR) continue;
      const decimals = this.options.exchange.config.assetsBySymbol.get(asset)?.decimals ?? 0;
      const quantity = formatDecimal(need * FUND_TARGET - held, decimals);
      try {
        await this.options.exchange.depositTestFunds({
          userId: this.options.userId,
          subaccountId: this.options.subaccountId,
          symbol: asset,
          quantity,
        });
        this.counts.deposits += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        this.options.log.warn(
          { market: market.symbol, asset, quantity, code: error.code },
          `market maker: could not top up ${asset}: ${error.message}`,
        );
      }
    }
  }
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
