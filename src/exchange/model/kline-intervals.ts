/**
 * Backpack's kline intervals and their time maths (pure): where a candle of an interval starts and ends. Fixed
 * intervals are counted from the epoch, weekly ones from the first Monday (candles start on Mondays, UTC), monthly
 * ones on the first of the month (UTC). REST klines (persistence/market-data.ts) and kline streams share these.
 */
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

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const FIXED_INTERVALS: Readonly<Record<Exclude<KlineInterval, '1month'>, number>> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': DAY,
  '3d': 3 * DAY,
  '1w': 7 * DAY,
};
/** 1970-01-05, the first Monday after the epoch: weekly candles start on Mondays. */
const FIRST_MONDAY = 4 * DAY;

export function bucketStart(interval: KlineInterval, time: number): number {
  if (interval === '1month') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  const size = FIXED_INTERVALS[interval];
  const origin = interval === '1w' ? FIRST_MONDAY : 0;
  return Math.floor((time - origin) / size) * size + origin;
}

export function bucketEnd(interval: KlineInterval, start: number): number {
  if (interval === '1month') {
    const date = new Date(start);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return start + FIXED_INTERVALS[interval];
}
