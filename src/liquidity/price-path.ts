/**
 * Where the built-in market makers put the middle of a market: a seeded geometric Brownian motion, or a price file
 * the operator supplies, replayed in a loop. Pure apart from readPriceFile().
 *
 * The walk is a simulation in floating point (a price is a float of quote units per whole base unit here); the
 * makers turn it into exact tick multiples (quote-ladder.ts) before any order carries it. The same seed and the
 * same step times give the same path (SIGNET_LIQUIDITY_SEED makes a run repeatable).
 */
import { readFile } from 'node:fs/promises';

const YEAR_MS = 365.25 * 86_400_000;

/** A price source: `next(nowMs)` is the price at `nowMs` (called with non-decreasing times). */
export interface PricePath {
  next(nowMs: number): number;
}

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from any text (FNV-1a): `SIGNET_LIQUIDITY_SEED` and the market symbol together. */
export function seedFromText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** A standard normal draw (Box-Muller) from uniform draws. */
export function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * dS/S = sigma dW (no drift: log-price drifts by -sigma^2/2 per year so the expected price stays put), kept inside
 * [floor, ceiling] by reflection so a long run never walks to the market's price bounds.
 */
export function randomWalk(options: {
  start: number;
  volatility: number;
  random: () => number;
  floor: number;
  ceiling: number;
  startMs: number;
}): PricePath {
  let price = options.start;
  let lastMs = options.startMs;
  return {
    next(nowMs: number): number {
      const dt = Math.max(0, nowMs - lastMs) / YEAR_MS;
      lastMs = Math.max(lastMs, nowMs);
      if (dt === 0) return price;
      const sigma = options.volatility;
      price *= Math.exp(-0.5 * sigma * sigma * dt + sigma * Math.sqrt(dt) * normal(options.random));
      if (price < options.floor) price = (options.floor * options.floor) / price;
      if (price > options.ceiling) price = (options.ceiling * options.ceiling) / price;
      return Math.min(Math.max(price, options.floor), options.ceiling);
    },
  };
}

export interface PricePoint {
  readonly atMs: number;
  readonly price: number;
}

/**
 * Parses a `timestamp,price` CSV: one point a line, an optional header line, timestamps increasing (milliseconds
 * or seconds since the epoch, or ISO 8601), prices positive decimals. Throws naming the line.
 */
export function parsePriceCsv(text: string, name = 'price file'): PricePoint[] {
  const points: PricePoint[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [stamp = '', price = '', ...rest] = line.split(',').map((cell) => cell.trim());
    if (index === 0 && points.length === 0 && !/^\d/.test(price)) return; // header
    const atMs = readTimestamp(stamp);
    const value = Number(price);
    if (rest.length > 0 || atMs === undefined || !/^\d+(\.\d+)?$/.test(price) || !(value > 0)) {
      throw new Error(`${name}, line ${index + 1}: expected "timestamp,price", found "${line.slice(0, 80)}"`);
    }
    const previous = points.at(-1);
    if (previous !== undefined && atMs <= previous.atMs) {
      throw new Error(`${name}, line ${index + 1}: timestamps must increase`);
    }
    points.push({ atMs, price: value });
  });
  if (points.length === 0) throw new Error(`${name} holds no prices`);
  return points;
}

function readTimestamp(text: string): number | undefined {
  if (/^\d{1,16}$/.test(text)) {
    const value = Number(text);
    return value < 1e11 ? value * 1000 : value; // seconds before 5138 AD are seconds
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Replays `points` at their own pace from `startMs`, in a loop: the price at a moment is the last point at or before
 * it. A loop lasts from the first point to the last plus the median gap, so the last price is held too.
 */
export function replayPath(points: readonly PricePoint[], startMs: number): PricePath {
  const first = (points[0] as PricePoint).atMs;
  const gaps = points.slice(1).map((point, i) => point.atMs - (points[i] as PricePoint).atMs);
  gaps.sort((a, b) => a - b);
  const period = (points.at(-1) as PricePoint).atMs - first + (gaps[Math.floor(gaps.length / 2)] ?? 1000);
  return {
    next(nowMs: number): number {
      const offset = first + (Math.max(0, nowMs - startMs) % period);
      let low = 0;
      let high = points.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((points[middle] as PricePoint).atMs <= offset) low = middle;
        else high = middle - 1;
      }
      return (points[low] as PricePoint).price;
    },
  };
}

export async function readPriceFile(path: string): Promise<PricePoint[]> {
  return parsePriceCsv(await readFile(path, 'utf8'), path);
}
