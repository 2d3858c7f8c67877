/**
 * The asset a limits query names (`symbol`), for the account routes: INVALID_ASSET "Unknown asset" when the
 * exchange has no such asset. Pure over the configuration.
 */
import { AppError } from '../../../errors.ts';
import type { ExchangeConfig } from '../../../exchange/index.ts';

export function requireKnownAsset(
  config: ExchangeConfig,
  symbol: unknown,
): { symbol: string; decimals: number } {
  const asset = typeof symbol === 'string' ? config.assetsBySymbol.get(symbol) : undefined;
  if (asset === undefined) throw new AppError('INVALID_ASSET', 'Unknown asset');
  return { symbol: asset.symbol, decimals: asset.decimals };
}
