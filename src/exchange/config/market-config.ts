/**
 * Loads config/markets.json into an ExchangeConfig, strictly: unknown keys, inexact decimals, bad bounds or a
 * market whose tick * step has no exact notional all throw a ConfigError naming the field.
 *
 * Invariants checked: every amount is exact in its asset's decimals; price bounds are positive multiples of
 * the tick, quantity bounds of the step; tickUnits * stepUnits is a multiple of 10^baseDecimals (so
 * price * quantity / 10^baseDecimals is an integer number of quote units); symbols are unique; fees are
 * integer basis points in [0, 1000].
 * I/O: only readMarketConfigFile() touches the disk; loadMarketConfig() is pure.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { DecimalError, formatDecimal, parseDecimal, powerOfTen } from '../model/decimal.ts';
import {
  assertOnlyKeys,
  ConfigError,
  readArray,
  readBoolean,
  readInteger,
  readNullableInteger,
  readNullableString,
  readObject,
  readString,
  type JsonObject,
} from './config-reader.ts';
import {
  MAX_SUPPLY_LIMIT_UNITS,
  type AssetConfig,
  type ExchangeConfig,
  type MarketConfig,
  type MarketLiquidity,
  type TokenConfig,
} from '../model/markets.ts';

const SYMBOL = /^[A-Z0-9]{1,20}$/;
const NAIVE_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;
const MAX_FEE_BPS = 1000;
const REFERENCE_PRICE_DECIMALS = 18;

/**
 * Validates parsed JSON into an ExchangeConfig; throws ConfigError naming the offending field. `baseDir` resolves
 * relative paths in the file (a market's `liquidity.priceFile`); the working directory when absent.
 */
export function loadMarketConfig(json: unknown, options: { baseDir?: string } = {}): ExchangeConfig {
  const root = readObject(json, 'config');
  assertOnlyKeys(root, ['assets', 'markets'], 'config');
  const assets = readArray(root['assets'], 'assets').map((value, i) => loadAsset(value, `assets[${i}]`));
  const assetsBySymbol = indexUnique(assets, 'assets');
  const markets = readArray(root['markets'], 'markets').map((value, i) =>
    loadMarket(value, `markets[${i}]`, assetsBySymbol, options.baseDir ?? process.cwd()),
  );
  return { assets, markets, assetsBySymbol, marketsBySymbol: indexUnique(markets, 'markets') };
}

/** Reads and validates a config file (the only I/O in src/exchange). */
export async function readMarketConfigFile(path: string): Promise<ExchangeConfig> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return loadMarketConfig(json, { baseDir: dirname(resolve(path)) });
}

const ASSET_KEYS = [
  'symbol',
  'displayName',
  'coingeckoId',
  'decimals',
  'tokens',
  'maxSupply',
  'referencePrice',
];
const TOKEN_KEYS = (
  'blockchain displayName contractAddress depositEnabled minimumDeposit withdrawEnabled minimumWithdrawal ' +
  'maximumWithdrawal withdrawalFee nativeDecimals'
).split(' ');
const MARKET_KEYS = (
  'symbol baseSymbol quoteSymbol tickSize minPrice maxPrice stepSize minQuantity maxQuantity ' +
  'makerFeeBps takerFeeBps createdAt liquidity'
).split(' ');
const LIQUIDITY_KEYS =
  'startPrice volatility spreadBps levels levelStepBps levelSize tradesPerMinute priceFile'.split(' ');

function loadAsset(value: unknown, path: string): AssetConfig {
  const object = readObject(value, path);
  assertOnlyKeys(object, ASSET_KEYS, path);
  const symbol = readSymbol(object, 'symbol', path);
  const decimals = readInteger(object, 'decimals', path, { min: 0, max: 18 });
  const tokens = readArray(object['tokens'], `${path}.tokens`).map((token, i) =>
    loadToken(token, `${path}.tokens[${i}]`, decimals),
  );
  const chains = new Set(tokens.map((token) => token.blockchain));
  if (chains.size !== tokens.length) throw new ConfigError(`${path}.tokens lists a blockchain twice`);
  return {
    symbol,
    displayName: readString(object, 'displayName', path),
    coingeckoId: readNullableString(object, 'coingeckoId', path),
    decimals,
    tokens,
    maxSupplyUnits: readMaxSupply(object, path, decimals),
    referencePrice: readReferencePrice(object, path),
  };
}

/** Optional `referencePrice` (USD per whole unit, a positive decimal string with at most 18 decimals). */
function readReferencePrice(object: JsonObject, path: string): string | null {
  if (object['referencePrice'] === undefined) return null;
  const units = positive(
    readAmount(object, 'referencePrice', path, REFERENCE_PRICE_DECIMALS),
    `${path}.referencePrice`,
  );
  return formatDecimal(units, REFERENCE_PRICE_DECIMALS);
}

