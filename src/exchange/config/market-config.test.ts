import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ExchangeConfig } from '../model/markets.ts';
import { ConfigError } from './config-reader.ts';
import { loadMarketConfig, readMarketConfigFile } from './market-config.ts';

const CONFIG_PATH = fileURLToPath(new URL('../../../config/markets.json', import.meta.url));

async function readDefaultJson(): Promise<{
  assets: Record<string, unknown>[];
  markets: Record<string, unknown>[];
}> {
  return JSON.parse(await readFile(CONFIG_PATH, 'utf8'));
}

type ConfigJson = Awaited<ReturnType<typeof readDefaultJson>>;

/** Loads the default config after applying `edit` to a fresh copy of its JSON. */
async function loadEdited(edit: (json: ConfigJson) => void): Promise<ExchangeConfig> {
  const json = await readDefaultJson();
  edit(json);
  return loadMarketConfig(json);
}

describe('readMarketConfigFile()', () => {
  it('loads the default config with the required assets and markets', async () => {
    const config = await readMarketConfigFile(CONFIG_PATH);
    expect([...config.assetsBySymbol.keys()]).toEqual(
      expect.arrayContaining(['USDC', 'USDT', 'SOL', 'BTC', 'ETH']),
    );
    expect([...config.marketsBySymbol.keys()]).toEqual(
      expect.arrayContaining(['SOL_USDC', 'BTC_USDC', 'ETH_USDC', 'SOL_USDT']),
    );
    expect(config.assetsBySymbol.get('USDC')?.decimals).toBe(6);
    expect(config.assetsBySymbol.get('SOL')?.decimals).toBe(9);
  });

  it('parses market filters into exact units', async () => {
    const sol = (await readMarketConfigFile(CONFIG_PATH)).marketsBySymbol.get('SOL_USDC');
    expect(sol).toMatchObject({
      baseDecimals: 9,
      quoteDecimals: 6,
      baseScale: 1_000_000_000n,
      tickSize: '0.01',
      tickUnits: 10_000n,
      stepSize: '0.01',
      stepUnits: 10_000_000n,
      minQuantityUnits: 10_000_000n,
      makerFeeBps: 2,
      takerFeeBps: 5,
    });
  });

  it('uses blockchain names that ccxt maps to networks', async () => {
    const known = ['solana', 'ethereum', 'bitcoin', 'arbitrum', 'base', 'polygon', 'tron', 'optimism', 'bsc'];
    const config = await readMarketConfigFile(CONFIG_PATH);
    for (const token of config.assets.flatMap((asset) => asset.tokens)) {
      expect(known).toContain(token.blockchain.toLowerCase());
      expect(token.blockchain[0]).toBe(token.blockchain[0]?.toUpperCase());
    }
  });

  it('reports a file that is not JSON', async () => {
    await expect(readMarketConfigFile(fileURLToPath(import.meta.url))).rejects.toThrow(ConfigError);
  });
});

