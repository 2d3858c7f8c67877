/**
 * Backpack's JSON shapes for what the exchange reports: decimals as strings in the asset's or market's
 * decimals, order `createdAt` as integer ms (order endpoints) or a naive UTC date-time (history), fills and
 * capital records with naive date-times, klines with "YYYY-MM-DD HH:MM:SS". Pure formatting, no I/O.
 */
import {
  formatDecimal,
  toDepositSource,
  type AssetConfig,
  type Balance,
  type DepositRecord,
  type DepthRecord,
  type ExchangeConfig,
  type FillRecord,
  type KlineRecord,
  type MarketConfig,
  type OrderRecord,
  type PublicTradeRecord,
  type TickerRecord,
  type WithdrawalRecord,
} from '../../exchange/index.ts';

/** "2025-07-23T13:55:54.267": ISO without a zone, meaning UTC (what Backpack sends). */
export function formatNaiveDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}

/** "2025-07-19 13:09:00": the kline time format. */
export function formatKlineTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `GET /api/v1/capital`: `{ "<asset>": { available, locked, staked } }`. */
export function toBackpackBalances(
  balances: ReadonlyMap<string, Balance>,
  config: ExchangeConfig,
): Record<string, { available: string; locked: string; staked: string }> {
  const out: Record<string, { available: string; locked: string; staked: string }> = {};
  for (const [asset, balance] of balances) {
    const decimals = config.assetsBySymbol.get(asset)?.decimals;
    if (decimals === undefined) continue; // an asset removed from the configuration
    out[asset] = {
      available: formatDecimal(balance.available, decimals),
      locked: formatDecimal(balance.locked, decimals),
      staked: formatDecimal(balance.staked, decimals),
    };
  }
  return out;
}

/**
 * Backpack's order object. Fields that do not apply are left undefined (absent in JSON) rather than added
 * conditionally, so every order object has one shape: this runs once per order answered.
 */
export function toBackpackOrder(
  order: OrderRecord,
  market: MarketConfig,
  options: { createdAt: 'ms' | 'naive' },
): Record<string, unknown> {
  const limit = order.orderType === 'Limit';
  const naive = options.createdAt === 'naive';
  return {
    id: order.id,
    clientId: order.clientId,
    symbol: order.symbol,
    side: order.side,
    orderType: order.orderType,
    timeInForce: order.timeInForce,
    selfTradePrevention: order.selfTradePrevention,
    status: order.status,
    executedQuantity: formatDecimal(order.executedQuantity, market.baseDecimals),
    executedQuoteQuantity: formatDecimal(order.executedQuoteQuantity, market.quoteDecimals),
    createdAt: naive ? formatNaiveDateTime(order.createdAt) : order.createdAt,
    reduceOnly: null,
    relatedOrderId: null,
    strategyId: null,
    triggerBy: null,
    triggerPrice: null,
    triggerQuantity: null,
    triggeredAt: null,
    stopLossTriggerPrice: null,
    stopLossLimitPrice: null,
    stopLossTriggerBy: null,
    takeProfitTriggerPrice: null,
    takeProfitLimitPrice: null,
    takeProfitTriggerBy: null,
    expiryReason: naive ? order.expiryReason : undefined,
    systemOrderType: naive ? null : undefined,
    price: limit ? optionalDecimal(order.price, market.quoteDecimals) : undefined,
    quantity: optionalDecimal(order.quantity, market.baseDecimals),
    quoteQuantity: limit ? undefined : optionalDecimal(order.quoteQuantity, market.quoteDecimals),
    postOnly: limit ? order.postOnly : undefined,
  };
}

function optionalDecimal(units: bigint | null, decimals: number): string | null {
  return units === null ? null : formatDecimal(units, decimals);
}

/** A fill's price, quantity and fee as decimal strings (the fee in its asset's decimals); the console shows them too. */
export function fillAmounts(
  fill: FillRecord,
  market: MarketConfig,
  config: ExchangeConfig,
): { price: string; quantity: string; fee: string } {
  const feeDecimals = config.assetsBySymbol.get(fill.feeSymbol)?.decimals ?? market.quoteDecimals;
  return {
    price: formatDecimal(fill.price, market.quoteDecimals),
    quantity: formatDecimal(fill.quantity, market.baseDecimals),
    fee: formatDecimal(fill.fee, feeDecimals),
  };
}

