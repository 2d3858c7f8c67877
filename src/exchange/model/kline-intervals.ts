/** Backpack's kline intervals, as REST `/api/v1/klines` and the kline streams name them. */
export const KLINE_INTERVALS = [
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1month',
] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];
