/* eslint-disable @typescript-eslint/no-explicit-any -- the markets file is edited as raw JSON */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

import { ConfigError } from '../config/config-reader.ts';
import { loadMarketConfig } from '../config/market-config.ts';
import { computeReferencePrices } from './reference-prices.ts';

const CONFIG_PATH = fileURLToPath(new URL('../../../config/markets.json', import.meta.url));

async function config(edit: (json: any) => void = () => {}) {
  const json = JSON.parse(await readFile(CONFIG_PATH, 'utf8'));
  edit(json);
  return loadMarketConfig(json);
}

const usdc = (text: string): bigint => BigInt(Math.round(Number(text) * 1e6));

describe('computeReferencePrices()', () => {
  it('gives every asset of the default markets a price before any trade (stablecoins 1)', async () => {
    const { decimals, prices } = computeReferencePrices(await config(), new Map());
    expect(decimals).toBe(6);
    expect(prices.get('USDC')).toBe(usdc('1'));
    expect(prices.get('USDT')).toBe(usdc('1'));
    for (const symbol of ['SOL', 'BTC', 'ETH']) expect(prices.get(symbol)).toBeGreaterThan(0n);
  });

  it('prefers the last USDC trade over the markets file', async () => {
    const markets = await config();
    const { prices } = computeReferencePrices(markets, new Map([['SOL_USDC', usdc('123.45')]]));
    expect(prices.get('SOL')).toBe(usdc('123.45'));
  });

  it('goes through another priced quote, else 0, when the file has no reference', async () => {
    const markets = await config((json) => {
      for (const asset of json.assets) if (asset.symbol === 'SOL') delete asset.referencePrice;
    });
    expect(computeReferencePrices(markets, new Map()).prices.get('SOL')).toBe(0n);
    // SOL_USDT at 140 with USDT at 1 (its reference): 140 USDC.
    const through = computeReferencePrices(markets, new Map([['SOL_USDT', usdc('140')]]));
    expect(through.prices.get('SOL')).toBe(usdc('140'));
    // USDT traded at 0.999 against USDC: SOL_USDT at 140 is then 139.86.
    const both = computeReferencePrices(
      markets,
      new Map([
        ['SOL_USDT', usdc('140')],
        ['USDT_USDC', 999_000n],
      ]),
    );
    expect(both.prices.get('USDT')).toBe(999_000n);
    expect(both.prices.get('SOL')).toBe(usdc('139.86'));
  });

  it('refuses a reference price that is not a positive decimal', async () => {
    for (const bad of ['0', '-1', 'one', 1]) {
      await expect(
        config((json) => {
          json.assets[0].referencePrice = bad;
        }),
      ).rejects.toThrow(ConfigError);
    }
  });
});