export function toBackpackFill(
  fill: FillRecord,
  market: MarketConfig,
  config: ExchangeConfig,
): Record<string, unknown> {
  return {
    tradeId: fill.tradeId,
    orderId: fill.orderId,
    clientId: fill.clientId,
    symbol: fill.symbol,
    side: fill.side,
    ...fillAmounts(fill, market, config),
    feeSymbol: fill.feeSymbol,
    isMaker: fill.isMaker,
    systemOrderType: null,
    timestamp: formatNaiveDateTime(fill.timestamp),
  };
}

export function toBackpackDeposit(deposit: DepositRecord, asset: AssetConfig): Record<string, unknown> {
  return {
    id: deposit.id,
    toAddress: deposit.toAddress,
    fromAddress: deposit.fromAddress,
    source: toDepositSource(deposit.blockchain),
    status: deposit.status,
    transactionHash: deposit.transactionHash,
    symbol: deposit.symbol,
    quantity: formatDecimal(deposit.quantity, asset.decimals),
    createdAt: formatNaiveDateTime(deposit.createdAt),
    fiatAmount: null,
    fiatCurrency: null,
    institutionBic: null,
    platformMemo: null,
  };
}

export function toBackpackWithdrawal(
  withdrawal: WithdrawalRecord,
  asset: AssetConfig,
): Record<string, unknown> {
  return {
    id: withdrawal.id,
    blockchain: withdrawal.blockchain,
    clientId: withdrawal.clientId,
    identifier: null,
    quantity: formatDecimal(withdrawal.quantity, asset.decimals),
    fee: formatDecimal(withdrawal.fee, asset.decimals),
    fiatFee: null,
    fiatState: null,
    fiatSymbol: null,
    providerId: null,
    symbol: withdrawal.symbol,
    status: withdrawal.status,
    subaccountId: null,
    toAddress: withdrawal.toAddress,
    transactionHash: withdrawal.transactionHash,
    createdAt: formatNaiveDateTime(withdrawal.createdAt),
    isInternal: false,
    bankName: null,
    bankIdentifier: null,
    accountIdentifier: null,
    triggerAt: null,
  };
}

/** priceChangePercent is a fraction ("-0.031279" = -3.1279 %) with 6 decimals, truncated towards zero. */
export function toBackpackTicker(ticker: TickerRecord, market: MarketConfig): Record<string, string> {
  const price = (units: bigint | null): string => formatDecimal(units ?? 0n, market.quoteDecimals);
  const first = ticker.firstPrice ?? 0n;
  const change = (ticker.lastPrice ?? 0n) - first;
  const ratio = first === 0n ? 0n : (change * 1_000_000n) / first;
  return {
    symbol: ticker.symbol,
    firstPrice: price(ticker.firstPrice),
    lastPrice: price(ticker.lastPrice),
    priceChange: formatDecimal(change, market.quoteDecimals),
    priceChangePercent: formatDecimal(ratio, 6),
    high: price(ticker.high),
    low: price(ticker.low),
    volume: formatDecimal(ticker.volume, market.baseDecimals),
    quoteVolume: formatDecimal(ticker.quoteVolume, market.quoteDecimals),
    trades: String(ticker.trades),
  };
}

export function toBackpackDepth(
  depth: DepthRecord,
  market: MarketConfig,
  now: number,
): { asks: [string, string][]; bids: [string, string][]; lastUpdateId: string; timestamp: number } {
  const level = ([price, quantity]: readonly [bigint, bigint]): [string, string] => [
    formatDecimal(price, market.quoteDecimals),
    formatDecimal(quantity, market.baseDecimals),
  ];
  return {
    asks: depth.asks.map(level),
    bids: depth.bids.map(level),
    lastUpdateId: String(depth.sequence),
    timestamp: now * 1000,
  };
}

export function toBackpackTrade(trade: PublicTradeRecord, market: MarketConfig): Record<string, unknown> {
  return {
    id: trade.id,
    price: formatDecimal(trade.price, market.quoteDecimals),
    quantity: formatDecimal(trade.quantity, market.baseDecimals),
    quoteQuantity: formatDecimal(trade.quoteQuantity, market.quoteDecimals),
    timestamp: trade.timestamp,
    isBuyerMaker: trade.isBuyerMaker,
  };
}

export function toBackpackKline(kline: KlineRecord, market: MarketConfig): Record<string, string> {
  const price = (units: bigint): string => formatDecimal(units, market.quoteDecimals);
  return {
    start: formatKlineTime(kline.start),
    end: formatKlineTime(kline.end),
    open: price(kline.open),
    high: price(kline.high),
    low: price(kline.low),
    close: price(kline.close),
    volume: formatDecimal(kline.volume, market.baseDecimals),
    quoteVolume: price(kline.quoteVolume),
    trades: String(kline.trades),
  };
}