/** Optional `maxSupply` (whole units, a decimal string): at most and by default 2^62 smallest units. */
function readMaxSupply(object: JsonObject, path: string, decimals: number): bigint {
  if (object['maxSupply'] === undefined) return MAX_SUPPLY_LIMIT_UNITS;
  const units = positive(readAmount(object, 'maxSupply', path, decimals), `${path}.maxSupply`);
  if (units > MAX_SUPPLY_LIMIT_UNITS) {
    throw new ConfigError(`${path}.maxSupply must be at most 2^62 smallest units`);
  }
  return units;
}

function loadToken(value: unknown, path: string, decimals: number): TokenConfig {
  const object = readObject(value, path);
  assertOnlyKeys(object, TOKEN_KEYS, path);
  const amount = (key: string): bigint => readAmount(object, key, path, decimals);
  const minimumWithdrawalUnits = amount('minimumWithdrawal');
  const maximumWithdrawalUnits = object['maximumWithdrawal'] == null ? null : amount('maximumWithdrawal');
  if (maximumWithdrawalUnits !== null && maximumWithdrawalUnits < minimumWithdrawalUnits) {
    throw new ConfigError(`${path}.maximumWithdrawal must not be below minimumWithdrawal`);
  }
  const minimumDepositUnits = amount('minimumDeposit');
  const withdrawalFeeUnits = amount('withdrawalFee');
  const text = (units: bigint): string => formatDecimal(units, decimals);
  return {
    blockchain: readString(object, 'blockchain', path),
    displayName: readString(object, 'displayName', path),
    contractAddress: readNullableString(object, 'contractAddress', path),
    depositEnabled: readBoolean(object, 'depositEnabled', path),
    withdrawEnabled: readBoolean(object, 'withdrawEnabled', path),
    minimumDeposit: text(minimumDepositUnits),
    minimumWithdrawal: text(minimumWithdrawalUnits),
    maximumWithdrawal: maximumWithdrawalUnits === null ? null : text(maximumWithdrawalUnits),
    withdrawalFee: text(withdrawalFeeUnits),
    minimumDepositUnits,
    minimumWithdrawalUnits,
    maximumWithdrawalUnits,
    withdrawalFeeUnits,
    nativeDecimals: readNullableInteger(object, 'nativeDecimals', path, { min: 0, max: 36 }),
  };
}

function loadMarket(
  value: unknown,
  path: string,
  assets: ReadonlyMap<string, AssetConfig>,
  baseDir: string,
): MarketConfig {
  const object = readObject(value, path);
  assertOnlyKeys(object, MARKET_KEYS, path);
  const base = assets.get(readSymbol(object, 'baseSymbol', path));
  const quote = assets.get(readSymbol(object, 'quoteSymbol', path));
  if (base === undefined) throw new ConfigError(`${path}.baseSymbol is not a configured asset`);
  if (quote === undefined) throw new ConfigError(`${path}.quoteSymbol is not a configured asset`);
  if (base === quote) throw new ConfigError(`${path}.quoteSymbol must differ from baseSymbol`);
  const symbol = readString(object, 'symbol', path);
  if (symbol !== `${base.symbol}_${quote.symbol}`) {
    throw new ConfigError(`${path}.symbol must be "${base.symbol}_${quote.symbol}"`);
  }
  const price = (key: string): bigint => readAmount(object, key, path, quote.decimals);
  const quantity = (key: string): bigint => readAmount(object, key, path, base.decimals);
  const tickUnits = positive(price('tickSize'), `${path}.tickSize`);
  const stepUnits = positive(quantity('stepSize'), `${path}.stepSize`);
  const [minPriceUnits, maxPriceUnits] = readBounds(
    price('minPrice'),
    price('maxPrice'),
    tickUnits,
    `${path}.price`,
  );
  const [minQuantityUnits, maxQuantityUnits] = readBounds(
    quantity('minQuantity'),
    quantity('maxQuantity'),
    stepUnits,
    `${path}.quantity`,
  );
  const baseScale = powerOfTen(base.decimals);
  if ((tickUnits * stepUnits) % baseScale !== 0n) {
    throw new ConfigError(
      `${path}: tickSize * stepSize must be a multiple of 10^-${quote.decimals} ${quote.symbol} (quote decimals)`,
    );
  }
  // Every order's notional then fits the quote asset's supply, so no amount an order computes passes 2^62.
  if ((maxPriceUnits * maxQuantityUnits) / baseScale > quote.maxSupplyUnits) {
    throw new ConfigError(`${path}: maxPrice * maxQuantity must not exceed ${quote.symbol}'s maxSupply`);
  }
  const createdAt = readString(object, 'createdAt', path);
  if (!NAIVE_DATE_TIME.test(createdAt)) {
    throw new ConfigError(`${path}.createdAt must be a naive date-time like 2025-01-01T00:00:00`);
  }
  const priceText = (units: bigint): string => formatDecimal(units, quote.decimals);
  const quantityText = (units: bigint): string => formatDecimal(units, base.decimals);
  const bounds = { tickUnits, minPriceUnits, maxPriceUnits, stepUnits, minQuantityUnits, maxQuantityUnits };
  return {
    symbol,
    baseSymbol: base.symbol,
    quoteSymbol: quote.symbol,
    baseDecimals: base.decimals,
    quoteDecimals: quote.decimals,
    baseScale,
    tickSize: priceText(tickUnits),
    minPrice: priceText(minPriceUnits),
    maxPrice: priceText(maxPriceUnits),
    stepSize: quantityText(stepUnits),
    minQuantity: quantityText(minQuantityUnits),
    maxQuantity: quantityText(maxQuantityUnits),
    tickUnits,
    minPriceUnits,
    maxPriceUnits,
    stepUnits,
    minQuantityUnits,
    maxQuantityUnits,
    makerFeeBps: readInteger(object, 'makerFeeBps', path, { min: 0, max: MAX_FEE_BPS }),
    takerFeeBps: readInteger(object, 'takerFeeBps', path, { min: 0, max: MAX_FEE_BPS }),
    createdAt,
    liquidity:
      object['liquidity'] === undefined
        ? null
        : loadLiquidity(object['liquidity'], `${path}.liquidity`, { base, quote, bounds, baseDir }),
  };
}

