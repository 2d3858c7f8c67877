/**
 * SQLite that cannot be written for longer than the busy timeout (issue 17.1, the SQLite side): another program
 * holds the file's write lock. Orders meanwhile are answered 503 MAINTENANCE with Retry-After (before: 500
 * SQLITE_BUSY), `/readyz` answers 503, and both recover as soon as the lock is given back; the acknowledged
 * orders are there and `signet audit` passes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { startSignetProcess } from '../helpers/signet-process.ts';
import { audit, LoadRecord, missingOrders, seedFaultAccount, sendSigned } from './fault-load.ts';

const dir = mkdtempSync(join(tmpdir(), 'signet-faults-locked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite locked by another program', () => {
  it('answers 503 with Retry-After and readyz 503 while locked, and recovers when the lock is released', async () => {
    const database = join(dir, 'locked.db');
    const account = await seedFaultAccount(database, { spares: 0 });
    const server = await startSignetProcess({ databaseUrl: database, workers: 1 });
    const record = new LoadRecord();
    const order = async () => {
      const answer = await sendSigned(server.url, account.traders[0]!, {
        method: 'POST',
        path: '/api/v1/order',
        body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '90', quantity: '0.01' },
      });
      record.count(answer, 'order');
      if (answer.status === 200) record.ackedOrders.add(String(answer.body.id));
      return answer;
    };
    try {
      expect((await order()).status).toBe(200);
      const holder = new SQLite(database);
      holder.prepare('begin immediate').run();
      try {
        // Readiness first: its probe waits a quarter of a second for the lock; an order waits the busy timeout.
        expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
        const during = await order();
        expect(during.status, JSON.stringify(during.body)).toBe(503);
        expect(during.body.code).toBe('MAINTENANCE');
        expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
      } finally {
        holder.prepare('rollback').run();
        holder.close();
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect((await order()).status).toBe(200);
      expect(server.output()).toMatch(/database available again after/);
    } finally {
      await server.stop();
    }
    expect(record.countOf((s) => s === 500 || s === 0)).toBe(0);
    expect(await missingOrders(database, record.ackedOrders)).toEqual([]);
    expect(await audit(database)).toMatchObject({ ok: true, problems: [] });
  }, 60_000);
});
