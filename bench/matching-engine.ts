/**
 * Matching-engine throughput and latency, in process, on one SOL_USDC book: a seeded random mix of about
 * 70% limit orders near the mid (some crossing), 20% cancels of earlier orders, 10% market orders, for ~2 s
 * after a warm-up. Latency is per operation (match or cancel), measured with performance.now().
 * Run alone: node --import tsx bench/matching-engine.ts. Prints a table; asserts nothing about time.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { matchOrder, type IncomingOrder } from '../src/exchange/engine/matching-engine.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import type { MarketConfig } from '../src/exchange/model/markets.ts';
import { cancelOrder, createOrderBook, type OrderBook } from '../src/exchange/engine/order-book.ts';

export interface MatchingEngineBench {
  /** Operations (orders and cancels) per second of measured time. */
  ordersPerSecond: number;
  p50Micros: number;
  p99Micros: number;
  /** Context: measured operations, fills they produced, and orders resting on the book at the end. */
  operations: number;
  fills: number;
  restingOrders: number;
}

type Operation = { kind: 'order'; order: IncomingOrder } | { kind: 'cancel'; pick: number };

const DURATION_MS = 2_000;
const WARM_UP_OPERATIONS = 20_000;
const BATCH = 10_000;
const ACCOUNTS = 100;
const CONFIG_PATH = fileURLToPath(new URL('../config/markets.json', import.meta.url));

export async function benchMatchingEngine(): Promise<MatchingEngineBench> {
  const market = (await readMarketConfigFile(CONFIG_PATH)).marketsBySymbol.get('SOL_USDC');
  if (market === undefined) throw new Error('config/markets.json has no SOL_USDC market');
  const book = createOrderBook(market.symbol);
  const random = createRandom(42);
  const live: string[] = [];
  let nextId = 0;
  const generate = (count: number): Operation[] =>
    Array.from({ length: count }, () => generateOperation(market, random, `o${nextId++}`));

  runBatch(book, market, live, generate(WARM_UP_OPERATIONS), null);
  let latencies: Float64Array = new Float64Array(1 << 20);
  let count = 0;
  let fills = 0;
  let elapsedMs = 0;
  while (elapsedMs < DURATION_MS) {
    if (count + BATCH > latencies.length) latencies = growArray(latencies);
    const operations = generate(BATCH);
    const started = performance.now();
    fills += runBatch(book, market, live, operations, latencies.subarray(count, count + BATCH));
    elapsedMs += performance.now() - started;
    count += BATCH;
  }
  const sorted = latencies.subarray(0, count).sort();
  const percentile = (p: number): number =>
    (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 1000;
  return {
    ordersPerSecond: Math.round(count / (elapsedMs / 1000)),
    p50Micros: round(percentile(0.5)),
    p99Micros: round(percentile(0.99)),
    operations: count,
    fills,
    restingOrders: book.orders.size,
  };
}

function runBatch(
  book: OrderBook,
  market: MarketConfig,
  live: string[],
  operations: readonly Operation[],
  latencies: Float64Array | null,
): number {
  let fills = 0;
  for (let i = 0; i < operations.length; i += 1) {
    const operation = operations[i] as Operation;
    const started = performance.now();
    if (operation.kind === 'cancel') {
      if (live.length > 0) {
        // Swap-remove a pseudo-random earlier order; it may already be filled (then cancel finds nothing).
        const index = operation.pick % live.length;
        const id = live[index] as string;
        live[index] = live[live.length - 1] as string;
        live.pop();
        cancelOrder(book, id);
      }
    } else {
      const result = matchOrder(book, operation.order, market);
      if (result.ok && result.rested) live.push(operation.order.id);
      if (result.ok) fills += result.fills.length;
    }
    if (latencies !== null) latencies[i] = performance.now() - started;
  }
  return fills;
}

function generateOperation(market: MarketConfig, random: () => number, id: string): Operation {
  const roll = random();
  if (roll < 0.2) return { kind: 'cancel', pick: Math.floor(random() * 2 ** 31) };
  const side = random() < 0.5 ? 'Bid' : 'Ask';
  const steps = BigInt(1 + Math.floor(random() * 500)); // 0.01 .. 5 SOL
  const isMarket = roll < 0.3;
  // Limits: mostly passive within 50 ticks of the mid (100.00); about one in ten crosses by up to 5 ticks.
  const offset = BigInt(Math.floor(random() * 56) - 5);
  const ticks = side === 'Bid' ? 9_999n - offset : 10_000n + offset;
  // Every order has the same fields, like validateOrder() output (keeps property access monomorphic).
  const order: IncomingOrder = {
    id,
    accountId: `acc${Math.floor(random() * ACCOUNTS)}`,
    side,
    orderType: isMarket ? 'Market' : 'Limit',
    price: isMarket ? undefined : ticks * market.tickUnits,
    quantity: (isMarket ? steps / 5n + 1n : steps) * market.stepUnits,
    quoteQuantity: undefined,
    timeInForce: 'GTC',
    postOnly: false,
    selfTradePrevention: 'RejectTaker',
    spendLimit: undefined,
  };
  return { kind: 'order', order };
}

/** mulberry32: a small seeded PRNG, so every run replays the same order stream. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function growArray(array: Float64Array): Float64Array {
  const grown = new Float64Array(array.length * 2);
  grown.set(array);
  return grown;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchMatchingEngine();
  console.log('| matching engine (SOL_USDC, in process) | value |');
  console.log('|---|---|');
  console.log(`| operations/s | ${result.ordersPerSecond.toLocaleString('en-US')} |`);
  console.log(`| p50 latency | ${result.p50Micros} us |`);
  console.log(`| p99 latency | ${result.p99Micros} us |`);
  console.log(`| operations measured | ${result.operations.toLocaleString('en-US')} |`);
  console.log(`| fills | ${result.fills.toLocaleString('en-US')} |`);
  console.log(`| resting orders at the end | ${result.restingOrders.toLocaleString('en-US')} |`);
}
