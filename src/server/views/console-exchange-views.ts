/**
 * What the console's exchange pages receive: the caller's balances, open orders, fills, deposits and
 * withdrawals, and the assets they may fund. Amounts are decimal strings in the asset's (or market's) decimals,
 * made from exact units by formatDecimal() and never through a JavaScript number; times are integer ms, like
 * every other console time. The schemas are allow-lists: no subaccount id of a trade's other side, no internal
 * column, can leave through them.
 */
import {
  formatDecimal,
  getChainFamily,
  MAX_DEPOSIT_UNITS,
  requireAsset,
  requireMarket,
  toDepositSource,
  type AssetConfig,
  type Balance,
  type DepositRecord,
  type ExchangeConfig,
  type FillRecord,
  type OrderRecord,
  type WithdrawalRecord,
} from '../../exchange/index.ts';
import type { Wire } from '../schema-types.ts';
import { fillAmounts } from './backpack-wire.ts';

const decimalString = { type: 'string', description: 'Exact decimal, e.g. "1000.5"' } as const;
const nullableDecimal = { type: ['string', 'null'], description: 'Exact decimal, or null' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const side = { type: 'string', enum: ['Bid', 'Ask'] } as const;

/** `?subaccountId=` (default: the main subaccount) and, for lists, `?limit=`. */
export const subaccountQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subaccountId: { type: 'string', maxLength: 64, description: 'Defaults to the main subaccount' },
  },
} as const;

export const subaccountListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...subaccountQuerySchema.properties,
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

export const exchangeAssetSchema = {
  type: 'object',
  required: ['symbol', 'displayName', 'decimals', 'maxDeposit', 'depositBlockchains'],
  additionalProperties: false,
  properties: {
    symbol: { type: 'string' },
    displayName: { type: 'string' },
    decimals: { type: 'integer' },
    maxDeposit: { ...decimalString, description: 'The largest sandbox deposit accepted at once' },
    depositBlockchains: {
      type: 'array',
      items: { type: 'string' },
      description: "Backpack's spelling; the first is the default",
    },
  },
} as const;

export const balanceSchema = {
  type: 'object',
  required: ['symbol', 'available', 'locked', 'staked', 'total'],
  additionalProperties: false,
  properties: {
    symbol: { type: 'string' },
    available: decimalString,
    locked: decimalString,
    staked: decimalString,
    total: decimalString,
  },
} as const;

export const orderSchema = {
  type: 'object',
  required: [
    'id',
    'clientId',
    'symbol',
    'side',
    'orderType',
    'timeInForce',
    'postOnly',
    'price',
    'quantity',
    'quoteQuantity',
    'executedQuantity',
    'executedQuoteQuantity',
    'status',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    clientId: { type: ['integer', 'null'] },
    symbol: { type: 'string' },
    side,
    orderType: { type: 'string', enum: ['Limit', 'Market'] },
    timeInForce: { type: 'string' },
    postOnly: { type: 'boolean' },
    price: nullableDecimal,
    quantity: nullableDecimal,
    quoteQuantity: nullableDecimal,
    executedQuantity: decimalString,
    executedQuoteQuantity: decimalString,
    status: { type: 'string' },
    createdAt: { type: 'integer' },
  },
} as const;

export const fillSchema = {
  type: 'object',
  required: [
    'tradeId',
    'orderId',
    'symbol',
    'side',
    'price',
    'quantity',
    'fee',
    'feeSymbol',
    'isMaker',
    'timestamp',
  ],
  additionalProperties: false,
  properties: {
    tradeId: { type: 'integer' },
    orderId: { type: 'string' },
    symbol: { type: 'string' },
    side,
    price: decimalString,
    quantity: decimalString,
    fee: decimalString,
    feeSymbol: { type: 'string' },
    isMaker: { type: 'boolean' },
    timestamp: { type: 'integer' },
  },
} as const;

export const depositSchema = {
  type: 'object',
  required: [
    'id',
    'symbol',
    'quantity',
    'blockchain',
    'source',
    'toAddress',
    'fromAddress',
    'transactionHash',
    'status',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    symbol: { type: 'string' },
    quantity: decimalString,
    blockchain: { type: 'string' },
    source: { type: 'string', description: "Backpack's deposit source: the chain in lower camel case" },
    toAddress: nullableString,
    fromAddress: nullableString,
    transactionHash: nullableString,
    status: { type: 'string' },
    createdAt: { type: 'integer' },
  },
} as const;

