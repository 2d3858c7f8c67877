/**
 * Pins what Signet relies on in @fastify/rate-limit's internal stores (rate-limit-stores.ts), against the
 * installed package: an upgrade that moves the files, changes a constructor or the counting rules fails here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { countNow, createLocalCounterStore, createRedisCounterStore } from './rate-limit-stores.ts';

const require = createRequire(import.meta.url);

function answer(
  store: ReturnType<typeof createRedisCounterStore>,
  method: 'incr' | 'read',
  key: string,
  window: number,
): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) =>
    store[method](
      key,
      (error, result) => (error ? reject(error) : resolve(result as { current: number; ttl: number })),
      window,
      10,
    ),
  );
}

describe("@fastify/rate-limit's internal stores", () => {
  it('are the version whose stores this adapter was checked against (major 11)', () => {
    const manifest = JSON.parse(
      readFileSync(require.resolve('@fastify/rate-limit/package.json'), 'utf8'),
    ) as { version: string };
    expect(manifest.version).toMatch(/^11\./);
  });

  it('local: counts per key within a window, answers synchronously, read does not count', () => {
    const store = createLocalCounterStore();
    expect(countNow(store, 'incr', 'a', 60_000, 3)).toMatchObject({ current: 1 });
    expect(countNow(store, 'incr', 'a', 60_000, 3)).toMatchObject({ current: 2 });
    const read = countNow(store, 'read', 'a', 60_000, 3);
    expect(read.current).toBe(2);
    expect(read.ttl).toBeGreaterThan(59_000);
    expect(read.ttl).toBeLessThanOrEqual(60_000);
    expect(countNow(store, 'read', 'a', 60_000, 3).current).toBe(2);
    expect(countNow(store, 'incr', 'b', 60_000, 3).current).toBe(1);
    // Past the limit it keeps counting in the same window (no back-off, no window restart).
    for (let i = 0; i < 5; i++) countNow(store, 'incr', 'a', 60_000, 3);
    const over = countNow(store, 'read', 'a', 60_000, 3);
    expect(over.current).toBe(7);
    expect(over.ttl).toBeLessThanOrEqual(60_000);
    // An unknown key reads as zero.
    expect(countNow(store, 'read', 'never', 60_000, 3)).toEqual({ current: 0, ttl: 0 });
  });

  it('local: a window restarts once it has passed', async () => {
    const store = createLocalCounterStore();
    countNow(store, 'incr', 'k', 40, 1);
    countNow(store, 'incr', 'k', 40, 1);
    await new Promise((r) => setTimeout(r, 60));
    expect(countNow(store, 'read', 'k', 40, 1)).toEqual({ current: 0, ttl: 0 });
    expect(countNow(store, 'incr', 'k', 40, 1).current).toBe(1);
  });

  it('Redis: the same rules through its script, under the given prefix', async () => {
    const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
    } catch {
      return; // no Redis here: the local store is what every deployment without REDIS_URL uses
    }
    try {
      const prefix = `signet:rl-pin:${process.pid}:${Date.now()}:`;
      const store = createRedisCounterStore(client, prefix);
      expect(await answer(store, 'incr', 'x', 60_000)).toMatchObject({ current: 1 });
      expect(await answer(store, 'incr', 'x', 60_000)).toMatchObject({ current: 2 });
      const read = await answer(store, 'read', 'x', 60_000);
      expect(read.current).toBe(2);
      expect(read.ttl).toBeGreaterThan(59_000);
      expect(await answer(store, 'read', 'x', 60_000)).toMatchObject({ current: 2 });
      expect(await client.exists(`${prefix}x`)).toBe(1);
      await client.del(`${prefix}x`);
    } finally {
      client.disconnect();
    }
  });
});