interface MarketBounds {
  readonly tickUnits: bigint;
  readonly minPriceUnits: bigint;
  readonly maxPriceUnits: bigint;
  readonly stepUnits: bigint;
  readonly minQuantityUnits: bigint;
  readonly maxQuantityUnits: bigint;
}

/** A market's `liquidity` block (the built-in market makers); defaults for everything but price and size. */
function loadLiquidity(
  value: unknown,
  path: string,
  market: { base: AssetConfig; quote: AssetConfig; bounds: MarketBounds; baseDir: string },
): MarketLiquidity {
  const object = readObject(value, path);
  assertOnlyKeys(object, LIQUIDITY_KEYS, path);
  const { bounds } = market;
  const startPriceUnits = readAmount(object, 'startPrice', path, market.quote.decimals);
  if (startPriceUnits < bounds.minPriceUnits || startPriceUnits > bounds.maxPriceUnits) {
    throw new ConfigError(`${path}.startPrice must be within the market's minPrice and maxPrice`);
  }
  if (startPriceUnits % bounds.tickUnits !== 0n) {
    throw new ConfigError(`${path}.startPrice must be a multiple of the tick size`);
  }
  const levelSizeUnits = readAmount(object, 'levelSize', path, market.base.decimals);
  if (levelSizeUnits % bounds.stepUnits !== 0n || levelSizeUnits < bounds.minQuantityUnits) {
    throw new ConfigError(`${path}.levelSize must be a multiple of the step size, at least minQuantity`);
  }
  if (levelSizeUnits * 4n > bounds.maxQuantityUnits) {
    throw new ConfigError(`${path}.levelSize must be at most a quarter of maxQuantity`);
  }
  const optional = (key: string, range: { min: number; max: number }, fallback: number): number =>
    object[key] === undefined ? fallback : readInteger(object, key, path, range);
  const volatility = object['volatility'] === undefined ? 0.8 : object['volatility'];
  if (typeof volatility !== 'number' || !(volatility >= 0 && volatility <= 10)) {
    throw new ConfigError(`${path}.volatility must be a number between 0 and 10 (annualised, 0.8 = 80 %)`);
  }
  const priceFile = readNullableString(object, 'priceFile', path);
  return {
    startPriceUnits,
    volatility,
    spreadBps: optional('spreadBps', { min: 1, max: 1000 }, 10),
    levels: optional('levels', { min: 1, max: 100 }, 12),
    levelStepBps: optional('levelStepBps', { min: 1, max: 1000 }, 5),
    levelSizeUnits,
    tradesPerMinute: optional('tradesPerMinute', { min: 0, max: 600 }, 20),
    priceFile: priceFile === null ? null : resolve(market.baseDir, priceFile),
  };
}

function readSymbol(object: JsonObject, key: string, path: string): string {
  const symbol = readString(object, key, path);
  if (!SYMBOL.test(symbol)) throw new ConfigError(`${path}.${key} must be upper-case letters and digits`);
  return symbol;
}

function readAmount(object: JsonObject, key: string, path: string, decimals: number): bigint {
  const text = readString(object, key, path);
  try {
    return parseDecimal(text, decimals);
  } catch (error) {
    if (error instanceof DecimalError) throw new ConfigError(`${path}.${key}: ${error.message}`);
    throw error;
  }
}

function readBounds(min: bigint, max: bigint, step: bigint, path: string): [bigint, bigint] {
  positive(min, `${path} minimum`);
  if (max < min) throw new ConfigError(`${path} maximum must not be below the minimum`);
  if (min % step !== 0n || max % step !== 0n) {
    throw new ConfigError(
      `${path} bounds must be multiples of the ${path.endsWith('price') ? 'tick' : 'step'} size`,
    );
  }
  return [min, max];
}

function positive(units: bigint, path: string): bigint {
  if (units <= 0n) throw new ConfigError(`${path} must be greater than zero`);
  return units;
}

function indexUnique<T extends { readonly symbol: string }>(
  items: readonly T[],
  path: string,
): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    if (index.has(item.symbol)) throw new ConfigError(`${path} lists ${item.symbol} twice`);
    index.set(item.symbol, item);
  }
  return index;
}
