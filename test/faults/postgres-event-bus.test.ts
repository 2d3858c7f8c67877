/**
 * The PostgreSQL event bus across lost connections (issues 17.1 and 18.5): two buses on one schema, each one's
 * connection ended with `pg_terminate_backend` several times. Before, the bus's sending connection was never
 * reopened, so after the first termination a node's events never reached the other nodes again. Now each bus
 * listens and sends again after every termination, and a large event (several NOTIFY chunks) still arrives whole.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

import { PostgresEventBus } from '../../src/events/event-bus.ts';
import type { MarketEvent } from '../../src/events/market-events.ts';
import { createPostgresDatabase } from '../helpers/dialects.ts';
import { PG_TEST_URL } from '../helpers/requirements.ts';

const ROUNDS = Number(process.env.SIGNET_FAULT_EPISODES ?? 3);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function event(node: string, sequence: number, size = 0): MarketEvent {
  return {
    node,
    symbol: 'SOL_USDC',
    sequence,
    time: sequence,
    bids: Array.from({ length: size }, (_, i) => ({ price: `${i}`, quantity: '1' })),
    asks: [],
    bestBid: null,
    bestAsk: null,
    trades: [],
    orders: [],
  } as unknown as MarketEvent;
}

async function until(condition: () => boolean, what: string, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PostgreSQL event bus, connections ended', () => {
  it('listens and sends again after each pg_terminate_backend', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const received: [MarketEvent[], MarketEvent[]] = [[], []];
    const errors: unknown[] = [];
    const buses = await Promise.all(
      [0, 1].map((i) =>
        PostgresEventBus.open({
          url: database.url,
          receive: (e) => received[i as 0 | 1].push(e),
          onError: (error) => errors.push(error),
        }),
      ),
    );
    for (const bus of buses) cleanups.push(() => bus.close());
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    cleanups.push(() => admin.end());

    let sequence = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const pids = buses.map((bus) => bus.connectionPid);
      expect(pids.every((pid) => pid !== undefined)).toBe(true);
      await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
      await until(
        () => buses.every((bus, i) => bus.connectionPid !== undefined && bus.connectionPid !== pids[i]),
        `both buses listening again (round ${round})`,
      );
      const fromA = event(buses[0]!.node, ++sequence, round === ROUNDS - 1 ? 2000 : 1);
      buses[0]!.send(fromA);
      buses[1]!.send(event(buses[1]!.node, ++sequence));
      await until(
        () =>
          received[1].some((e) => e.sequence === fromA.sequence) &&
          received[0].some((e) => e.sequence === sequence),
        `the events of round ${round} on the other bus`,
      );
    }
    // The last round's event from A was large: it arrived whole.
    expect(received[1].at(-1)?.bids).toHaveLength(2000);
    // One report per outage, not one per attempt or per dropped event.
    expect(errors.length).toBeLessThanOrEqual(2 * ROUNDS);
  }, 60_000);
});