export const withdrawalSchema = {
  type: 'object',
  required: [
    'id',
    'symbol',
    'quantity',
    'fee',
    'blockchain',
    'toAddress',
    'transactionHash',
    'status',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    symbol: { type: 'string' },
    quantity: decimalString,
    fee: decimalString,
    blockchain: { type: 'string' },
    toAddress: { type: 'string' },
    transactionHash: nullableString,
    status: { type: 'string', enum: ['pending', 'confirmed'] },
    createdAt: { type: 'integer' },
  },
} as const;

export type ExchangeAssetView = Wire<typeof exchangeAssetSchema>;
export type BalanceView = Wire<typeof balanceSchema>;
export type OrderView = Wire<typeof orderSchema>;
export type FillView = Wire<typeof fillSchema>;
export type DepositView = Wire<typeof depositSchema>;
export type WithdrawalView = Wire<typeof withdrawalSchema>;

/** Chains an asset can be funded on: deposit-enabled and with an address family Signet can derive. */
export function depositBlockchainsOf(asset: AssetConfig): string[] {
  return asset.tokens
    .filter((token) => token.depositEnabled && getChainFamily(token.blockchain) !== undefined)
    .map((token) => token.blockchain);
}

export function toExchangeAssetView(asset: AssetConfig): ExchangeAssetView {
  return {
    symbol: asset.symbol,
    displayName: asset.displayName,
    decimals: asset.decimals,
    maxDeposit: formatDecimal(MAX_DEPOSIT_UNITS, asset.decimals),
    depositBlockchains: depositBlockchainsOf(asset),
  };
}

/** Balances in the configuration's asset order; assets no longer configured are left out (as Backpack's are). */
export function toBalanceViews(
  balances: ReadonlyMap<string, Balance>,
  config: ExchangeConfig,
): BalanceView[] {
  return config.assets.flatMap((asset) => {
    const balance = balances.get(asset.symbol);
    if (balance === undefined) return [];
    const format = (units: bigint): string => formatDecimal(units, asset.decimals);
    return [
      {
        symbol: asset.symbol,
        available: format(balance.available),
        locked: format(balance.locked),
        staked: format(balance.staked),
        total: format(balance.available + balance.locked + balance.staked),
      },
    ];
  });
}

export function toOrderView(order: OrderRecord, config: ExchangeConfig): OrderView {
  const market = requireMarket(config, order.symbol);
  const price = (units: bigint | null): string | null =>
    units === null ? null : formatDecimal(units, market.quoteDecimals);
  const quantity = (units: bigint | null): string | null =>
    units === null ? null : formatDecimal(units, market.baseDecimals);
  return {
    id: order.id,
    clientId: order.clientId,
    symbol: order.symbol,
    side: order.side,
    orderType: order.orderType,
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    price: price(order.price),
    quantity: quantity(order.quantity),
    quoteQuantity: price(order.quoteQuantity),
    executedQuantity: formatDecimal(order.executedQuantity, market.baseDecimals),
    executedQuoteQuantity: formatDecimal(order.executedQuoteQuantity, market.quoteDecimals),
    status: order.status,
    createdAt: order.createdAt,
  };
}

export function toFillView(fill: FillRecord, config: ExchangeConfig): FillView {
  return {
    tradeId: fill.tradeId,
    orderId: fill.orderId,
    symbol: fill.symbol,
    side: fill.side,
    ...fillAmounts(fill, requireMarket(config, fill.symbol), config),
    feeSymbol: fill.feeSymbol,
    isMaker: fill.isMaker,
    timestamp: fill.timestamp,
  };
}

export function toDepositView(deposit: DepositRecord, config: ExchangeConfig): DepositView {
  const asset = requireAsset(config, deposit.symbol);
  return {
    id: deposit.id,
    symbol: deposit.symbol,
    quantity: formatDecimal(deposit.quantity, asset.decimals),
    blockchain: deposit.blockchain,
    source: toDepositSource(deposit.blockchain),
    toAddress: deposit.toAddress,
    fromAddress: deposit.fromAddress,
    transactionHash: deposit.transactionHash,
    status: deposit.status,
    createdAt: deposit.createdAt,
  };
}

export function toWithdrawalView(withdrawal: WithdrawalRecord, config: ExchangeConfig): WithdrawalView {
  const asset = requireAsset(config, withdrawal.symbol);
  return {
    id: withdrawal.id,
    symbol: withdrawal.symbol,
    quantity: formatDecimal(withdrawal.quantity, asset.decimals),
    fee: formatDecimal(withdrawal.fee, asset.decimals),
    blockchain: withdrawal.blockchain,
    toAddress: withdrawal.toAddress,
    transactionHash: withdrawal.transactionHash,
    status: withdrawal.status,
    createdAt: withdrawal.createdAt,
  };
}