describe('loadMarketConfig()', () => {
  it.each<[string, string, unknown, RegExp]>([
    ['an unknown market key', 'markets.0.takerFeeBPS', 5, /markets\[0\]\.takerFeeBPS is not a known field/],
    ['an unknown root key', 'extra', 1, /config\.extra/],
    ['a missing tick size', 'markets.1.tickSize', undefined, /markets\[1\]\.tickSize/],
    ['an inexact decimal', 'markets.0.tickSize', '0.0000001', /markets\[0\]\.tickSize/],
    ['a signed decimal', 'markets.0.minPrice', '-1', /markets\[0\]\.minPrice/],
    ['a number instead of a decimal string', 'markets.0.stepSize', 0.01, /markets\[0\]\.stepSize/],
    ['a zero step', 'markets.0.stepSize', '0', /markets\[0\]\.stepSize/],
    ['an unknown base asset', 'markets.0.baseSymbol', 'DOGE', /markets\[0\]\.baseSymbol/],
    ['a symbol that is not BASE_QUOTE', 'markets.0.symbol', 'SOLUSDC', /markets\[0\]\.symbol/],
    ['a fee out of range', 'markets.0.takerFeeBps', 1001, /markets\[0\]\.takerFeeBps/],
    ['a fractional fee', 'markets.0.makerFeeBps', 1.5, /markets\[0\]\.makerFeeBps/],
    ['a zoned createdAt', 'markets.0.createdAt', '2025-01-01T00:00:00Z', /markets\[0\]\.createdAt/],
    ['a min price off the tick', 'markets.0.minPrice', '0.015', /markets\[0\]\.price bounds/],
    ['max below min quantity', 'markets.0.maxQuantity', '0.001', /markets\[0\]\.quantity maximum/],
    ['asset decimals out of range', 'assets.0.decimals', 19, /assets\[0\]\.decimals/],
    ['a lower-case asset symbol', 'assets.0.symbol', 'usdc', /assets\[0\]\.symbol/],
    [
      'a token amount too precise',
      'assets.0.tokens.0.withdrawalFee',
      '0.0000001',
      /tokens\[0\]\.withdrawalFee/,
    ],
    [
      'a duplicate blockchain',
      'assets.0.tokens.1.blockchain',
      'Solana',
      /assets\[0\]\.tokens lists a blockchain twice/,
    ],
    ['a non-boolean flag', 'assets.0.tokens.0.depositEnabled', 'yes', /tokens\[0\]\.depositEnabled/],
    ['a maximum below the minimum', 'assets.2.tokens.0.maximumWithdrawal', '0.01', /maximumWithdrawal/],
  ])('rejects %s, naming the field', async (_name, path, value, message) => {
    const config = loadEdited((json) => setPath(json, path, value));
    await expect(config).rejects.toThrow(ConfigError);
    await expect(config).rejects.toThrow(message);
  });

  it('rejects a duplicate market symbol', async () => {
    await expect(loadEdited((json) => json.markets.push(json.markets[0]!))).rejects.toThrow(
      /markets lists SOL_USDC twice/,
    );
  });

  it('rejects a duplicate asset symbol', async () => {
    await expect(loadEdited((json) => json.assets.push(json.assets[0]!))).rejects.toThrow(
      /assets lists USDC twice/,
    );
  });

  it('rejects a market whose tick * step has no exact quote notional', async () => {
    // SOL has 9 decimals, USDC 6: 0.0001 USDC (100 units) * 0.001 SOL (10^6 units) = 10^8, not a multiple of 10^9.
    const config = loadEdited((json) => {
      Object.assign(json.markets[0]!, {
        tickSize: '0.0001',
        minPrice: '0.0001',
        stepSize: '0.001',
        minQuantity: '0.001',
      });
    });
    await expect(config).rejects.toThrow(/markets\[0\]: tickSize \* stepSize/);
  });

  it('normalizes decimal strings', async () => {
    const config = await loadEdited((json) => setPath(json, 'markets.0.tickSize', '0.0100'));
    expect(config.marketsBySymbol.get('SOL_USDC')?.tickSize).toBe('0.01');
  });
});

/** Sets (or, for undefined, deletes) a dotted path such as "markets.0.tickSize" in parsed JSON. */
function setPath(json: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce((node, key) => (node as Record<string, unknown>)[key], json) as Record<
    string,
    unknown
  >;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

describe("a market's liquidity block (the built-in market makers)", () => {
  it('ships one for every market, with defaults filled in and the price file resolved', async () => {
    const config = await readMarketConfigFile(CONFIG_PATH);
    for (const market of config.markets) {
      expect(market.liquidity, market.symbol).not.toBeNull();
      expect(market.liquidity?.levels).toBeGreaterThanOrEqual(10);
    }
    const edited = await loadEdited((json) => {
      json.markets[0]!['liquidity'] = { startPrice: '150', levelSize: '2', priceFile: 'p.csv' };
    });
    expect(edited.markets[0]?.liquidity).toMatchObject({
      startPriceUnits: 150_000_000n,
      levelSizeUnits: 2_000_000_000n,
      spreadBps: 10,
      levels: 12,
      tradesPerMinute: 20,
      priceFile: `${process.cwd()}/p.csv`,
    });
    const none = await loadEdited((json) => delete json.markets[0]!['liquidity']);
    expect(none.markets[0]?.liquidity).toBeNull();
  });

  it.each([
    [{ startPrice: '150.001', levelSize: '2' }, 'startPrice must be a multiple of the tick size'],
    [{ startPrice: '1000000', levelSize: '2' }, 'startPrice must be within'],
    [{ startPrice: '150', levelSize: '0.001' }, 'levelSize must be a multiple of the step size'],
    [{ startPrice: '150', levelSize: '2', levels: 0 }, 'levels must be an integer between 1 and 100'],
    [{ startPrice: '150', levelSize: '2', volatility: '0.8' }, 'volatility must be a number'],
    [{ startPrice: '150', levelSize: '2', spread: 10 }, 'liquidity.spread is not a known field'],
  ])('refuses %j naming the field', async (block, message) => {
    await expect(
      loadEdited((json) => {
        json.markets[0]!['liquidity'] = block;
      }),
    ).rejects.toThrow(message);
  });
});
