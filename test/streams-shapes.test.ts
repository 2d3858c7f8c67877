/**
 * Every stream's messages checked against the field tables of Backpack's stream spec (docs/STREAMS.md), types
 * included: E/T µs integers, U/u and bookTicker u numbers, decimals as strings, trade ids numbers and order ids
 * strings, kline t/T ISO strings, `q` always present on order updates. One real message of each kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

type Kind = 'string' | 'decimal' | 'integer' | 'micros' | 'boolean' | 'levels' | 'iso' | 'decimal|null';

const DECIMAL = /^\d+(\.\d+)?$/;
function check(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'decimal':
      return typeof value === 'string' && DECIMAL.test(value);
    case 'decimal|null':
      return value === null || (typeof value === 'string' && DECIMAL.test(value));
    case 'integer':
      return Number.isSafeInteger(value);
    case 'micros':
      return Number.isSafeInteger(value) && (value as number) > 1e15;
    case 'boolean':
      return typeof value === 'boolean';
    case 'iso':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(value);
    case 'levels':
      return (
        Array.isArray(value) &&
        value.every(
          (l) =>
            Array.isArray(l) && l.length === 2 && l.every((x) => typeof x === 'string' && DECIMAL.test(x)),
        )
      );
  }
}

const TABLES: Record<string, Record<string, Kind>> = {
  depth: {
    e: 'string',
    E: 'micros',
    s: 'string',
    a: 'levels',
    b: 'levels',
    U: 'integer',
    u: 'integer',
    T: 'micros',
  },
  bookTicker: {
    e: 'string',
    E: 'micros',
    s: 'string',
    a: 'decimal|null',
    A: 'decimal|null',
    b: 'decimal|null',
    B: 'decimal|null',
    u: 'integer',
    T: 'micros',
  },
  trade: {
    e: 'string',
    E: 'micros',
    s: 'string',
    p: 'decimal',
    q: 'decimal',
    b: 'string',
    a: 'string',
    t: 'integer',
    T: 'micros',
    m: 'boolean',
  },
  ticker: {
    e: 'string',
    E: 'micros',
    s: 'string',
    o: 'decimal',
    c: 'decimal',
    h: 'decimal',
    l: 'decimal',
    v: 'decimal',
    V: 'decimal',
    n: 'integer',
  },
  kline: {
    e: 'string',
    E: 'micros',
    s: 'string',
    t: 'iso',
    T: 'iso',
    o: 'decimal',
    c: 'decimal',
    h: 'decimal',
    l: 'decimal',
    v: 'decimal',
    n: 'integer',
    X: 'boolean',
  },
  order: {
    e: 'string',
    E: 'micros',
    s: 'string',
    S: 'string',
    o: 'string',
    f: 'string',
    q: 'decimal',
    X: 'string',
    i: 'string',
    z: 'decimal',
    Z: 'decimal',
    V: 'string',
    T: 'micros',
    O: 'string',
    y: 'boolean',
    r: 'boolean',
  },
  orderFill: { t: 'integer', l: 'decimal', L: 'decimal', m: 'boolean', n: 'decimal', N: 'string' },
};

function expectShape(data: Record<string, unknown>, table: Record<string, Kind>): void {
  for (const [key, kind] of Object.entries(table)) {
    expect({ key, value: data[key], ok: check(kind, data[key]) }).toMatchObject({ key, ok: true });
  }
}

let ctx: StreamTestServer;
let maker: Trader;
let taker: Trader;

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite');
  maker = await ctx.trader({ funds: { SOL: '10', USDC: '1000' } });
  taker = await ctx.trader({ funds: { SOL: '10', USDC: '1000' } });
});
afterAll(async () => ctx?.close());

describe('stream message shapes', () => {
  it('match the field tables, types included', async () => {
    const client = await RawStreamClient.open(ctx.wsUrl);
    client.send({
      method: 'SUBSCRIBE',
      params: [
        'depth.SOL_USDC',
        'depth.200ms.SOL_USDC',
        'bookTicker.SOL_USDC',
        'trade.SOL_USDC',
        'ticker.SOL_USDC',
        'kline.1s.SOL_USDC',
        'kline.1m.SOL_USDC',
      ],
    });
    const orders = await RawStreamClient.open(ctx.wsUrl);
    orders.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(maker),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await ctx.rest(maker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '150',
      quantity: '2',
      clientId: 3,
    });
    await ctx.rest(taker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Market',
      quantity: '0.5',
    });

    for (const [stream, table] of [
      ['depth.SOL_USDC', 'depth'],
      ['depth.200ms.SOL_USDC', 'depth'],
      ['bookTicker.SOL_USDC', 'bookTicker'],
      ['trade.SOL_USDC', 'trade'],
      ['ticker.SOL_USDC', 'ticker'],
      ['kline.1s.SOL_USDC', 'kline'],
      ['kline.1m.SOL_USDC', 'kline'],
    ] as const) {
      const frame = await client.next((f) => f.stream === stream, 4000);
      expect(Object.keys(frame).sort()).toEqual(['data', 'stream']);
      expect(frame.data.e).toBe(table);
      expectShape(frame.data, TABLES[table] as Record<string, Kind>);
    }
    const accepted = await orders.next((f) => f.data?.e === 'orderAccepted');
    expectShape(accepted.data, TABLES['order'] as Record<string, Kind>);
    expect(accepted.data).toMatchObject({ c: 3, p: '150.00' });
    const fill = await orders.next((f) => f.data?.e === 'orderFill');
    expectShape(fill.data, { ...TABLES['order'], ...TABLES['orderFill'] } as Record<string, Kind>);
    client.close();
    orders.close();
  });
});
